//! TF-IDF vectors: sub-linear term frequency, smoothed inverse document
//! frequency, each row scaled to unit length (so a dot product is a cosine).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::counting::{Counts, PartCounter};
use super::tokenize::Tokenizer;

/// Texts are read in chunks of this many, in parallel, so memory for the
/// words of a chunk is all that is held at once.
const CHUNK: usize = 16_384;

/// A sparse matrix in compressed-row form; row `r` has the entries
/// `indptr[r]..indptr[r + 1]` of `indices` and `values`.
#[derive(Debug, Clone, Default)]
pub struct SparseMatrix {
    pub columns: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl SparseMatrix {
    /// A matrix of no rows yet, with room for `rows` row starts.
    pub fn empty(columns: usize, rows: usize) -> Self {
        let mut indptr = Vec::with_capacity(rows + 1);
        indptr.push(0);
        SparseMatrix {
            columns,
            indptr,
            indices: Vec::new(),
            values: Vec::new(),
        }
    }

    /// How many rows.
    pub fn rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Row `r` as (column, value) pairs.
    pub fn row(&self, r: usize) -> impl Iterator<Item = (usize, f32)> + '_ {
        let range = self.indptr[r]..self.indptr[r + 1];
        self.indices[range.clone()]
            .iter()
            .zip(&self.values[range])
            .map(|(&column, &value)| (column as usize, value))
    }
}

/// The terms of a corpus with their document frequencies.
#[derive(Debug, Clone, Default)]
pub struct Vocabulary {
    pub terms: Vec<String>,
    pub document_frequency: Vec<u32>,
    pub idf: Vec<f32>,
    index: FxHashMap<String, u32>,
}

impl Vocabulary {
    /// The column of a term, if the corpus kept it.
    pub fn column(&self, term: &str) -> Option<usize> {
        self.index.get(term).map(|&column| column as usize)
    }
}

/// A corpus as TF-IDF rows, one per text.
#[derive(Debug, Clone, Default)]
pub struct TfIdf {
    pub vocabulary: Vocabulary,
    pub matrix: SparseMatrix,
}

/// Terms in fewer texts than this are dropped (typos, one-off names), once
/// the corpus is large enough for that to be safe.
pub(super) fn minimum_document_frequency(texts: usize) -> u32 {
    if texts >= 200 { 2 } else { 1 }
}

/// Where each of `columns` went when only `kept` (in order) are kept: its
/// new number, or `u32::MAX` if dropped.
pub(super) fn positions(kept: &[usize], columns: usize) -> Vec<u32> {
    let mut position = vec![u32::MAX; columns];
    for (new, &column) in kept.iter().enumerate() {
        position[column] = new as u32;
    }
    position
}

/// The terms of some texts, numbered in order of first use, and each
/// text's counts under that numbering.
fn count_part<S: AsRef<str>>(tokenizer: &Tokenizer, texts: &[S]) -> (Vec<String>, Vec<Counts>) {
    let mut counter = PartCounter::new(tokenizer);
    let rows = texts
        .iter()
        .map(|text| counter.count(text.as_ref()))
        .collect();
    (counter.into_terms(), rows)
}

impl TfIdf {
    /// Reads and weights every text. Deterministic: term ids follow first
    /// appearance in text order, whatever the thread count.
    pub fn build<S: AsRef<str> + Sync>(tokenizer: &Tokenizer, texts: &[S]) -> TfIdf {
        // Each term is held once, as a key; its id is its place in the
        // corpus's order of first use.
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let mut counted = SparseMatrix::empty(0, texts.len());
        for chunk in texts.chunks(CHUNK) {
            // Each part is counted under its own numbering, in parallel; only
            // its distinct terms then meet the corpus's numbering, so the
            // serial step looks up a term once per part, not once per use.
            let parts: Vec<(Vec<String>, Vec<Counts>)> = chunk
                .par_chunks(CHUNK.div_ceil(rayon::current_num_threads()))
                .map(|part| count_part(tokenizer, part))
                .collect();
            for (part_terms, rows) in parts {
                let global: Vec<u32> = part_terms
                    .into_iter()
                    .map(|term| {
                        let next = index.len() as u32;
                        *index.entry(term).or_insert(next)
                    })
                    .collect();
                let mut renumbered = Vec::with_capacity(rows.len());
                rows.into_par_iter()
                    .map(|mut row| {
                        row.iter_mut()
                            .for_each(|(id, _)| *id = global[*id as usize]);
                        row.sort_unstable();
                        row
                    })
                    .collect_into_vec(&mut renumbered);
                for row in renumbered {
                    counted.indices.extend(row.iter().map(|&(id, _)| id));
                    counted
                        .values
                        .extend(row.iter().map(|&(_, count)| count as f32));
                    counted.indptr.push(counted.indices.len());
                }
            }
            // Room for the rest at the first chunk's rate, once: growing by
            // doubling can leave nearly half the room unused.
            if counted.rows() == chunk.len() && texts.len() > chunk.len() {
                let expected = counted.indices.len() * texts.len() / chunk.len();
                let more = (expected + expected / 10).saturating_sub(counted.indices.len());
                counted.indices.reserve_exact(more);
                counted.values.reserve_exact(more);
            }
        }
        let mut terms = vec![String::new(); index.len()];
        for (term, id) in index {
            terms[id as usize] = term;
        }
        counted.columns = terms.len();
        Self::weigh(terms, counted)
    }

