//! The proposed structure drawn as an SVG diagram.
//!
//! `layout-rs` places the boxes (a layered, Sugiyama-style layout, as
//! graphviz's dot); this module only draws what it placed, as SVG meant to
//! sit inline in a page: every box is a link to the body's full description
//! on the same page (so keyboard and screen-reader users reach the name,
//! role, membership and meetings), text uses presentation attributes rather
//! than inline styles (the Content-Security-Policy forbids them), and all
//! text is escaped.

use std::fmt::Write;

use layout::core::base::Orientation;
use layout::core::color::Color;
use layout::core::format::{ClipHandle, RenderBackend};
use layout::core::geometry::{Point, get_size_for_str, pad_shape_scalar};
use layout::core::style::{LineStyleKind, StyleAttr};
use layout::std_shapes::shapes::{Arrow, Element, LineEndKind, ShapeKind};
use layout::topo::layout::VisualGraph;

use crate::domain::{BodyStatus, ChangeAction, Relation};

/// A body to draw.
#[derive(Debug, Clone)]
pub struct DiagramBody {
    /// The fragment of the body's description on the page (`body-3`).
    pub anchor: String,
    pub name: String,
    pub short_name: Option<String>,
    pub status: BodyStatus,
    /// How a revised structure changed the body (none on the consulted one):
    /// said in the box's words and by its outline, never by colour alone.
    pub mark: Option<ChangeAction>,
}

/// A link to draw, by index into the bodies.
#[derive(Debug, Clone, Copy)]
pub struct DiagramLink {
    pub from: usize,
    pub to: usize,
    pub relation: Relation,
}

/// Box text at body size.
const FONT_SIZE: usize = 16;
/// Relation labels on the arrows: smaller than box text, with a white halo
/// so they read over the line.
const LABEL_SIZE: usize = 13;
const WRAP_AT: usize = 22;

/// Wraps a name onto lines of at most `WRAP_AT` characters (words kept whole).
fn wrap(text: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    for word in text.split_whitespace() {
        match lines.last_mut() {
            Some(line) if line.chars().count() + 1 + word.chars().count() <= WRAP_AT => {
                line.push(' ');
                line.push_str(word);
            }
            _ => lines.push(word.to_string()),
        }
    }
    lines
}

fn label(body: &DiagramBody) -> String {
    let mut lines = wrap(&body.name);
    if let Some(short) = &body.short_name {
        lines.push(format!("({short})"));
    }
    if body.status == BodyStatus::Disbanded && body.mark.is_none() {
        lines.push("to be disbanded".into());
    }
    match body.mark {
        Some(ChangeAction::Added) => lines.insert(0, "NEW".into()),
        Some(ChangeAction::Changed) => lines.insert(0, "CHANGED".into()),
        Some(ChangeAction::Removed) => lines.insert(0, "REMOVED".into()),
        None => {}
    }
    lines.join("\n")
}

/// A box's outline: a removed body is dashed like a disbanded one, an added
/// or changed one drawn with a heavy border.
fn look(body: &DiagramBody) -> StyleAttr {
    let status = match body.mark {
        Some(ChangeAction::Removed) => BodyStatus::Disbanded,
        Some(ChangeAction::Added | ChangeAction::Changed) => {
            return StyleAttr::new(
                Color::new(0x0b0c0cff),
                5,
                Some(Color::new(0xffffffff)),
                6,
                FONT_SIZE,
            );
        }
        None => body.status,
    };
    match status {
        BodyStatus::Proposed => StyleAttr::new(
            Color::new(0x1d70b8ff),
            3,
            Some(Color::new(0xffffffff)),
            6,
            FONT_SIZE,
        ),
        BodyStatus::Existing => StyleAttr::new(
            Color::new(0x0b0c0cff),
            1,
            Some(Color::new(0xf3f2f1ff)),
            6,
            FONT_SIZE,
        ),
        BodyStatus::Disbanded => StyleAttr::new(
            Color::new(0x505a5fff),
            1,
            Some(Color::new(0xffffffff)),
            0,
            FONT_SIZE,
        ),
    }
}

/// Draws the structure; `title` names the figure for assistive technology.
/// Returns an empty string when there are no bodies.
///
/// Structures with many sibling bodies (six district partnerships under one
/// county partnership) come out very wide top-to-bottom; those are drawn
/// left-to-right instead, which reads better on a page that scrolls down.
pub fn render(title: &str, bodies: &[DiagramBody], links: &[DiagramLink]) -> String {
    if bodies.is_empty() {
        return String::new();
    }
    let tall = layout(bodies, links, Orientation::TopToBottom);
    let too_wide = tall.max.x > 1200.0 && tall.max.x > 1.6 * tall.max.y;
    if too_wide {
        layout(bodies, links, Orientation::LeftToRight)
    } else {
        tall
    }
    .finish(title)
}

