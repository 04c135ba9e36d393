//! Latent semantic analysis: a truncated SVD of the TF-IDF matrix by the
//! randomised method (Halko, Martinsson & Tropp 2011), so texts that use
//! different words for the same thing ("nurses", "staff") come close.
//!
//! The SVD is fitted on a sample of rows (all of them for small corpora),
//! then every row is projected: cost grows linearly with the corpus.

use rayon::prelude::*;

use super::linalg::{self, Dense};
use super::rng::SplitMix64;
use super::vector::SparseMatrix;

/// Extra random directions beyond the wanted dimensions (oversampling).
const OVERSAMPLING: usize = 10;
/// Random directions tried at least, whatever the dimensions wanted: as
/// many as the largest fit uses (100 dimensions + oversampling), so no fit
/// costs more per row than that one. A matrix with no more rows than
/// this (LSA of up to 110 issues) then gets an exact SVD, and a small
/// vocabulary's word vectors a close one, so a small consultation's
/// themes do not depend on the seed; with only `dims + 10` they did
/// (gambling q1: NMI 0.446 at the default seed, 0.478 on the mean of
/// seeds 1–5; now 0.511 for every seed).
const FEWEST_DIRECTIONS: usize = 110;
/// Power iterations sharpen the spectrum for slowly decaying text data.
const POWER_ITERATIONS: usize = 3;

/// A fitted projection from term space to `dims` latent dimensions.
#[derive(Debug, Clone)]
pub struct Lsa {
    /// One row per term, `dims` columns: the right singular vectors.
    pub components: Dense,
}

impl Lsa {
    /// Fits on the given rows of the matrix. Deterministic for a seed.
    pub fn fit(matrix: &SparseMatrix, sample: &[usize], dims: usize, seed: u64) -> Lsa {
        Self::fit_sharpened(matrix, sample, dims, seed, POWER_ITERATIONS)
    }

    /// [`Lsa::fit`] with a chosen number of power iterations.
    pub fn fit_sharpened(
        matrix: &SparseMatrix,
        sample: &[usize],
        dims: usize,
        seed: u64,
        power_iterations: usize,
    ) -> Lsa {
        let terms = matrix.columns;
        let width = (dims + OVERSAMPLING)
            .max(FEWEST_DIRECTIONS)
            .min(terms)
            .min(sample.len())
            .max(1);
        let mut rng = SplitMix64::new(seed);
        let mut omega = Dense::zeros(terms, width);
        omega.data.iter_mut().for_each(|v| *v = rng.gaussian());

        let mut y = linalg::sparse_times_dense(matrix, sample, &omega);
        for _ in 0..power_iterations {
            linalg::orthonormalise_columns(&mut y);
            let mut z = linalg::sparse_transposed_times_dense(matrix, sample, &y);
            linalg::orthonormalise_columns(&mut z);
            y = linalg::sparse_times_dense(matrix, sample, &z);
        }
        linalg::orthonormalise_columns(&mut y);
        // B = Qᵀ A, held transposed (terms × width); its Gram matrix's
        // eigenvectors give the right singular vectors.
        let bt = linalg::sparse_transposed_times_dense(matrix, sample, &y);
        let (values, vectors) = linalg::symmetric_eigen(linalg::gram(&bt));
        let kept: Vec<usize> = (0..dims.min(width)).filter(|&k| values[k] > 1e-9).collect();
        // Each kept eigenvector divided by its singular value, in f32 so the
        // product below runs on `linalg::dot` (in f64 it was a fifth of the
        // fit).
        let scaled: Vec<Vec<f32>> = kept
            .iter()
            .map(|&k| {
                let sigma = values[k].sqrt();
                vectors[k].iter().map(|w| (w / sigma) as f32).collect()
            })
            .collect();
        let mut components = Dense::zeros(terms, kept.len().max(1));
        let columns = components.cols;
        components
            .data
            .par_chunks_mut(columns)
            .enumerate()
            .for_each(|(term, out)| {
                let b = bt.row(term);
                for (slot, vector) in out.iter_mut().zip(&scaled) {
                    *slot = linalg::dot(vector, b);
                }
            });
        Lsa { components }
    }

    /// Projects the given rows, each scaled to unit length.
    pub fn project(&self, matrix: &SparseMatrix, rows: &[usize]) -> Dense {
        let mut out = linalg::sparse_times_dense(matrix, rows, &self.components);
        out.normalise_rows();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tokenize::Tokenizer;
    use crate::analysis::vector::TfIdf;

    #[test]
    fn words_that_share_contexts_come_close_in_the_latent_space() {
        // "nurses" and "staff" never meet, but both go with "kind" and "caring".
        let texts = [
            "nurses kind caring",
            "staff kind caring",
            "nurses kind",
            "staff caring",
            "parking car park expensive",
            "car park parking spaces",
            "parking expensive",
        ];
        let tfidf = TfIdf::build(&Tokenizer::default(), &texts);
        let rows: Vec<usize> = (0..texts.len()).collect();
        let lsa = Lsa::fit(&tfidf.matrix, &rows, 2, 1);
        let projected = lsa.project(&tfidf.matrix, &rows);
        let similar = linalg::dot(projected.row(2), projected.row(3));
        let different = linalg::dot(projected.row(2), projected.row(6));
        assert!(similar > 0.9, "{similar}");
        assert!(different < 0.3, "{different}");
    }

    #[test]
    fn a_small_corpus_gets_the_same_latent_space_whatever_the_seed() {
        // 40 texts, far fewer than the directions tried: the SVD is exact,
        // so only the signs of the axes may differ between seeds, and the
        // cosines between texts not at all.
        let words = [
            "police", "board", "bus", "evening", "parking", "charges", "town", "seat", "nurses",
            "kind", "staff", "waiting", "car", "park", "library", "hours",
        ];
        let texts: Vec<String> = (0..40)
            .map(|i| {
                (0..4)
                    .map(|j| words[(i * 7 + j * j * 3 + j) % words.len()])
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let tfidf = TfIdf::build(&Tokenizer::default(), &texts);
        let rows: Vec<usize> = (0..texts.len()).collect();
        let cosines = |seed: u64| {
            let points = Lsa::fit(&tfidf.matrix, &rows, 5, seed).project(&tfidf.matrix, &rows);
            (0..rows.len())
                .flat_map(|i| (0..rows.len()).map(move |j| (i, j)))
                .map(|(i, j)| linalg::dot(points.row(i), points.row(j)))
                .collect::<Vec<f32>>()
        };
        let (first, second) = (cosines(1), cosines(2));
        for (a, b) in first.iter().zip(&second) {
            assert!((a - b).abs() < 1e-3, "{a} vs {b}");
        }
    }

    #[test]
    fn fitting_twice_gives_the_same_projection() {
        let texts = [
            "a police authority",
            "police board",
            "bus timetable",
            "evening bus",
        ];
        let tfidf = TfIdf::build(&Tokenizer::default(), &texts);
        let rows: Vec<usize> = (0..texts.len()).collect();
        let first = Lsa::fit(&tfidf.matrix, &rows, 2, 9).project(&tfidf.matrix, &rows);
        let second = Lsa::fit(&tfidf.matrix, &rows, 2, 9).project(&tfidf.matrix, &rows);
        assert_eq!(first, second);
    }
}