    /// Drops rare terms, renumbers the rest, and weighs the counts, in
    /// place: the counts are the largest thing the analysis holds, and a
    /// weighed copy beside them was its peak (1M issues: 2.2 GB).
    fn weigh(terms: Vec<String>, counted: SparseMatrix) -> TfIdf {
        let texts = counted.rows();
        let mut frequency = vec![0u32; terms.len()];
        for &id in &counted.indices {
            frequency[id as usize] += 1;
        }
        let minimum = minimum_document_frequency(texts);
        let mut renumber = vec![u32::MAX; terms.len()];
        let mut vocabulary = Vocabulary::default();
        for (id, term) in terms.into_iter().enumerate() {
            if frequency[id] >= minimum {
                renumber[id] = vocabulary.terms.len() as u32;
                vocabulary.index.insert(term.clone(), renumber[id]);
                vocabulary.terms.push(term);
                vocabulary.document_frequency.push(frequency[id]);
            }
        }
        let n = texts as f32;
        vocabulary.idf = vocabulary
            .document_frequency
            .iter()
            .map(|&df| ((1.0 + n) / (1.0 + df as f32)).ln() + 1.0)
            .collect();

        let SparseMatrix {
            mut indptr,
            mut indices,
            mut values,
            ..
        } = counted;
        let mut kept = 0;
        for r in 0..texts {
            let (from, to) = (indptr[r], indptr[r + 1]);
            indptr[r] = kept;
            for k in from..to {
                let column = renumber[indices[k] as usize];
                if column != u32::MAX {
                    indices[kept] = column;
                    values[kept] = (1.0 + values[k].ln()) * vocabulary.idf[column as usize];
                    kept += 1;
                }
            }
            normalise(&mut values[indptr[r]..kept]);
            // Columns were renumbered in the same order, so rows stay sorted.
        }
        indptr[texts] = kept;
        indices.truncate(kept);
        values.truncate(kept);
        indices.shrink_to_fit();
        values.shrink_to_fit();
        let matrix = SparseMatrix {
            columns: vocabulary.terms.len(),
            indptr,
            indices,
            values,
        };
        TfIdf { vocabulary, matrix }
    }
}

impl TfIdf {
    /// The given rows, weighed as in the whole corpus (same vocabulary and
    /// idf): part of a consultation seen with the consultation's words.
    pub fn select(&self, rows: &[usize]) -> TfIdf {
        let mut matrix = SparseMatrix::empty(self.matrix.columns, rows.len());
        for &r in rows {
            let range = self.matrix.indptr[r]..self.matrix.indptr[r + 1];
            matrix
                .indices
                .extend_from_slice(&self.matrix.indices[range.clone()]);
            matrix.values.extend_from_slice(&self.matrix.values[range]);
            matrix.indptr.push(matrix.indices.len());
        }
        TfIdf {
            vocabulary: self.vocabulary.clone(),
            matrix,
        }
    }
}

/// Scales a vector to unit length (a zero vector stays zero).
pub fn normalise(values: &mut [f32]) {
    let norm = values.iter().map(|v| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        for value in values {
            *value /= norm;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Dot product of two rows.
    fn dot_rows(matrix: &SparseMatrix, a: usize, b: usize) -> f32 {
        let (mut i, mut j) = (matrix.indptr[a], matrix.indptr[b]);
        let (end_a, end_b) = (matrix.indptr[a + 1], matrix.indptr[b + 1]);
        let mut sum = 0.0;
        while i < end_a && j < end_b {
            match matrix.indices[i].cmp(&matrix.indices[j]) {
                std::cmp::Ordering::Less => i += 1,
                std::cmp::Ordering::Greater => j += 1,
                std::cmp::Ordering::Equal => {
                    sum += matrix.values[i] * matrix.values[j];
                    i += 1;
                    j += 1;
                }
            }
        }
        sum
    }

    #[test]
    fn rows_are_unit_length_and_rare_words_weigh_more() {
        let texts = ["police authority", "police budget", "police staff"];
        let tfidf = TfIdf::build(&Tokenizer::default(), &texts);
        assert_eq!(tfidf.matrix.rows(), 3);
        for row in 0..3 {
            let norm: f32 = tfidf.matrix.row(row).map(|(_, v)| v * v).sum();
            assert!((norm - 1.0).abs() < 1e-5);
        }
        let police = tfidf.vocabulary.column("polic").unwrap();
        let authority = tfidf.vocabulary.column("author").unwrap();
        let weights: FxHashMap<usize, f32> = tfidf.matrix.row(0).collect();
        assert!(weights[&authority] > weights[&police]);
        assert!(tfidf.vocabulary.column("polic author").is_some());
    }

    #[test]
    fn similar_texts_have_a_higher_cosine_than_unrelated_ones() {
        let texts = [
            "police authority on the board",
            "the police authority should sit on the board",
            "bus timetables in the evening",
        ];
        let tfidf = TfIdf::build(&Tokenizer::default(), &texts);
        assert!(dot_rows(&tfidf.matrix, 0, 1) > 0.5);
        assert_eq!(dot_rows(&tfidf.matrix, 0, 2), 0.0);
    }
}
