//! Counting the terms of many texts, fast: the same terms, in the same
//! order of first use, as counting [`Tokenizer::terms_only`] text by text,
//! without making a string per word.
//!
//! Words repeat, so each distinct word is read (split, stemmed, checked
//! against the stop words) once per part and remembered by a number; terms
//! and bigrams are then numbers too, and a term's text is made once, when
//! it is first counted. At a million issues this step was most of the
//! analysis's time.

use rustc_hash::FxHashMap;

use super::tokenize::{
    NO_WORDS_TERM, NOTHING_TERM, Tokenizer, bigram_pairs, for_each_word, normalise_into,
};

/// Counted terms of one text: (term id, count), sorted by id.
pub type Counts = Vec<(u32, u32)>;

/// A token as counted: its term's key (see [`PartCounter::keys`]), whether
/// it is a stop word, and whether punctuation came before it.
#[derive(Debug, Clone, Copy)]
struct Counted {
    key: u32,
    stop: bool,
    after_break: bool,
}

/// What a word reads as: up to two tokens (a contraction's "not"), each
/// with whether it takes the word's break.
#[derive(Debug, Clone, Copy, Default)]
struct WordReading {
    tokens: [(u32, bool, bool); 2],
    len: u8,
}

/// Counts the terms of the texts of one part of a corpus.
pub struct PartCounter<'t> {
    tokenizer: &'t Tokenizer,
    /// Each distinct lower-cased word read so far.
    words: FxHashMap<String, WordReading>,
    /// Term texts by key (stems, dictionary terms), and their keys.
    keys: Vec<String>,
    key_of: FxHashMap<String, u32>,
    /// The term id of each key, once counted (`u32::MAX` before).
    term_of_key: Vec<u32>,
    /// The term id of each bigram, by the term ids of its two words.
    bigrams: FxHashMap<(u32, u32), u32>,
    /// Term texts by id, in order of first use.
    terms: Vec<String>,
    /// Buffers reused from text to text.
    lowered: Vec<String>,
    breaks: Vec<bool>,
    tokens: Vec<Counted>,
}

impl<'t> PartCounter<'t> {
    pub fn new(tokenizer: &'t Tokenizer) -> Self {
        PartCounter {
            tokenizer,
            words: FxHashMap::default(),
            keys: Vec::new(),
            key_of: FxHashMap::default(),
            term_of_key: Vec::new(),
            bigrams: FxHashMap::default(),
            terms: Vec::new(),
            lowered: Vec::new(),
            breaks: Vec::new(),
            tokens: Vec::new(),
        }
    }

    /// The terms counted so far, by id.
    pub fn into_terms(self) -> Vec<String> {
        self.terms
    }

    fn key(&mut self, text: &str) -> u32 {
        if let Some(&key) = self.key_of.get(text) {
            return key;
        }
        let key = self.keys.len() as u32;
        self.keys.push(text.to_owned());
        self.key_of.insert(text.to_owned(), key);
        self.term_of_key.push(u32::MAX);
        key
    }

    fn term(&mut self, key: u32) -> u32 {
        let slot = key as usize;
        if self.term_of_key[slot] == u32::MAX {
            self.term_of_key[slot] = self.terms.len() as u32;
            self.terms.push(self.keys[slot].clone());
        }
        self.term_of_key[slot]
    }

    fn bigram(&mut self, left: u32, right: u32) -> u32 {
        if let Some(&id) = self.bigrams.get(&(left, right)) {
            return id;
        }
        let id = self.terms.len() as u32;
        let text = format!(
            "{} {}",
            self.terms[left as usize], self.terms[right as usize]
        );
        self.terms.push(text);
        self.bigrams.insert((left, right), id);
        id
    }

    /// How a word that starts no dictionary phrase reads, remembered.
    fn reading(&mut self, word: usize) -> WordReading {
        if let Some(&known) = self.words.get(self.lowered[word].as_str()) {
            return known;
        }
        let lower = self.lowered[word].clone();
        let mut reading = WordReading::default();
        for token in self.tokenizer.word_tokens(&lower).into_iter().take(2) {
            let key = self.key(&token.term);
            reading.tokens[reading.len as usize] = (key, token.stop, token.after_break);
            reading.len += 1;
        }
        self.words.insert(lower, reading);
        reading
    }

    /// Reads one text into `self.tokens`, as [`Tokenizer::terms_only`] does.
    fn read(&mut self, text: &str) {
        let mut count = 0;
        let (lowered, breaks) = (&mut self.lowered, &mut self.breaks);
        breaks.clear();
        for_each_word(text, |segment, after_break| {
            if lowered.len() == count {
                lowered.push(String::new());
            }
            normalise_into(segment, &mut lowered[count]);
            breaks.push(after_break);
            count += 1;
        });
        self.tokens.clear();
        let mut index = 0;
        while index < count {
            let phrase = (self.tokenizer)
                .phrase_at_by(&self.lowered[index..count], |w| w.as_str())
                .map(|(length, term, _)| (length, term.to_owned()));
            if let Some((length, term)) = phrase {
                let key = self.key(&term);
                self.tokens.push(Counted {
                    key,
                    stop: false,
                    after_break: self.breaks[index],
                });
                index += length;
                continue;
            }
            let reading = self.reading(index);
            for &(key, stop, takes_break) in &reading.tokens[..reading.len as usize] {
                self.tokens.push(Counted {
                    key,
                    stop,
                    after_break: takes_break && self.breaks[index],
                });
            }
            index += 1;
        }
    }

