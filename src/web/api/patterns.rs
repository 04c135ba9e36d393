//! The patterns the OpenAPI document gives text fields, so a client (or a
//! schema-driven tester) knows exactly what the service accepts: the same
//! rules as `domain::text` (control characters refused, names and titles on
//! one line without direction controls, white space at the ends ignored).
//!
//! Fields name a pattern by a placeholder (`#[schema(pattern = "^line$")]`)
//! and [`Patterns`] puts the real one in, so each is written once here.
//! Character classes are spelt out rather than written `\s` or `\d`, which
//! JSON Schema (ECMA-262) and other regex engines read differently.

use utoipa::openapi::schema::{ArrayItems, Schema};
use utoipa::openapi::{OpenApi, RefOr};

/// White space trimmed from the ends of text (Unicode's, and the
/// byte-order mark), without the control characters that are refused.
const SPACE: &str = r"[\t\n\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]";
/// Everything white or control.
const WHITE_OR_CONTROL: &str = r"\t\n\u000b\u000c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u0000-\u001f\u007f-\u009f";
/// Direction controls and the byte-order mark, refused in names and titles.
const HIDDEN: &str = r"\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff";
/// Control characters, refused in any text (line breaks and tabs aside).
const CONTROL: &str = r"\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f";
/// Control characters, all of them.
const ANY_CONTROL: &str = r"\u0000-\u001f\u007f-\u009f";

fn line() -> String {
    let visible = format!("[^{WHITE_OR_CONTROL}{HIDDEN}]");
    let inner = format!("[^{ANY_CONTROL}{HIDDEN}]");
    format!("{SPACE}*{visible}(?:{inner}*{visible})?{SPACE}*")
}

fn text() -> String {
    let visible = format!("[^{WHITE_OR_CONTROL}]");
    let any = format!("[^{CONTROL}]");
    format!("{any}*{visible}{any}*")
}

fn email() -> String {
    let char = format!("[^@{WHITE_OR_CONTROL}]");
    let no_dot = format!("[^@.{WHITE_OR_CONTROL}]");
    format!("{SPACE}*{char}+@{no_dot}{char}*\\.{char}*{no_dot}{SPACE}*")
}

/// The real pattern of a placeholder, if it is one.
fn pattern_for(placeholder: &str) -> Option<String> {
    let blank = format!("^{SPACE}*$");
    Some(match placeholder {
        "^line$" => format!("^{}$", line()),
        "^line?$" => format!("{blank}|^{}$", line()),
        "^text$" => format!("^{}$", text()),
        "^text?$" => format!("^[^{CONTROL}]*$"),
        "^email?$" => format!("{blank}|^{}$", email()),
        "^slug?$" => format!("{blank}|^{SPACE}*[a-z0-9](?:[a-z0-9-]*[a-z0-9])?{SPACE}*$"),
        "^prefix$" => format!("^{SPACE}*[A-Z]{{2,6}}{SPACE}*$"),
        "^date?$" => format!("{blank}|^{SPACE}*[0-9]{{4}}-[0-9]{{1,2}}-[0-9]{{1,2}}{SPACE}*$"),
        "^digits?$" => format!("{blank}|^{SPACE}*[0-9]+{SPACE}*$"),
        "^sign-off?$" => format!("^{SPACE}*(?:officers|group)?{SPACE}*$"),
        "^choices$" => format!("^[^\\t{CONTROL}{HIDDEN}]*$"),
        _ => return None,
    })
}

/// Puts the real patterns into every schema of the document.
pub struct Patterns;

impl utoipa::Modify for Patterns {
    fn modify(&self, openapi: &mut OpenApi) {
        if let Some(components) = openapi.components.as_mut() {
            for schema in components.schemas.values_mut() {
                fill(schema);
            }
        }
    }
}

fn fill(schema: &mut RefOr<Schema>) {
    let RefOr::T(schema) = schema else {
        return;
    };
    match schema {
        Schema::Object(object) => {
            if let Some(real) = object.pattern.as_deref().and_then(pattern_for) {
                object.pattern = Some(real);
            }
            for property in object.properties.values_mut() {
                fill(property);
            }
            // Map keys that are ids (answers by question id): whole
            // numbers of up to 18 digits, which always fit the id.
            if let Some(names) = object.property_names.as_mut()
                && let Schema::Object(names) = names.as_mut()
                && names.pattern.is_none()
            {
                names.pattern = Some("^[+-]?[0-9]{1,18}$".into());
            }
            if let Some(additional) = object.additional_properties.as_mut()
                && let utoipa::openapi::schema::AdditionalProperties::RefOr(inner) =
                    additional.as_mut()
            {
                fill(inner);
            }
        }
        Schema::Array(array) => {
            if let ArrayItems::RefOrSchema(items) = &mut array.items {
                fill(items);
            }
        }
        Schema::OneOf(one) => one.items.iter_mut().for_each(fill),
        Schema::AllOf(all) => all.items.iter_mut().for_each(fill),
        Schema::AnyOf(any) => any.items.iter_mut().for_each(fill),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_has_a_pattern() {
        for placeholder in [
            "^line$",
            "^line?$",
            "^text$",
            "^text?$",
            "^email?$",
            "^slug?$",
            "^prefix$",
            "^date?$",
            "^digits?$",
            "^sign-off?$",
            "^choices$",
        ] {
            assert!(pattern_for(placeholder).is_some(), "{placeholder}");
        }
        assert!(
            pattern_for("^(open|closed)$").is_none(),
            "real patterns are left alone"
        );
    }
}
