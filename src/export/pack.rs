//! The committee pack as a Word document (`docx-rs`) or a printable page:
//! a covering report, Appendix A the consultation document with its
//! structure diagram, Appendix B the respondent–issue–response table (a
//! real Word table on landscape A4 pages, its header row repeated on each
//! page), Appendix C the changes to the structure with the revised diagram.

use crate::domain::text::paragraphs;
use docx_rs::{
    BreakType, Docx, PageMargin, PageOrientationType, PageSize, Paragraph, Pic, Run,
    SectionProperty, Style, StyleType, Table, TableCell, TableRow, WidthType,
};

/// A diagram drawn as PNG, with its size in pixels.
#[derive(Debug, Clone)]
pub struct Picture {
    pub png: Vec<u8>,
    pub width: u32,
    pub height: u32,
}

impl Picture {
    /// `svg` drawn at twice its size (sharp in print); none when empty.
    pub fn of_svg(svg: &str) -> Option<Picture> {
        super::png::render(svg, 2.0).map(|(png, width, height)| Picture { png, width, height })
    }
}

/// A body as the pack describes it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PackBody {
    pub name: String,
    pub status: String,
    pub role: String,
    pub membership: String,
    pub meets: String,
    /// In the revised structure: "Added", "Changed" or "Removed".
    pub mark: Option<String>,
}

/// A change to the structure, and why.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PackChange {
    pub action: String,
    pub subject: String,
    pub summary: String,
    /// "row 17 (Cheltenham Community Safety Partnership); row 21 …" or
    /// "Officers' decision".
    pub because: String,
}

/// Everything the pack says, as plain data.
#[derive(Debug, Clone, serde::Serialize)]
pub struct PackDocument {
    pub title: String,
    pub run_by: String,
    pub group_name: String,
    pub committee: String,
    /// "20 October 2011", when set.
    pub meeting_date: Option<String>,
    pub purpose: String,
    pub next_steps: String,
    /// "The consultation ran from … to …."
    pub dates: String,
    /// "9 responses from 8 consultees raised 24 issues, …"
    pub reach: String,
    pub description: String,
    /// (heading, content) of each section.
    pub sections: Vec<(String, String)>,
    pub questions: Vec<String>,
    pub bodies: Vec<PackBody>,
    #[serde(skip)]
    pub consulted_diagram: Option<Picture>,
    /// The table's three columns: headings, then rows.
    pub headings: [String; 3],
    pub rows: Vec<[String; 3]>,
    pub changes: Vec<PackChange>,
    /// The revised structure's version number (none: not drawn up).
    pub revised: Option<i32>,
    pub revised_bodies: Vec<PackBody>,
    #[serde(skip)]
    pub revised_diagram: Option<Picture>,
    /// The diagrams as SVG, for the printable page.
    pub consulted_svg: String,
    pub revised_svg: String,
}

/// A4 in twentieths of a point.
const A4: (u32, u32) = (11_906, 16_838);
/// 2 cm margins.
const MARGIN: i32 = 1_134;
/// The table's columns on landscape A4 (issue, who raised, response).
const COLUMNS: [usize; 3] = [5_700, 2_870, 6_000];
/// EMUs per twentieth of a point.
const EMU_PER_TWIP: u32 = 635;

fn margins() -> PageMargin {
    PageMargin::new()
        .top(MARGIN)
        .bottom(MARGIN)
        .left(MARGIN)
        .right(MARGIN)
        .header(567)
        .footer(567)
}

fn heading(level: usize, text: &str) -> Paragraph {
    Paragraph::new()
        .style(&format!("Heading{level}"))
        .add_run(Run::new().add_text(text))
}

/// Text with blank lines as paragraphs and single line breaks kept.
fn text(text: &str) -> Vec<Paragraph> {
    paragraphs(text)
        .iter()
        .map(|p| {
            let mut run = Run::new();
            for (i, line) in p.lines().enumerate() {
                if i > 0 {
                    run = run.add_break(BreakType::TextWrapping);
                }
                run = run.add_text(line);
            }
            Paragraph::new().add_run(run)
        })
        .collect()
}

fn labelled(label: &str, value: &str) -> Paragraph {
    Paragraph::new()
        .add_run(Run::new().add_text(format!("{label}: ")).bold())
        .add_run(Run::new().add_text(value))
}

fn page_break() -> Paragraph {
    Paragraph::new().add_run(Run::new().add_break(BreakType::Page))
}

/// A paragraph ending a section of pages laid out as `landscape` or not.
fn section_end(landscape: bool) -> Paragraph {
    let size = if landscape {
        PageSize::new()
            .size(A4.1, A4.0)
            .orient(PageOrientationType::Landscape)
    } else {
        PageSize::new().size(A4.0, A4.1)
    };
    Paragraph::new().section_property(
        SectionProperty::new()
            .page_size(size)
            .page_margin(margins()),
    )
}

