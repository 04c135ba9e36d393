//! Naming themes in words an officer would use.
//!
//! A theme's terms are ranked by class-based TF-IDF: their mean weight in
//! the theme, times how much more they weigh there than in the corpus as a
//! whole. The label is then read off the theme's own texts: the whole
//! phrase, used by several members, that best holds its strongest terms
//! ("Police authority", "Strategic Leadership Group"), written as the
//! members write it.

use rayon::prelude::*;
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
const PHRASE_WORDS: usize = 5;

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
    let weights = TermWeights::of(tfidf, labels, themes);
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); themes];
    for (row, &theme) in labels.iter().enumerate() {
        members[theme].push(row);
    }

    (0..themes)
        .into_par_iter()
        .map(|theme| {
            let ranked = weights.top_terms(theme);
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

/// Each term's summed TF-IDF weight in each theme and overall.
struct TermWeights {
    overall: Vec<f32>,
    by_theme: Vec<Vec<f32>>,
    sizes: Vec<usize>,
}

impl TermWeights {
    fn of(tfidf: &TfIdf, labels: &[usize], themes: usize) -> Self {
        let columns = tfidf.matrix.columns;
        let mut weights = TermWeights {
            overall: vec![0.0; columns],
            by_theme: vec![vec![0.0; columns]; themes],
            sizes: vec![0; themes],
        };
        for (row, &theme) in labels.iter().enumerate() {
            weights.sizes[theme] += 1;
            for (column, value) in tfidf.matrix.row(row) {
                weights.overall[column] += value;
                weights.by_theme[theme][column] += value;
            }
        }
        weights
    }

    /// The theme's [`TOP_TERMS`] terms (column, weight), best first: a
    /// term's mean weight inside the theme, times how much more it weighs
    /// there than everywhere (log-lifted).
    fn top_terms(&self, theme: usize) -> Vec<(usize, f32)> {
        let size = self.sizes[theme].max(1) as f32;
        let n = self.sizes.iter().sum::<usize>().max(1) as f32;
        let mut ranked: Vec<(usize, f32)> = self.by_theme[theme]
            .iter()
            .enumerate()
            .filter(|(_, sum)| **sum > 0.0)
            .map(|(column, &sum)| {
                let inside = sum / size;
                let everywhere = self.overall[column] / n;
                (column, inside * (1.0 + inside / everywhere).ln())
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(TOP_TERMS);
        ranked
    }
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

/// Words a label neither starts nor ends with, besides stop words: they
/// leave a phrase hanging ("SLG including", "must be able").
const DANGLING: &[&str] = &[
    "able",
    "according",
    "across",
    "concerning",
    "etc",
    "get",
    "given",
    "got",
    "including",
    "involving",
    "like",
    "made",
    "make",
    "need",
    "needed",
    "needs",
    "regarding",
    "seems",
    "take",
    "taken",
    "towards",
    "unable",
    "using",
    "via",
    "want",
    "wants",
    "within",
    "without",
];

/// Little words that end a phrase as part of its verb ("looked after",
/// "think of"): a label may end with one.
const PARTICLES: &[&str] = &["after", "down", "off", "out", "over", "up"];

/// Whether a label may start or end with this word.
fn firm(token: &Token) -> bool {
    !token.stop && !DANGLING.contains(&token.surface.to_lowercase().as_str())
}

/// Whether a label may end with this word: a firm one, or a particle.
fn may_end(token: &Token) -> bool {
    firm(token) || PARTICLES.contains(&token.surface.to_lowercase().as_str())
}

/// A stretch of words found in the members' texts: which texts hold it,
/// and where it first stands (text, start, end).
struct Phrase {
    texts: std::collections::BTreeSet<usize>,
    first: (usize, usize, usize),
}

/// The best whole phrase of the theme's own texts: a stretch of one to
/// [`PHRASE_WORDS`] words within a sentence, starting and ending with a
/// content word, scored by the theme's top terms it holds, times how many
/// member texts hold it (a phrase several members use reads as the
/// theme's), shorter preferred. Its commonest spelling is the label, so
/// abbreviations stay as the consultation writes them.
fn phrase_label(top_terms: &[TopTerm], token_lists: &[Vec<Token>]) -> Option<String> {
    let mut weight: HashMap<&str, f32> = HashMap::new();
    for top in top_terms {
        for part in top.term.split(' ') {
            let w = weight.entry(part).or_insert(0.0);
            *w = w.max(top.weight);
        }
    }
    let mut phrases: HashMap<Vec<&str>, Phrase> = HashMap::new();
    for (text, tokens) in token_lists.iter().enumerate() {
        for start in (0..tokens.len()).filter(|&s| firm(&tokens[s])) {
            for end in start..tokens.len().min(start + PHRASE_WORDS) {
                if end > start && tokens[end].after_break {
                    break;
                }
                let window = &tokens[start..=end];
                if !may_end(&tokens[end])
                    || !window.iter().any(|t| weight.contains_key(t.term.as_str()))
                    || repeats_a_word(window)
                {
                    continue;
                }
                let key: Vec<&str> = window.iter().map(|t| t.term.as_str()).collect();
                let phrase = phrases.entry(key).or_insert_with(|| Phrase {
                    texts: Default::default(),
                    first: (text, start, end),
                });
                phrase.texts.insert(text);
            }
        }
    }
    // A phrase of two words or more that enough members use (two, and at
    // least one in thirty of the texts read) names a theme better than a
    // word; a word names it only when no such phrase is there.
    let enough = 2.max(token_lists.len().div_ceil(30));
    // A phrase nearly always written with one more word ("well looked"
    // of "well looked after") is part of that longer one, not whole.
    // For each phrase, the most texts any one-word-longer phrase holding
    // it is found in (looked up, not searched: a theme can hold 10⁵ phrases).
    let mut longest_use: HashMap<&[&str], usize> = HashMap::new();
    for (longer, q) in phrases.iter().filter(|(key, _)| key.len() >= 2) {
        for part in [&longer[1..], &longer[..longer.len() - 1]] {
            let most = longest_use.entry(part).or_default();
            *most = (*most).max(q.texts.len());
        }
    }
    let whole = |key: &[&str], p: &Phrase| {
        longest_use
            .get(key)
            .is_none_or(|&most| most * 5 < p.texts.len() * 4)
    };
    let several =
        |key: &[&str], p: &Phrase| key.len() >= 2 && p.texts.len() >= enough && whole(key, p);
    let phrased = phrases.iter().any(|(key, p)| several(key, p));
    let score = |key: &[&str], phrase: &Phrase| {
        let mut held: Vec<&str> = key
            .iter()
            .copied()
            .filter(|t| weight.contains_key(t))
            .collect();
        held.sort_unstable();
        held.dedup();
        let cover: f32 = held.iter().map(|t| weight[t]).sum();
        cover * (phrase.texts.len() as f32).sqrt() / (1.0 + 0.15 * (key.len() as f32 - 1.0))
    };
    let best = phrases
        .iter()
        .filter(|(key, p)| !phrased || several(key, p))
        .max_by(|(a, pa), (b, pb)| score(a, pa).total_cmp(&score(b, pb)).then_with(|| b.cmp(a)))?;
    // The spelling most members use, if most do and it is a sound one
    // (no capitals inside a word, as in "EverythIng"); else the plain words.
    let (text, start, end) = best.1.first;
    let plain = written_plain(&token_lists[text][start..=end]);
    let spellings = spellings_of(best.0, token_lists);
    let uses: usize = spellings.values().sum();
    let spelling = (spellings.iter())
        .filter(|(s, count)| **count * 2 > uses && sound(s))
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map_or(plain, |(s, _)| s.clone());
    Some(capitalised(&spelling))
}

/// Whether a content word comes twice ("nothing nothing nothing"): a
/// stutter or a list, not a name.
fn repeats_a_word(window: &[Token]) -> bool {
    let content: Vec<&str> = (window.iter())
        .filter(|t| !t.stop)
        .map(|t| t.term.as_str())
        .collect();
    (1..content.len()).any(|i| content[..i].contains(&content[i]))
}

/// How often each spelling of a phrase (its terms, `key`) is written.
fn spellings_of(
    key: &[&str],
    token_lists: &[Vec<Token>],
) -> std::collections::BTreeMap<String, usize> {
    let mut spellings = std::collections::BTreeMap::new();
    for tokens in token_lists {
        for window in tokens.windows(key.len()) {
            if window
                .iter()
                .map(|t| t.term.as_str())
                .eq(key.iter().copied())
            {
                *spellings.entry(written(window)).or_default() += 1;
            }
        }
    }
    spellings
}

/// Words as the text writes them: a word written in capitals stays so
/// ("SLG", "Strategic Leadership Group"), a sentence's first word does not
/// ("The"), and a contraction's negation is written back ("couldn't").
fn written(window: &[Token]) -> String {
    let mut out = String::new();
    for (i, token) in window.iter().enumerate() {
        if token.written.is_empty() {
            // The "not" of a contraction is already in the word before.
            continue;
        }
        if i > 0 {
            out.push(' ');
        }
        out.push_str(&token.written);
    }
    out
}

/// The window's words as read: lower case but for words in capitals.
fn written_plain(window: &[Token]) -> String {
    (window.iter())
        .filter(|t| !t.written.is_empty())
        .map(|t| t.surface.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a spelling has no capital letter after a small one inside a
/// word ("vIsIt"): typing slips, not names.
fn sound(spelling: &str) -> bool {
    spelling.split(' ').all(|word| {
        let mut lower_seen = false;
        word.chars().all(|c| {
            let ok = !(lower_seen && c.is_uppercase());
            lower_seen |= c.is_lowercase();
            ok
        })
    })
}

/// The first letter in capitals, as a heading is written ("Police
/// authority"); words already in capitals ("SLG") stay so.
fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A theme whose texts hold no phrase with its terms (it cannot happen
/// with texts that have words) is named by its strongest term.
fn list_label(top_terms: &[TopTerm]) -> String {
    top_terms
        .first()
        .map_or_else(|| "(no words)".to_owned(), |top| capitalised(&top.surface))
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
        // Written as a heading: "Police authority".
        assert!(
            police.label.to_lowercase().contains("police authority"),
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
        let parking_label = parking.label.to_lowercase();
        assert!(
            parking_label.contains("parking") || parking_label.contains("town centre"),
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
    fn a_theme_without_a_phrase_is_named_by_its_strongest_term() {
        let top = vec![TopTerm {
            term: "nothing".into(),
            surface: "nothing".into(),
            weight: 1.0,
        }];
        assert_eq!(list_label(&top), "Nothing");
        assert_eq!(phrase_label(&top, &[]), None);
    }

    /// The words of a text as written, lower-cased.
    fn written_words(tokenizer: &Tokenizer, text: &str) -> Vec<String> {
        (tokenizer.tokens(text).into_iter())
            .filter(|t| !t.written.is_empty())
            .map(|t| t.written.to_lowercase())
            .collect()
    }

    /// Every theme's label is a whole phrase of one of its own texts: its
    /// words stand together, in order, in some member.
    fn assert_labels_are_phrases_of_members(texts: &[String], themes: Option<usize>) {
        let tokenizer = Tokenizer::default();
        let tfidf = TfIdf::build(&tokenizer, texts);
        let options = ClusterOptions {
            themes,
            ..ClusterOptions::default()
        };
        let result = cluster(&tfidf, &options);
        let labels = label_clustering(&tokenizer, texts, &tfidf, &result);
        for (theme, label) in labels.iter().enumerate() {
            let words: Vec<String> = label.label.split(' ').map(str::to_lowercase).collect();
            let found = (0..texts.len())
                .filter(|&i| result.labels[i] == theme)
                .any(|i| {
                    written_words(&tokenizer, &texts[i])
                        .windows(words.len())
                        .any(|w| w == words.as_slice())
                });
            assert!(
                found,
                "theme {theme}'s label {:?} is in none of its texts",
                label.label
            );
            assert!(words.len() <= PHRASE_WORDS);
        }
    }

    #[test]
    fn labels_are_whole_phrases_from_the_themes_own_texts() {
        let fixture: Vec<String> = (crate::evaluation::fixture_set().expect("fixture"))
            .into_iter()
            .map(|r| r.text)
            .collect();
        assert_labels_are_phrases_of_members(&fixture, None);
        assert_labels_are_phrases_of_members(&fixture, Some(9));
        let tiny: Vec<String> = crate::analysis::cluster::tests_support::TINY
            .iter()
            .map(|t| t.to_string())
            .collect();
        assert_labels_are_phrases_of_members(&tiny, None);
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(
            crate::test_support::proptest_cases(24)
        ))]
        #[test]
        fn any_texts_get_labels_that_are_phrases_of_their_members(
            texts in proptest::collection::vec("[a-z]{2,7}( [a-z]{2,7}){1,9}[.,]?( [A-Z][a-z]{2,6}){0,2}", 6..40)
        ) {
            assert_labels_are_phrases_of_members(&texts, None);
        }
    }

    #[test]
    fn a_phrase_nearly_always_written_longer_is_not_a_label() {
        let tokenizer = Tokenizer::default();
        let texts = [
            "Patients were well looked after on the ward",
            "I was well looked after by everyone",
            "Well looked after and kept informed",
        ];
        let tokens: Vec<Vec<Token>> = texts.iter().map(|t| tokenizer.tokens(t)).collect();
        let top = vec![TopTerm {
            term: tokens[0][3].term.clone(),
            surface: "looked".into(),
            weight: 1.0,
        }];
        let label = phrase_label(&top, &tokens).expect("a label");
        assert_eq!(label, "Well looked after");
    }
}
