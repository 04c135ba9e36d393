//! Handlebars templates, compiled into the binary and registered once.
//!
//! Strict mode turns a misspelt variable into an error instead of an empty
//! string; `{{…}}` escapes HTML, and triple braces are never used on text
//! that people typed.

use std::sync::LazyLock;

use handlebars::Handlebars;
use serde::Serialize;

/// Lists templates by name; each is `templates/{name}.hbs`, compiled in.
macro_rules! templates {
    ($($name:literal),+ $(,)?) => {
        &[$(($name, include_str!(concat!("../templates/", $name, ".hbs")))),+]
    };
}

/// (name, source) of every template; partials start with an underscore.
const TEMPLATES: &[(&str, &str)] = templates![
    "layout",
    "error",
    "home",
    "privacy",
    "accessibility",
    "consultation",
    "_error_summary",
    "_csrf",
    "_error_message",
    "_described_by",
    "_text_field",
    "_textarea_field",
    "_pagination",
    "_date_field",
    "respond",
    "respond_check",
    "respond_done",
    "respond_refused",
    "response_private",
    "sign_in",
    "_details_form",
    "_staff_bar",
    "staff_dashboard",
    "staff_new",
    "staff_consultation",
    "summary",
    "summary_file",
    "_ws_nav",
    "_history",
    "ws_overview",
    "ws_inbox",
    "ws_response",
    "ws_themes",
    "ws_theme",
    "ws_draft",
    "ws_analysis",
    "ws_group",
    "staff_users",
    "ws_import",
    "ws_import_preview",
    "published_responses",
    "staff_publish",
    "pack_file",
    "outcome",
    "staff_outcome",
    "_change_reason",
    "staff_confirm",
    "ws_consultees",
    "respond_saved",
];

/// Every template is registered: a missing name here is a page that fails.
#[cfg(test)]
const TEMPLATE_FILES: usize = 49;

// `concat`: joins its arguments as text (for page titles such as
// "Error: Respond to …"); the result is escaped like any other value.
handlebars::handlebars_helper!(concat_helper: |*args| args.iter().map(|a| match a {
    serde_json::Value::String(s) => s.clone(),
    serde_json::Value::Null => String::new(),
    other => other.to_string(),
}).collect::<String>());

/// `(either condition yes no)`: the value chosen by a condition, for use
/// inside other expressions (handlebars' own `if` is a block, not a value:
/// `(if …)` gives nothing). The condition is true as `{{#if}}` reads it:
/// not false, null, 0, "" or an empty list; a missing value is false, so
/// `(either forms.x.typed.label …)` works before any form was sent. The
/// value chosen is escaped where it is written, like any other.
struct Either;

impl handlebars::HelperDef for Either {
    fn call_inner<'reg: 'rc, 'rc>(
        &self,
        h: &handlebars::Helper<'rc>,
        _: &'reg Handlebars<'reg>,
        _: &'rc handlebars::Context,
        _: &mut handlebars::RenderContext<'reg, 'rc>,
    ) -> Result<handlebars::ScopedJson<'rc>, handlebars::RenderError> {
        let value = |i: usize| {
            h.param(i)
                .map(|p| p.value().clone())
                .unwrap_or(serde_json::Value::Null)
        };
        let truthy = match value(0) {
            serde_json::Value::Null => false,
            serde_json::Value::Bool(b) => b,
            serde_json::Value::Number(n) => n.as_f64().is_some_and(|n| n != 0.0),
            serde_json::Value::String(s) => !s.is_empty(),
            serde_json::Value::Array(a) => !a.is_empty(),
            serde_json::Value::Object(_) => true,
        };
        Ok(handlebars::ScopedJson::Derived(if truthy {
            value(1)
        } else {
            value(2)
        }))
    }
}

/// `{{diagram svg}}`: writes a diagram produced by `export::diagram` (or a
/// chart from `export::chart`) without escaping. Only markup that starts as that renderer's output is
/// written; its text was escaped when it was drawn. Anything else is escaped.
fn diagram_helper(
    h: &handlebars::Helper<'_>,
    _: &Handlebars<'_>,
    _: &handlebars::Context,
    _: &mut handlebars::RenderContext<'_, '_>,
    out: &mut dyn handlebars::Output,
) -> handlebars::HelperResult {
    let svg = h.param(0).and_then(|p| p.value().as_str()).unwrap_or("");
    let ours = svg
        .starts_with(r#"<svg xmlns="http://www.w3.org/2000/svg" class="structure-diagram""#)
        || svg.starts_with(crate::export::chart::CHART_PREFIX);
    if ours {
        out.write(svg)?;
    } else {
        out.write(&handlebars::html_escape(svg))?;
    }
    Ok(())
}

static REGISTRY: LazyLock<Handlebars<'static>> = LazyLock::new(|| {
    let mut registry = Handlebars::new();
    registry.set_strict_mode(true);
    registry.register_helper("concat", Box::new(concat_helper));
    registry.register_helper("either", Box::new(Either));
    registry.register_helper("diagram", Box::new(diagram_helper));
    for (name, source) in TEMPLATES {
        if let Err(error) = registry.register_template_string(name, source) {
            // A broken template is a build mistake; the template tests catch it.
            tracing::error!(%error, template = name, "template does not compile");
        }
    }
    registry
});

/// Renders a template with `data`.
pub fn render<T: Serialize>(name: &str, data: &T) -> Result<String, handlebars::RenderError> {
    REGISTRY.render(name, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_compiles() {
        for (name, source) in TEMPLATES {
            let mut registry = Handlebars::new();
            registry.set_strict_mode(true);
            registry.register_helper("concat", Box::new(concat_helper));
            registry.register_helper("either", Box::new(Either));
            registry.register_helper("diagram", Box::new(diagram_helper));
            registry
                .register_template_string(name, source)
                .unwrap_or_else(|e| panic!("template {name}: {e}"));
        }
    }

    #[test]
    fn every_template_file_is_registered() {
        let files = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/templates"))
            .expect("templates folder")
            .filter(|e| {
                e.as_ref()
                    .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "hbs"))
            })
            .count();
        assert_eq!(
            files,
            TEMPLATES.len(),
            "a template file is not in TEMPLATES"
        );
        assert_eq!(TEMPLATE_FILES, TEMPLATES.len());
    }

    #[test]
    fn no_template_uses_triple_braces() {
        for (name, source) in TEMPLATES {
            let unescaped = source.contains("{{{") && !source.contains("{{{> ");
            assert!(!unescaped, "template {name} renders unescaped HTML");
        }
    }

    #[test]
    fn the_diagram_helper_escapes_anything_but_a_rendered_diagram() {
        let mut registry = Handlebars::new();
        registry.register_helper("diagram", Box::new(diagram_helper));
        let html = registry
            .render_template(
                "{{diagram x}}",
                &serde_json::json!({"x": "<script>alert(1)</script>"}),
            )
            .expect("renders");
        assert_eq!(html, "&lt;script&gt;alert(1)&lt;/script&gt;");
    }

    #[test]
    fn text_is_escaped_on_the_error_page() {
        let html = render(
            "error",
            &serde_json::json!({"title": "t", "heading": "h", "message": "<script>alert(1)</script>"}),
        )
        .expect("renders");
        assert!(html.contains("&lt;script&gt;"));
        assert!(!html.contains("<script>alert"));
    }
}
