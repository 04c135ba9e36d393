//! A council's own front: its name, logo and colour in the header
//! (`--council-name`, `--council-logo`, `--council-colour`). Set once when
//! the service starts, for every page (error pages too); unset, the header
//! says "Sounding".

use std::sync::OnceLock;

use actix_web::HttpResponse;
use actix_web::http::header;

/// The council's branding.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Brand {
    /// Shown in the header and page titles.
    pub name: Option<String>,
    /// The header's background (`#rrggbb`), under white text.
    pub colour: Option<String>,
    /// Whether a logo is served at `/static/logo`.
    pub has_logo: bool,
    #[serde(skip)]
    logo: Option<(Vec<u8>, &'static str)>,
}

/// The largest logo accepted.
const LOGO_BYTES: usize = 256 * 1024;

/// The WCAG 2.2 AA contrast white header text needs on the colour.
const CONTRAST: f64 = 4.5;

fn luminance(hex: &str) -> Option<f64> {
    let hex = hex.strip_prefix('#')?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| {
        let v = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).ok()?) / 255.0;
        Some(if v <= 0.040_45 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        })
    };
    Some(0.2126 * channel(0)? + 0.7152 * channel(2)? + 0.0722 * channel(4)?)
}

impl Brand {
    /// Checks the configuration: a colour white text can be read on, a
    /// PNG or SVG logo of at most 256 KB.
    pub fn new(
        name: Option<String>,
        colour: Option<String>,
        logo: Option<&std::path::Path>,
    ) -> Result<Brand, String> {
        let name = name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if name.as_ref().is_some_and(|n| n.chars().count() > 100) {
            return Err("--council-name: at most 100 characters".into());
        }
        let colour = match colour
            .map(|c| c.trim().to_lowercase())
            .filter(|c| !c.is_empty())
        {
            None => None,
            Some(c) => {
                let l = luminance(&c).ok_or_else(|| {
                    format!("--council-colour “{c}”: write it as #rrggbb, e.g. #1d70b8")
                })?;
                let contrast = 1.05 / (l + 0.05);
                if contrast < CONTRAST {
                    return Err(format!(
                        "--council-colour {c}: white text on it has a contrast of {contrast:.1}:1; WCAG AA needs {CONTRAST}:1, so choose a darker colour"
                    ));
                }
                Some(c)
            }
        };
        let logo = match logo {
            None => None,
            Some(path) => {
                let bytes = std::fs::read(path)
                    .map_err(|e| format!("--council-logo {}: {e}", path.display()))?;
                if bytes.len() > LOGO_BYTES {
                    return Err(format!(
                        "--council-logo {}: larger than 256 KB",
                        path.display()
                    ));
                }
                let media = if bytes.starts_with(&[0x89, b'P', b'N', b'G']) {
                    "image/png"
                } else if String::from_utf8_lossy(&bytes[..bytes.len().min(512)]).contains("<svg") {
                    "image/svg+xml"
                } else {
                    return Err(format!(
                        "--council-logo {}: use a PNG or SVG file",
                        path.display()
                    ));
                };
                Some((bytes, media))
            }
        };
        Ok(Brand {
            name,
            colour,
            has_logo: logo.is_some(),
            logo,
        })
    }
}

static BRAND: OnceLock<Brand> = OnceLock::new();

/// Sets the brand, once, as the service starts.
pub fn set(brand: Brand) {
    let _ = BRAND.set(brand);
}

/// The brand every page is drawn with.
pub fn current() -> &'static Brand {
    static NONE: OnceLock<Brand> = OnceLock::new();
    BRAND
        .get()
        .unwrap_or_else(|| NONE.get_or_init(Brand::default))
}

/// `GET /static/brand.css`: the header in the council's colour.
pub async fn stylesheet() -> HttpResponse {
    let css = match &current().colour {
        Some(colour) => format!(
            ".site-header {{ background-color: {colour}; border-bottom-color: {colour}; }}\n"
        ),
        None => String::new(),
    };
    HttpResponse::Ok()
        .content_type("text/css; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
        .body(css)
}

/// `GET /static/logo`: the council's logo.
pub async fn logo() -> HttpResponse {
    match &current().logo {
        Some((bytes, media)) => HttpResponse::Ok()
            .content_type(*media)
            .insert_header((header::CACHE_CONTROL, "public, max-age=3600"))
            .body(bytes.clone()),
        None => HttpResponse::NotFound().finish(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_colour_white_text_cannot_be_read_on_is_refused() {
        assert!(
            Brand::new(None, Some("#1d70b8".into()), None).is_ok(),
            "GOV.UK blue"
        );
        let pale = Brand::new(None, Some("#ffdd00".into()), None).expect_err("yellow");
        assert!(pale.contains("contrast"), "{pale}");
        assert!(Brand::new(None, Some("blue".into()), None).is_err());
        let named =
            Brand::new(Some(" Cheltenham Borough Council ".into()), None, None).expect("name");
        assert_eq!(named.name.as_deref(), Some("Cheltenham Borough Council"));
    }

    #[test]
    fn a_logo_is_a_small_png_or_svg() {
        let dir = tempfile::tempdir().expect("dir");
        let svg = dir.path().join("logo.svg");
        std::fs::write(
            &svg,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>"#,
        )
        .expect("write");
        assert!(Brand::new(None, None, Some(&svg)).expect("svg").has_logo);
        let text = dir.path().join("logo.txt");
        std::fs::write(&text, "hello").expect("write");
        assert!(Brand::new(None, None, Some(&text)).is_err());
    }
}
