//! Naming themes in words an officer would use.
//!
//! A theme's terms are ranked by class-based TF-IDF: their mean weight in
//! the theme, times how much more they weigh there than in the corpus as a
//! whole. The label is then read off the theme's own texts: the shortest
//! stretch of a member text that holds its two strongest terms ("police
//! authority presence"), or else the surface words of the top terms.

use std::collections::HashMap;

use super::cluster::Clustering;
use super::linalg::{self, Dense};
use super::tokenize::{Token, Tokenizer};
use super::vector::TfIdf;

/// Terms listed per theme.
const TOP_TERMS: usize = 8;
/// Representative issues per theme.
const REPRESENTATIVES: usize = 3;
/// Member texts read back for surface words, per theme.
const TEXTS_READ: usize = 200;
/// A label phrase taken from a text is at most this many words.
const PHRASE_WORDS: usize = 7;

/// A weighted term with the words it stands for.
#[derive(Debug, Clone, PartialEq)]
pub struct TopTerm {
    pub term: String,
    pub surface: String,
    pub weight: f32,
}

/// A theme's name and evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeLabel {
    pub label: String,
    pub top_terms: Vec<TopTerm>,
    /// Indices of the issues closest to the theme's centre, closest first.
    pub representatives: Vec<usize>,
}

/// Labels every theme. `labels[i]` is issue `i`'s theme; `embedding` and
/// `centroids` are from the clustering.
pub fn label_themes<S: AsRef<str> + Sync>(
    tokenizer: &Tokenizer,
    texts: &[S],
    tfidf: &TfIdf,
    labels: &[usize],
    themes: usize,
    embedding: &Dense,
    centroids: &Dense,
) -> Vec<ThemeLabel> {
    let columns = tfidf.matrix.columns;
    let mut overall = vec![0.0f32; columns];
    let mut by_theme = vec![vec![0.0f32; columns]; themes];
    let mut sizes = vec![0usize; themes];
    for (row, &theme) in labels.iter().enumerate() {
        sizes[theme] += 1;
        for (column, value) in tfidf.matrix.row(row) {
            overall[column] += value;
            by_theme[theme][column] += value;
        }
    }
    let n = labels.len().max(1) as f32;
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); themes];
    for (row, &theme) in labels.iter().enumerate() {
        members[theme].push(row);
    }

    (0..themes)
        .map(|theme| {
            let size = sizes[theme].max(1) as f32;
            let mut ranked: Vec<(usize, f32)> = by_theme[theme]
                .iter()
                .enumerate()
                .filter(|(_, sum)| **sum > 0.0)
                .map(|(column, &sum)| {
                    let inside = sum / size;
                    let everywhere = overall[column] / n;
                    (column, inside * (1.0 + inside / everywhere).ln())
                })
                .collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(TOP_TERMS);

            let representatives = representatives(&members[theme], embedding, centroids.row(theme));
            // Read the representatives first, then other members.
            let mut reading: Vec<usize> = representatives.clone();
            reading.extend(
                members[theme]
                    .iter()
                    .filter(|i| !representatives.contains(i))
                    .take(TEXTS_READ),
            );
            let token_lists: Vec<Vec<Token>> = reading
                .iter()
                .map(|&i| tokenizer.tokens(texts[i].as_ref()))
                .collect();
            let surfaces = surface_words(&token_lists);
            let top_terms: Vec<TopTerm> = ranked
                .iter()
                .map(|&(column, weight)| {
                    let term = tfidf.vocabulary.terms[column].clone();
                    let surface = surfaces
                        .get(term.as_str())
                        .cloned()
                        .unwrap_or_else(|| term.clone());
                    TopTerm {
                        term,
                        surface,
                        weight,
                    }
                })
                .collect();
            let label =
                phrase_label(&top_terms, &token_lists).unwrap_or_else(|| list_label(&top_terms));
            ThemeLabel {
                label,
                top_terms,
                representatives,
            }
        })
        .collect()
}

/// Labels the themes of a clustering.
pub fn label_clustering<S: AsRef<str> + Sync>(
    tokenizer: &Tokenizer,
    texts: &[S],
    tfidf: &TfIdf,
    clustering: &Clustering,
) -> Vec<ThemeLabel> {
    label_themes(
        tokenizer,
        texts,
        tfidf,
        &clustering.labels,
        clustering.themes,
        &clustering.embedding,
        &clustering.centroids,
    )
}

/// The members closest to the centre, closest first (index order on ties).
fn representatives(members: &[usize], embedding: &Dense, centre: &[f32]) -> Vec<usize> {
    let mut scored: Vec<(usize, f32)> = members
        .iter()
        .map(|&i| (i, linalg::dot(embedding.row(i), centre)))
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    scored
        .into_iter()
        .take(REPRESENTATIVES)
        .map(|(i, _)| i)
        .collect()
}

