//! Word vectors from the corpus's own co-occurrence: positive pointwise
//! mutual information (PPMI) between terms used in the same text, reduced
//! by the same randomised SVD as LSA (Levy, Goldberg & Dagan 2015).
//!
//! A text is then the TF-IDF-weighted sum of its terms' vectors. Two
//! short answers that share no word ("staff were lovely", "nurses kind")
//! still come close when their words keep the same company elsewhere in
//! the consultation, which LSA on a few words per text does poorly.

use rayon::prelude::*;

use super::linalg::Dense;
use super::lsa::Lsa;
use super::vector::{SparseMatrix, minimum_document_frequency};

/// Context distribution smoothing: raising context counts to this power
/// keeps rare terms from dominating PMI (the published default).
const CONTEXT_SMOOTHING: f64 = 0.75;

/// Power iterations of the randomised SVD: two did as well as LSA's three
/// (NHS set, five seeds: NMI 0.245 against 0.242), at a quarter less cost.
const POWER_ITERATIONS: usize = 2;

/// One unit vector per term.
#[derive(Debug, Clone)]
pub struct WordVectors {
    pub vectors: Dense,
}

impl WordVectors {
    /// Fits on the given rows of a TF-IDF matrix. Each term also counts as
    /// its own context, so a term met only alone ("nothing") still gets a
    /// vector. Deterministic for a seed.
    pub fn fit(matrix: &SparseMatrix, sample: &[usize], dims: usize, seed: u64) -> WordVectors {
        let (ppmi, terms) = ppmi_matrix(matrix, sample);
        let rows: Vec<usize> = (0..ppmi.rows()).collect();
        // A term's vector is its PPMI row projected on the top singular
        // directions (U·Σ, the usual SVD word vectors), at unit length so a
        // common word weighs in a text no more than its TF-IDF weight says.
        let fitted =
            Lsa::fit_sharpened(&ppmi, &rows, dims, seed, POWER_ITERATIONS).project(&ppmi, &rows);
        let mut vectors = Dense::zeros(matrix.columns, fitted.cols);
        for (row, &term) in terms.iter().enumerate() {
            vectors.row_mut(term).copy_from_slice(fitted.row(row));
        }
        WordVectors { vectors }
    }
}

/// The most co-occurring terms a term's row keeps: its commonest company.
/// A term's rarer company is weak evidence of its meaning, and the fit's
/// cost grows with the entries (30,000 terms of 100,000 issues had 19
/// million, and their SVD took 3.8 s of a 12 s analysis).
const ROW_ENTRIES: usize = 256;

/// The PPMI matrix between the terms in enough sampled texts to have a
/// vector (as many as the vocabulary asks of the whole corpus), with those
/// terms' columns in the TF-IDF matrix. A term is present in a text or not;
/// counts within a text are ignored, texts being short.
fn ppmi_matrix(matrix: &SparseMatrix, sample: &[usize]) -> (SparseMatrix, Vec<usize>) {
    let presence = Presence::of(matrix, sample);
    let rows = co_occurrence(&presence);
    (weigh_by_ppmi(&rows), presence.kept)
}

/// Which sampled texts hold which kept terms, both ways round.
struct Presence {
    /// The TF-IDF columns kept (in enough sampled texts), in order.
    kept: Vec<usize>,
    /// For each kept term, the sampled texts holding it.
    texts_of: Vec<Vec<u32>>,
    /// For each sampled text, its kept terms (numbered as in `kept`).
    terms_of: Vec<Vec<u32>>,
}

impl Presence {
    fn of(matrix: &SparseMatrix, sample: &[usize]) -> Self {
        let mut texts_of: Vec<Vec<u32>> = vec![Vec::new(); matrix.columns];
        for (t, &r) in sample.iter().enumerate() {
            for &term in &matrix.indices[matrix.indptr[r]..matrix.indptr[r + 1]] {
                texts_of[term as usize].push(t as u32);
            }
        }
        let fewest = minimum_document_frequency(sample.len()) as usize;
        let kept: Vec<usize> = (0..matrix.columns)
            .filter(|&term| texts_of[term].len() >= fewest)
            .collect();
        let position = super::vector::positions(&kept, matrix.columns);
        let terms_of = sample
            .iter()
            .map(|&r| {
                matrix.indices[matrix.indptr[r]..matrix.indptr[r + 1]]
                    .iter()
                    .map(|&term| position[term as usize])
                    .filter(|&p| p != u32::MAX)
                    .collect()
            })
            .collect();
        let texts_of = kept
            .iter()
            .map(|&term| std::mem::take(&mut texts_of[term]))
            .collect();
        Presence {
            kept,
            texts_of,
            terms_of,
        }
    }
}

