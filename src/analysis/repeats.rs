//! Finding repeats: near-duplicate issues and campaign (form-letter)
//! responses, by MinHash signatures and locality-sensitive hashing, so the
//! cost grows linearly with the number of texts.
//!
//! Texts are compared as sets of word 3-grams (stop words kept: form
//! letters share their wording, not just their topic). Two texts whose
//! estimated Jaccard similarity reaches [`SIMILAR`] are repeats; groups are
//! closed transitively.

use rayon::prelude::*;
use rustc_hash::FxHashMap;
use unicode_segmentation::UnicodeSegmentation;

use super::rng::mix;
use super::union_find::UnionFind;

/// Hash functions per signature.
const HASHES: usize = 64;
/// LSH bands; with 4 rows each, pairs above ~0.5 similarity meet in a band.
const BANDS: usize = 16;
const ROWS: usize = HASHES / BANDS;
/// Estimated Jaccard similarity at which two texts count as repeats.
pub const SIMILAR: f32 = 0.7;
/// Responses repeated at least this often are reported as a campaign.
pub const CAMPAIGN_SIZE: usize = 5;

/// A group of texts that say the same thing in (nearly) the same words.
#[derive(Debug, Clone, PartialEq)]
pub struct RepeatGroup {
    /// Indices of the texts, ascending.
    pub members: Vec<usize>,
}

impl RepeatGroup {
    /// Whether the group is large enough to be an organised campaign.
    pub fn is_campaign(&self) -> bool {
        self.members.len() >= CAMPAIGN_SIZE
    }
}

/// The word 3-gram hashes of a text (its words, for shorter texts).
fn shingles(text: &str) -> Vec<u64> {
    let words: Vec<u64> = text
        .unicode_words()
        .map(|w| {
            let lower = w.to_lowercase().replace('\u{2019}', "'");
            lower.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
                (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
            })
        })
        .collect();
    if words.is_empty() {
        return Vec::new();
    }
    if words.len() < 3 {
        return vec![words.iter().fold(17u64, |h, &w| mix(w, h))];
    }
    let mut out: Vec<u64> = words
        .windows(3)
        .map(|w| mix(w[2], mix(w[1], w[0])))
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The MinHash signature of a text (all `u64::MAX` when it has no words).
fn signature(text: &str) -> [u64; HASHES] {
    let mut sig = [u64::MAX; HASHES];
    for shingle in shingles(text) {
        for (i, slot) in sig.iter_mut().enumerate() {
            let h = mix(shingle, i as u64 + 1);
            if h < *slot {
                *slot = h;
            }
        }
    }
    sig
}

fn estimated_similarity(a: &[u64; HASHES], b: &[u64; HASHES]) -> f32 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f32 / HASHES as f32
}

/// Groups of two or more repeated texts, largest first.
pub fn find_repeats<S: AsRef<str> + Sync>(texts: &[S]) -> Vec<RepeatGroup> {
    let signatures: Vec<[u64; HASHES]> = texts.par_iter().map(|t| signature(t.as_ref())).collect();
    let mut sets = UnionFind::new(texts.len());
    for band in 0..BANDS {
        let mut buckets: FxHashMap<u64, usize> = FxHashMap::default();
        for (i, sig) in signatures.iter().enumerate() {
            if sig[0] == u64::MAX {
                continue; // no words: nothing to compare
            }
            let key = sig[band * ROWS..(band + 1) * ROWS]
                .iter()
                .fold(band as u64, |h, &v| mix(v, h));
            // Each text is compared with the first in its bucket only (a
            // star, not all pairs), so a bucket of 10,000 identical answers
            // costs 10,000 comparisons; union-find closes the groups.
            match buckets.get(&key) {
                Some(&first) => {
                    if estimated_similarity(&signatures[first], sig) >= SIMILAR {
                        sets.union(first, i);
                    }
                }
                None => {
                    buckets.insert(key, i);
                }
            }
        }
    }
    let mut groups: FxHashMap<usize, Vec<usize>> = FxHashMap::default();
    for i in 0..texts.len() {
        let r = sets.root(i);
        groups.entry(r).or_default().push(i);
    }
    let mut out: Vec<RepeatGroup> = groups
        .into_values()
        .filter(|members| members.len() > 1)
        .map(|members| RepeatGroup { members })
        .collect();
    out.sort_by(|a, b| {
        b.members
            .len()
            .cmp(&a.members.len())
            .then(a.members[0].cmp(&b.members[0]))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const LETTER: &str = "We the undersigned object to the closure of the Cheltenham Community Safety Partnership, which has kept our streets safe for years, and ask the council to keep it.";

    #[test]
    fn a_form_letter_sent_many_times_with_small_edits_is_one_campaign() {
        let mut texts: Vec<String> = (0..8)
            .map(|i| format!("{LETTER} Signed, resident {i}."))
            .collect();
        texts.push("Evening buses should run later on weekdays and at weekends.".into());
        texts.push(LETTER.replace("for years", "for many years"));
        let groups = find_repeats(&texts);
        assert_eq!(groups.len(), 1, "{groups:?}");
        assert_eq!(groups[0].members, [0, 1, 2, 3, 4, 5, 6, 7, 9]);
        assert!(groups[0].is_campaign());
    }

    #[test]
    fn near_duplicate_issues_pair_up_and_different_ones_do_not() {
        let texts = [
            "Should the Positive Participation Partnership be a task and finish group",
            "Police presence on the leadership group",
            "Should the Positive Participation Partnership be a task and finish group?",
            "Should the Positive Lives Partnership be a commissioning body",
        ];
        let groups = find_repeats(&texts);
        assert_eq!(
            groups,
            [RepeatGroup {
                members: vec![0, 2]
            }]
        );
        assert!(!groups[0].is_campaign());
    }

    #[test]
    fn identical_short_answers_group_and_empty_texts_do_not() {
        let texts = ["Nothing.", "nothing", "No", "", "👍", "Nothing"];
        let groups = find_repeats(&texts);
        assert_eq!(
            groups,
            [RepeatGroup {
                members: vec![0, 1, 5]
            }]
        );
    }

    #[test]
    fn ten_thousand_identical_answers_are_one_group() {
        let texts = vec!["Nothing to add."; 10_000];
        let groups = find_repeats(&texts);
        assert_eq!(groups.len(), 1);
        assert_eq!(groups[0].members.len(), 10_000);
    }
}