    /// The counts of one text, as counting `terms_only(text).terms()`
    /// would give them (see [`super::tokenize::Features`]).
    pub fn count(&mut self, text: &str) -> Counts {
        self.read(text);
        let tokens = std::mem::take(&mut self.tokens);
        let mut row: Counts = Vec::with_capacity(tokens.len() * 2);
        if tokens.iter().all(|t| t.stop) {
            if tokens.is_empty() {
                let key = self.key(NO_WORDS_TERM);
                row.push((self.term(key), 1));
            }
            for token in &tokens {
                let key = match self.keys[token.key as usize].as_str() {
                    "no" | "not" => self.key(NOTHING_TERM),
                    _ => token.key,
                };
                row.push((self.term(key), 1));
            }
        } else {
            for token in tokens.iter().filter(|t| !t.stop) {
                row.push((self.term(token.key), 1));
            }
            let read = |t: &Counted| (t.stop, t.after_break);
            for (left, right) in bigram_pairs(&tokens, read, |a, b| a.key == b.key) {
                let (l, r) = (self.term(left.key), self.term(right.key));
                row.push((self.bigram(l, r), 1));
            }
        }
        self.tokens = tokens;
        row.sort_unstable();
        row.dedup_by(|later, first| {
            if later.0 == first.0 {
                first.1 += later.1;
                true
            } else {
                false
            }
        });
        // Held until the whole corpus is read: no room to spare.
        row.shrink_to_fit();
        row
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::tokenize::{Abbreviation, Dictionary};

    /// The plain way: each text's terms as strings, numbered on first use.
    fn counted_plainly(tokenizer: &Tokenizer, texts: &[&str]) -> (Vec<String>, Vec<Counts>) {
        let mut index: FxHashMap<String, u32> = FxHashMap::default();
        let mut terms: Vec<String> = Vec::new();
        let rows = texts
            .iter()
            .map(|text| {
                let features = tokenizer.terms_only(text);
                let mut row: Counts = Vec::new();
                for term in features.terms() {
                    let id = *index.entry(term.to_owned()).or_insert_with(|| {
                        terms.push(term.to_owned());
                        terms.len() as u32 - 1
                    });
                    row.push((id, 1));
                }
                row.sort_unstable();
                row.dedup_by(|later, first| {
                    (later.0 == first.0).then(|| first.1 += later.1).is_some()
                });
                row
            })
            .collect();
        (terms, rows)
    }

    fn counted_fast(tokenizer: &Tokenizer, texts: &[&str]) -> (Vec<String>, Vec<Counts>) {
        let mut counter = PartCounter::new(tokenizer);
        let rows = texts.iter().map(|t| counter.count(t)).collect();
        (counter.into_terms(), rows)
    }

    fn tokenizer() -> Tokenizer {
        Tokenizer::new(Dictionary::new(&[
            Abbreviation {
                short: "SLG".into(),
                full: "Strategic Leadership Group".into(),
            },
            Abbreviation {
                short: "PPP".into(),
                full: "Positive Participation Partnership".into(),
            },
        ]))
    }

    #[test]
    fn the_same_terms_and_numbering_as_counting_text_by_text() {
        let texts = [
            "The Strategic Leadership Group (SLG) couldn't meet; the SLG's members didn't.",
            "No.",
            "No, not really",
            "",
            "🙂 !!",
            "n/a",
            "Nothing to add",
            "The the the",
            "Police, police authority: POLICE authority's budget 2011 – 3.5% rise",
            "Positive Participation Partnership and the Strategic Leadership group",
            "can't won't shan't isn't n't 's",
            "Police, n't authority",
            "ΟΔΟΣ Σ café naïve Über ’quoted’ `tick`",
            "task and finish group, task-and-finish group",
        ];
        let tokenizer = tokenizer();
        assert_eq!(
            counted_fast(&tokenizer, &texts),
            counted_plainly(&tokenizer, &texts)
        );
    }

    proptest::proptest! {
        #[test]
        fn any_text_is_counted_as_text_by_text(
            texts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::any::<String>(),
                    "[a-zA-Z'’,.;: 0-9-]{0,80}",
                    "((Strategic|Leadership|Group|SLG|not|no|the|police|can't|isn't|n't|’s|, |\\. )[ ]?){0,20}",
                ],
                1..12,
            )
        ) {
            let texts: Vec<&str> = texts.iter().map(String::as_str).collect();
            let tokenizer = tokenizer();
            proptest::prop_assert_eq!(counted_fast(&tokenizer, &texts), counted_plainly(&tokenizer, &texts));
        }
    }
}