/// A picture scaled to fit the portrait text width.
fn picture(p: &Picture, alt: &str) -> Paragraph {
    let width_twips = A4.0 - 2 * MARGIN as u32;
    let max_emu = width_twips * EMU_PER_TWIP;
    // 96 pixels an inch, drawn at twice size: 4,762.5 EMU a pixel.
    let natural = (f64::from(p.width) * 4_762.5) as u32;
    let scale = (f64::from(max_emu) / f64::from(natural.max(1))).min(1.0);
    let w = (f64::from(natural) * scale) as u32;
    let h = (f64::from(p.height) * 4_762.5 * scale) as u32;
    let pic = Pic::new_with_dimensions(p.png.clone(), p.width, p.height).size(w, h);
    Paragraph::new().add_run(Run::new().add_image(pic)).add_run(
        Run::new()
            .add_break(BreakType::TextWrapping)
            .add_text(alt)
            .size(18),
    )
}

fn cell(text: &str, width: usize, bold: bool) -> TableCell {
    let mut cell = TableCell::new().width(width, WidthType::Dxa);
    let paragraphs: Vec<&str> = text.split('\n').collect();
    for p in paragraphs {
        let run = Run::new().add_text(p);
        cell = cell.add_paragraph(Paragraph::new().add_run(if bold { run.bold() } else { run }));
    }
    cell
}

/// Marks the first row of every table as a header repeated on each page.
/// `docx-rs` has no setting for `w:tblHeader`; the header row is the only
/// one written with `w:cantSplit`, so that element is the mark to extend.
const HEADER_MARK: &str = "<w:trPr><w:cantSplit /></w:trPr>";
const HEADER_ROW: &str = "<w:trPr><w:cantSplit /><w:tblHeader /></w:trPr>";

fn table(doc: &PackDocument) -> Table {
    let header = TableRow::new(
        doc.headings
            .iter()
            .zip(COLUMNS)
            .map(|(h, w)| cell(h, w, true))
            .collect(),
    )
    .cant_split();
    let mut rows = vec![header];
    for row in &doc.rows {
        rows.push(TableRow::new(
            row.iter()
                .zip(COLUMNS)
                .map(|(c, w)| cell(c, w, false))
                .collect(),
        ));
    }
    Table::new(rows)
        .set_grid(COLUMNS.to_vec())
        .width(COLUMNS.iter().sum(), WidthType::Dxa)
}

fn bodies(out: Docx, bodies: &[PackBody]) -> Docx {
    let mut out = out;
    for b in bodies {
        let name = match &b.mark {
            Some(mark) => format!("{} ({})", b.name, mark.to_lowercase()),
            None => b.name.clone(),
        };
        out = out
            .add_paragraph(heading(3, &name))
            .add_paragraph(labelled("Status", &b.status))
            .add_paragraph(labelled("Role", &b.role))
            .add_paragraph(labelled("Membership", &b.membership))
            .add_paragraph(labelled("Meets", &b.meets));
    }
    out
}

fn styles(out: Docx) -> Docx {
    out.default_size(22)
        .add_style(
            Style::new("Title", StyleType::Paragraph)
                .name("Title")
                .size(40)
                .bold(),
        )
        .add_style(
            Style::new("Heading1", StyleType::Paragraph)
                .name("Heading 1")
                .size(32)
                .bold()
                .outline_lvl(0),
        )
        .add_style(
            Style::new("Heading2", StyleType::Paragraph)
                .name("Heading 2")
                .size(28)
                .bold()
                .outline_lvl(1),
        )
        .add_style(
            Style::new("Heading3", StyleType::Paragraph)
                .name("Heading 3")
                .size(24)
                .bold()
                .outline_lvl(2),
        )
}

fn covering_report(out: Docx, doc: &PackDocument) -> Docx {
    let mut out = out
        .add_paragraph(
            Paragraph::new()
                .style("Title")
                .add_run(Run::new().add_text(&doc.title)),
        )
        .add_paragraph(labelled("Report to", &doc.committee))
        .add_paragraph(labelled(
            "Meeting date",
            doc.meeting_date.as_deref().unwrap_or("to be set"),
        ))
        .add_paragraph(labelled("Consultation run by", &doc.run_by))
        .add_paragraph(heading(1, "Why this report has come to the committee"));
    for p in text(&doc.purpose) {
        out = out.add_paragraph(p);
    }
    out = out
        .add_paragraph(heading(1, "The consultation"))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&doc.dates)))
        .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&doc.reach)))
        .add_paragraph(heading(1, "Next steps"));
    for p in text(&doc.next_steps) {
        out = out.add_paragraph(p);
    }
    out.add_paragraph(heading(1, "Appendices"))
        .add_paragraph(labelled("Appendix A", "The consultation document"))
        .add_paragraph(labelled(
            "Appendix B",
            "Summary of issues raised and the group's responses",
        ))
        .add_paragraph(labelled("Appendix C", "Changes to the proposed structure"))
}

