//! From text to terms: words, case folding, contractions, stop words,
//! Snowball stems, the consultation's own abbreviations, and bigrams.
//!
//! A *term* is what the vectors count: a stem ("polic"), a dictionary entry
//! ("slg", standing for both "SLG" and "Strategic Leadership Group"), or a
//! bigram of two neighbouring content terms ("polic author"). Every term
//! keeps the surface word it came from, so labels read as English.

use rust_stemmers::{Algorithm, Stemmer};
use unicode_segmentation::UnicodeSegmentation;

use super::stopwords::is_stop_word;

/// Answers with no words at all (emoji, punctuation) all become this term,
/// so they group together instead of vanishing as empty vectors.
pub const NO_WORDS_TERM: &str = "∅";

/// "Nothing", "none", "nil", "n/a" and the like all become this one term,
/// and it is not a stop word: "nothing to add" is one of the commonest
/// answers to any consultation question, and such answers belong together.
pub const NOTHING_TERM: &str = "nothing";

/// Words that say "nothing" on their own.
const NOTHING_WORDS: &[&str] = &["n/a", "na", "nil", "none", "nope", "nothing", "nowt"];

/// One word as read: its term, the surface it came from, whether it is a
/// stop word, and whether a phrase break (punctuation) precedes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub term: String,
    pub surface: String,
    /// The word as written in the text (empty when surfaces are not
    /// read): labels quote the consultation's own spelling.
    pub written: String,
    pub stop: bool,
    pub after_break: bool,
}

/// An abbreviation the consultation defines: "SLG" for "Strategic
/// Leadership Group". Both spellings become one term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Abbreviation {
    pub short: String,
    pub full: String,
}

/// The consultation's dictionary of abbreviations (body and consultee short
/// names), matched longest phrase first.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    /// (lower-cased words of the full name, term, surface), longest first.
    phrases: Vec<(Vec<String>, String, String)>,
    /// (lower-cased short name, which is also its term; surface), sorted.
    shorts: Vec<(String, String)>,
}

impl Dictionary {
    /// Builds the dictionary; entries whose short and full names are the
    /// same word, or that are empty, are skipped.
    pub fn new(entries: &[Abbreviation]) -> Self {
        let mut phrases = Vec::new();
        let mut shorts = Vec::new();
        for entry in entries {
            let short = entry.short.trim();
            let full_words: Vec<String> = entry.full.unicode_words().map(normalise_word).collect();
            let short_lower = normalise_word(short);
            if short.is_empty() || short_lower.contains(char::is_whitespace) || full_words.len() < 2
            {
                continue;
            }
            phrases.push((full_words, short_lower.clone(), short.to_owned()));
            shorts.push((short_lower, short.to_owned()));
        }
        phrases.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| a.0.cmp(&b.0)));
        shorts.sort();
        shorts.dedup_by(|a, b| a.0 == b.0);
        Dictionary { phrases, shorts }
    }

    fn short(&self, word: &str) -> Option<(&str, &str)> {
        self.shorts
            .binary_search_by(|entry| entry.0.as_str().cmp(word))
            .ok()
            .map(|index| (self.shorts[index].0.as_str(), self.shorts[index].1.as_str()))
    }
}

/// Reads text into tokens and terms. Cheap to share across threads.
pub struct Tokenizer {
    stemmer: Stemmer,
    dictionary: Dictionary,
}

impl Default for Tokenizer {
    fn default() -> Self {
        Tokenizer::new(Dictionary::default())
    }
}

/// Lower-cases a word and straightens typographic apostrophes.
fn normalise_word(word: &str) -> String {
    word.to_lowercase()
        .replace(['\u{2019}', '\u{2018}', '`'], "'")
}

/// How a word is shown in a label: lower case, except abbreviations
/// written in capitals ("SLG", "VCS").
fn display_form(word: &str) -> String {
    let letters = word.chars().filter(|c| c.is_alphabetic()).count();
    if letters >= 2 && word.chars().all(|c| !c.is_lowercase()) {
        word.to_owned()
    } else {
        word.to_lowercase()
    }
}

