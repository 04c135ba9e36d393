//! The whole analysis of one consultation, as plain data: themes that
//! respect officers' decisions, repeats, and answer suggestions.
//!
//! **Officers' decisions survive a re-run.** An issue an officer placed
//! stays in its theme; a pinned theme keeps every issue in it; a theme an
//! officer named keeps its name. Only the other ("free") issues are
//! clustered again, and the new clusters take over the existing automatic
//! themes they overlap most (so theme identities, and links to them, last).
//!
//! **A re-run carries the themes forward.** With no new issues, every
//! issue keeps its theme and every theme its name. With new issues, the
//! themes are refined from where they were (k-means started at their
//! centres), so a theme keeps its identity; it keeps its name too unless
//! most of its membership changed. `fresh` finds the themes again from
//! nothing.
//!
//! **New issues arriving later** can instead be placed one by one
//! ([`place_new_issues`]): each goes to the nearest existing theme, or is
//! flagged as fitting none, without clustering everything again.

use super::cluster::{self, ClusterOptions};
use super::label::{self, TopTerm};
use super::linalg::{self, Dense};
use super::metrics::best_matching;
use super::repeats::{self, RepeatGroup};
use super::suggest::{self, Suggestion};
use super::tokenize::{Abbreviation, Dictionary, Tokenizer};
use super::vector::TfIdf;

/// One issue as the engine sees it.
#[derive(Debug, Clone, Default)]
pub struct IssueInput {
    pub text: String,
    /// Index into [`AnalysisInput::themes`] of its current theme.
    pub theme: Option<usize>,
    /// An officer put it in that theme.
    pub placed_by_officer: bool,
    /// The group has answered it.
    pub answered: bool,
}

/// A theme that already exists.
#[derive(Debug, Clone, Default)]
pub struct ExistingTheme {
    pub label: String,
    pub officer_named: bool,
    pub pinned: bool,
}

/// Everything the analysis reads.
#[derive(Debug, Clone, Default)]
pub struct AnalysisInput {
    pub issues: Vec<IssueInput>,
    pub themes: Vec<ExistingTheme>,
    /// The consultation's abbreviations (bodies' and consultees' short names).
    pub dictionary: Vec<Abbreviation>,
    pub options: ClusterOptions,
    /// Find the automatic themes again from nothing, instead of carrying
    /// the existing ones forward (officers' decisions are kept either way).
    pub fresh: bool,
}

/// Which theme: one that exists (by index) or a new one (numbered 0..).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ThemeSlot {
    Existing(usize),
    New(usize),
}

/// A theme in the result.
#[derive(Debug, Clone, PartialEq)]
pub struct ThemeResult {
    pub slot: ThemeSlot,
    /// The officer's name if they gave one, else the label found.
    pub label: String,
    pub top_terms: Vec<TopTerm>,
    /// Issue indices closest to the theme's centre.
    pub representatives: Vec<usize>,
    pub size: usize,
}

/// Everything the analysis found.
#[derive(Debug, Clone)]
pub struct AnalysisResult {
    /// The theme of each issue.
    pub assignments: Vec<Option<ThemeSlot>>,
    /// Every theme that has issues, or that an officer named or pinned.
    pub themes: Vec<ThemeResult>,
    pub repeats: Vec<RepeatGroup>,
    pub suggestions: Vec<Vec<Suggestion>>,
}

/// Steps reported to a progress bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    Reading,
    Clustering,
    Labelling,
    Repeats,
    Suggesting,
    Done,
}

fn kept_by_officer(input: &AnalysisInput, issue: &IssueInput) -> Option<usize> {
    let theme = issue.theme.filter(|&t| t < input.themes.len())?;
    (issue.placed_by_officer || input.themes[theme].pinned).then_some(theme)
}

