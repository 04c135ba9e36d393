//! Drawing an SVG diagram into a PNG, for documents that cannot hold SVG
//! (a Word committee pack). `resvg` renders; fonts come from the system,
//! with the first of Arial, Liberation Sans or DejaVu Sans standing in for
//! the diagram's sans-serif.

use std::sync::{Arc, OnceLock};

use resvg::{tiny_skia, usvg};

/// The system's fonts, loaded once (loading takes tens of milliseconds).
fn fonts() -> Arc<usvg::fontdb::Database> {
    static FONTS: OnceLock<Arc<usvg::fontdb::Database>> = OnceLock::new();
    FONTS
        .get_or_init(|| {
            let mut db = usvg::fontdb::Database::new();
            db.load_system_fonts();
            let family = ["Arial", "Liberation Sans", "DejaVu Sans"]
                .into_iter()
                .find(|name| {
                    db.faces()
                        .any(|f| f.families.iter().any(|(n, _)| n == name))
                });
            if let Some(family) = family {
                db.set_sans_serif_family(family);
            }
            Arc::new(db)
        })
        .clone()
}

/// A PNG of `svg` at `scale` times its size, on white; its pixel size.
/// `None` when the SVG cannot be read or is empty.
pub fn render(svg: &str, scale: f32) -> Option<(Vec<u8>, u32, u32)> {
    if svg.is_empty() {
        return None;
    }
    let options = usvg::Options {
        fontdb: fonts(),
        ..usvg::Options::default()
    };
    let tree = usvg::Tree::from_str(svg, &options).ok()?;
    let size = tree.size().to_int_size().scale_by(scale)?;
    let mut pixmap = tiny_skia::Pixmap::new(size.width(), size.height())?;
    pixmap.fill(tiny_skia::Color::WHITE);
    resvg::render(
        &tree,
        tiny_skia::Transform::from_scale(scale, scale),
        &mut pixmap.as_mut(),
    );
    let png = pixmap.encode_png().ok()?;
    Some((png, size.width(), size.height()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_a_diagram_into_a_png_of_its_size() {
        let svg = r#"<svg xmlns="http://www.w3.org/2000/svg" width="100" height="40" viewBox="0 0 100 40"><rect x="1" y="1" width="98" height="38" fill="none" stroke="black"/><text x="50" y="20" font-family="sans-serif">SLG</text></svg>"#;
        let (png, w, h) = render(svg, 2.0).expect("png");
        assert_eq!((w, h), (200, 80));
        assert!(png.starts_with(&[0x89, b'P', b'N', b'G']));
        assert!(render("", 1.0).is_none());
        assert!(render("<not svg", 1.0).is_none());
    }
}