/// Splits a contraction: "couldn't" → ("could", true); "council's" →
/// ("council", false). The flag says a "not" was attached.
fn split_contraction(word: &str) -> (&str, bool) {
    match word {
        "can't" => return ("can", true),
        "won't" => return ("will", true),
        "shan't" => return ("shall", true),
        _ => {}
    }
    if let Some(base) = word.strip_suffix("n't") {
        return (base, true);
    }
    for suffix in ["'s", "'re", "'ve", "'ll", "'d", "'m", "'"] {
        if let Some(base) = word.strip_suffix(suffix) {
            return (base, false);
        }
    }
    (word, false)
}

impl Tokenizer {
    /// A tokenizer that knows the consultation's abbreviations.
    pub fn new(dictionary: Dictionary) -> Self {
        Tokenizer {
            stemmer: Stemmer::create(Algorithm::English),
            dictionary,
        }
    }

    /// Every word of the text as a token, in order.
    pub fn tokens(&self, text: &str) -> Vec<Token> {
        self.read(text, true)
    }

    /// Tokens with or without their surface words: weighing terms needs
    /// none, and not making them saves an allocation per word.
    fn read(&self, text: &str, surfaces: bool) -> Vec<Token> {
        let words = words_of(text, surfaces);
        let mut tokens = Vec::with_capacity(words.len());
        let mut index = 0;
        while index < words.len() {
            if let Some((length, term, surface)) = self.phrase_at(&words[index..]) {
                let written = (words[index..index + length].iter())
                    .map(|w| w.1.as_str())
                    .collect::<Vec<_>>()
                    .join(" ");
                tokens.push(Token {
                    term: term.to_owned(),
                    surface: surface.to_owned(),
                    written,
                    stop: false,
                    after_break: words[index].2,
                });
                index += length;
                continue;
            }
            self.read_word(&words[index], surfaces, &mut tokens);
            index += 1;
        }
        tokens
    }

    /// The token (or two, for a contraction's "not") of one word that
    /// starts no dictionary phrase.
    fn read_word(&self, word: &Word, surfaces: bool, tokens: &mut Vec<Token>) {
        let (lower, original, after_break) = word;
        let plain = |term: &str, surface: &str| Token {
            term: term.to_owned(),
            surface: surface.to_owned(),
            written: original.clone(),
            stop: false,
            after_break: *after_break,
        };
        if let Some((term, surface)) = self.dictionary.short(lower) {
            tokens.push(plain(term, surface));
            return;
        }
        if NOTHING_WORDS.contains(&lower.as_str()) {
            tokens.push(plain(NOTHING_TERM, NOTHING_TERM));
            return;
        }
        let (base, negated) = split_contraction(lower);
        if !base.is_empty() {
            let (stem, stop) = self.stem(base);
            let surface = if !surfaces {
                String::new()
            } else if original.chars().count() == base.chars().count() {
                display_form(original)
            } else {
                base.to_owned()
            };
            tokens.push(Token {
                term: stem,
                surface,
                written: original.clone(),
                stop,
                after_break: *after_break,
            });
        }
        if negated {
            tokens.push(Token {
                term: "not".to_owned(),
                surface: "not".to_owned(),
                written: String::new(),
                stop: true,
                after_break: false,
            });
        }
    }

    /// A word's stem, and whether it is a stop word. Stemming is the
    /// costliest step and words repeat, so each thread remembers the stems
    /// it made (pure functions of the word; forgotten past a bound).
    fn stem(&self, base: &str) -> (String, bool) {
        const REMEMBERED: usize = 200_000;
        thread_local! {
            static STEMS: std::cell::RefCell<rustc_hash::FxHashMap<String, (String, bool)>> =
                std::cell::RefCell::new(rustc_hash::FxHashMap::default());
        }
        STEMS.with(|cell| {
            let mut stems = cell.borrow_mut();
            if let Some(known) = stems.get(base) {
                return known.clone();
            }
            let stem = self.stemmer.stem(base).into_owned();
            let stop = is_stop_word(base) || is_stop_word(&stem);
            if stems.len() >= REMEMBERED {
                stems.clear();
            }
            stems.insert(base.to_owned(), (stem.clone(), stop));
            (stem, stop)
        })
    }

