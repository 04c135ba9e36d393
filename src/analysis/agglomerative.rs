//! Exact average-linkage agglomerative clustering (UPGMA) by the
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

/// The full merge history for the points, closest merges first.
pub fn dendrogram(points: &Dense) -> Vec<Merge> {
    dendrogram_weighted(points, &vec![1; points.rows])
}

/// The merge history when each point stands for `sizes[i]` items (e.g. a
/// k-means cluster), so averages weigh clusters by how many they hold.
pub fn dendrogram_weighted(points: &Dense, sizes: &[usize]) -> Vec<Merge> {
    let n = points.rows;
    if n < 2 {
        return Vec::new();
    }
    // Cosine distances, in a full matrix (n is small).
    let mut distance = vec![0.0f32; n * n];
    for i in 0..n {
        for j in i + 1..n {
            let d = (1.0 - linalg::dot(points.row(i), points.row(j))).max(0.0);
            distance[i * n + j] = d;
            distance[j * n + i] = d;
        }
    }
    let mut size: Vec<usize> = sizes.iter().map(|&s| s.max(1)).collect();
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
                // Lance–Williams update for average linkage.
                let (size_keep, size_gone) = (size[keep] as f32, size[gone] as f32);
                for other in 0..n {
                    if active[other] && other != keep && other != gone {
                        let d = (size_keep * distance[keep * n + other]
                            + size_gone * distance[gone * n + other])
                            / (size_keep + size_gone);
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
    // Average linkage is reducible, so sorting gives the true merge order.
    merges.sort_by(|a, b| a.distance.total_cmp(&b.distance));
    merges
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
        let merges = dendrogram(&p);
        assert_eq!(merges.len(), 4);
        assert!(merges.windows(2).all(|w| w[0].distance <= w[1].distance));
        assert_eq!(cut(&merges, 5, 2), [0, 1, 0, 1, 0]);
        assert_eq!(cut(&merges, 5, 5), [0, 1, 2, 3, 4]);
        assert_eq!(cut(&merges, 5, 1), [0, 0, 0, 0, 0]);
    }

    #[test]
    fn a_single_point_has_no_merges() {
        let p = points(&[[1.0, 0.0]]);
        assert!(dendrogram(&p).is_empty());
        assert_eq!(cut(&[], 1, 1), [0]);
    }
}
