//! Clustering issues into themes.
//!
//! Texts are TF-IDF weighted and placed in a latent space made of two
//! halves side by side: LSA (what texts share) and word co-occurrence
//! vectors (which words keep company, see [`super::ppmi`]), each with one
//! dimension per ten issues (10 to 100). They are compared by cosine, which
//! is then the weighted mean of the two halves' cosines. Small consultations (up
//! to [`EXACT_LIMIT`] issues) use exact agglomerative clustering with
//! Ward's linkage; larger ones use spherical k-means (finer clusters merged
//! by average linkage) fitted on an evenly spaced sample and then applied
//! to every issue, so cost grows linearly.
//!
//! **How many themes.** Unless the officer sets it, the number is the one
//! with the best mean silhouette (how much closer each issue is to its own
//! theme than to the next nearest) over 2 ..= min(`max_themes`, √(2n)),
//! measured on an evenly spaced sample of up to [`SILHOUETTE_SAMPLE`]
//! issues, among cuts that leave no issue alone when there are such cuts.
//! It is a standard, data-independent criterion that prefers themes that
//! are both tight and distinct.

use rayon::prelude::*;

use super::agglomerative::{self, Linkage};
use super::kmeans::{self, KMeans};
use super::linalg::{self, Dense};
use super::lsa::Lsa;
use super::ppmi::WordVectors;
use super::vector::{SparseMatrix, TfIdf};

/// Above this many issues, k-means replaces exact agglomerative clustering.
pub const EXACT_LIMIT: usize = 3_000;
/// k-means first finds this many times the wanted themes, then merges them
/// by average linkage: fitting few clusters directly to short texts makes
/// catch-all clusters, while fine clusters merged by their centres follow
/// the data's own shape (measured: NMI 0.210 → 0.221, ARI 0.139 → 0.153
/// on the NHS set; see docs/clustering.md).
const OVER_CLUSTERING: usize = 4;
/// LSA, the word vectors and k-means are fitted on at most this many issues.
pub const FIT_SAMPLE: usize = 20_000;
/// The fewest latent dimensions kept (when there are enough issues).
const FEWEST_DIMENSIONS: usize = 10;
/// The most latent dimensions kept.
const MOST_DIMENSIONS: usize = 100;
/// Silhouettes are measured on at most this many issues.
const SILHOUETTE_SAMPLE: usize = 2_000;

/// Settings an officer may change; the defaults suit most consultations.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ClusterOptions {
    /// A fixed number of themes, or `None` to choose it.
    pub themes: Option<usize>,
    /// The most themes an automatic choice may give.
    pub max_themes: usize,
    /// Latent dimensions each half keeps (LSA and the word vectors), or
    /// `None` for [`latent_dimensions`].
    pub dimensions: Option<usize>,
    /// Seed for every random choice: same seed, same themes.
    pub seed: u64,
    /// How issues are joined in small consultations (up to
    /// [`EXACT_LIMIT`]); large ones merge k-means clusters by average
    /// linkage.
    pub linkage: Linkage,
    /// The share of the similarity between two issues that comes from word
    /// co-occurrence vectors (0 to 1); the rest comes from LSA. `None`:
    /// [`word_weight`] for the consultation's size.
    pub word_weight: Option<f32>,
    /// An automatic choice considers from this share of the most themes
    /// up to the most (0: from 2).
    pub fewest_share: f32,
    /// Seeded k-means runs of which the tightest is kept (large
    /// consultations).
    pub restarts: usize,
    /// Large consultations: the final themes are k-means clusters fitted
    /// directly (`true`), or fine clusters merged by average linkage.
    pub refit: bool,
}

impl Default for ClusterOptions {
    fn default() -> Self {
        ClusterOptions {
            themes: None,
            max_themes: 30,
            dimensions: None,
            seed: 20_110_101,
            linkage: Linkage::Ward,
            word_weight: None,
            // Half the most: see `fewest_share`'s use in `cluster`.
            fewest_share: 0.5,
            restarts: 3,
            refit: true,
        }
    }
}

/// Which algorithm produced the themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Agglomerative,
    KMeans,
}

