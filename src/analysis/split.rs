//! Splitting a free-text response (a letter, an e-mail) into the issues it
//! raises.
//!
//! The rules, in order:
//! 1. Paragraphs (blank lines) are separate.
//! 2. Numbered or bulleted lines ("1.", "2)", "(a)", "iv.", "-", "•") each
//!    start a point; lines that follow without a marker continue it.
//! 3. Other paragraphs are split into sentences (Unicode sentence bounds);
//!    a sentence that plainly carries on the one before ("This…", "It…",
//!    "However…", "For example…"), is very short, or answers a concern
//!    raised in the sentence before with a remedy about the same thing
//!    ("…the SLG has no elected members. The SLG should include the
//!    Leader…") stays with it, so a point argued over several sentences is
//!    one issue.
//! 4. Salutations, sign-offs and reference lines ("Dear Sir", "Yours
//!    sincerely", "Re: consultation") are not issues.

use unicode_segmentation::UnicodeSegmentation;

use super::kind;
use crate::domain::IssueKind;

/// One proposed issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposedIssue {
    pub text: String,
    pub kind: IssueKind,
}

/// Openings that mean a sentence continues the point before it.
const CONTINUATIONS: &[&str] = &[
    "this",
    "that",
    "these",
    "those",
    "it",
    "its",
    "they",
    "their",
    "them",
    "such",
    "however",
    "but",
    "so",
    "therefore",
    "thus",
    "hence",
    "otherwise",
    "instead",
    "which",
    "for example",
    "for instance",
    "e.g.",
    "eg",
    "i.e.",
    "ie",
    "in particular",
    "as a result",
    "in turn",
    "indeed",
    "consequently",
];

/// A sentence of fewer words than this joins the point before it.
const SHORT_SENTENCE_WORDS: usize = 4;

/// Lines that frame a letter rather than raise an issue.
const FRAMING: &[&str] = &[
    "dear ",
    "yours sincerely",
    "yours faithfully",
    "yours truly",
    "kind regards",
    "best regards",
    "regards",
    "many thanks",
    "thank you for",
    "thanks for",
    "re:",
    "ref:",
    "subject:",
    "from:",
    "to:",
    "sent:",
    "date:",
];

/// Splits a response into its issues, each with a proposed kind.
pub fn split(text: &str) -> Vec<ProposedIssue> {
    let normalised = text.replace("\r\n", "\n").replace('\r', "\n");
    let texts = paragraphs(&normalised);
    let paragraphs: Vec<Vec<&str>> = texts
        .iter()
        .map(|p| p.lines().map(str::trim).filter(|l| !l.is_empty()).collect())
        .collect();
    let is_list = |lines: &[&str]| lines.iter().any(|line| list_marker(line).is_some());
    let first_list = paragraphs.iter().position(|lines| is_list(lines));
    let mut points: Vec<String> = Vec::new();
    for (i, lines) in paragraphs.iter().enumerate() {
        if is_list(lines) {
            points.extend(list_points(lines));
        } else if first_list.is_some_and(|first| i < first) && is_heading(lines) {
            // A subject line above a letter's numbered points.
        } else {
            points.extend(sentence_points(&lines.join(" ")));
        }
    }
    // Nothing after a sign-off is an issue (the name, title, address).
    if let Some(end) = points.iter().position(|p| is_sign_off(p)) {
        points.truncate(end);
    }
    points
        .into_iter()
        .map(|p| collapse_spaces(&p))
        .filter(|p| !p.is_empty() && !is_framing(p))
        .map(|text| ProposedIssue {
            kind: kind::classify(&text),
            text,
        })
        .collect()
}

fn paragraphs(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.trim().is_empty() {
                out.push(std::mem::take(&mut current));
            }
            current.clear();
        } else {
            current.push_str(line);
            current.push('\n');
        }
    }
    if !current.trim().is_empty() {
        out.push(current);
    }
    out
}