    /// The longest dictionary phrase starting at the first word, if any.
    fn phrase_at<'a>(&'a self, words: &[Word]) -> Option<(usize, &'a str, &'a str)> {
        self.phrase_at_by(words, |word| word.0.as_str())
    }

    /// [`Tokenizer::phrase_at`] over any words, `lower` giving each one's
    /// lower-cased form.
    pub(super) fn phrase_at_by<'a, T>(
        &'a self,
        words: &[T],
        lower: impl Fn(&T) -> &str,
    ) -> Option<(usize, &'a str, &'a str)> {
        self.dictionary
            .phrases
            .iter()
            .find(|(phrase, _, _)| {
                phrase.len() <= words.len()
                    && phrase
                        .iter()
                        .zip(words)
                        .all(|(want, got)| *want == lower(got))
            })
            .map(|(phrase, term, surface)| (phrase.len(), term.as_str(), surface.as_str()))
    }

    /// The tokens (without surfaces) of one lower-cased word that starts
    /// no dictionary phrase, read as if punctuation came before it: the
    /// `after_break` of each says whether it takes the word's break.
    pub(super) fn word_tokens(&self, lower: &str) -> Vec<Token> {
        let mut tokens = Vec::with_capacity(2);
        self.read_word(&(lower.to_owned(), String::new(), true), false, &mut tokens);
        tokens
    }

    /// The terms a text is counted by, with their surface words: see
    /// [`Features`].
    pub fn features(&self, text: &str) -> Features {
        Features::from_tokens(self.read(text, true), true)
    }

    /// The same terms as [`Tokenizer::features`] with empty surface words
    /// (for weighing, where only terms count).
    pub fn terms_only(&self, text: &str) -> Features {
        Features::from_tokens(self.read(text, false), false)
    }
}

/// A word of a text: lower-cased, as written (empty when surfaces are
/// not wanted), and whether punctuation came before it.
type Word = (String, String, bool);

/// The lower-cased words of a text with the breaks between them; numbers
/// alone say nothing about a topic and count as a break.
fn words_of(text: &str, surfaces: bool) -> Vec<Word> {
    let mut words = Vec::new();
    for_each_word(text, |segment, after_break| {
        let written = if surfaces {
            segment.to_owned()
        } else {
            String::new()
        };
        words.push((normalise_word(segment), written, after_break));
    });
    words
}

/// Calls `found` with each word of the text as written, and whether a
/// break (punctuation, a number) came before it.
pub(super) fn for_each_word(text: &str, found: impl FnMut(&str, bool)) {
    if text.is_ascii() {
        for_each_ascii_word(text.as_bytes(), found)
    } else {
        for_each_unicode_word(text, found)
    }
}

/// [`for_each_word`] by the Unicode word boundaries (UAX #29).
fn for_each_unicode_word(text: &str, mut found: impl FnMut(&str, bool)) {
    let mut pending_break = false;
    for segment in text.split_word_bounds() {
        let is_word = segment.chars().any(char::is_alphanumeric);
        if !is_word {
            if !segment.chars().all(char::is_whitespace) {
                pending_break = true;
            }
            continue;
        }
        if !segment.chars().any(char::is_alphabetic) {
            pending_break = true;
            continue;
        }
        found(segment, pending_break);
        pending_break = false;
    }
}

/// How UAX #29 (word boundaries) classes an ASCII character.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WordClass {
    Letter,
    Numeric,
    /// `_`: joins letters and numbers on either side.
    ExtendNumLet,
    /// `:` between letters.
    MidLetter,
    /// `.` and `'` between letters or between numbers.
    MidNumLet,
    /// `,` and `;` between numbers.
    MidNum,
    Other,
}

