//! Suggesting answers: for an issue the group has not answered yet, the
//! most similar issues that already have an answer — the basis for
//! "As above".

use rayon::prelude::*;

use super::linalg::{self, Dense};

/// Answered issues at least this similar (cosine in the latent space) are
/// suggested.
pub const MIN_SIMILARITY: f32 = 0.6;
/// Suggestions per issue.
pub const MAX_SUGGESTIONS: usize = 3;

/// An answered issue like this one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Suggestion {
    /// Index of the answered issue.
    pub issue: usize,
    pub similarity: f32,
}

/// For each issue without an answer, its most similar answered issues,
/// most similar first; answered issues get none.
pub fn suggest_answers(embedding: &Dense, answered: &[bool]) -> Vec<Vec<Suggestion>> {
    let with_answer: Vec<usize> = (0..answered.len()).filter(|&i| answered[i]).collect();
    (0..answered.len())
        .into_par_iter()
        .map(|i| {
            if answered[i] {
                return Vec::new();
            }
            let mut found: Vec<Suggestion> = with_answer
                .iter()
                .map(|&j| Suggestion {
                    issue: j,
                    similarity: linalg::dot(embedding.row(i), embedding.row(j)),
                })
                .filter(|s| s.similarity >= MIN_SIMILARITY)
                .collect();
            found.sort_by(|a, b| {
                b.similarity
                    .total_cmp(&a.similarity)
                    .then(a.issue.cmp(&b.issue))
            });
            found.truncate(MAX_SUGGESTIONS);
            found
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::lsa::Lsa;
    use crate::analysis::tokenize::Tokenizer;
    use crate::analysis::vector::TfIdf;

    #[test]
    fn an_unanswered_issue_is_offered_the_answer_to_a_similar_one() {
        let texts = [
            "Should the police authority be on the leadership group?",
            "Evening bus services are too infrequent",
            "The leadership group should include the police authority",
            "Parking charges are too high",
        ];
        let tfidf = TfIdf::build(&Tokenizer::default(), &texts);
        let rows: Vec<usize> = (0..texts.len()).collect();
        let embedding = Lsa::fit(&tfidf.matrix, &rows, 3, 1).project(&tfidf.matrix, &rows);
        let answered = [true, true, false, false];
        let suggestions = suggest_answers(&embedding, &answered);
        assert!(suggestions[0].is_empty() && suggestions[1].is_empty());
        assert_eq!(
            suggestions[2].first().map(|s| s.issue),
            Some(0),
            "{suggestions:?}"
        );
        assert!(suggestions[2][0].similarity > 0.9);
        assert!(suggestions[3].iter().all(|s| s.issue != 0));
    }
}