/// The length in bytes of a list marker opening the line, if it has one.
fn list_marker(line: &str) -> Option<usize> {
    let mut chars = line.char_indices().peekable();
    let (_, first) = *chars.peek()?;
    if matches!(first, '-' | '*' | '•' | '–' | '—' | '·' | '▪' | '◦') {
        let rest = &line[first.len_utf8()..];
        return rest
            .starts_with(char::is_whitespace)
            .then_some(first.len_utf8());
    }
    // "(a)", "(iv)", "(1)"
    if first == '(' {
        let close = line.find(')')?;
        let inner = &line[1..close];
        return (is_enumerator(inner) && line[close + 1..].starts_with(char::is_whitespace))
            .then_some(close + 1);
    }
    // "1.", "2)", "a.", "iv)", "1.2"
    let end = line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))?;
    let token = &line[..end];
    let (enumerator, marker_end) = if let Some(stripped) = token.strip_suffix('.') {
        (stripped, end)
    } else if line[end..].starts_with(')') {
        (token, end + 1)
    } else if token.chars().all(|c| c.is_ascii_digit() || c == '.') && token.contains('.') {
        (token, end)
    } else {
        return None;
    };
    (is_enumerator(enumerator) && line[marker_end..].starts_with(char::is_whitespace))
        .then_some(marker_end)
}

/// "1", "12", "1.2", "a", "iv": a list numbering, not a word.
fn is_enumerator(token: &str) -> bool {
    if token.is_empty() || token.len() > 6 {
        return false;
    }
    let digits = token.chars().all(|c| c.is_ascii_digit() || c == '.')
        && token.starts_with(|c: char| c.is_ascii_digit());
    let letter = token.len() == 1 && token.chars().all(|c| c.is_ascii_lowercase());
    let roman = token.chars().all(|c| matches!(c, 'i' | 'v' | 'x')) && token.len() <= 4;
    digits || letter || roman
}

fn list_points(lines: &[&str]) -> Vec<String> {
    let mut points: Vec<String> = Vec::new();
    let mut preamble = String::new();
    for line in lines {
        match list_marker(line) {
            Some(end) => points.push(line[end..].trim().to_owned()),
            None => match points.last_mut() {
                Some(last) => {
                    last.push(' ');
                    last.push_str(line);
                }
                None => {
                    preamble.push_str(line);
                    preamble.push(' ');
                }
            },
        }
    }
    // A line introducing the list ("Our comments are:") is kept as its own
    // point only if it says something more than an introduction.
    let preamble = preamble.trim();
    if !preamble.is_empty() && !preamble.ends_with(':') {
        let mut out = sentence_points(preamble);
        out.extend(points);
        return out;
    }
    points
}