/// Runs the whole analysis. Deterministic for the same input.
pub fn analyse(input: &AnalysisInput, progress: &dyn Fn(Stage)) -> AnalysisResult {
    progress(Stage::Reading);
    let tokenizer = Tokenizer::new(Dictionary::new(&input.dictionary));
    let texts: Vec<&str> = input.issues.iter().map(|i| i.text.as_str()).collect();
    let n = texts.len();
    let tfidf = TfIdf::build(&tokenizer, &texts);

    progress(Stage::Clustering);
    let mut assignments: Vec<Option<ThemeSlot>> = input
        .issues
        .iter()
        .map(|issue| kept_by_officer(input, issue).map(ThemeSlot::Existing))
        .collect();
    let free: Vec<usize> = (0..n).filter(|&i| assignments[i].is_none()).collect();
    // When every issue is free (a first run), the clustering's own
    // embedding is the whole consultation's, so it is not computed twice.
    let mut whole_embedding = None;
    if !free.is_empty() {
        // The free issues are weighed as the whole consultation weighs
        // them, so an officer placing one issue does not reweigh the rest.
        let free_tfidf;
        let source = if free.len() == n {
            &tfidf
        } else {
            free_tfidf = tfidf.select(&free);
            &free_tfidf
        };
        let carried = (!input.fresh && input.options.themes.is_none())
            .then(|| carried_forward(input, &free))
            .flatten();
        let (slots, embedding) = match carried {
            Some(carried) => carried.refine(source, &input.options),
            None => {
                let found = cluster::cluster(source, &input.options);
                let slots = match_to_existing(input, &free, &found.labels, found.themes);
                let slots = found.labels.iter().map(|&l| slots[l]).collect();
                (slots, Some(found.embedding))
            }
        };
        for (&issue, slot) in free.iter().zip(slots) {
            assignments[issue] = Some(slot);
        }
        if free.len() == n {
            whole_embedding = embedding;
        }
    }

    progress(Stage::Labelling);
    let embedding = whole_embedding.unwrap_or_else(|| cluster::embed(&tfidf, &input.options));
    let themes = describe_themes(input, &tokenizer, &texts, &tfidf, &embedding, &assignments);

    progress(Stage::Repeats);
    let repeats = repeats::find_repeats(&texts);

    progress(Stage::Suggesting);
    let answered: Vec<bool> = input.issues.iter().map(|i| i.answered).collect();
    let suggestions = suggest::suggest_answers(&embedding, &answered);

    progress(Stage::Done);
    AnalysisResult {
        assignments,
        themes,
        repeats,
        suggestions,
    }
}

/// The automatic themes a re-run carries forward: each free issue's
/// current one (by its place in [`AnalysisInput::themes`]), or `None` for
/// an issue new since the last run.
struct Carried {
    previous: Vec<Option<usize>>,
    themes: Vec<usize>,
}

/// The free issues' automatic themes, if the last run left any to carry
/// forward (pinned themes are not free; an officer's theme never is).
fn carried_forward(input: &AnalysisInput, free: &[usize]) -> Option<Carried> {
    let previous: Vec<Option<usize>> = (free.iter())
        .map(|&i| {
            input.issues[i]
                .theme
                .filter(|&t| t < input.themes.len() && !input.themes[t].pinned)
        })
        .collect();
    let mut themes: Vec<usize> = previous.iter().flatten().copied().collect();
    themes.sort_unstable();
    themes.dedup();
    // Carried forward once most free issues had one: otherwise the last run
    // saw too little of this consultation to keep.
    let had = previous.iter().filter(|p| p.is_some()).count();
    (themes.len() >= 2 && had * 2 >= free.len()).then_some(Carried { previous, themes })
}

impl Carried {
    /// With nothing new, each issue keeps its theme. New issues join the
    /// theme whose centre is nearest; then, with the centres moved to take
    /// them in, an issue that was already themed moves only if another
    /// theme is clearly nearer ([`MOVE_MARGIN`]): a theme keeps what it
    /// was about, and officers keep what they were reading.
    fn refine(&self, source: &TfIdf, options: &ClusterOptions) -> (Vec<ThemeSlot>, Option<Dense>) {
        if self.previous.iter().all(Option::is_some) {
            let slots = (self.previous.iter().flatten())
                .map(|&t| ThemeSlot::Existing(t))
                .collect();
            return (slots, None);
        }
        let embedding = cluster::embed(source, options);
        let mut index: Vec<usize> = (self.previous.iter())
            .map(|p| {
                p.and_then(|t| self.themes.binary_search(&t).ok())
                    .unwrap_or(usize::MAX)
            })
            .collect();
        let k = self.themes.len();
        let start = cluster::centroids_of(&embedding, &index, k);
        for (i, theme) in index.iter_mut().enumerate() {
            if *theme == usize::MAX {
                *theme = super::kmeans::nearest(embedding.row(i), &start).0;
            }
        }
        let moved = cluster::centroids_of(&embedding, &index, k);
        for (i, theme) in index.iter_mut().enumerate() {
            let row = embedding.row(i);
            let (best, similarity) = super::kmeans::nearest(row, &moved);
            if best != *theme && similarity > linalg::dot(row, moved.row(*theme)) + MOVE_MARGIN {
                *theme = best;
            }
        }
        let slots = index
            .iter()
            .map(|&c| ThemeSlot::Existing(self.themes[c]))
            .collect();
        (slots, Some(embedding))
    }
}