/// The result: a theme number per issue, each issue's place in the latent
/// space and each theme's centre.
#[derive(Debug, Clone)]
pub struct Clustering {
    pub labels: Vec<usize>,
    pub themes: usize,
    pub method: Method,
    /// Each issue in the latent space (unit rows).
    pub embedding: Dense,
    /// Each theme's centre in the latent space (unit rows).
    pub centroids: Dense,
    /// The mean silhouette of the chosen number, when it was chosen.
    pub silhouette: Option<f32>,
}

/// `count` indices spread evenly over `0..n` (all of them if `n <= count`).
pub fn evenly_spaced(n: usize, count: usize) -> Vec<usize> {
    if n <= count {
        return (0..n).collect();
    }
    (0..count).map(|i| i * n / count).collect()
}

/// How many latent dimensions each half (LSA, word vectors) keeps for `n` issues: one per ten issues,
/// at least [`FEWEST_DIMENSIONS`] and at most [`MOST_DIMENSIONS`]. LSA generalises only
/// when it keeps far fewer dimensions than there are texts; with as many,
/// it merely rotates them and two issues that make one point in different
/// words stay apart (measured on the small consultation-style set: see
/// docs/clustering.md).
/// Above [`EMBEDDING_FLOATS`] / 200 issues, fewer, so the embedding of
/// both halves stays within that many numbers (1M issues: 64 a half).
pub fn latent_dimensions(n: usize) -> usize {
    let affordable = EMBEDDING_FLOATS / (2 * n.max(1));
    (n / 10)
        .clamp(FEWEST_DIMENSIONS, MOST_DIMENSIONS)
        .min(affordable.max(FEWEST_DIMENSIONS))
}

/// The most numbers the embedding of every issue may hold (512 MB): with
/// the TF-IDF matrix and the texts, what keeps the analysis of a million
/// issues within 2 GiB.
const EMBEDDING_FLOATS: usize = 128_000_000;

/// The share of the word vectors in the similarity for `n` issues: equal
/// shares up to [`EXACT_LIMIT`] issues, three quarters above. Word vectors
/// are learnt from which words keep company across the consultation, and
/// a few thousand texts are needed before that company is known well;
/// measured over the evaluation bank (seeds 1–3), three quarters raised
/// every k-means set (Biomedical NMI 0.412 → 0.440, NHS 0.236 → 0.261)
/// and lowered every small one (Cheltenham 0.725 → 0.660, gambling
/// 0.511 → 0.504 and 0.363 → 0.352; see docs/clustering.md).
pub fn word_weight(n: usize) -> f32 {
    if n <= EXACT_LIMIT { 0.5 } else { 0.75 }
}

/// Every row in the latent space (unit rows): LSA and word vectors fitted
/// on an evenly spaced sample, then applied to all.
pub fn embed(tfidf: &TfIdf, options: &ClusterOptions) -> Dense {
    let n = tfidf.matrix.rows();
    let dims = options
        .dimensions
        .unwrap_or_else(|| latent_dimensions(n))
        .min(n.saturating_sub(1))
        .max(1);
    let sample = evenly_spaced(n, FIT_SAMPLE);
    let word_weight = options
        .word_weight
        .unwrap_or_else(|| word_weight(n))
        .clamp(0.0, 1.0);
    let fit = FitTerms::of(&tfidf.matrix, &sample);
    let rows: Vec<usize> = (0..sample.len()).collect();
    // The two fits run side by side: each has serial steps (Gram–Schmidt,
    // the small eigenproblem) that leave a core free for the other.
    let (lsa, words) = rayon::join(
        || (word_weight < 1.0).then(|| Lsa::fit(&fit.matrix, &rows, dims, options.seed).components),
        || {
            (word_weight > 0.0)
                .then(|| WordVectors::fit(&fit.matrix, &rows, dims, options.seed).vectors)
        },
    );
    let halves: Vec<(Dense, f32)> = [(lsa, 1.0 - word_weight), (words, word_weight)]
        .into_iter()
        .filter_map(|(half, weight)| half.map(|half| (half, weight)))
        .collect();
    project_side_by_side(&tfidf.matrix, &fit.position, &halves)
}

/// The latent spaces are fitted on the sample's [`FIT_TERMS`] commonest
/// terms: the rarer ones say little about themes, and a fit's cost grows
/// with the terms it holds (a dense terms × directions matrix is made
/// orthonormal several times: 261,555 terms made the fits of 100,000
/// issues of 60 words take 17 s, 30,000 take under two).
pub const FIT_TERMS: usize = 30_000;