/// Each kept term's company: (other term, texts shared) for its
/// [`ROW_ENTRIES`] commonest companions, sorted by term, with its total
/// over all company (kept or not). One term's row at a time with a dense
/// accumulator per thread: work is the number of pairs, memory the result.
fn co_occurrence(presence: &Presence) -> Vec<(Vec<(u32, u32)>, f64)> {
    let terms = presence.kept.len();
    (0..terms)
        .into_par_iter()
        .map_init(
            || (vec![0u32; terms], Vec::new()),
            |(counts, touched), term| {
                for &t in &presence.texts_of[term] {
                    for &other in &presence.terms_of[t as usize] {
                        if counts[other as usize] == 0 {
                            touched.push(other);
                        }
                        counts[other as usize] += 1;
                    }
                }
                let total: u64 = touched.iter().map(|&o| u64::from(counts[o as usize])).sum();
                let mut row: Vec<(u32, u32)> = touched
                    .iter()
                    .map(|&other| (other, counts[other as usize]))
                    .collect();
                if row.len() > ROW_ENTRIES {
                    // The most frequent, the lower term on ties.
                    row.select_nth_unstable_by(ROW_ENTRIES, |a, b| {
                        b.1.cmp(&a.1).then(a.0.cmp(&b.0))
                    });
                    row.truncate(ROW_ENTRIES);
                }
                row.sort_unstable();
                for &other in touched.iter() {
                    counts[other as usize] = 0;
                }
                touched.clear();
                (row, total as f64)
            },
        )
        .collect()
}

/// The positive PMI of each pair, with the context distribution smoothed
/// by [`CONTEXT_SMOOTHING`]; pairs at or below chance are left out.
fn weigh_by_ppmi(rows: &[(Vec<(u32, u32)>, f64)]) -> SparseMatrix {
    let marginal: Vec<f64> = rows.iter().map(|(_, total)| *total).collect();
    let smoothed: Vec<f64> = marginal.iter().map(|c| c.powf(CONTEXT_SMOOTHING)).collect();
    let smoothed_total: f64 = smoothed.iter().sum();
    let mut out = SparseMatrix::empty(rows.len(), rows.len());
    for (term, (row, _)) in rows.iter().enumerate() {
        for &(other, count) in row {
            // PMI = log P(a, b) / (P(a) · Pα(b)); the pair total cancels.
            let pmi = (f64::from(count) * smoothed_total
                / (marginal[term] * smoothed[other as usize]))
                .ln();
            if pmi > 0.0 {
                out.indices.push(other);
                out.values.push(pmi as f32);
            }
        }
        out.indptr.push(out.indices.len());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::linalg;
    use crate::analysis::tokenize::Tokenizer;
    use crate::analysis::vector::TfIdf;

    const TEXTS: [&str; 8] = [
        "nurses kind caring",
        "staff kind caring",
        "nurses kind",
        "staff caring",
        "parking car park expensive",
        "car park parking spaces",
        "parking expensive",
        "nothing",
    ];

    fn fitted() -> (TfIdf, WordVectors) {
        let tfidf = TfIdf::build(&Tokenizer::default(), &TEXTS);
        let rows: Vec<usize> = (0..TEXTS.len()).collect();
        let words = WordVectors::fit(&tfidf.matrix, &rows, 3, 7);
        (tfidf, words)
    }

    fn vector<'a>(tfidf: &TfIdf, words: &'a WordVectors, term: &str) -> &'a [f32] {
        let column = tfidf.vocabulary.column(term).expect(term);
        words.vectors.row(column)
    }

    #[test]
    fn words_that_keep_the_same_company_get_close_vectors() {
        // "nurses" and "staff" never meet, but both go with "kind" and "caring".
        let (tfidf, words) = fitted();
        let nurses = vector(&tfidf, &words, "nurs");
        let staff = vector(&tfidf, &words, "staff");
        let parking = vector(&tfidf, &words, "park");
        let similar = linalg::dot(nurses, staff);
        let different = linalg::dot(nurses, parking);
        assert!(similar > 0.8, "{similar}");
        assert!(different < 0.3, "{different}");
    }

    #[test]
    fn a_term_only_ever_alone_still_gets_a_unit_vector() {
        let (tfidf, words) = fitted();
        let nothing = vector(&tfidf, &words, "nothing");
        assert!((linalg::dot(nothing, nothing) - 1.0).abs() < 1e-4);
    }

    #[test]
    fn pmi_is_positive_only_for_pairs_met_more_often_than_chance() {
        let tfidf = TfIdf::build(&Tokenizer::default(), &TEXTS);
        let rows: Vec<usize> = (0..TEXTS.len()).collect();
        let (ppmi, terms) = ppmi_matrix(&tfidf.matrix, &rows);
        let row_of = |term: &str| {
            let column = tfidf.vocabulary.column(term).expect(term);
            terms.iter().position(|&t| t == column).expect(term) as u32
        };
        let pmi = |a: &str, b: &str| {
            let (a, b) = (row_of(a), row_of(b));
            let range = ppmi.indptr[a as usize]..ppmi.indptr[a as usize + 1];
            ppmi.indices[range.clone()]
                .iter()
                .zip(&ppmi.values[range])
                .find(|(column, _)| **column == b)
                .map_or(0.0, |(_, value)| *value)
        };
        assert!(pmi("nurs", "kind") > 0.0);
        assert_eq!(pmi("nurs", "park"), 0.0, "never together");
        assert_eq!(pmi("nurs", "staff"), 0.0, "never together");
    }

    #[test]
    fn fitting_twice_gives_the_same_vectors() {
        let (_, first) = fitted();
        let (_, second) = fitted();
        assert_eq!(first.vectors, second.vectors);
    }
}