fn word_class(byte: u8) -> WordClass {
    match byte {
        b'a'..=b'z' | b'A'..=b'Z' => WordClass::Letter,
        b'0'..=b'9' => WordClass::Numeric,
        b'_' => WordClass::ExtendNumLet,
        b':' => WordClass::MidLetter,
        b'.' | b'\'' => WordClass::MidNumLet,
        b',' | b';' => WordClass::MidNum,
        _ => WordClass::Other,
    }
}

/// Whether UAX #29 keeps `text[at]` in the same word as the character
/// before it (rules WB5 to WB13b; ASCII has nothing for the others).
fn joins_previous(text: &[u8], at: usize) -> bool {
    use WordClass::*;
    let class = |i: usize| text.get(i).map_or(Other, |&b| word_class(b));
    let (before, here) = (class(at - 1), class(at));
    let two_before = if at >= 2 { class(at - 2) } else { Other };
    match (before, here) {
        (Letter, Letter) | (Numeric, Numeric) | (Letter, Numeric) | (Numeric, Letter) => true,
        (Letter | Numeric | ExtendNumLet, ExtendNumLet) => true,
        (ExtendNumLet, Letter | Numeric) => true,
        // WB6: a letter, then a mid-word mark followed by a letter.
        (Letter, MidLetter | MidNumLet) => class(at + 1) == Letter,
        // WB7: the letter after that mark.
        (MidLetter | MidNumLet, Letter) => two_before == Letter,
        // WB12 and WB11: the same between numbers.
        (Numeric, MidNum | MidNumLet) => class(at + 1) == Numeric,
        (MidNum | MidNumLet, Numeric) => two_before == Numeric,
        _ => false,
    }
}

/// [`for_each_word`] for ASCII text, without the Unicode tables: the same
/// words and breaks (a test compares the two).
fn for_each_ascii_word(text: &[u8], mut found: impl FnMut(&str, bool)) {
    let mut pending_break = false;
    let mut start = 0;
    while start < text.len() {
        let mut end = start + 1;
        while end < text.len() && joins_previous(text, end) {
            end += 1;
        }
        let segment = &text[start..end];
        if segment.iter().any(u8::is_ascii_alphabetic) {
            // ASCII throughout, so always whole characters.
            found(
                std::str::from_utf8(segment).unwrap_or_default(),
                pending_break,
            );
            pending_break = false;
        } else if !segment.iter().all(|&b| (b as char).is_whitespace()) {
            pending_break = true;
        }
        start = end;
    }
}

/// [`normalise_word`] into `out` (cleared first), without allocating for
/// the common ASCII word.
pub(super) fn normalise_into(word: &str, out: &mut String) {
    out.clear();
    if word.is_ascii() {
        out.extend(word.bytes().map(|b| match b {
            b'`' => '\'',
            b => b.to_ascii_lowercase() as char,
        }));
    } else {
        out.push_str(&normalise_word(word));
    }
}

/// The terms of one text, with the surface word of each unigram.
///
/// Content words give unigrams, and each pair of neighbouring content words
/// (stop words between them allowed, punctuation not) gives a bigram, so
/// "task and finish group" yields "task finish" and "finish group".
///
/// Short answers must not vanish as empty vectors. "Nothing", "none" and
/// the like are the content term [`NOTHING_TERM`]. A text of stop words
/// only is counted by them instead, with a bare "no" or "not" read as
/// [`NOTHING_TERM`] ("No.", "No, not really" answer "anything to add?").
/// A text with no words whatsoever becomes [`NO_WORDS_TERM`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Features {
    /// (term, surface word) for each unigram occurrence.
    pub unigrams: Vec<(String, String)>,
    /// ("stem stem", "surface surface") for each bigram occurrence.
    pub bigrams: Vec<(String, String)>,
}