fn layout(bodies: &[DiagramBody], links: &[DiagramLink], orientation: Orientation) -> SvgWriter {
    let mut graph = VisualGraph::new(orientation);
    let handles: Vec<_> = bodies
        .iter()
        .map(|body| {
            let text = label(body);
            let size = pad_shape_scalar(get_size_for_str(&text, FONT_SIZE), 24.0);
            let element = Element::create_with_properties(
                ShapeKind::new_box(&text),
                look(body),
                Orientation::TopToBottom,
                size,
                format!("{}|{}", body.anchor, body.name),
            );
            graph.add_node(element)
        })
        .collect();
    let depth = hierarchy_depths(bodies.len(), links);
    for link in links {
        let (Some(from), Some(to)) = (handles.get(link.from), handles.get(link.to)) else {
            continue;
        };
        // Draw hierarchies top-down: the body reported to or commissioning
        // sits above; information flows up to the body higher in the
        // hierarchy (to the one informed, when neither is placed).
        let informed_above = || match (depth[link.from], depth[link.to]) {
            (Some(f), Some(t)) => t <= f,
            (Some(_), None) => false,
            _ => true,
        };
        let (upper, lower, heads, style) = match link.relation {
            Relation::ReportsTo => (
                *to,
                *from,
                (LineEndKind::Arrow, LineEndKind::None),
                LineStyleKind::Normal,
            ),
            Relation::Commissions => (
                *from,
                *to,
                (LineEndKind::None, LineEndKind::Arrow),
                LineStyleKind::Normal,
            ),
            Relation::Informs if informed_above() => (
                *to,
                *from,
                (LineEndKind::Arrow, LineEndKind::None),
                LineStyleKind::Dashed,
            ),
            Relation::Informs => (
                *from,
                *to,
                (LineEndKind::None, LineEndKind::Arrow),
                LineStyleKind::Dashed,
            ),
            Relation::TwoWay if informed_above() => (
                *to,
                *from,
                (LineEndKind::Arrow, LineEndKind::Arrow),
                LineStyleKind::Normal,
            ),
            Relation::TwoWay => (
                *from,
                *to,
                (LineEndKind::Arrow, LineEndKind::Arrow),
                LineStyleKind::Normal,
            ),
        };
        let look = StyleAttr::new(Color::new(0x0b0c0cff), 2, None, 0, LABEL_SIZE);
        // Each link is its own labelled edge, so two relations between the
        // same pair are two arrows.
        let arrow = Arrow::new(
            heads.0,
            heads.1,
            style,
            link.relation.label(),
            &look,
            &None,
            &None,
        );
        graph.add_edge(arrow, upper, lower);
    }
    let mut svg = SvgWriter::default();
    graph.do_it(false, false, false, &mut svg);
    svg
}

