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
        let centroids = seed_plus_plus(points, rows, k, &mut rng);
        Self::refine(points, rows, centroids)
    }

    /// Lloyd's iterations from the given centroids (one per row) to a fit
    /// of the given rows.
    pub fn refine(points: &Dense, rows: &[usize], initial: Dense) -> KMeans {
        let k = initial.rows;
        let mut centroids = initial;
        let sample = gather(points, rows);
        let mut labels: Vec<usize> = vec![usize::MAX; rows.len()];
        let mut bounds = Bounds::new(rows.len(), k);
        let mut cohesion = 0.0;
        for _ in 0..MAX_ITERATIONS {
            let nearest = bounds.assign(&sample, &centroids, &labels);
            let changed = nearest
                .iter()
                .zip(&labels)
                .filter(|((c, _), l)| c != *l)
                .count();
            cohesion = nearest.iter().map(|&(_, s)| s as f64).sum();
            labels = nearest.iter().map(|&(c, _)| c).collect();
            let previous = centroids;
            centroids = recompute(&sample, &labels, &nearest, k);
            bounds.centroids_moved(&previous, &centroids);
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

/// Elkan's bounds (2003), which let an iteration skip most dot products
/// for points that cannot have changed cluster: a centroid need not be
/// compared when a lower bound on its distance from the point, or half its
/// distance from the point's best centroid so far, already exceeds the
/// distance to that best. The result is the same as comparing every
/// centroid (Lloyd's algorithm); late iterations, where few points move,
/// cost little more than one dot product per point.
///
/// Distances are Euclidean between unit vectors, √(2 − 2·cosine), for which
/// the triangle inequality holds.
struct Bounds {
    /// `k` lower bounds per point, row by row; empty before the first
    /// full comparison.
    lower: Vec<f32>,
    k: usize,
}

/// Bounds are kept this much on the safe side, against rounding.
const BOUND_SLACK: f32 = 1e-5;

/// The Euclidean distance between two unit vectors with this cosine (the
/// bounds need a metric; k-means++ weighs by `1 − cosine` instead).
fn euclidean_distance(similarity: f32) -> f32 {
    (2.0 - 2.0 * similarity).max(0.0).sqrt()
}

impl Bounds {
    fn new(points: usize, k: usize) -> Self {
        Bounds {
            lower: vec![0.0; points * k],
            k,
        }
    }

    /// Each point's nearest centroid with its similarity, as a comparison
    /// with every centroid gives it. `labels` are the previous ones
    /// (`usize::MAX` before the first).
    fn assign(&mut self, sample: &Dense, centroids: &Dense, labels: &[usize]) -> Vec<(usize, f32)> {
        let k = self.k;
        // Distances between centroids, for the half-distance test.
        let between: Vec<f32> = (0..k * k)
            .into_par_iter()
            .map(|ij| euclidean_distance(linalg::dot(centroids.row(ij / k), centroids.row(ij % k))))
            .collect();
        self.lower
            .par_chunks_mut(k)
            .enumerate()
            .map(|(i, lower)| {
                let point = sample.row(i);
                let own = labels[i];
                let (mut best, mut best_similarity) = if own == usize::MAX {
                    (0, linalg::dot(point, centroids.row(0)))
                } else {
                    (own, linalg::dot(point, centroids.row(own)))
                };
                let mut best_distance = euclidean_distance(best_similarity);
                lower[best] = best_distance;
                for c in 0..k {
                    if c == best
                        || (own != usize::MAX
                            && (best_distance + BOUND_SLACK < lower[c]
                                || best_distance + BOUND_SLACK < between[best * k + c] / 2.0))
                    {
                        continue;
                    }
                    let similarity = linalg::dot(point, centroids.row(c));
                    lower[c] = euclidean_distance(similarity);
                    // The first centroid wins ties, as in a full search.
                    if similarity > best_similarity || (similarity == best_similarity && c < best) {
                        (best, best_similarity) = (c, similarity);
                        best_distance = lower[c];
                    }
                }
                (best, best_similarity)
            })
            .collect()
    }

    /// Loosens the bounds by how far each centroid moved.
    fn centroids_moved(&mut self, before: &Dense, after: &Dense) {
        let moved: Vec<f32> = (0..after.rows)
            .map(|c| euclidean_distance(linalg::dot(before.row(c), after.row(c))))
            .collect();
        self.lower.par_chunks_mut(self.k).for_each(|lower| {
            for (bound, shift) in lower.iter_mut().zip(&moved) {
                *bound -= shift;
            }
        });
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
        let candidates: Vec<usize> = (0..trials)
            .map(|_| {
                if total <= 0.0 {
                    return rng.below(rows.len());
                }
                let mut target = rng.next_f64() * total;
                for (i, d) in closest.iter().enumerate() {
                    target -= d;
                    if target <= 0.0 {
                        return i;
                    }
                }
                rows.len() - 1
            })
            .collect();
        // Every candidate is tried in one pass over the points (a pass per
        // candidate made seeding memory-bound: 1.6 s of 1.9 at 100k issues).
        let updated: Vec<f64> = rows
            .par_iter()
            .zip(closest.par_iter())
            .flat_map_iter(|(&r, &d)| {
                let point = points.row(r);
                candidates
                    .iter()
                    .map(move |&candidate| d.min(distance(point, points.row(rows[candidate]))))
            })
            .collect();
        let potential = |t: usize| -> f64 { updated.iter().skip(t).step_by(trials).sum() };
        let mut best = 0;
        let mut best_potential = potential(0);
        for t in 1..trials {
            let p = potential(t);
            if p < best_potential {
                (best, best_potential) = (t, p);
            }
        }
        closest = updated.iter().skip(best).step_by(trials).copied().collect();
        centroids
            .row_mut(c)
            .copy_from_slice(points.row(rows[candidates[best]]));
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
    fn bounds_skip_comparisons_but_assign_as_a_full_search_does() {
        let mut rng = SplitMix64::new(5);
        let mut random_unit_rows = |rows: usize| {
            let mut m = Dense::zeros(rows, 16);
            m.data.iter_mut().for_each(|v| *v = rng.gaussian());
            m.normalise_rows();
            m
        };
        let sample = random_unit_rows(500);
        let mut centroids = random_unit_rows(12);
        let mut bounds = Bounds::new(sample.rows, centroids.rows);
        let mut labels = vec![usize::MAX; sample.rows];
        for _ in 0..8 {
            let nearest = bounds.assign(&sample, &centroids, &labels);
            assert_eq!(nearest, assign(&sample, &centroids));
            labels = nearest.iter().map(|&(c, _)| c).collect();
            let previous = centroids;
            centroids = recompute(&sample, &labels, &nearest, previous.rows);
            bounds.centroids_moved(&previous, &centroids);
        }
    }

    #[test]
    fn more_clusters_than_points_is_capped() {
        let p = points(&[[1.0, 0.0], [0.0, 1.0]]);
        let model = KMeans::fit(&p, &[0, 1], 5, 1, 1);
        assert_eq!(model.centroids.rows, 2);
    }
}
