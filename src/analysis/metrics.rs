//! Agreement between a clustering and reference labels: normalised mutual
//! information (arithmetic mean, as scikit-learn's default), adjusted Rand
//! index, and accuracy under the best one-to-one matching of clusters to
//! labels (Hungarian algorithm).

use std::collections::HashMap;

/// Contingency table: rows are reference labels, columns clusters.
fn contingency(truth: &[usize], found: &[usize]) -> Vec<Vec<u64>> {
    let rows = truth.iter().copied().max().map_or(0, |m| m + 1);
    let cols = found.iter().copied().max().map_or(0, |m| m + 1);
    let mut table = vec![vec![0u64; cols]; rows];
    for (&t, &f) in truth.iter().zip(found) {
        table[t][f] += 1;
    }
    table
}

fn entropy(counts: impl Iterator<Item = u64>, n: f64) -> f64 {
    counts
        .filter(|&c| c > 0)
        .map(|c| {
            let p = c as f64 / n;
            -p * p.ln()
        })
        .sum()
}

/// Normalised mutual information, `I / mean(H(truth), H(found))`.
pub fn nmi(truth: &[usize], found: &[usize]) -> f64 {
    let n = truth.len() as f64;
    if truth.is_empty() {
        return 0.0;
    }
    let table = contingency(truth, found);
    let row_sums: Vec<u64> = table.iter().map(|r| r.iter().sum()).collect();
    let col_sums: Vec<u64> = (0..table.first().map_or(0, Vec::len))
        .map(|c| table.iter().map(|r| r[c]).sum())
        .collect();
    let mut mutual = 0.0;
    for (i, row) in table.iter().enumerate() {
        for (j, &count) in row.iter().enumerate() {
            if count > 0 {
                let c = count as f64;
                mutual += c / n * (c * n / (row_sums[i] as f64 * col_sums[j] as f64)).ln();
            }
        }
    }
    let h_truth = entropy(row_sums.iter().copied(), n);
    let h_found = entropy(col_sums.iter().copied(), n);
    let mean = (h_truth + h_found) / 2.0;
    if mean <= 0.0 {
        // Both are a single cluster: perfect agreement by convention.
        return if h_truth == h_found { 1.0 } else { 0.0 };
    }
    (mutual / mean).clamp(0.0, 1.0)
}

fn pairs(x: u64) -> f64 {
    let x = x as f64;
    x * (x - 1.0) / 2.0
}

/// Adjusted Rand index: 1 is identical, about 0 is chance.
pub fn ari(truth: &[usize], found: &[usize]) -> f64 {
    let table = contingency(truth, found);
    let index: f64 = table.iter().flatten().map(|&c| pairs(c)).sum();
    let rows: f64 = table.iter().map(|r| pairs(r.iter().sum())).sum();
    let cols: f64 = (0..table.first().map_or(0, Vec::len))
        .map(|c| pairs(table.iter().map(|r| r[c]).sum()))
        .sum();
    let total = pairs(truth.len() as u64);
    if total == 0.0 {
        return 1.0;
    }
    let expected = rows * cols / total;
    let maximum = (rows + cols) / 2.0;
    if maximum == expected {
        return 1.0;
    }
    (index - expected) / (maximum - expected)
}

/// Share of items whose cluster maps to their label under the best
/// one-to-one matching.
pub fn matched_accuracy(truth: &[usize], found: &[usize]) -> f64 {
    if truth.is_empty() {
        return 0.0;
    }
    let table = contingency(truth, found);
    let matched: u64 = best_matching(&table)
        .iter()
        .enumerate()
        .filter_map(|(i, j)| j.map(|j| table[i][j]))
        .sum();
    matched as f64 / truth.len() as f64
}