/// The most common surface form of each unigram and bigram term.
fn surface_words(token_lists: &[Vec<Token>]) -> HashMap<String, String> {
    let mut counts: HashMap<(String, String), usize> = HashMap::new();
    for tokens in token_lists {
        let content: Vec<&Token> = tokens.iter().filter(|t| !t.stop).collect();
        for token in &content {
            *counts
                .entry((token.term.clone(), token.surface.clone()))
                .or_default() += 1;
        }
        for pair in content.windows(2) {
            let key = (
                format!("{} {}", pair[0].term, pair[1].term),
                format!("{} {}", pair[0].surface, pair[1].surface),
            );
            *counts.entry(key).or_default() += 1;
        }
    }
    let mut best: HashMap<String, (usize, String)> = HashMap::new();
    for ((term, surface), count) in counts {
        let entry = best.entry(term).or_insert((0, String::new()));
        if count > entry.0 || (count == entry.0 && surface < entry.1) {
            *entry = (count, surface);
        }
    }
    best.into_iter()
        .map(|(term, (_, surface))| (term, surface))
        .collect()
}

/// The unigram terms of the strongest top terms (a bigram counts as its
/// two words), up to two distinct terms.
fn anchor_terms(top_terms: &[TopTerm]) -> Vec<String> {
    let mut anchors: Vec<String> = Vec::new();
    for top in top_terms {
        for part in top.term.split(' ') {
            if !anchors.iter().any(|a| a == part) {
                anchors.push(part.to_owned());
            }
        }
        if anchors.len() >= 2 {
            break;
        }
    }
    anchors.truncate(2);
    anchors
}

/// The shortest stretch of a member text holding the anchor terms, if one
/// is short enough to read as a label.
fn phrase_label(top_terms: &[TopTerm], token_lists: &[Vec<Token>]) -> Option<String> {
    let anchors = anchor_terms(top_terms);
    if anchors.len() < 2 {
        return None;
    }
    let mut best: Option<&[Token]> = None;
    for tokens in token_lists {
        for start in 0..tokens.len() {
            if !anchors.contains(&tokens[start].term) {
                continue;
            }
            let mut seen: Vec<&str> = Vec::new();
            for end in start..tokens.len().min(start + PHRASE_WORDS) {
                if end > start && tokens[end].after_break {
                    break;
                }
                if anchors.contains(&tokens[end].term) && !seen.contains(&tokens[end].term.as_str())
                {
                    seen.push(&tokens[end].term);
                }
                if seen.len() == anchors.len() {
                    let window = &tokens[start..=end];
                    if best.is_none_or(|b| window.len() < b.len()) {
                        best = Some(window);
                    }
                    break;
                }
            }
        }
    }
    best.map(|window| {
        window
            .iter()
            .map(|t| t.surface.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    })
}

/// The top three terms' words, e.g. "parking, charges, town centre".
fn list_label(top_terms: &[TopTerm]) -> String {
    let mut words: Vec<&str> = Vec::new();
    for top in top_terms {
        let covered = words
            .iter()
            .any(|w| w.contains(top.surface.as_str()) || top.surface.contains(w));
        if !covered {
            words.push(&top.surface);
        }
        if words.len() == 3 {
            break;
        }
    }
    if words.is_empty() {
        "(no words)".to_owned()
    } else {
        words.join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::cluster::{ClusterOptions, cluster};

    #[test]
    fn themes_are_named_in_surface_words_with_representatives() {
        let texts = [
            "The police authority should have a seat on the board",
            "Police authority representation on the board is needed",
            "A seat for the police authority on the board",
            "Parking charges in the town centre are too high",
            "Town centre parking charges cost too much",
            "Cut the parking charges in the town centre",
        ];
        let tokenizer = Tokenizer::default();
        let tfidf = TfIdf::build(&tokenizer, &texts);
        let result = cluster(
            &tfidf,
            &ClusterOptions {
                themes: Some(2),
                ..Default::default()
            },
        );
        let labels = label_clustering(&tokenizer, &texts, &tfidf, &result);
        assert_eq!(labels.len(), 2);
        let police = &labels[result.labels[0]];
        assert!(
            police.label.contains("police authority"),
            "{:?}",
            police.label
        );
        assert!(
            police
                .top_terms
                .iter()
                .any(|t| t.surface == "police authority")
        );
        assert_eq!(police.representatives.len(), 3);
        assert!(police.representatives.iter().all(|&i| i < 3));
        let parking = &labels[result.labels[3]];
        assert!(
            parking.label.contains("parking") || parking.label.contains("town centre"),
            "{:?}",
            parking.label
        );
        assert!(
            !parking.label.contains("park "),
            "surface words, not stems: {:?}",
            parking.label
        );
    }

    #[test]
    fn a_theme_without_two_anchor_words_is_named_by_its_top_terms() {
        let top = vec![TopTerm {
            term: "nothing".into(),
            surface: "nothing".into(),
            weight: 1.0,
        }];
        assert_eq!(list_label(&top), "nothing");
        assert_eq!(phrase_label(&top, &[]), None);
    }
}
