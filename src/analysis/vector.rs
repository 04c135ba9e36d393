//! TF-IDF vectors: sub-linear term frequency, smoothed inverse document
//! frequency, each row scaled to unit length (so a dot product is a cosine).

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use super::tokenize::{Features, Tokenizer};

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

/// Counted terms of one text: (term id, count), sorted by id.
type Counts = Vec<(u32, u32)>;

impl TfIdf {
    /// Reads and weights every text. Deterministic: term ids follow first
    /// appearance in text order, whatever the thread count.
    pub fn build<S: AsRef<str> + Sync>(tokenizer: &Tokenizer, texts: &[S]) -> TfIdf {
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let mut terms: Vec<String> = Vec::new();
        let mut counts: Vec<Counts> = Vec::with_capacity(texts.len());
        for chunk in texts.chunks(CHUNK) {
            let features: Vec<Features> = chunk
                .par_iter()
                .map(|text| tokenizer.terms_only(text.as_ref()))
                .collect();
            for text in features {
                let mut row: Counts = Vec::with_capacity(text.unigrams.len() * 2);
                for term in text.terms() {
                    let id = match index.get(term) {
                        Some(&id) => id,
                        None => {
                            let id = terms.len() as u32;
                            index.insert(term.to_owned(), id);
                            terms.push(term.to_owned());
                            id
                        }
                    };
                    row.push((id, 1));
                }
                row.sort_unstable();
                row.dedup_by(|later, first| {
                    if later.0 == first.0 {
                        first.1 += later.1;
                        true
                    } else {
                        false
                    }
                });
                counts.push(row);
            }
        }
        Self::weigh(terms, counts)
    }

    /// Drops rare terms, renumbers the rest, and weighs the counts.
    fn weigh(terms: Vec<String>, counts: Vec<Counts>) -> TfIdf {
        let texts = counts.len();
        let mut frequency = vec![0u32; terms.len()];
        for row in &counts {
            for &(id, _) in row {
                frequency[id as usize] += 1;
            }
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

        let mut matrix = SparseMatrix {
            columns: vocabulary.terms.len(),
            indptr: Vec::with_capacity(texts + 1),
            indices: Vec::new(),
            values: Vec::new(),
        };
        matrix.indptr.push(0);
        for row in counts {
            let start = matrix.indices.len();
            for (id, count) in row {
                let column = renumber[id as usize];
                if column != u32::MAX {
                    matrix.indices.push(column);
                    matrix
                        .values
                        .push((1.0 + (count as f32).ln()) * vocabulary.idf[column as usize]);
                }
            }
            normalise(&mut matrix.values[start..]);
            // Columns were renumbered in the same order, so rows stay sorted.
            matrix.indptr.push(matrix.indices.len());
        }
        TfIdf { vocabulary, matrix }
    }
}

impl TfIdf {
    /// The given rows, weighed as in the whole corpus (same vocabulary and
    /// idf): part of a consultation seen with the consultation's words.
    pub fn select(&self, rows: &[usize]) -> TfIdf {
        let mut matrix = SparseMatrix {
            columns: self.matrix.columns,
            indptr: Vec::with_capacity(rows.len() + 1),
            indices: Vec::new(),
            values: Vec::new(),
        };
        matrix.indptr.push(0);
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
