//! Spherical k-means on unit vectors: k-means++ seeding, cosine similarity,
//! centroids re-scaled to unit length. Fitted on a sample, then every point
//! is assigned to its nearest centroid, so cost is linear in the corpus.

use rayon::prelude::*;

use super::linalg::{self, Dense};
use super::rng::SplitMix64;

/// Iterations at most; text clusters settle in far fewer.
const MAX_ITERATIONS: usize = 30;

/// Fitted centroids.
#[derive(Debug, Clone)]
pub struct KMeans {
    /// `k` unit rows.
    pub centroids: Dense,
    /// Sum over the fitted points of the similarity to their centroid.
    pub cohesion: f64,
}

/// Nearest centroid of every point, with its cosine similarity.
pub fn assign(points: &Dense, centroids: &Dense) -> Vec<(usize, f32)> {
    (0..points.rows)
        .into_par_iter()
        .map(|r| nearest(points.row(r), centroids))
        .collect()
}

/// Nearest centroid of one point (the first on ties).
pub fn nearest(point: &[f32], centroids: &Dense) -> (usize, f32) {
    let mut best = (0, f32::NEG_INFINITY);
    for c in 0..centroids.rows {
        let similarity = linalg::dot(point, centroids.row(c));
        if similarity > best.1 {
            best = (c, similarity);
        }
    }
    best
}

impl KMeans {
    /// Fits `k` clusters to the given rows of `points`, keeping the best of
    /// `restarts` seeded runs. Deterministic for a seed.
    pub fn fit(points: &Dense, rows: &[usize], k: usize, restarts: usize, seed: u64) -> KMeans {
        let k = k.clamp(1, rows.len().max(1));
        let mut best: Option<KMeans> = None;
        for restart in 0..restarts.max(1) {
            let run = Self::fit_once(points, rows, k, seed.wrapping_add(restart as u64 * 7919));
            if best.as_ref().is_none_or(|b| run.cohesion > b.cohesion) {
                best = Some(run);
            }
        }
        best.unwrap_or_else(|| KMeans {
            centroids: Dense::zeros(0, points.cols),
            cohesion: 0.0,
        })
    }

    fn fit_once(points: &Dense, rows: &[usize], k: usize, seed: u64) -> KMeans {
        let mut rng = SplitMix64::new(seed);
        let mut centroids = seed_plus_plus(points, rows, k, &mut rng);
        let sample = gather(points, rows);
        let mut labels: Vec<usize> = vec![usize::MAX; rows.len()];
        let mut cohesion = 0.0;
        for _ in 0..MAX_ITERATIONS {
            let nearest = assign(&sample, &centroids);
            let changed = nearest
                .iter()
                .zip(&labels)
                .filter(|((c, _), l)| c != *l)
                .count();
            cohesion = nearest.iter().map(|&(_, s)| s as f64).sum();
            labels = nearest.iter().map(|&(c, _)| c).collect();
            centroids = recompute(&sample, &labels, &nearest, k);
            // Stop once almost nothing moves: the last few points to swap
            // do not change what the themes are about.
            if changed * 1000 <= rows.len() {
                break;
            }
        }
        KMeans {
            centroids,
            cohesion,
        }
    }
}

/// The chosen rows as their own matrix.
fn gather(points: &Dense, rows: &[usize]) -> Dense {
    let mut out = Dense::zeros(rows.len(), points.cols);
    for (i, &r) in rows.iter().enumerate() {
        out.row_mut(i).copy_from_slice(points.row(r));
    }
    out
}

/// Mean of each cluster, scaled to unit length. An empty cluster takes the
/// point worst served by its own centroid, so `k` clusters remain.
fn recompute(sample: &Dense, labels: &[usize], nearest: &[(usize, f32)], k: usize) -> Dense {
    let mut centroids = Dense::zeros(k, sample.cols);
    let mut sizes = vec![0usize; k];
    for (i, &label) in labels.iter().enumerate() {
        linalg::add_scaled(centroids.row_mut(label), 1.0, sample.row(i));
        sizes[label] += 1;
    }
    let mut worst: Vec<usize> = (0..labels.len()).collect();
    worst.sort_by(|&a, &b| nearest[a].1.total_cmp(&nearest[b].1).then(a.cmp(&b)));
    let mut donors = worst.into_iter();
    for (c, size) in sizes.iter().enumerate() {
        if *size == 0
            && let Some(point) = donors.next()
        {
            centroids.row_mut(c).copy_from_slice(sample.row(point));
        }
    }
    centroids.normalise_rows();
    centroids
}

/// Greedy k-means++: each new centre is the best of a few candidates drawn
/// with probability proportional to their distance from the chosen ones.
fn seed_plus_plus(points: &Dense, rows: &[usize], k: usize, rng: &mut SplitMix64) -> Dense {
    let mut centroids = Dense::zeros(k, points.cols);
    let first = rows[rng.below(rows.len())];
    centroids.row_mut(0).copy_from_slice(points.row(first));
    let distance =
        |point: &[f32], centre: &[f32]| (1.0 - linalg::dot(point, centre)).max(0.0) as f64;
    let mut closest: Vec<f64> = rows
        .par_iter()
        .map(|&r| distance(points.row(r), centroids.row(0)))
        .collect();
    let trials = 2 + (k as f64).ln() as usize;
    for c in 1..k {
        let total: f64 = closest.iter().sum();
        let mut best: Option<(f64, Vec<f64>, usize)> = None;
        for _ in 0..trials {
            let candidate = if total <= 0.0 {
                rng.below(rows.len())
            } else {
                let mut target = rng.next_f64() * total;
                let mut chosen = rows.len() - 1;
                for (i, d) in closest.iter().enumerate() {
                    target -= d;
                    if target <= 0.0 {
                        chosen = i;
                        break;
                    }
                }
                chosen
            };
            let centre = points.row(rows[candidate]);
            let updated: Vec<f64> = rows
                .par_iter()
                .zip(closest.par_iter())
                .map(|(&r, &d)| d.min(distance(points.row(r), centre)))
                .collect();
            let potential: f64 = updated.iter().sum();
            if best.as_ref().is_none_or(|b| potential < b.0) {
                best = Some((potential, updated, candidate));
            }
        }
        if let Some((_, updated, candidate)) = best {
            closest = updated;
            centroids
                .row_mut(c)
                .copy_from_slice(points.row(rows[candidate]));
        }
    }
    centroids
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(rows: &[[f32; 2]]) -> Dense {
        Dense::unit_rows(rows)
    }

    #[test]
    fn two_obvious_directions_give_two_clusters() {
        let p = points(&[
            [1.0, 0.1],
            [1.0, 0.0],
            [0.9, 0.2],
            [0.0, 1.0],
            [0.1, 1.0],
            [0.2, 0.9],
        ]);
        let rows: Vec<usize> = (0..6).collect();
        let model = KMeans::fit(&p, &rows, 2, 3, 42);
        let labels: Vec<usize> = assign(&p, &model.centroids).iter().map(|a| a.0).collect();
        assert_eq!(labels[0], labels[1]);
        assert_eq!(labels[1], labels[2]);
        assert_eq!(labels[3], labels[4]);
        assert_eq!(labels[4], labels[5]);
        assert_ne!(labels[0], labels[3]);
    }

    #[test]
    fn more_clusters_than_points_is_capped() {
        let p = points(&[[1.0, 0.0], [0.0, 1.0]]);
        let model = KMeans::fit(&p, &[0, 1], 5, 1, 1);
        assert_eq!(model.centroids.rows, 2);
    }
}