/// The sample's rows with only the terms fitted on, renumbered, and where
/// each term of the whole matrix went.
struct FitTerms {
    matrix: SparseMatrix,
    /// For each column of the whole matrix, its column here, or `u32::MAX`.
    position: Vec<u32>,
}

impl FitTerms {
    fn of(matrix: &SparseMatrix, sample: &[usize]) -> Self {
        let mut frequency = vec![0u32; matrix.columns];
        for &r in sample {
            for &column in &matrix.indices[matrix.indptr[r]..matrix.indptr[r + 1]] {
                frequency[column as usize] += 1;
            }
        }
        let mut kept: Vec<usize> = (0..matrix.columns).filter(|&c| frequency[c] > 0).collect();
        if kept.len() > FIT_TERMS {
            // The commonest, the earlier on ties; then back in column order.
            kept.sort_by(|&a, &b| frequency[b].cmp(&frequency[a]).then(a.cmp(&b)));
            kept.truncate(FIT_TERMS);
            kept.sort_unstable();
        }
        let position = super::vector::positions(&kept, matrix.columns);
        let mut fitted = SparseMatrix::empty(kept.len(), sample.len());
        for &r in sample {
            for (column, value) in matrix.row(r) {
                if position[column] != u32::MAX {
                    fitted.indices.push(position[column]);
                    fitted.values.push(value);
                }
            }
            fitted.indptr.push(fitted.indices.len());
        }
        FitTerms {
            matrix: fitted,
            position,
        }
    }
}

/// Each row of `matrix` projected by every (projection, weight) pair, each
/// part at unit length times √weight, side by side: a dot product of two
/// rows is then Σ weight · cosine of the parts. One row at a time, so no
/// part is held whole beside the result (1M issues: 800 MB, not 2.4 GB).
fn project_side_by_side(matrix: &SparseMatrix, position: &[u32], parts: &[(Dense, f32)]) -> Dense {
    let width: usize = parts.iter().map(|(projection, _)| projection.cols).sum();
    let mut out = Dense::zeros(matrix.rows(), width);
    out.data
        .par_chunks_mut(width.max(1))
        .enumerate()
        .for_each(|(r, row)| {
            let mut start = 0;
            for (projection, weight) in parts {
                let part = &mut row[start..start + projection.cols];
                for (column, value) in matrix.row(r) {
                    if let Some(&fitted) = position.get(column).filter(|&&p| p != u32::MAX) {
                        linalg::add_scaled(part, value, projection.row(fitted as usize));
                    }
                }
                super::vector::normalise(part);
                part.iter_mut().for_each(|v| *v *= weight.sqrt());
                start += projection.cols;
            }
        });
    out
}

/// Clusters every row of the TF-IDF matrix.
pub fn cluster(tfidf: &TfIdf, options: &ClusterOptions) -> Clustering {
    let n = tfidf.matrix.rows();
    let embedding = embed(tfidf, options);
    // An automatic choice never exceeds √(2n): a rule of thumb that keeps
    // themes few enough to read (6 for 24 issues, 14 for 100).
    let most = options
        .max_themes
        .min(((2 * n) as f64).sqrt().ceil() as usize)
        .min(n / 2)
        .max(1);
    // The fewest an automatic choice considers (see `fewest_share`).
    let fewest = ((most as f32 * options.fewest_share).ceil() as usize).clamp(2, most.max(2));
    let candidates = fewest..=most.max(2);
    let (labels, method, silhouette) = if n <= 2 {
        ((0..n).collect(), Method::Agglomerative, None)
    } else if n <= EXACT_LIMIT {
        let merges = agglomerative::dendrogram(&embedding, options.linkage);
        let (k, silhouette) = match options.themes {
            Some(k) => (k.clamp(1, n), None),
            None => {
                let sample = evenly_spaced(n, SILHOUETTE_SAMPLE);
                let similarity = similarity_matrix(&embedding, &sample);
                best_by_silhouette(candidates, |k| {
                    let labels = agglomerative::cut(&merges, n, k);
                    let sampled: Vec<usize> = sample.iter().map(|&i| labels[i]).collect();
                    Candidate {
                        silhouette: silhouette_score(&similarity, &sampled),
                        lonely: leaves_an_issue_alone(&labels),
                    }
                })
            }
        };
        (
            agglomerative::cut(&merges, n, k),
            Method::Agglomerative,
            silhouette,
        )
    } else {
        let (labels, silhouette) = cluster_large(&embedding, options, (most, candidates));
        (labels, Method::KMeans, silhouette)
    };
    let (labels, themes) = renumber(labels);
    let centroids = centroids(&embedding, &labels, themes);
    Clustering {
        labels,
        themes,
        method,
        embedding,
        centroids,
        silhouette,
    }
}

