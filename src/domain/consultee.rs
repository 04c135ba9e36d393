//! Consultees: the people and organisations who respond.

use super::text::{ValidationError, optional_line, required_line, required_text};
use crate::text_enum;

text_enum! {
    /// What sort of consultee responded; used for filters and charts.
    pub enum ConsulteeKind ("consultee kind") {
        CountyCouncil => "county_council", "County council",
        DistrictCouncil => "district_council", "District or borough council",
        ScrutinyCommittee => "scrutiny_committee", "Scrutiny committee",
        Partnership => "partnership", "Partnership",
        ResidentsAssociation => "residents_association", "Residents' association",
        Police => "police", "Police",
        Business => "business", "Business",
        VoluntarySector => "voluntary_sector", "Voluntary or community sector",
        Individual => "individual", "Member of the public",
        Other => "other", "Other",
    }
}

/// The longest consultee name we accept (committee names run long).
pub const MAX_NAME_CHARS: usize = 200;

/// A consultee's name, e.g. "Gloucestershire County Council".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsulteeName(String);

impl ConsulteeName {
    /// Parses a name for `field`.
    pub fn parse(field: &str, input: &str) -> Result<Self, ValidationError> {
        required_line(field, "Name", input, MAX_NAME_CHARS).map(Self)
    }

    /// The name as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The name, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A short name such as "GCC": up to 20 characters, no spaces at the ends.
pub fn parse_short_name(field: &str, input: &str) -> Result<Option<String>, ValidationError> {
    optional_line(field, "Short name", input, 20)
}

/// A contact e-mail address: personal data, never exported publicly.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    /// Parses an address with one `@`, a dot in the domain and no spaces
    /// (deliberately loose: the real check is that mail arrives).
    pub fn parse(field: &str, input: &str) -> Result<Self, ValidationError> {
        let value = required_text(field, "Email address", input, 254)?;
        let mut parts = value.splitn(2, '@');
        let (local, domain) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        let valid = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains('@')
            && !value.chars().any(char::is_whitespace);
        if valid {
            Ok(Self(value))
        } else {
            Err(ValidationError::new(
                field,
                "Enter an email address in the correct format, like name@example.com",
            ))
        }
    }

    /// The address as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a consultee is named in the summary table: full name with the short
/// name in brackets the first time, the short name afterwards (seed 003).
pub fn table_name(name: &str, short_name: Option<&str>, first_appearance: bool) -> String {
    match short_name {
        Some(short) if first_appearance => format!("{name} ({short})"),
        Some(short) => short.to_string(),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_need_a_domain_with_a_dot() {
        assert!(EmailAddress::parse("email", "officer@cheltenham.gov.uk").is_ok());
        for bad in ["officer", "officer@localhost", "a b@c.uk", "@c.uk", "a@.uk"] {
            assert!(EmailAddress::parse("email", bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_table_names_a_consultee_in_full_once_then_by_short_name() {
        let gcc = ("Gloucestershire County Council", Some("GCC"));
        assert_eq!(
            table_name(gcc.0, gcc.1, true),
            "Gloucestershire County Council (GCC)"
        );
        assert_eq!(table_name(gcc.0, gcc.1, false), "GCC");
        assert_eq!(
            table_name("Glos Police Authority", None, false),
            "Glos Police Authority"
        );
    }

    #[test]
    fn kinds_parse_from_their_stored_words() {
        assert_eq!("police".parse(), Ok(ConsulteeKind::Police));
        assert!("council".parse::<ConsulteeKind>().is_err());
    }
}