fn appendix_a(out: Docx, doc: &PackDocument) -> Docx {
    let mut out = out
        .add_paragraph(page_break())
        .add_paragraph(heading(1, "Appendix A: the consultation document"))
        .add_paragraph(heading(2, &doc.title));
    for p in text(&doc.description) {
        out = out.add_paragraph(p);
    }
    for (h, content) in &doc.sections {
        out = out.add_paragraph(heading(2, h));
        for p in text(content) {
            out = out.add_paragraph(p);
        }
    }
    if !doc.questions.is_empty() {
        out = out.add_paragraph(heading(2, "Questions"));
        for (i, q) in doc.questions.iter().enumerate() {
            out = out.add_paragraph(
                Paragraph::new().add_run(Run::new().add_text(format!("{}. {q}", i + 1))),
            );
        }
    }
    if !doc.bodies.is_empty() {
        out = out.add_paragraph(heading(2, "The proposed structure"));
        if let Some(p) = &doc.consulted_diagram {
            out = out.add_paragraph(picture(
                p,
                "Figure: the structure proposed for consultation.",
            ));
        }
        out = bodies(out, &doc.bodies);
    }
    out.add_paragraph(section_end(false))
}

fn appendix_b(out: Docx, doc: &PackDocument) -> Docx {
    out.add_paragraph(heading(
        1,
        "Appendix B: summary of issues raised and the group's responses",
    ))
    .add_table(table(doc))
    .add_paragraph(section_end(true))
}

fn appendix_c(out: Docx, doc: &PackDocument) -> Docx {
    let mut out = out.add_paragraph(heading(1, "Appendix C: changes to the proposed structure"));
    let Some(version) = doc.revised else {
        return out.add_paragraph(
            Paragraph::new()
                .add_run(Run::new().add_text("No revised structure has been drawn up yet.")),
        );
    };
    out = out.add_paragraph(Paragraph::new().add_run(Run::new().add_text(format!(
        "Revised structure, version {version}, set beside the structure consulted on."
    ))));
    if doc.changes.is_empty() {
        out = out.add_paragraph(
            Paragraph::new().add_run(Run::new().add_text("No change has been made.")),
        );
    }
    for c in &doc.changes {
        out = out
            .add_paragraph(heading(3, &format!("{}: {}", c.action, c.subject)))
            .add_paragraph(Paragraph::new().add_run(Run::new().add_text(&c.summary)))
            .add_paragraph(labelled("Because of", &c.because));
    }
    if let Some(p) = &doc.revised_diagram {
        out = out
            .add_paragraph(heading(2, "The revised structure"))
            .add_paragraph(picture(
                p,
                "Figure: the revised structure. Boxes marked NEW, CHANGED or REMOVED show the changes.",
            ));
    }
    bodies(out, &doc.revised_bodies)
}

/// The formats the pack is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackFormat {
    /// A Word document.
    Docx,
    /// A standalone printable page.
    Html,
}

impl PackFormat {
    /// The file name's ending.
    pub fn extension(self) -> &'static str {
        match self {
            PackFormat::Docx => "docx",
            PackFormat::Html => "html",
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            PackFormat::Docx => {
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
            }
            PackFormat::Html => "text/html; charset=utf-8",
        }
    }

    /// The pack in this format.
    pub fn write(self, doc: &PackDocument) -> Result<Vec<u8>, String> {
        match self {
            PackFormat::Docx => write_docx(doc).map_err(|e| e.to_string()),
            PackFormat::Html => write_html(doc)
                .map(String::into_bytes)
                .map_err(|e| e.to_string()),
        }
    }
}

/// The pack as a Word document.
pub fn write_docx(doc: &PackDocument) -> Result<Vec<u8>, std::io::Error> {
    let out = styles(Docx::new())
        .page_size(A4.0, A4.1)
        .page_margin(margins());
    let out = covering_report(out, doc);
    let out = appendix_a(out, doc);
    let out = appendix_b(out, doc);
    let out = appendix_c(out, doc);
    let mut xml = out.build();
    let document = String::from_utf8_lossy(&xml.document).replace(HEADER_MARK, HEADER_ROW);
    xml.document = document.into_bytes();
    let mut bytes = std::io::Cursor::new(Vec::new());
    xml.pack(&mut bytes).map_err(std::io::Error::other)?;
    Ok(bytes.into_inner())
}

/// The pack as a standalone printable page.
pub fn write_html(doc: &PackDocument) -> Result<String, handlebars::RenderError> {
    #[derive(serde::Serialize)]
    struct Page<'a> {
        doc: &'a PackDocument,
        purpose: Vec<String>,
        next_steps: Vec<String>,
        description: Vec<String>,
        sections: Vec<(&'a str, Vec<String>)>,
    }
    let page = Page {
        doc,
        purpose: paragraphs(&doc.purpose),
        next_steps: paragraphs(&doc.next_steps),
        description: paragraphs(&doc.description),
        sections: doc
            .sections
            .iter()
            .map(|(h, content)| (h.as_str(), paragraphs(content)))
            .collect(),
    };
    crate::templates::render("pack_file", &page)
}