/// A large consultation's themes: fine k-means clusters merged by average
/// linkage give every number of themes one cut away, which makes choosing
/// the number cheap; the themes themselves are then k-means clusters
/// fitted for that number (when `refit`), started from the merged cut and
/// from `restarts` seeds, the tightest kept.
fn cluster_large(
    embedding: &Dense,
    options: &ClusterOptions,
    (most, candidates): (usize, std::ops::RangeInclusive<usize>),
) -> (Vec<usize>, Option<f32>) {
    let n = embedding.rows;
    let fit = evenly_spaced(n, FIT_SAMPLE);
    if let Some(k) = options.themes.filter(|_| options.refit) {
        // A number set by the officer needs no tree to choose it from.
        let fitted = KMeans::fit(
            embedding,
            &fit,
            k.clamp(1, n),
            options.restarts.max(1),
            options.seed,
        );
        return (nearest_centroids(embedding, &fitted.centroids), None);
    }
    let (merged, k, silhouette) = match options.themes {
        Some(k) => {
            let k = k.clamp(1, n);
            (
                MergedKMeans::fit(embedding, &fit, k * OVER_CLUSTERING, options),
                k,
                None,
            )
        }
        None => {
            let model = MergedKMeans::fit(embedding, &fit, most * OVER_CLUSTERING, options);
            let sample = evenly_spaced(n, SILHOUETTE_SAMPLE);
            let similarity = similarity_matrix(embedding, &sample);
            let mut sample_points = Dense::zeros(sample.len(), embedding.cols);
            for (i, &r) in sample.iter().enumerate() {
                sample_points.row_mut(i).copy_from_slice(embedding.row(r));
            }
            // Only a sample is assigned here, so a theme with one
            // sampled issue may hold many: loneliness is not judged.
            let (k, silhouette) = best_by_silhouette(candidates, |k| Candidate {
                silhouette: silhouette_score(&similarity, &model.assign(&sample_points, k)),
                lonely: false,
            });
            (model, k, silhouette)
        }
    };
    if !options.refit {
        return (merged.assign(embedding, k), silhouette);
    }
    let start = centroids(embedding, &merged.assign(embedding, k), k);
    let mut best = KMeans::refine(embedding, &fit, start);
    if options.restarts > 0 {
        let seeded = KMeans::fit(embedding, &fit, k, options.restarts, options.seed);
        if seeded.cohesion > best.cohesion {
            best = seeded;
        }
    }
    (nearest_centroids(embedding, &best.centroids), silhouette)
}

/// Each point's nearest centroid.
fn nearest_centroids(points: &Dense, centroids: &Dense) -> Vec<usize> {
    kmeans::assign(points, centroids)
        .into_iter()
        .map(|(c, _)| c)
        .collect()
}

/// k-means with [`OVER_CLUSTERING`] times the clusters wanted, whose
/// centres are then merged by size-weighted average linkage. The merge
/// history is kept, so any number of themes up to the fine count is one
/// cut away (which makes choosing the number cheap).
struct MergedKMeans {
    fine: KMeans,
    merges: Vec<agglomerative::Merge>,
}

