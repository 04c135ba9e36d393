//! Which bodies and sections a letter's point mentions by name, to tag the
//! issues of imported letters (which arrive untagged) for officers to check.
//!
//! A body is mentioned by its name, by its short name (as written: "SLG",
//! not "slg"), or by its name without a closing "Partnership", "Group"…
//! ("Positive Participation"). A section is mentioned when its heading is
//! quoted, or names a body the point mentions.

use unicode_segmentation::UnicodeSegmentation;

/// Closing words a body is often named without.
const GENERIC: &[&str] = &[
    "partnership",
    "partnerships",
    "group",
    "groups",
    "board",
    "committee",
    "forum",
    "panel",
];

/// The words of `text`, each with whether it is to be matched as written.
fn words(text: &str) -> Vec<&str> {
    text.unicode_words().collect()
}

/// Whether `phrase` (as words) occurs in `haystack` (as words), ignoring
/// case unless `exact`.
fn occurs(haystack: &[&str], phrase: &[&str], exact: bool) -> bool {
    if phrase.is_empty() || phrase.len() > haystack.len() {
        return false;
    }
    haystack.windows(phrase.len()).any(|window| {
        window.iter().zip(phrase).all(|(a, b)| {
            if exact {
                a == b
            } else {
                a.to_lowercase() == b.to_lowercase()
            }
        })
    })
}

/// The ways a body is written: (words, match as written).
fn aliases(name: &str, short_name: Option<&str>) -> Vec<(Vec<String>, bool)> {
    let mut out = Vec::new();
    let mut full: Vec<String> = words(name).iter().map(|w| w.to_string()).collect();
    if full.first().is_some_and(|w| w.eq_ignore_ascii_case("the")) {
        full.remove(0);
    }
    if full.len() >= 3
        && full
            .last()
            .is_some_and(|w| GENERIC.contains(&w.to_lowercase().as_str()))
    {
        out.push((full[..full.len() - 1].to_vec(), false));
    }
    out.push((full, false));
    if let Some(short) = short_name.filter(|s| !s.trim().is_empty()) {
        out.push((words(short).iter().map(|w| w.to_string()).collect(), true));
    }
    out
}

/// The indices of `bodies` ((name, short name)) that `text` mentions.
pub fn bodies(text: &str, bodies: &[(&str, Option<&str>)]) -> Vec<usize> {
    let haystack = words(text);
    (0..bodies.len())
        .filter(|&i| {
            let (name, short) = bodies[i];
            aliases(name, short).iter().any(|(phrase, exact)| {
                let phrase: Vec<&str> = phrase.iter().map(String::as_str).collect();
                occurs(&haystack, &phrase, *exact)
            })
        })
        .collect()
}

/// The indices of `sections` (their headings) that `text` mentions: by a
/// heading of three words or more quoted in it, or a heading naming one of
/// the `mentioned` bodies ((name, short name)).
pub fn sections(text: &str, headings: &[&str], mentioned: &[(&str, Option<&str>)]) -> Vec<usize> {
    let haystack = words(text);
    (0..headings.len())
        .filter(|&i| {
            let heading = words(headings[i]);
            (heading.len() >= 3 && occurs(&haystack, &heading, false))
                || !bodies(headings[i], mentioned).is_empty()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const BODIES: &[(&str, Option<&str>)] = &[
        ("Strategic Leadership Group", Some("SLG")),
        ("Positive Participation Partnership", Some("PPP")),
        ("Positive Development", Some("PD")),
        ("Neighbourhood co-ordination groups", Some("NCGs")),
    ];

    #[test]
    fn bodies_are_found_by_name_short_name_or_name_without_its_last_word() {
        assert_eq!(
            bodies("The SLG should include the Leader.", BODIES),
            vec![0]
        );
        assert_eq!(
            bodies(
                "Should Positive Participation just meet every 6 months?",
                BODIES
            ),
            vec![1]
        );
        assert_eq!(
            bodies("the strategic leadership group meets twice a year", BODIES),
            vec![0]
        );
        assert!(bodies("We want a speedy and positive outcome.", BODIES).is_empty());
        assert!(
            bodies("slg in lower case is not the short name", BODIES).is_empty(),
            "short names as written"
        );
        assert!(bodies("Neighbourhood co-ordination groups work well", BODIES).contains(&3));
    }

    #[test]
    fn sections_are_found_by_heading_or_by_a_body_they_are_about() {
        let headings = [
            "Why we are changing our partnership structures",
            "The Strategic Leadership Group",
            "Positive Development",
        ];
        let text = "The SLG should meet more often.";
        let mentioned: Vec<(&str, Option<&str>)> =
            bodies(text, BODIES).iter().map(|&i| BODIES[i]).collect();
        assert_eq!(sections(text, &headings, &mentioned), vec![1]);
        assert_eq!(
            sections(
                "We agree with why we are changing our partnership structures.",
                &headings,
                &[]
            ),
            vec![0]
        );
    }
}