fn starts_with_continuation(sentence: &str) -> bool {
    let lower = sentence.trim_start().to_lowercase();
    CONTINUATIONS.iter().any(|cue| {
        lower.starts_with(cue)
            && lower[cue.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// Words that say the sentence raises a problem.
const CONCERNS: &[&str] = &[
    "concern",
    "concerned",
    "concerns",
    "worried",
    "worry",
    "risk",
    "risks",
    "problem",
    "problems",
    "lack",
    "lacks",
    "unclear",
    "insufficient",
    "inadequate",
    "no",
    "not",
    "fails",
    "weak",
];

/// Words that say the sentence asks for something to be done.
const REMEDIES: &[&str] = &[
    "should",
    "must",
    "ought",
    "need",
    "needs",
    "suggest",
    "recommend",
    "propose",
    "urge",
];

/// The content words of a sentence, lower-cased (stop words and short
/// words left out).
fn content_words(sentence: &str) -> std::collections::HashSet<String> {
    sentence
        .unicode_words()
        .map(str::to_lowercase)
        .filter(|w| w.chars().count() >= 3 && !super::stopwords::is_stop_word(w))
        .collect()
}

/// Whether `sentence` asks for a remedy to a concern `before` raised, about
/// the same thing (a content word in common): one argued point.
fn answers_concern(before: &str, sentence: &str) -> bool {
    let has = |text: &str, words: &[&str]| {
        text.unicode_words()
            .any(|w| words.contains(&w.to_lowercase().as_str()))
    };
    let last_sentence = before.unicode_sentences().last().unwrap_or(before);
    !sentence.trim_end().ends_with('?')
        && has(last_sentence, CONCERNS)
        && has(sentence, REMEDIES)
        && !content_words(last_sentence).is_disjoint(&content_words(sentence))
}

fn sentence_points(paragraph: &str) -> Vec<String> {
    let mut points: Vec<String> = Vec::new();
    for sentence in paragraph.unicode_sentences() {
        let sentence = sentence.trim();
        if sentence.is_empty() {
            continue;
        }
        let words = sentence.unicode_words().count();
        let joins = points.last().is_some_and(|last| !is_framing(last))
            && (starts_with_continuation(sentence)
                || words < SHORT_SENTENCE_WORDS
                || points
                    .last()
                    .is_some_and(|last| answers_concern(last, sentence)));
        match points.last_mut() {
            Some(last) if joins => {
                last.push(' ');
                last.push_str(sentence);
            }
            _ => points.push(sentence.to_owned()),
        }
    }
    points
}

/// Closing lines of a letter or e-mail.
const SIGN_OFFS: &[&str] = &[
    "yours sincerely",
    "yours faithfully",
    "yours truly",
    "kind regards",
    "best regards",
    "regards",
    "best wishes",
];

fn is_sign_off(point: &str) -> bool {
    let lower = point.trim().to_lowercase();
    lower.unicode_words().count() <= 4 && SIGN_OFFS.iter().any(|s| lower.starts_with(s))
}

/// Most words in a subject line.
const HEADING_WORDS: usize = 10;

/// A one-line paragraph of a few words with no sentence punctuation at its
/// end, as letters put a subject above their points. (Only used before a
/// letter's list: a short point without a full stop elsewhere is kept.)
fn is_heading(lines: &[&str]) -> bool {
    match lines {
        [line] => {
            line.unicode_words().count() <= HEADING_WORDS
                && !line.trim_end().ends_with(['.', '?', '!', ';', ':', ','])
        }
        _ => false,
    }
}

fn is_framing(point: &str) -> bool {
    let lower = point.trim().to_lowercase();
    let short = lower.unicode_words().count() <= 12;
    short && FRAMING.iter().any(|f| lower.starts_with(f))
}

fn collapse_spaces(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        split(text).into_iter().map(|i| i.text).collect()
    }

    /// The issues Gloucestershire County Council raised in 2011, from the
    /// Cheltenham fixture, in the order the seed lists them.
    fn gcc_issues() -> Vec<String> {
        let fixture: serde_json::Value =
            serde_json::from_str(include_str!("../../fixtures/cheltenham-2011.json"))
                .expect("fixture is JSON");
        fixture["responses"]
            .as_array()
            .expect("responses")
            .iter()
            .filter(|r| r["consultees"][0] == "gcc")
            .flat_map(|r| r["issues"].as_array().expect("issues").iter())
            .map(|i| i["text"].as_str().expect("text").to_owned())
            .collect()
    }

    #[test]
    fn a_real_letter_with_numbered_points_splits_into_those_points() {
        let issues = gcc_issues();
        assert_eq!(issues.len(), 10);
        let mut letter = String::from(
            "Dear Partnership Manager,\n\nRe: Partnership structures consultation\n\nOur comments are as follows:\n",
        );
        for (n, issue) in issues.iter().enumerate() {
            letter.push_str(&format!("{}. {}\n", n + 1, issue));
        }
        letter.push_str("\nYours sincerely,\n\nA. Officer\nHead of Policy\n");
        assert_eq!(texts(&letter), issues);
    }

    #[test]
    fn a_subject_line_above_the_points_is_not_an_issue_but_a_short_point_is() {
        let letter = "Consultation on the new partnership structures\n\n1. We support it.\n2. How will cross-cutting issues be dealt with\n";
        assert_eq!(
            texts(letter),
            [
                "We support it.",
                "How will cross-cutting issues be dealt with"
            ]
        );
        let prose = "How will cross-cutting issues be dealt with\n\nWe support it.";
        assert_eq!(
            texts(prose).len(),
            2,
            "without a list, nothing is a heading"
        );
    }

    #[test]
    fn the_same_letter_as_paragraphs_of_prose_splits_by_sentence() {
        let issues = gcc_issues();
        // Paragraphs of two points each, each point ending in a full stop.
        let prose: Vec<String> = issues
            .chunks(2)
            .map(|pair| {
                pair.iter()
                    .map(|p| {
                        if p.ends_with(['.', '?']) {
                            p.clone()
                        } else {
                            format!("{p}.")
                        }
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let points = texts(&prose.join("\n\n"));
        assert_eq!(points.len(), 10, "{points:#?}");
        assert!(points[1].starts_with("Will the Positive Lives Partnership commission"));
    }

    #[test]
    fn a_point_argued_over_several_sentences_stays_one_issue() {
        let text = "Is there a risk that Positive Participation duplicates the county's research team? \
                    This would waste scarce resources. However, joint work could help.\n\n\
                    The group should meet twice a year.";
        let points = texts(text);
        assert_eq!(points.len(), 2, "{points:#?}");
        assert!(points[0].ends_with("joint work could help."));
        assert_eq!(split(text)[0].kind, IssueKind::Question);
    }

    #[test]
    fn a_concern_and_the_remedy_that_answers_it_stay_one_issue() {
        let text = "We support the new structure.\n\n\
                    However, we are concerned that the Strategic Leadership Group has no elected members. \
                    The Strategic Leadership Group should include the Leader of the Council and the cabinet member for communities.\n\n\
                    Positive Development should report twice a year.";
        let points = texts(text);
        assert_eq!(points.len(), 3, "{points:#?}");
        assert_eq!(points[0], "We support the new structure.");
        assert!(points[1].starts_with("However, we are concerned"));
        assert!(
            points[1].ends_with("cabinet member for communities."),
            "{points:#?}"
        );
        // A remedy about something else is a point of its own.
        let separate = texts(
            "We are concerned that the partnerships have no budget. Neighbourhood groups should meet monthly.",
        );
        assert_eq!(separate.len(), 2, "{separate:#?}");
    }

    #[test]
    fn bullets_and_lettered_items_with_wrapped_lines() {
        let text = "Comments:\n- Businesses need to be more clearly\n  involved in the new structures\n• The police authority should sit on the leadership group\n(a) Fewer meetings\nb) A virtual group";
        assert_eq!(
            texts(text),
            [
                "Businesses need to be more clearly involved in the new structures",
                "The police authority should sit on the leadership group",
                "Fewer meetings",
                "A virtual group"
            ]
        );
    }

    #[test]
    fn numbers_that_are_not_list_markers_are_left_in_the_text() {
        assert_eq!(
            texts("2011 was a hard year for partners."),
            ["2011 was a hard year for partners."]
        );
        assert_eq!(texts("I. e. nothing"), ["I. e. nothing"]);
    }

    #[test]
    fn salutations_and_sign_offs_are_not_issues_and_empty_text_has_none() {
        assert_eq!(
            texts("Dear Sir,\n\nWe welcome the proposals.\n\nKind regards"),
            ["We welcome the proposals."]
        );
        assert!(split("").is_empty());
        assert!(split("  \n\n ").is_empty());
    }

    #[test]
    fn each_point_gets_a_kind() {
        let issues = split(
            "1. We welcome the new structure.\n2. Will the group meet often?\n3. We object to the proposal.",
        );
        let kinds: Vec<IssueKind> = issues.iter().map(|i| i.kind).collect();
        assert_eq!(
            kinds,
            [
                IssueKind::Support,
                IssueKind::Question,
                IssueKind::Objection
            ]
        );
    }
}
