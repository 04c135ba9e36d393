//! Validated text from people: trimmed, bounded, free of control characters.

/// A value that failed validation, with the form field it belongs to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, serde::Serialize)]
#[error("{message}")]
pub struct ValidationError {
    /// The field name as used in forms and the API (`consultee_name`).
    pub field: String,
    /// What is wrong and how to fix it, in GOV.UK error-message style.
    pub message: String,
}

impl ValidationError {
    /// A validation error for `field`.
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// Trims `input` and checks it is present, at most `max_chars` long and free
/// of control characters other than line breaks and tabs.
/// `label` is the field's name in sentences ("Enter your name").
pub fn required_text(
    field: &str,
    label: &str,
    input: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let value = optional_text(field, label, input, max_chars)?;
    value.ok_or_else(|| ValidationError::new(field, format!("Enter {}", lower_first(label))))
}

/// Like [`required_text`], but an empty value is `None`.
pub fn optional_text(
    field: &str,
    label: &str,
    input: &str,
    max_chars: usize,
) -> Result<Option<String>, ValidationError> {
    // The limit applies to what was sent, spaces included, so a checker of
    // the API's schema (maxLength) and this rule agree.
    if input.chars().count() > max_chars {
        return Err(ValidationError::new(
            field,
            format!(
                "{label} must be {} characters or fewer",
                thousands(max_chars)
            ),
        ));
    }
    if input
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(ValidationError::new(
            field,
            format!("{label} must not contain control characters"),
        ));
    }
    let value = trim(input);
    if value.is_empty() {
        return Ok(None);
    }
    Ok(Some(value.to_string()))
}

/// `text` without surrounding white space (Unicode's, and the byte-order
/// mark, as JSON Schema's `\s` reads it).
pub fn trim(text: &str) -> &str {
    text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
}

/// Unicode's explicit direction controls (embeddings, overrides, isolates
/// and marks). In a name or title they can make text read differently
/// from what it is ("Trojan Source", CVE-2021-42574), so names and titles
/// refuse them; long text keeps them, as right-to-left writing needs marks.
pub fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// A name or title: like [`required_text`], on one line, without direction
/// controls.
pub fn required_line(
    field: &str,
    label: &str,
    input: &str,
    max_chars: usize,
) -> Result<String, ValidationError> {
    let value = optional_line(field, label, input, max_chars)?;
    value.ok_or_else(|| ValidationError::new(field, format!("Enter {}", lower_first(label))))
}

/// Like [`required_line`], but an empty value is `None`.
pub fn optional_line(
    field: &str,
    label: &str,
    input: &str,
    max_chars: usize,
) -> Result<Option<String>, ValidationError> {
    let value = optional_text(field, label, input, max_chars)?;
    if let Some(value) = &value {
        if value.contains(['\n', '\r', '\t']) {
            return Err(ValidationError::new(
                field,
                format!("{label} must be on one line"),
            ));
        }
        if value.chars().any(|c| is_bidi_control(c) || c == '\u{feff}') {
            return Err(ValidationError::new(
                field,
                format!(
                    "{label} must not contain hidden characters that change the direction of text"
                ),
            ));
        }
    }
    Ok(value)
}

/// 10000 as "10,000" (GOV.UK style for numbers).
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn lower_first(label: &str) -> String {
    let mut chars = label.chars();
    match chars.next() {
        Some(first) if !label.chars().nth(1).is_some_and(|c| c.is_uppercase()) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => label.to_string(),
    }
}

/// Paragraphs of text written with blank lines between them.
pub fn paragraphs(text: &str) -> Vec<String> {
    // Browsers send a textarea's line breaks as CRLF; a blank line (even
    // one holding spaces) ends a paragraph whichever way it was written.
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut paragraphs = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                paragraphs.push(current.join("\n"));
                current.clear();
            }
        } else {
            current.push(line.trim());
        }
    }
    if !current.is_empty() {
        paragraphs.push(current.join("\n"));
    }
    paragraphs
}

/// The first `max` characters of `text`, cut at a word.
pub fn opening(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    let words = cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head);
    format!("{words}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed_and_bounded() {
        assert_eq!(
            required_text("name", "Your name", "  Ann  ", 10),
            Ok("Ann".into())
        );
        let too_long = required_text("name", "Your name", "abcdefghijk", 10).unwrap_err();
        assert_eq!(too_long.message, "Your name must be 10 characters or fewer");
    }

    #[test]
    fn numbers_get_thousands_separators() {
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000_000), "1,000,000");
    }

    #[test]
    fn a_missing_value_asks_for_it() {
        let err = required_text("name", "Your name", "   ", 10).unwrap_err();
        assert_eq!(err.field, "name");
        assert_eq!(err.message, "Enter your name");
        let acronym = required_text("email", "URL name", "", 10).unwrap_err();
        assert_eq!(acronym.message, "Enter URL name");
    }

    #[test]
    fn names_refuse_direction_overrides_and_line_breaks() {
        let spoofed = "Gloucestershire \u{202E}licnuoC ytnuoC";
        let err = required_line("name", "Name", spoofed, 200).unwrap_err();
        assert!(err.message.contains("direction"), "{}", err.message);
        assert!(required_line("name", "Name", "Ann\nSmith", 200).is_err());
        assert_eq!(
            required_line("name", "Name", " Ann ", 200),
            Ok("Ann".into())
        );
        // Long text keeps marks that right-to-left writing needs.
        assert!(required_text("t", "Text", "\u{200F}שלום", 100).is_ok());
    }

    #[test]
    fn control_characters_are_refused_but_line_breaks_kept() {
        assert!(required_text("t", "Text", "a\u{0}b", 10).is_err());
        assert_eq!(
            required_text("t", "Text", "a\r\nb", 10),
            Ok("a\r\nb".into())
        );
    }
}
