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

/// Answered issues sharing at least this much of their wording (TF-IDF
/// cosine) are suggested between analysis runs.
pub const MIN_WORD_SIMILARITY: f32 = 0.3;

/// The answered issues most like issue `of` by their words alone (TF-IDF
/// over `texts`, the consultation's issues), most similar first: what the
/// drafting page offers the moment another issue is answered, without
/// running the analysis again.
pub fn by_words<S: AsRef<str> + Sync>(
    texts: &[S],
    of: usize,
    answered: &[usize],
) -> Vec<Suggestion> {
    use std::collections::HashMap;
    if of >= texts.len() {
        return Vec::new();
    }
    let tfidf = super::vector::TfIdf::build(&super::tokenize::Tokenizer::default(), texts);
    let mine: HashMap<usize, f32> = tfidf.matrix.row(of).collect();
    if mine.is_empty() {
        return Vec::new();
    }
    let mut found: Vec<Suggestion> = answered
        .iter()
        .filter(|&&j| j != of && j < texts.len())
        .map(|&j| Suggestion {
            issue: j,
            similarity: tfidf
                .matrix
                .row(j)
                .filter_map(|(term, w)| mine.get(&term).map(|v| v * w))
                .sum(),
        })
        .filter(|s| s.similarity >= MIN_WORD_SIMILARITY)
        .collect();
    found.sort_by(|a, b| {
        b.similarity
            .total_cmp(&a.similarity)
            .then(a.issue.cmp(&b.issue))
    });
    found.truncate(MAX_SUGGESTIONS);
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::lsa::Lsa;
    use crate::analysis::tokenize::Tokenizer;
    use crate::analysis::vector::TfIdf;

    #[test]
    fn an_issue_is_offered_answers_to_issues_in_the_same_words_without_an_analysis_run() {
        let texts = [
            "Should the police authority be on the leadership group?",
            "Evening bus services are too infrequent",
            "The leadership group should include the police authority",
            "Parking charges are too high",
            "Bus services in the evening should run more often",
        ];
        let found = by_words(&texts, 0, &[1, 2, 3]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].issue, 2);
        let buses = by_words(&texts, 4, &[1, 2, 3]);
        assert_eq!(buses.first().map(|s| s.issue), Some(1));
        assert!(by_words(&texts, 3, &[]).is_empty());
    }

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