impl Features {
    fn from_tokens(tokens: Vec<Token>, surfaces: bool) -> Self {
        if tokens.iter().all(|token| token.stop) {
            let unigrams = if tokens.is_empty() {
                vec![(NO_WORDS_TERM.to_owned(), NO_WORDS_TERM.to_owned())]
            } else {
                tokens
                    .into_iter()
                    .map(|token| match token.term.as_str() {
                        "no" | "not" => (NOTHING_TERM.to_owned(), NOTHING_TERM.to_owned()),
                        _ => (token.term, token.surface),
                    })
                    .collect()
            };
            return Features {
                unigrams,
                bigrams: Vec::new(),
            };
        }
        let mut bigrams = Vec::new();
        let read = |t: &Token| (t.stop, t.after_break);
        for (left, right) in bigram_pairs(&tokens, read, |a, b| a.term == b.term) {
            let surface = if surfaces {
                format!("{} {}", left.surface, right.surface)
            } else {
                String::new()
            };
            bigrams.push((format!("{} {}", left.term, right.term), surface));
        }
        // The words are moved, not copied: this runs for every text.
        let unigrams = (tokens.into_iter())
            .filter(|token| !token.stop)
            .map(|token| (token.term, token.surface))
            .collect();
        Features { unigrams, bigrams }
    }

    /// Every term, unigrams then bigrams.
    pub fn terms(&self) -> impl Iterator<Item = &str> {
        self.unigrams
            .iter()
            .map(|(term, _)| term.as_str())
            .chain(self.bigrams.iter().map(|(term, _)| term.as_str()))
    }
}