impl MergedKMeans {
    fn fit(points: &Dense, rows: &[usize], fine_count: usize, options: &ClusterOptions) -> Self {
        // Several seeded runs where the sample is small enough to afford them.
        let restarts = if rows.len() * fine_count <= 400_000 {
            3
        } else {
            1
        };
        let fine = KMeans::fit(
            points,
            rows,
            fine_count.min(rows.len()).max(1),
            restarts,
            options.seed,
        );
        let mut sizes = vec![0usize; fine.centroids.rows];
        for &r in rows {
            sizes[kmeans::nearest(points.row(r), &fine.centroids).0] += 1;
        }
        // Average linkage suits joining whole clusters by their centres
        // (Ward's measured worse here: NHS NMI 0.221 → 0.214, ARI 0.153 →
        // 0.114).
        let merges = agglomerative::dendrogram_weighted(&fine.centroids, &sizes, Linkage::Average);
        MergedKMeans { fine, merges }
    }

    /// Each point's theme when the fine clusters are merged into `k`.
    fn assign(&self, points: &Dense, k: usize) -> Vec<usize> {
        let merged = agglomerative::cut(&self.merges, self.fine.centroids.rows, k);
        kmeans::assign(points, &self.fine.centroids)
            .into_iter()
            .map(|(c, _)| merged[c])
            .collect()
    }
}

/// One number of themes, judged.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Candidate {
    silhouette: f32,
    /// Some theme holds a single issue (judged only where every issue is
    /// assigned).
    lonely: bool,
}

/// Whether some theme of this clustering (of every issue) holds one issue.
fn leaves_an_issue_alone(labels: &[usize]) -> bool {
    let mut sizes = std::collections::HashMap::new();
    for &label in labels {
        *sizes.entry(label).or_insert(0usize) += 1;
    }
    sizes.values().any(|&size| size == 1)
}

/// The number of themes with the highest mean silhouette (the smaller on
/// ties), preferring those where every theme holds two issues or more: the
/// silhouette scores an issue alone as 0, so splitting off one odd issue
/// can outscore the true themes (measured on the tiny test corpus with
/// Ward's linkage), yet one issue is an outlier, not a theme.
fn best_by_silhouette(
    candidates: impl IntoIterator<Item = usize>,
    judge: impl Fn(usize) -> Candidate,
) -> (usize, Option<f32>) {
    let mut best: Option<(usize, Candidate)> = None;
    for k in candidates {
        let candidate = judge(k);
        let better = best.is_none_or(|(_, b)| {
            (!candidate.lonely, candidate.silhouette) > (!b.lonely, b.silhouette)
        });
        if better {
            best = Some((k, candidate));
        }
    }
    match best {
        Some((k, c)) => (k, c.silhouette.is_finite().then_some(c.silhouette)),
        None => (1, None),
    }
}

/// Cosine similarities between the sampled rows.
fn similarity_matrix(points: &Dense, sample: &[usize]) -> Vec<Vec<f32>> {
    sample
        .par_iter()
        .map(|&i| {
            sample
                .iter()
                .map(|&j| linalg::dot(points.row(i), points.row(j)))
                .collect()
        })
        .collect()
}

/// Mean silhouette with cosine distance; a point alone in its cluster
/// scores 0, as is usual.
pub fn silhouette_score(similarity: &[Vec<f32>], labels: &[usize]) -> f32 {
    let n = labels.len();
    let k = labels.iter().copied().max().map_or(0, |m| m + 1);
    if k < 2 || n < 3 {
        return f32::NEG_INFINITY;
    }
    let mut sizes = vec![0usize; k];
    for &l in labels {
        sizes[l] += 1;
    }
    let total: f32 = (0..n)
        .into_par_iter()
        .map(|i| {
            let own = labels[i];
            if sizes[own] < 2 {
                return 0.0;
            }
            let mut sums = vec![0.0f32; k];
            for j in 0..n {
                if j != i {
                    sums[labels[j]] += 1.0 - similarity[i][j];
                }
            }
            let a = sums[own] / (sizes[own] - 1) as f32;
            let b = (0..k)
                .filter(|&c| c != own && sizes[c] > 0)
                .map(|c| sums[c] / sizes[c] as f32)
                .fold(f32::INFINITY, f32::min);
            if !b.is_finite() {
                return 0.0;
            }
            let denominator = a.max(b);
            if denominator > 0.0 {
                (b - a) / denominator
            } else {
                0.0
            }
        })
        .sum();
    total / n as f32
}