/// How much nearer (in cosine) another theme must be for an issue to move
/// there when a re-run takes in new issues.
const MOVE_MARGIN: f32 = 0.1;

/// Gives each new cluster the existing automatic theme whose free issues it
/// shares most (one-to-one, by the Hungarian method); the rest are new.
fn match_to_existing(
    input: &AnalysisInput,
    free: &[usize],
    labels: &[usize],
    clusters: usize,
) -> Vec<ThemeSlot> {
    let candidates: Vec<usize> = (0..input.themes.len())
        .filter(|&t| !input.themes[t].pinned)
        .collect();
    let mut overlap = vec![vec![0u64; candidates.len()]; clusters];
    for (position, &issue) in free.iter().enumerate() {
        if let Some(previous) = input.issues[issue].theme
            && let Some(column) = candidates.iter().position(|&t| t == previous)
        {
            overlap[labels[position]][column] += 1;
        }
    }
    let mut next_new = 0;
    best_matching(&overlap)
        .into_iter()
        .enumerate()
        .map(|(c, matched)| match matched {
            Some(t) if overlap[c][t] > 0 => ThemeSlot::Existing(candidates[t]),
            _ => {
                next_new += 1;
                ThemeSlot::New(next_new - 1)
            }
        })
        .collect()
}

fn describe_themes(
    input: &AnalysisInput,
    tokenizer: &Tokenizer,
    texts: &[&str],
    tfidf: &TfIdf,
    embedding: &Dense,
    assignments: &[Option<ThemeSlot>],
) -> Vec<ThemeResult> {
    let mut slots: Vec<ThemeSlot> = assignments.iter().flatten().copied().collect();
    // Officer-named and pinned themes stay even when empty.
    slots.extend(
        (0..input.themes.len())
            .filter(|&t| input.themes[t].officer_named || input.themes[t].pinned)
            .map(ThemeSlot::Existing),
    );
    slots.sort();
    slots.dedup();
    let index_of = |slot: ThemeSlot| slots.binary_search(&slot).unwrap_or(0);
    // `analyse` gives every issue a theme; an issue without one would be
    // counted under a spare theme past the end, which is not reported.
    let spare = slots.len();
    let numbered: Vec<usize> = assignments
        .iter()
        .map(|a| a.map_or(spare, index_of))
        .collect();
    let mut sizes = vec![0usize; spare + 1];
    for &t in &numbered {
        sizes[t] += 1;
    }
    let centroids = cluster::centroids(embedding, &numbered, spare + 1);
    let labels = label::label_themes(
        tokenizer,
        texts,
        tfidf,
        &numbered,
        spare + 1,
        embedding,
        &centroids,
    );
    let kept = same_members(input, assignments);
    slots
        .iter()
        .zip(labels)
        .zip(sizes)
        .map(|((&slot, found), size)| {
            // An officer's name stays; so does the old name of a theme kept
            // only because it is pinned or named (new themes never are
            // empty), and of a theme whose members are mostly the same.
            let label = match slot {
                ThemeSlot::Existing(t) if input.themes[t].officer_named || size == 0 || kept[t] => {
                    input.themes[t].label.clone()
                }
                _ => found.label,
            };
            ThemeResult {
                slot,
                label,
                top_terms: if size == 0 {
                    Vec::new()
                } else {
                    found.top_terms
                },
                representatives: found.representatives,
                size,
            }
        })
        .collect()
}

/// For each existing theme, whether most of its membership is unchanged:
/// the issues in it before and after share at least half of all the
/// issues in it either time (Jaccard similarity ≥ ½).
fn same_members(input: &AnalysisInput, assignments: &[Option<ThemeSlot>]) -> Vec<bool> {
    let themes = input.themes.len();
    let (mut both, mut either) = (vec![0usize; themes], vec![0usize; themes]);
    for (issue, now) in input.issues.iter().zip(assignments) {
        let before = issue.theme.filter(|&t| t < themes);
        let now = match now {
            Some(ThemeSlot::Existing(t)) => Some(*t),
            _ => None,
        };
        if let Some(t) = before {
            either[t] += 1;
            if now == Some(t) {
                both[t] += 1;
            }
        }
        if let Some(t) = now.filter(|&t| before != Some(t)) {
            either[t] += 1;
        }
    }
    (0..themes)
        .map(|t| either[t] > 0 && both[t] * 2 >= either[t])
        .collect()
}