/// How far each body is below the top of the reporting and commissioning
/// hierarchy (0: reports to no one), or none when it is in no such link.
fn hierarchy_depths(count: usize, links: &[DiagramLink]) -> Vec<Option<usize>> {
    // Edges parent → child.
    let edges: Vec<(usize, usize)> = links
        .iter()
        .filter(|l| l.from < count && l.to < count)
        .filter_map(|l| match l.relation {
            Relation::ReportsTo => Some((l.to, l.from)),
            Relation::Commissions => Some((l.from, l.to)),
            _ => None,
        })
        .collect();
    let mut depth: Vec<Option<usize>> = vec![None; count];
    let in_hierarchy: Vec<bool> = (0..count)
        .map(|b| edges.iter().any(|&(p, c)| p == b || c == b))
        .collect();
    for b in 0..count {
        if in_hierarchy[b] && !edges.iter().any(|&(_, c)| c == b) {
            depth[b] = Some(0);
        }
    }
    // Longest path from a top body, bounded so a cycle cannot loop.
    for _ in 0..count {
        let mut changed = false;
        for &(p, c) in &edges {
            if let Some(dp) = depth[p]
                && depth[c].is_none_or(|dc| dc < dp + 1)
                && dp + 1 < count
            {
                depth[c] = Some(dp + 1);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    depth
}

use super::escape_xml as escape;

/// Collects SVG elements as `layout-rs` draws them.
struct SvgWriter {
    body: String,
    max: Point,
}

impl Default for SvgWriter {
    fn default() -> Self {
        Self {
            body: String::new(),
            max: Point::zero(),
        }
    }
}

impl SvgWriter {
    fn grow(&mut self, corner: Point) {
        self.max = Point::new(self.max.x.max(corner.x), self.max.y.max(corner.y));
    }

    fn finish(self, title: &str) -> String {
        let (width, height) = (self.max.x + 10.0, self.max.y + 10.0);
        let mut out = String::new();
        let _ = write!(
            out,
            r##"<svg xmlns="http://www.w3.org/2000/svg" class="structure-diagram" viewBox="0 0 {width:.0} {height:.0}" width="{width:.0}" height="{height:.0}" role="group" aria-labelledby="structure-diagram-title" font-family="Arial, Helvetica, sans-serif" font-size="{FONT_SIZE}"><title id="structure-diagram-title">{}</title><defs><marker id="arrow-end" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="#0b0c0c"/></marker><marker id="arrow-start" viewBox="0 0 10 10" refX="1" refY="5" markerWidth="8" markerHeight="8" orient="auto"><path d="M10,0 L0,5 L10,10 z" fill="#0b0c0c"/></marker></defs>{}</svg>"##,
            escape(title),
            self.body
        );
        out
    }
}

impl RenderBackend for SvgWriter {
    fn draw_rect(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        properties: Option<String>,
        _clip: Option<ClipHandle>,
    ) {
        self.grow(xy.add(size));
        let fill = look
            .fill_color
            .map(|c| c.to_web_color())
            .unwrap_or_else(|| "none".into());
        let dash = if look.rounded == 0 && look.line_width == 1 {
            r#" stroke-dasharray="6,4""#
        } else {
            ""
        };
        let rect = format!(
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" rx="{}" fill="{}" stroke="{}" stroke-width="{}"{dash}/>"#,
            xy.x,
            xy.y,
            size.x,
            size.y,
            look.rounded,
            fill,
            look.line_color.to_web_color(),
            look.line_width
        );
        match properties.as_deref().and_then(|p| p.split_once('|')) {
            // The box is a link to the body's description, named for screen readers.
            Some((anchor, name)) => {
                let _ = write!(
                    self.body,
                    r##"<a href="#{}" aria-label="{}: read its role, membership and meetings">{rect}</a>"##,
                    escape(anchor),
                    escape(name)
                );
            }
            None => self.body.push_str(&rect),
        }
    }

    fn draw_line(
        &mut self,
        start: Point,
        stop: Point,
        look: &StyleAttr,
        _properties: Option<String>,
    ) {
        self.grow(start);
        self.grow(stop);
        let _ = write!(
            self.body,
            r#"<line x1="{:.1}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="{}" stroke-width="{}"/>"#,
            start.x,
            start.y,
            stop.x,
            stop.y,
            look.line_color.to_web_color(),
            look.line_width
        );
    }

    fn draw_circle(
        &mut self,
        xy: Point,
        size: Point,
        look: &StyleAttr,
        _properties: Option<String>,
    ) {
        self.grow(xy.add(size));
        let _ = write!(
            self.body,
            r#"<ellipse cx="{:.1}" cy="{:.1}" rx="{:.1}" ry="{:.1}" fill="none" stroke="{}"/>"#,
            xy.x,
            xy.y,
            size.x / 2.0,
            size.y / 2.0,
            look.line_color.to_web_color()
        );
    }

    fn draw_text(&mut self, xy: Point, text: &str, look: &StyleAttr) {
        let lines: Vec<&str> = text.lines().collect();
        // A relation's label is known by its words (layout-rs may draw a
        // long edge's label with another look): smaller, with a white halo
        // so it reads over its line. Clicks pass through any text to the
        // link underneath.
        let is_label =
            look.font_size == LABEL_SIZE || Relation::ALL.iter().any(|r| r.label() == text);
        let size = if is_label { LABEL_SIZE } else { look.font_size };
        let line_height = size as f64 * 1.2;
        let top = xy.y - line_height * (lines.len() as f64 - 1.0) / 2.0;
        let halo = if is_label {
            r##" stroke="#ffffff" stroke-width="4" paint-order="stroke" font-size="13""##
        } else {
            ""
        };
        let _ = write!(
            self.body,
            r##"<text text-anchor="middle" dominant-baseline="middle" fill="#0b0c0c" pointer-events="none" aria-hidden="true"{halo}>"##
        );
        for (i, line) in lines.iter().enumerate() {
            let _ = write!(
                self.body,
                r#"<tspan x="{:.1}" y="{:.1}">{}</tspan>"#,
                xy.x,
                top + line_height * i as f64,
                escape(line)
            );
        }
        self.body.push_str("</text>");
    }

    fn draw_arrow(
        &mut self,
        path: &[(Point, Point)],
        dashed: bool,
        head: (bool, bool),
        look: &StyleAttr,
        _properties: Option<String>,
        _text: &str,
    ) {
        if path.len() < 2 {
            return;
        }
        for (a, b) in path {
            self.grow(*a);
            self.grow(*b);
        }
        let mut d = format!(
            "M {:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {:.1} {:.1}",
            path[0].0.x,
            path[0].0.y,
            path[0].1.x,
            path[0].1.y,
            path[1].0.x,
            path[1].0.y,
            path[1].1.x,
            path[1].1.y
        );
        for (a, b) in path.iter().skip(2) {
            let _ = write!(d, " S {:.1} {:.1}, {:.1} {:.1}", a.x, a.y, b.x, b.y);
        }
        let dash = if dashed {
            r#" stroke-dasharray="6,4""#
        } else {
            ""
        };
        let start = if head.0 {
            r#" marker-start="url(#arrow-start)""#
        } else {
            ""
        };
        let end = if head.1 {
            r#" marker-end="url(#arrow-end)""#
        } else {
            ""
        };
        let _ = write!(
            self.body,
            r#"<path d="{d}" fill="none" stroke="{}" stroke-width="{}"{dash}{start}{end} aria-hidden="true"/>"#,
            look.line_color.to_web_color(),
            look.line_width.min(2)
        );
    }

    fn create_clip(&mut self, _xy: Point, _size: Point, _rounded_px: usize) -> ClipHandle {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn body(anchor: &str, name: &str, status: BodyStatus) -> DiagramBody {
        DiagramBody {
            anchor: anchor.into(),
            name: name.into(),
            short_name: None,
            status,
            mark: None,
        }
    }

    #[test]
    fn every_body_is_a_named_link_to_its_description() {
        let bodies = vec![
            body("body-1", "Strategic Leadership Group", BodyStatus::Proposed),
            body(
                "body-2",
                "Positive Lives <Partnership>",
                BodyStatus::Proposed,
            ),
            body(
                "body-3",
                "Community Safety Partnership",
                BodyStatus::Disbanded,
            ),
        ];
        let links = vec![DiagramLink {
            from: 1,
            to: 0,
            relation: Relation::ReportsTo,
        }];
        let svg = render("The proposed structure", &bodies, &links);
        assert!(svg.starts_with("<svg"));
        assert!(
            svg.contains(r##"<a href="#body-1" aria-label="Strategic Leadership Group: read"##)
        );
        assert!(
            svg.contains("Positive Lives &lt;Partnership&gt;"),
            "text is escaped"
        );
        assert!(!svg.contains("<Partnership>"));
        assert!(svg.contains("to be disbanded"));
        assert!(
            svg.contains("marker-start"),
            "reports-to points at the body reported to"
        );
        assert!(!svg.contains("style="), "no inline styles under the CSP");
    }

    #[test]
    fn the_top_of_the_hierarchy_is_drawn_first_with_every_relation_labelled() {
        let bodies = vec![
            body("body-1", "Strategic Leadership Group", BodyStatus::Proposed),
            body("body-2", "Positive Lives Partnership", BodyStatus::Proposed),
            body(
                "body-3",
                "Positive Participation Partnership",
                BodyStatus::Proposed,
            ),
        ];
        let link = |from, to, relation| DiagramLink { from, to, relation };
        let links = vec![
            link(1, 0, Relation::ReportsTo),
            link(2, 0, Relation::Informs),
            link(1, 2, Relation::TwoWay),
            link(1, 2, Relation::Informs),
        ];
        assert_eq!(hierarchy_depths(3, &links), vec![Some(0), Some(1), None]);
        let svg = render("Structure", &bodies, &links);
        let top = |name: &str| {
            let at = svg.find(&format!("aria-label=\"{name}:")).expect("box");
            let y = &svg[at..];
            let y = &y[y.find(" y=\"").expect("y") + 4..];
            y[..y.find('"').expect("end")]
                .parse::<f64>()
                .expect("number")
        };
        assert!(
            top("Strategic Leadership Group") < top("Positive Lives Partnership"),
            "the body reported to is above"
        );
        assert!(
            top("Strategic Leadership Group") < top("Positive Participation Partnership"),
            "information flows up to it"
        );
        for label in ["reports to", "informs", "works two-way with"] {
            assert!(svg.contains(label), "the figure says {label}");
        }
        assert_eq!(
            svg.matches(">informs<").count(),
            2,
            "two relations between one pair are two arrows"
        );
    }

    #[test]
    fn long_names_wrap_on_words() {
        assert_eq!(
            wrap("Gloucestershire Children and Young People's Strategic Partnership"),
            vec![
                "Gloucestershire",
                "Children and Young",
                "People's Strategic",
                "Partnership"
            ]
        );
    }

    #[test]
    fn no_bodies_no_diagram() {
        assert_eq!(render("x", &[], &[]), "");
    }
}