/// Numbers themes 0.. by first appearance and returns their count.
fn renumber(labels: Vec<usize>) -> (Vec<usize>, usize) {
    let mut map: Vec<Option<usize>> = Vec::new();
    let mut next = 0;
    let labels = labels
        .into_iter()
        .map(|l| {
            if l >= map.len() {
                map.resize(l + 1, None);
            }
            *map[l].get_or_insert_with(|| {
                next += 1;
                next - 1
            })
        })
        .collect();
    (labels, next)
}

/// Unit-length mean of each theme's issues, where an issue's theme may be
/// `usize::MAX` (none: left out).
pub fn centroids_of(embedding: &Dense, labels: &[usize], themes: usize) -> Dense {
    let mut out = Dense::zeros(themes, embedding.cols);
    for (i, &l) in labels.iter().enumerate() {
        if l < themes {
            linalg::add_scaled(out.row_mut(l), 1.0, embedding.row(i));
        }
    }
    out.normalise_rows();
    out
}

/// Unit-length mean of each theme's issues.
pub fn centroids(embedding: &Dense, labels: &[usize], themes: usize) -> Dense {
    let mut out = Dense::zeros(themes, embedding.cols);
    for (i, &l) in labels.iter().enumerate() {
        linalg::add_scaled(out.row_mut(l), 1.0, embedding.row(i));
    }
    out.normalise_rows();
    out
}

/// Corpora shared by the analysis tests.
#[cfg(test)]
pub(crate) mod tests_support {
    /// Three obvious topics, three texts each.
    pub const TINY: [&str; 9] = [
        "The police authority should have a seat on the board",
        "Police authority representation on the board is needed",
        "A seat for the police authority on the board",
        "Evening bus services are too infrequent",
        "More evening bus services please",
        "Bus services in the evening should run later",
        "Parking charges in the town centre are too high",
        "Town centre parking costs too much",
        "Cut the parking charges in the town centre",
    ];
}

#[cfg(test)]
mod tests {
    use super::tests_support::TINY;
    use super::*;
    use crate::analysis::tokenize::Tokenizer;

    #[test]
    fn lsa_keeps_one_dimension_per_ten_issues_within_bounds() {
        assert_eq!(latent_dimensions(24), 10, "at least ten");
        assert_eq!(latent_dimensions(100), 10);
        assert_eq!(latent_dimensions(650), 65);
        assert_eq!(latent_dimensions(100_000), 100, "at most a hundred");
        // Never as many as the issues; one set for each half.
        let five = TfIdf::build(&Tokenizer::default(), &TINY[..5]);
        assert_eq!(embed(&five, &ClusterOptions::default()).cols, 8);
        let lsa_only = ClusterOptions {
            word_weight: Some(0.0),
            ..ClusterOptions::default()
        };
        assert_eq!(embed(&five, &lsa_only).cols, 4);
    }

    #[test]
    fn side_by_side_halves_give_the_weighted_mean_of_their_cosines() {
        let tfidf = TfIdf::build(&Tokenizer::default(), &TINY);
        let rows: Vec<usize> = (0..TINY.len()).collect();
        let first = Lsa::fit(&tfidf.matrix, &rows, 3, 1);
        let second = WordVectors::fit(&tfidf.matrix, &rows, 3, 1);
        let a = first.project(&tfidf.matrix, &rows);
        let b = {
            let mut b = linalg::sparse_times_dense(&tfidf.matrix, &rows, &second.vectors);
            b.normalise_rows();
            b
        };
        let every: Vec<u32> = (0..tfidf.matrix.columns as u32).collect();
        let both = project_side_by_side(
            &tfidf.matrix,
            &every,
            &[(first.components, 0.25), (second.vectors, 0.75)],
        );
        for (i, j) in [(0, 1), (0, 3), (4, 8)] {
            let expected =
                0.25 * linalg::dot(a.row(i), a.row(j)) + 0.75 * linalg::dot(b.row(i), b.row(j));
            let got = linalg::dot(both.row(i), both.row(j));
            assert!(
                (got - expected).abs() < 1e-5,
                "{i},{j}: {got} vs {expected}"
            );
            assert!((linalg::dot(both.row(i), both.row(i)) - 1.0).abs() < 1e-5);
        }
    }

