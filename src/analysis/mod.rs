//! Pure text analysis: values in, values out, deterministic. Imports nothing
//! from `db` or `web`.

pub mod agglomerative;
pub mod cluster;
pub mod counting;
pub mod engine;
pub mod kind;
pub mod kmeans;
pub mod label;
pub mod linalg;
pub mod lsa;
pub mod mentions;
pub mod metrics;
pub mod ppmi;
pub mod repeats;
pub mod rng;
pub mod split;
pub mod stopwords;
pub mod suggest;
pub mod tokenize;
pub mod union_find;
pub mod vector;

/// Arbitrary text never makes any step panic.
#[cfg(test)]
mod robustness {
    use proptest::prelude::*;

    use super::engine::{AnalysisInput, IssueInput, analyse};
    use super::repeats::find_repeats;
    use super::split::split;
    use super::tokenize::Tokenizer;

    /// Text mixing the awkward cases: emoji, right-to-left scripts,
    /// combining marks, control characters, list markers and apostrophes.
    fn awkward_text() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-z ]{0,40}",
            proptest::collection::vec(
                prop_oneof![
                    Just("👍🏽".to_owned()),
                    Just("مرحبا بالعالم".to_owned()),
                    Just("שלום".to_owned()),
                    Just("e\u{301}\u{302}\u{303}".to_owned()),
                    Just("\u{0}\u{7}\u{202e}".to_owned()),
                    Just("\n\n1. ".to_owned()),
                    Just("(a) ".to_owned()),
                    Just("– ".to_owned()),
                    Just("couldn’t".to_owned()),
                    Just("Nothing.".to_owned()),
                    Just("police authority ".to_owned()),
                    "[A-Za-z]{1,12}",
                    Just(" ".to_owned()),
                ],
                0..30,
            )
            .prop_map(|parts| parts.concat()),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: crate::test_support::proptest_cases(200), ..ProptestConfig::default() })]

        #[test]
        fn tokenizing_and_splitting_never_panic(text in awkward_text()) {
            let features = Tokenizer::default().features(&text);
            prop_assert!(!features.unigrams.is_empty(), "every text has at least one term");
            for issue in split(&text) {
                prop_assert!(!issue.text.trim().is_empty());
            }
        }

        #[test]
        fn analysing_any_texts_never_panics(texts in proptest::collection::vec(awkward_text(), 0..12)) {
            let input = AnalysisInput {
                issues: texts
                    .iter()
                    .map(|t| IssueInput { text: t.clone(), ..IssueInput::default() })
                    .collect(),
                ..AnalysisInput::default()
            };
            let result = analyse(&input, &|_| {});
            prop_assert_eq!(result.assignments.len(), texts.len());
            prop_assert!(result.assignments.iter().all(Option::is_some));
            let _ = find_repeats(&texts);
        }
    }

    #[test]
    fn a_megabyte_of_one_word_is_handled() {
        let text = "consultation ".repeat(80_000);
        assert!(text.len() > 1_000_000);
        let features = Tokenizer::default().features(&text);
        assert_eq!(features.unigrams.len(), 80_000);
        assert_eq!(split(&text).len(), 1);
        let input = AnalysisInput {
            issues: vec![
                IssueInput {
                    text: text.clone(),
                    ..IssueInput::default()
                },
                IssueInput {
                    text: "Buses".into(),
                    ..IssueInput::default()
                },
                IssueInput {
                    text,
                    ..IssueInput::default()
                },
            ],
            ..AnalysisInput::default()
        };
        let result = analyse(&input, &|_| {});
        assert_eq!(result.repeats.len(), 1);
    }
}