/// The bigrams of a text's tokens: each content token with the content
/// token before it, when no punctuation came between them (stop words
/// may) and they are not the same term. `read` gives a token's (stop,
/// after break); `same` says whether two tokens are one term.
pub(super) fn bigram_pairs<'a, T>(
    tokens: &'a [T],
    read: impl Fn(&T) -> (bool, bool),
    same: impl Fn(&T, &T) -> bool,
) -> impl Iterator<Item = (&'a T, &'a T)> {
    let mut previous: Option<&'a T> = None;
    tokens.iter().filter_map(move |token| {
        let (stop, after_break) = read(token);
        if after_break {
            previous = None;
        }
        if stop {
            return None;
        }
        let pair = previous
            .filter(|left| !same(left, token))
            .map(|left| (left, token));
        previous = Some(token);
        pair
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unigram_terms(text: &str) -> Vec<String> {
        Tokenizer::default()
            .features(text)
            .unigrams
            .into_iter()
            .map(|(term, _)| term)
            .collect()
    }

    fn segments(text: &str, ascii: bool) -> Vec<(String, bool)> {
        let mut out = Vec::new();
        let keep = |word: &str, after_break: bool| out.push((word.to_owned(), after_break));
        if ascii {
            for_each_ascii_word(text.as_bytes(), keep);
        } else {
            for_each_unicode_word(text, keep);
        }
        out
    }

    #[test]
    fn ascii_words_are_split_as_unicode_splits_them() {
        for text in [
            "e.g. don't, can't; a:b a..b 1.a a.1 3.5% 1,000 1:2 a_b _a __ a_ a_.b x1 1x 'quoted' a'",
            "Police, police authority: POLICE authority's budget 2011 - 3.5% rise\r\n\tnext\x0b\x0cline",
            "\"Hi\" (there) [x] {y} <z> a/b a-b a+b a#b a@b.com http://x.org/a?b=c&d=e ~ ^ | \\",
        ] {
            assert_eq!(segments(text, true), segments(text, false), "{text}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_ascii_text_is_split_as_unicode_splits_it(text in "[ -~\t\r\n\x0b\x0c\x00-\x1f\x7f]{0,60}") {
            proptest::prop_assert_eq!(segments(&text, true), segments(&text, false));
        }

        #[test]
        fn word_like_ascii_text_is_split_as_unicode_splits_it(text in "[aZ19_.:',; -]{0,40}") {
            proptest::prop_assert_eq!(segments(&text, true), segments(&text, false));
        }
    }

    #[test]
    fn words_are_case_folded_stemmed_and_stop_words_dropped() {
        assert_eq!(
            unigram_terms("The Police Authority's representatives ARE welcomed."),
            ["polic", "author", "repres", "welcom"]
        );
    }

    #[test]
    fn numbers_and_punctuation_are_not_terms() {
        assert_eq!(
            unigram_terms("In 2011, 3.5% of (partners) met!"),
            ["partner", "met"]
        );
    }

    #[test]
    fn contractions_lose_their_endings_and_typographic_apostrophes_are_straightened() {
        assert_eq!(
            unigram_terms("Couldn’t the council’s staff help?"),
            ["council", "staff", "help"]
        );
    }

    #[test]
    fn bigrams_join_neighbouring_content_words_across_stop_words_but_not_punctuation() {
        let features =
            Tokenizer::default().features("Police authority; the task and finish group.");
        let terms: Vec<&str> = features
            .bigrams
            .iter()
            .map(|(term, _)| term.as_str())
            .collect();
        assert_eq!(terms, ["polic author", "task finish", "finish group"]);
        assert_eq!(features.bigrams[0].1, "police authority");
    }

    #[test]
    fn answers_of_only_stop_words_are_counted_by_them_not_emptied() {
        assert_eq!(unigram_terms("Nothing."), [NOTHING_TERM]);
        assert_eq!(unigram_terms("No"), [NOTHING_TERM]);
        assert_eq!(unigram_terms("None at all"), [NOTHING_TERM]);
        assert_eq!(unigram_terms("Why would I?"), ["whi", "would", "i"]);
        assert_eq!(
            unigram_terms("No, not really"),
            [NOTHING_TERM, NOTHING_TERM, "realli"]
        );
    }

    #[test]
    fn answers_without_any_word_become_the_no_words_term() {
        assert_eq!(unigram_terms(""), [NO_WORDS_TERM]);
        assert_eq!(unigram_terms("👍 !!!"), [NO_WORDS_TERM]);
        assert_eq!(unigram_terms("2011"), [NO_WORDS_TERM]);
    }

    #[test]
    fn abbreviations_and_their_expansions_become_one_term_shown_as_the_abbreviation() {
        let dictionary = Dictionary::new(&[
            Abbreviation {
                short: "SLG".into(),
                full: "Strategic Leadership Group".into(),
            },
            Abbreviation {
                short: "GCC".into(),
                full: "Gloucestershire County Council".into(),
            },
        ]);
        let tokenizer = Tokenizer::new(dictionary);
        let long = tokenizer.features("Membership of the Strategic Leadership Group");
        let short = tokenizer.features("membership of the SLG");
        assert_eq!(long.unigrams, short.unigrams);
        assert_eq!(long.unigrams[1], ("slg".to_owned(), "SLG".to_owned()));
        assert_eq!(tokenizer.features("GCC").unigrams[0].0, "gcc");
    }

    #[test]
    fn surface_words_keep_their_original_spelling_for_labels() {
        let features = Tokenizer::default().features("Policing priorities");
        assert_eq!(
            features.unigrams,
            [
                ("polic".to_owned(), "policing".to_owned()),
                ("prioriti".to_owned(), "priorities".to_owned())
            ]
        );
    }

    #[test]
    fn terms_only_gives_the_same_terms_without_surfaces() {
        let tokenizer = Tokenizer::default();
        let text = "The SLG couldn't meet; the task and finish group’s Police Authority did.";
        let full = tokenizer.features(text);
        let lean = tokenizer.terms_only(text);
        assert_eq!(
            full.terms().collect::<Vec<_>>(),
            lean.terms().collect::<Vec<_>>()
        );
        assert!(lean.unigrams.iter().all(|(_, surface)| surface.is_empty()));
    }
}