/// Where a new issue goes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placement {
    /// The nearest existing theme (index into the input's themes).
    Theme { theme: usize, similarity: f32 },
    /// Not close enough to any theme: an officer should look at it.
    NoFit,
}

/// A new issue this similar to a theme's centre fits it, however tight the
/// theme's own members are.
const CLEAR_FIT: f32 = 0.4;

/// Places issues that have no theme yet into the existing themes without
/// re-clustering: each goes to the theme whose centre is nearest, if it is
/// at least as close as the theme's own loosest tenth of members are (the
/// theme's own spread), or clearly close ([`CLEAR_FIT`]); otherwise
/// `NoFit`.
/// Issues that already have a theme get `None`.
pub fn place_new_issues(input: &AnalysisInput) -> Vec<Option<Placement>> {
    let tokenizer = Tokenizer::new(Dictionary::new(&input.dictionary));
    let texts: Vec<&str> = input.issues.iter().map(|i| i.text.as_str()).collect();
    let n = texts.len();
    let themes = input.themes.len();
    let tfidf = TfIdf::build(&tokenizer, &texts);
    let placed: Vec<usize> = (0..n)
        .filter(|&i| input.issues[i].theme.is_some_and(|t| t < themes))
        .collect();
    if placed.is_empty() || themes == 0 {
        return input
            .issues
            .iter()
            .map(|i| i.theme.is_none().then_some(Placement::NoFit))
            .collect();
    }
    let embedding = cluster::embed(&tfidf, &input.options);
    let labels: Vec<usize> = (0..n)
        .map(|i| {
            input.issues[i]
                .theme
                .filter(|&t| t < themes)
                .unwrap_or(themes)
        })
        .collect();
    let centroids = cluster::centroids(&embedding, &labels, themes + 1);
    // Each theme's threshold: the similarity of its 10th-percentile member.
    let mut similarities: Vec<Vec<f32>> = vec![Vec::new(); themes];
    for &i in &placed {
        similarities[labels[i]].push(linalg::dot(embedding.row(i), centroids.row(labels[i])));
    }
    let thresholds: Vec<f32> = similarities
        .into_iter()
        .map(|mut s| {
            s.sort_by(f32::total_cmp);
            s.get(s.len() / 10)
                .copied()
                .unwrap_or(f32::INFINITY)
                .min(CLEAR_FIT)
        })
        .collect();
    (0..n)
        .map(|i| {
            if input.issues[i].theme.is_some() {
                return None;
            }
            let mut best = (0, f32::NEG_INFINITY);
            for t in 0..themes {
                let s = linalg::dot(embedding.row(i), centroids.row(t));
                if s > best.1 {
                    best = (t, s);
                }
            }
            Some(if best.1 >= thresholds[best.0] && best.1 > 0.0 {
                Placement::Theme {
                    theme: best.0,
                    similarity: best.1,
                }
            } else {
                Placement::NoFit
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const POLICE: [&str; 3] = [
        "The police authority should have a seat on the board",
        "Police authority representation on the board is needed",
        "A seat for the police authority on the board",
    ];
    const BUSES: [&str; 3] = [
        "Evening bus services are too infrequent",
        "More evening bus services please",
        "Bus services in the evening should run later",
    ];
    const PARKING: [&str; 3] = [
        "Parking charges in the town centre are too high",
        "Town centre parking costs too much",
        "Cut the parking charges in the town centre",
    ];

    fn issues(texts: &[&str]) -> Vec<IssueInput> {
        texts
            .iter()
            .map(|t| IssueInput {
                text: (*t).to_owned(),
                ..IssueInput::default()
            })
            .collect()
    }

    fn all_texts() -> Vec<&'static str> {
        POLICE
            .iter()
            .chain(&BUSES)
            .chain(&PARKING)
            .copied()
            .collect()
    }

    #[test]
    fn a_first_run_makes_new_themes_for_everything() {
        let input = AnalysisInput {
            issues: issues(&all_texts()),
            ..AnalysisInput::default()
        };
        let result = analyse(&input, &|_| {});
        assert_eq!(result.themes.len(), 3);
        assert!(
            result
                .assignments
                .iter()
                .all(|a| matches!(a, Some(ThemeSlot::New(_))))
        );
        assert_eq!(result.assignments[0], result.assignments[2]);
        assert_ne!(result.assignments[0], result.assignments[3]);
        assert_eq!(result.themes.iter().map(|t| t.size).sum::<usize>(), 9);
    }

    /// The first run's result turned into stored themes, as the service does.
    fn as_stored(result: &AnalysisResult) -> (Vec<ExistingTheme>, Vec<usize>) {
        let themes = result
            .themes
            .iter()
            .map(|t| ExistingTheme {
                label: t.label.clone(),
                ..ExistingTheme::default()
            })
            .collect();
        let membership = result
            .assignments
            .iter()
            .map(|a| {
                result
                    .themes
                    .iter()
                    .position(|t| Some(t.slot) == *a)
                    .unwrap_or(0)
            })
            .collect();
        (themes, membership)
    }

    #[test]
    fn officers_decisions_survive_a_re_run() {
        let texts = all_texts();
        let first = analyse(
            &AnalysisInput {
                issues: issues(&texts),
                ..AnalysisInput::default()
            },
            &|_| {},
        );
        let (mut themes, membership) = as_stored(&first);
        let police = membership[0];
        let buses = membership[3];
        // The officer names the police theme, pins the bus theme, and moves
        // a parking issue into the police theme (an odd choice, but theirs).
        themes[police].label = "Police authority on the SLG".into();
        themes[police].officer_named = true;
        themes[buses].pinned = true;
        let mut input = AnalysisInput {
            issues: issues(&texts),
            themes,
            ..AnalysisInput::default()
        };
        for (i, issue) in input.issues.iter_mut().enumerate() {
            issue.theme = Some(membership[i]);
        }
        input.issues[8].theme = Some(police);
        input.issues[8].placed_by_officer = true;

        let second = analyse(&input, &|_| {});
        assert_eq!(
            second.assignments[8],
            Some(ThemeSlot::Existing(police)),
            "moved issue stays"
        );
        for i in 3..6 {
            assert_eq!(
                second.assignments[i],
                Some(ThemeSlot::Existing(buses)),
                "pinned theme keeps its issues"
            );
        }
        let named = second
            .themes
            .iter()
            .find(|t| t.slot == ThemeSlot::Existing(police))
            .expect("named theme kept");
        assert_eq!(named.label, "Police authority on the SLG");
        // The free police issues go back to their old theme, not a new one.
        assert_eq!(second.assignments[0], Some(ThemeSlot::Existing(police)));
        assert!(
            second
                .themes
                .iter()
                .all(|t| !matches!(t.slot, ThemeSlot::New(_)) || t.size > 0)
        );
    }

    #[test]
    fn new_issues_go_to_the_nearest_theme_or_are_flagged() {
        let mut texts = all_texts();
        texts.push("Police authority should sit on the board too");
        texts.push("Allotments need better water supplies");
        let mut input = AnalysisInput {
            issues: issues(&texts),
            themes: vec![ExistingTheme::default(); 3],
            ..AnalysisInput::default()
        };
        for (i, issue) in input.issues.iter_mut().enumerate().take(9) {
            issue.theme = Some(i / 3);
        }
        let placements = place_new_issues(&input);
        assert!(placements[..9].iter().all(Option::is_none));
        assert!(
            matches!(placements[9], Some(Placement::Theme { theme: 0, .. })),
            "{placements:?}"
        );
        assert_eq!(placements[10], Some(Placement::NoFit));
    }

    #[test]
    fn repeats_and_suggestions_are_reported() {
        let mut input = AnalysisInput {
            issues: issues(&all_texts()),
            ..AnalysisInput::default()
        };
        input.issues.push(IssueInput {
            text: "Cut the parking charges in the town centre!".into(),
            ..IssueInput::default()
        });
        input.issues[8].answered = true;
        let result = analyse(&input, &|_| {});
        assert_eq!(result.repeats.len(), 1);
        assert_eq!(result.repeats[0].members, [8, 9]);
        assert_eq!(result.suggestions[9].first().map(|s| s.issue), Some(8));
    }

    #[test]
    fn the_same_input_gives_the_same_result() {
        let input = AnalysisInput {
            issues: issues(&all_texts()),
            ..AnalysisInput::default()
        };
        let a = analyse(&input, &|_| {});
        let b = analyse(&input, &|_| {});
        assert_eq!(a.assignments, b.assignments);
        assert_eq!(a.themes, b.themes);
    }

    /// A consultation of `themes` topics, each told by a few words of its
    /// own among words every topic uses; `from` numbers the texts, so a
    /// later batch is new texts on the same topics.
    fn consultation(themes: usize, each: usize, from: u64) -> Vec<String> {
        let mut rng = crate::analysis::rng::SplitMix64::new(3);
        let syllables = ["ka", "lo", "mi", "zu", "te", "ra", "vi", "sa", "de", "pu"];
        let word = |rng: &mut crate::analysis::rng::SplitMix64| {
            (0..3)
                .map(|_| syllables[rng.below(syllables.len())])
                .collect::<String>()
        };
        let shared: Vec<String> = (0..300).map(|_| word(&mut rng)).collect();
        let topics: Vec<Vec<String>> = (0..themes)
            .map(|_| (0..6).map(|_| format!("{}x", word(&mut rng))).collect())
            .collect();
        let mut texts = Vec::new();
        let mut rng = crate::analysis::rng::SplitMix64::new(from);
        for _ in 0..each {
            for topic in &topics {
                let mut words: Vec<&str> = (0..3 + rng.below(4))
                    .map(|_| shared[rng.below(shared.len())].as_str())
                    .collect();
                words.extend((0..2).map(|_| topic[rng.below(topic.len())].as_str()));
                texts.push(words.join(" "));
            }
        }
        texts
    }

    /// A consultation of 8 themes × 30 issues after a first run: the
    /// input of a re-run.
    fn analysed_once() -> AnalysisInput {
        let texts = consultation(8, 30, 1);
        let first_input = AnalysisInput {
            issues: issues(&texts.iter().map(String::as_str).collect::<Vec<_>>()),
            ..AnalysisInput::default()
        };
        let first = analyse(&first_input, &|_| {});
        after(first_input, &first)
    }

    /// The input of a re-run: the themes and assignments a run found.
    fn after(mut input: AnalysisInput, result: &AnalysisResult) -> AnalysisInput {
        input.themes = (result.themes.iter())
            .map(|t| ExistingTheme {
                label: t.label.clone(),
                ..ExistingTheme::default()
            })
            .collect();
        for (issue, slot) in input.issues.iter_mut().zip(&result.assignments) {
            issue.theme = slot.and_then(|s| result.themes.iter().position(|t| t.slot == s));
        }
        input
    }

    fn themes_of(input: &AnalysisInput, result: &AnalysisResult) -> Vec<Option<usize>> {
        (result.assignments.iter())
            .map(|slot| match slot {
                Some(ThemeSlot::Existing(t)) => Some(*t),
                _ => None,
            })
            .take(input.issues.len())
            .collect()
    }

    #[test]
    fn a_re_run_with_nothing_new_keeps_every_theme_name_and_member() {
        let input = analysed_once();
        let second = analyse(&input, &|_| {});
        let before: Vec<Option<usize>> = input.issues.iter().map(|i| i.theme).collect();
        assert_eq!(themes_of(&input, &second), before);
        for theme in &second.themes {
            let ThemeSlot::Existing(t) = theme.slot else {
                panic!("a new theme appeared: {}", theme.label);
            };
            assert_eq!(theme.label, input.themes[t].label);
        }
        // An officer placing one issue moves no other.
        let mut placed = input.clone();
        placed.issues[0].placed_by_officer = true;
        assert_eq!(themes_of(&placed, &analyse(&placed, &|_| {})), before);
    }

    #[test]
    fn new_issues_join_the_themes_there_are_without_reshuffling_them() {
        let mut input = analysed_once();
        let before: Vec<Option<usize>> = input.issues.iter().map(|i| i.theme).collect();
        let later = consultation(8, 3, 99);
        input.issues.extend(issues(
            &later.iter().map(String::as_str).collect::<Vec<_>>(),
        ));
        let result = analyse(&input, &|_| {});
        let now = themes_of(&input, &result);
        let moved = before.iter().zip(&now).filter(|(b, n)| b != n).count();
        assert!(
            moved * 20 <= before.len(),
            "{moved} of {} moved",
            before.len()
        );
        assert!(
            now.iter().all(Option::is_some),
            "every issue is in a theme it had"
        );
        let renamed = (result.themes.iter())
            .filter(
                |t| matches!(t.slot, ThemeSlot::Existing(i) if input.themes[i].label != t.label),
            )
            .count();
        assert_eq!(renamed, 0);
        // Asked to, the themes are found again from nothing.
        let fresh = AnalysisInput {
            fresh: true,
            ..input
        };
        let again = analyse(&fresh, &|_| {});
        assert!(again.themes.len() >= 2);
    }
}