    #[test]
    fn a_tiny_corpus_with_three_obvious_topics_gives_those_three_themes() {
        let tfidf = TfIdf::build(&Tokenizer::default(), &TINY);
        let result = cluster(&tfidf, &ClusterOptions::default());
        assert_eq!(result.themes, 3, "{:?}", result.labels);
        assert_eq!(result.labels, [0, 0, 0, 1, 1, 1, 2, 2, 2]);
        assert_eq!(result.method, Method::Agglomerative);
    }

    #[test]
    fn an_officer_can_set_the_number_of_themes() {
        let tfidf = TfIdf::build(&Tokenizer::default(), &TINY);
        let options = ClusterOptions {
            themes: Some(2),
            ..ClusterOptions::default()
        };
        assert_eq!(cluster(&tfidf, &options).themes, 2);
    }

    #[test]
    fn the_same_input_gives_the_same_themes() {
        let tfidf = TfIdf::build(&Tokenizer::default(), &TINY);
        let a = cluster(&tfidf, &ClusterOptions::default());
        let b = cluster(&tfidf, &ClusterOptions::default());
        assert_eq!(a.labels, b.labels);
        assert_eq!(a.embedding, b.embedding);
    }

    /// One dominant theme of stock answers ("nothing", "no"…, as in
    /// patient feedback) and many small themes, each carried by one of a
    /// few words of its own among words every theme uses.
    fn dominant_and_many_small(dominant: usize, themes: usize, each: usize) -> Vec<String> {
        let mut rng = crate::analysis::rng::SplitMix64::new(7);
        let syllables = [
            "ka", "lo", "mi", "zu", "te", "ra", "vi", "sa", "de", "pu", "fo", "ge",
        ];
        let word = |rng: &mut crate::analysis::rng::SplitMix64| {
            (0..3)
                .map(|_| syllables[rng.below(syllables.len())])
                .collect::<String>()
        };
        let shared: Vec<String> = (0..600).map(|_| word(&mut rng)).collect();
        let stock = ["nothing", "nothing really", "no", "nothing at all", "none"];
        let mut texts: Vec<String> = (0..dominant)
            .map(|i| stock[i % stock.len()].to_string())
            .collect();
        for _ in 0..themes {
            let own: Vec<String> = (0..3).map(|_| format!("{}q", word(&mut rng))).collect();
            for _ in 0..each {
                let mut words: Vec<&str> = (0..4 + rng.below(5))
                    .map(|_| shared[rng.below(shared.len())].as_str())
                    .collect();
                words.push(&own[rng.below(own.len())]);
                texts.push(words.join(" "));
            }
        }
        texts
    }

    #[test]
    fn one_dominant_theme_does_not_collapse_the_automatic_number() {
        let texts = dominant_and_many_small(400, 20, 25);
        let tfidf = TfIdf::build(&Tokenizer::default(), &texts);
        // The set is hard: a silhouette over every number from 2 picks 2,
        // one theme of stock answers and one of everything else.
        let from_two = ClusterOptions {
            fewest_share: 0.0,
            ..ClusterOptions::default()
        };
        assert_eq!(cluster(&tfidf, &from_two).themes, 2);
        let result = cluster(&tfidf, &ClusterOptions::default());
        assert!(result.themes >= 15, "{} themes", result.themes);
    }

    #[test]
    fn the_automatic_number_grows_with_the_consultation() {
        let fewest = |n: usize| {
            let tfidf = TfIdf::build(
                &Tokenizer::default(),
                &dominant_and_many_small(n / 3, n * 2 / 3 / 10, 10),
            );
            cluster(&tfidf, &ClusterOptions::default()).themes
        };
        let (small, large) = (fewest(60), fewest(900));
        assert!(small >= 3 && small < large, "{small} then {large}");
    }

    #[test]
    fn a_silhouette_prefers_the_true_split() {
        let similarity = vec![
            vec![1.0, 0.9, 0.0, 0.0],
            vec![0.9, 1.0, 0.0, 0.0],
            vec![0.0, 0.0, 1.0, 0.9],
            vec![0.0, 0.0, 0.9, 1.0],
        ];
        let good = silhouette_score(&similarity, &[0, 0, 1, 1]);
        let bad = silhouette_score(&similarity, &[0, 1, 0, 1]);
        assert!(good > 0.8 && bad < 0.0, "{good} {bad}");
    }
}