/// The one-to-one matching of rows to columns of a table of counts with
/// the largest total: the column for each row, `None` where a row has
/// none (more rows than columns).
pub fn best_matching(table: &[Vec<u64>]) -> Vec<Option<usize>> {
    let columns = table.first().map_or(0, Vec::len);
    let size = table.len().max(columns);
    let count = |i: usize, j: usize| table.get(i).and_then(|r| r.get(j)).copied().unwrap_or(0);
    // Maximising the total = minimising (max − count) on a square matrix.
    let most = table.iter().flatten().copied().max().unwrap_or(0) as i64;
    let cost: Vec<Vec<i64>> = (0..size)
        .map(|i| (0..size).map(|j| most - count(i, j) as i64).collect())
        .collect();
    hungarian(&cost)
        .into_iter()
        .take(table.len())
        .map(|j| (j < columns).then_some(j))
        .collect()
}

/// Minimum-cost perfect matching on a square matrix (Kuhn–Munkres with
/// potentials, O(n³)); returns the column for each row.
pub fn hungarian(cost: &[Vec<i64>]) -> Vec<usize> {
    let n = cost.len();
    let inf = i64::MAX / 4;
    let (mut u, mut v) = (vec![0i64; n + 1], vec![0i64; n + 1]);
    let (mut p, mut way) = (vec![0usize; n + 1], vec![0usize; n + 1]);
    for i in 1..=n {
        p[0] = i;
        let mut j0 = 0;
        let mut minv = vec![inf; n + 1];
        let mut used = vec![false; n + 1];
        loop {
            used[j0] = true;
            let i0 = p[j0];
            let mut delta = inf;
            let mut j1 = 0;
            for j in 1..=n {
                if !used[j] {
                    let current = cost[i0 - 1][j - 1] - u[i0] - v[j];
                    if current < minv[j] {
                        minv[j] = current;
                        way[j] = j0;
                    }
                    if minv[j] < delta {
                        delta = minv[j];
                        j1 = j;
                    }
                }
            }
            for j in 0..=n {
                if used[j] {
                    u[p[j]] += delta;
                    v[j] -= delta;
                } else {
                    minv[j] -= delta;
                }
            }
            j0 = j1;
            if p[j0] == 0 {
                break;
            }
        }
        loop {
            let j1 = way[j0];
            p[j0] = p[j1];
            j0 = j1;
            if j0 == 0 {
                break;
            }
        }
    }
    let mut assignment = vec![0; n];
    for j in 1..=n {
        if p[j] > 0 {
            assignment[p[j] - 1] = j - 1;
        }
    }
    assignment
}

/// Numbers string labels 0.. in order of first appearance.
pub fn encode<S: AsRef<str>>(labels: &[S]) -> (Vec<usize>, Vec<String>) {
    let mut names: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let codes = labels
        .iter()
        .map(|label| {
            let label = label.as_ref();
            *index.entry(label.to_owned()).or_insert_with(|| {
                names.push(label.to_owned());
                names.len() - 1
            })
        })
        .collect();
    (codes, names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identical_clusterings_score_one_whatever_the_numbering() {
        let truth = [0, 0, 1, 1, 2, 2];
        let found = [2, 2, 0, 0, 1, 1];
        assert!((nmi(&truth, &found) - 1.0).abs() < 1e-12);
        assert!((ari(&truth, &found) - 1.0).abs() < 1e-12);
        assert!((matched_accuracy(&truth, &found) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn known_values_match_scikit_learn() {
        // sklearn: normalized_mutual_info_score([0,0,1,1],[0,0,1,2]) = 0.8,
        // adjusted_rand_score(...) = 0.5714285714.
        let truth = [0, 0, 1, 1];
        let found = [0, 0, 1, 2];
        assert!((nmi(&truth, &found) - 0.8).abs() < 1e-9);
        assert!((ari(&truth, &found) - 0.571_428_571_4).abs() < 1e-9);
        assert!((matched_accuracy(&truth, &found) - 0.75).abs() < 1e-12);
    }

    #[test]
    fn one_big_cluster_is_chance() {
        let truth = [0, 1, 0, 1, 0, 1];
        let found = [0; 6];
        assert_eq!(nmi(&truth, &found), 0.0);
        assert!(ari(&truth, &found).abs() < 1e-12);
    }

    #[test]
    fn the_hungarian_algorithm_finds_the_cheapest_matching() {
        let cost = vec![vec![4, 1, 3], vec![2, 0, 5], vec![3, 2, 2]];
        assert_eq!(hungarian(&cost), [1, 0, 2]);
    }
}
