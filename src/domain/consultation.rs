//! A consultation: its life cycle and its validated names.

use super::text::{ValidationError, required_text};
use crate::text_enum;

text_enum! {
    /// Where a consultation is in its life: drafts are private, open ones take
    /// responses, closed ones are being analysed, published ones are public
    /// with their summary table.
    pub enum ConsultationStatus ("consultation status") {
        Draft => "draft", "Draft",
        Open => "open", "Open",
        Closed => "closed", "Closed",
        Published => "published", "Published",
    }
}

impl ConsultationStatus {
    /// The next status in `draft → open → closed → published`, if any.
    pub fn next(self) -> Option<Self> {
        match self {
            Self::Draft => Some(Self::Open),
            Self::Open => Some(Self::Closed),
            Self::Closed => Some(Self::Published),
            Self::Published => None,
        }
    }

    /// Whether moving to `to` follows the life cycle (one step forward, or
    /// back from open to draft while nobody has responded is the caller's
    /// decision, so only forward steps are allowed here).
    pub fn can_move_to(self, to: Self) -> bool {
        self.next() == Some(to)
    }

    /// Whether the public may see the consultation at all.
    pub fn is_public(self) -> bool {
        self != Self::Draft
    }
}

text_enum! {
    /// Who may agree (sign off) the group's responses to issues: agreeing
    /// is a sign-off, so by default only officers may.
    pub enum SignOff ("sign-off") {
        Officers => "officers", "Officers",
        Group => "group", "Officers and the consultation's group members",
    }
}

/// The URL name of a consultation: lower-case letters, digits and hyphens.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(transparent)]
pub struct Slug(String);

/// The longest URL name, in characters.
pub const SLUG_CHARS: usize = 80;

impl Slug {
    /// Parses a slug such as `cheltenham-2011`.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let slug = required_text("slug", "URL name", input, SLUG_CHARS)?;
        let well_formed = slug
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
            && !slug.starts_with('-')
            && !slug.ends_with('-');
        if !well_formed {
            return Err(ValidationError::new(
                "slug",
                "URL name must use only lower-case letters, numbers and hyphens, like cheltenham-2011",
            ));
        }
        Ok(Self(slug))
    }

    /// The slug as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The letters that begin every response reference (`CHL` in `CHL-0007`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReferencePrefix(String);

impl ReferencePrefix {
    /// Parses 2 to 6 capital letters.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let prefix =
            super::text::optional_text("reference_prefix", "Reference prefix", input, usize::MAX)
                .ok()
                .flatten()
                .unwrap_or_default();
        if (2..=6).contains(&prefix.len()) && prefix.chars().all(|c| c.is_ascii_uppercase()) {
            Ok(Self(prefix.to_string()))
        } else {
            Err(ValidationError::new(
                "reference_prefix",
                "Reference prefix must be 2 to 6 capital letters, like CHL",
            ))
        }
    }

    /// The reference of the `number`th response: `CHL-0007`.
    pub fn reference(&self, number: i64) -> String {
        format!("{}-{:04}", self.0, number)
    }

    /// The prefix as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_life_cycle_moves_one_step_forward() {
        use ConsultationStatus::*;
        assert!(Draft.can_move_to(Open));
        assert!(Open.can_move_to(Closed));
        assert!(Closed.can_move_to(Published));
        assert!(!Draft.can_move_to(Published));
        assert!(!Published.can_move_to(Draft));
        assert!(!Draft.is_public());
        assert!(Open.is_public());
    }

    #[test]
    fn a_slug_is_lower_case_words_and_hyphens() {
        assert_eq!(
            Slug::parse(" cheltenham-2011 ").map(|s| s.0),
            Ok("cheltenham-2011".into())
        );
        assert!(Slug::parse("Cheltenham 2011").is_err());
        assert!(Slug::parse("-x").is_err());
        assert!(Slug::parse("").is_err());
    }

    #[test]
    fn references_are_zero_padded() {
        let prefix = ReferencePrefix::parse("CHL").expect("valid prefix");
        assert_eq!(prefix.reference(7), "CHL-0007");
        assert_eq!(prefix.reference(12345), "CHL-12345");
        assert!(ReferencePrefix::parse("chl").is_err());
    }
}
