//! Exact agglomerative clustering (average linkage or Ward's) by the
//! nearest-neighbour-chain algorithm: O(n²) time and memory, so it is used
//! for small consultations only, where it is the most faithful method.

use super::linalg::{self, Dense};
use super::union_find::UnionFind;

/// One merge of the dendrogram: two clusters joined at a distance.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Merge {
    pub left: usize,
    pub right: usize,
    pub distance: f32,
}

/// How the distance between two clusters is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linkage {
    /// The mean cosine distance between their members (UPGMA).
    Average,
    /// How much merging them adds to the within-cluster sum of squares
    /// (Ward): prefers compact clusters of similar size.
    Ward,
}

/// The full merge history for the points, closest merges first.
pub fn dendrogram(points: &Dense, linkage: Linkage) -> Vec<Merge> {
    dendrogram_weighted(points, &vec![1; points.rows], linkage)
}

/// The merge history when each point stands for `sizes[i]` items (e.g. a
/// k-means cluster), so merges weigh clusters by how many they hold.
pub fn dendrogram_weighted(points: &Dense, sizes: &[usize], linkage: Linkage) -> Vec<Merge> {
    let n = points.rows;
    if n < 2 {
        return Vec::new();
    }
    let mut size: Vec<usize> = sizes.iter().map(|&s| s.max(1)).collect();
    let mut distance = initial_distances(points, &size, linkage);
    let mut active = vec![true; n];
    let mut merges = Vec::with_capacity(n - 1);
    let mut chain: Vec<usize> = Vec::new();
    while merges.len() < n - 1 {
        if chain.is_empty() {
            chain.push(active.iter().position(|&a| a).unwrap_or(0));
        }
        loop {
            let a = chain[chain.len() - 1];
            let previous = chain.len().checked_sub(2).map(|i| chain[i]);
            // Nearest active neighbour; prefer the previous link on ties so
            // the chain ends in a reciprocal pair.
            let mut best = previous.unwrap_or(usize::MAX);
            let mut best_distance = previous.map_or(f32::INFINITY, |p| distance[a * n + p]);
            for b in 0..n {
                if b != a && active[b] && distance[a * n + b] < best_distance {
                    best = b;
                    best_distance = distance[a * n + b];
                }
            }
            if Some(best) == previous {
                chain.pop();
                chain.pop();
                let (keep, gone) = (a.min(best), a.max(best));
                merges.push(Merge {
                    left: keep,
                    right: gone,
                    distance: best_distance,
                });
                // Lance–Williams update.
                let (size_keep, size_gone) = (size[keep] as f32, size[gone] as f32);
                for other in 0..n {
                    if active[other] && other != keep && other != gone {
                        let (to_keep, to_gone) =
                            (distance[keep * n + other], distance[gone * n + other]);
                        let sizes = (size_keep, size_gone, size[other] as f32);
                        let d = lance_williams(linkage, sizes, (to_keep, to_gone), best_distance);
                        distance[keep * n + other] = d;
                        distance[other * n + keep] = d;
                    }
                }
                size[keep] += size[gone];
                active[gone] = false;
                break;
            }
            chain.push(best);
        }
    }
    // Both linkages are reducible, so sorting gives the true merge order.
    merges.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    merges
}

/// Distances in a full matrix (n is small): cosine for average linkage;
/// for Ward, the merge cost of two points, half their squared Euclidean
/// distance (for unit rows, 1 − cosine), scaled by their sizes.
fn initial_distances(points: &Dense, size: &[usize], linkage: Linkage) -> Vec<f32> {
    let n = points.rows;
    let mut distance = vec![0.0f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let cosine = (1.0 - linalg::dot(points.row(i), points.row(j))).max(0.0);
            let d = match linkage {
                Linkage::Average => cosine,
                Linkage::Ward => {
                    let (a, b) = (size[i] as f32, size[j] as f32);
                    2.0 * a * b / (a + b) * cosine
                }
            };
            distance[i * n + j] = d;
            distance[j * n + i] = d;
        }
    }
    distance
}

/// The Lance–Williams update: the distance from the merge of `keep` and
/// `gone` (at `merged` apart) to another cluster, from the distances to
/// each; sizes are (keep, gone, other).
fn lance_williams(
    linkage: Linkage,
    (keep, gone, other): (f32, f32, f32),
    (to_keep, to_gone): (f32, f32),
    merged: f32,
) -> f32 {
    match linkage {
        Linkage::Average => (keep * to_keep + gone * to_gone) / (keep + gone),
        Linkage::Ward => {
            ((keep + other) * to_keep + (gone + other) * to_gone - other * merged)
                / (keep + gone + other)
        }
    }
}

/// Cuts the dendrogram into `k` clusters; labels are numbered by first
/// appearance, so they are stable.
pub fn cut(merges: &[Merge], n: usize, k: usize) -> Vec<usize> {
    let mut sets = UnionFind::new(n);
    for merge in merges.iter().take(n.saturating_sub(k.max(1))) {
        // Merges name representatives as they were when merged; union-find
        // resolves them to the current clusters.
        sets.union(merge.left, merge.right);
    }
    let mut numbering = std::collections::HashMap::new();
    (0..n)
        .map(|i| {
            let r = sets.root(i);
            let next = numbering.len();
            *numbering.entry(r).or_insert(next)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn points(rows: &[[f32; 2]]) -> Dense {
        Dense::unit_rows(rows)
    }

    #[test]
    fn the_dendrogram_cut_in_two_separates_the_two_directions() {
        let p = points(&[[1.0, 0.0], [0.0, 1.0], [1.0, 0.1], [0.1, 1.0], [1.0, 0.2]]);
        let merges = dendrogram(&p, Linkage::Average);
        assert_eq!(merges.len(), 4);
        assert!(merges.windows(2).all(|w| w[0].distance <= w[1].distance));
        assert_eq!(cut(&merges, 5, 2), [0, 1, 0, 1, 0]);
        assert_eq!(cut(&merges, 5, 5), [0, 1, 2, 3, 4]);
        assert_eq!(cut(&merges, 5, 1), [0, 0, 0, 0, 0]);
    }

    #[test]
    fn ward_joins_by_the_growth_of_the_within_cluster_sum_of_squares() {
        // Unit vectors at 0°, 10° and 90°: the first two merge first, at
        // half their squared distance (1 − cos 10°); then the pair joins
        // the third at |A||B|/(|A|+|B|) times the squared distance between
        // their centres, which the Lance–Williams update must reproduce.
        let angle = 10f32.to_radians();
        let p = points(&[[1.0, 0.0], [angle.cos(), angle.sin()], [0.0, 1.0]]);
        let merges = dendrogram(&p, Linkage::Ward);
        assert_eq!(cut(&merges, 3, 2), [0, 0, 1]);
        assert!((merges[0].distance - (1.0 - angle.cos())).abs() < 1e-5);
        let centre = [(1.0 + angle.cos()) / 2.0, angle.sin() / 2.0];
        let squared = centre[0].powi(2) + (centre[1] - 1.0).powi(2);
        let expected = 2.0 * 1.0 / 3.0 * squared;
        assert!(
            (merges[1].distance - expected).abs() < 1e-5,
            "{} vs {expected}",
            merges[1].distance
        );
    }

    #[test]
    fn a_single_point_has_no_merges() {
        let p = points(&[[1.0, 0.0]]);
        assert!(dendrogram(&p, Linkage::Average).is_empty());
        assert_eq!(cut(&[], 1, 1), [0]);
    }
}
