//! `sounding export summary`: the committee table as CSV, Excel or a
//! printable page, through the same service use case as the web's
//! downloads.

use anyhow::Context;
use clap::Subcommand;

use super::{CLI, Target};
use crate::service::database;
use crate::service::summary::{self, Format, Options};

/// `sounding export …`
#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The respondent–issue–response table (staff view: every response).
    Summary {
        /// The consultation's URL name, e.g. cheltenham-2011.
        #[arg(long)]
        consultation: String,
        /// csv (UTF-8 with BOM, CRLF), xlsx (Excel) or html (a printable A4 page).
        #[arg(long, default_value = "csv", value_parser = ["csv", "xlsx", "html"])]
        format: String,
        /// received, theme, section, body or consultee.
        #[arg(long, default_value = "received")]
        order: String,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
        /// Add consultees' contact details (CSV only); recorded in the audit log.
        #[arg(long)]
        with_contacts: bool,
    },
    /// The committee pack: a covering report, Appendix A the consultation
    /// document, Appendix B the table, Appendix C the changes to the structure.
    Pack {
        /// The consultation's URL name, e.g. cheltenham-2011.
        #[arg(long)]
        consultation: String,
        /// docx (a Word document) or html (a printable page).
        #[arg(long, default_value = "docx", value_parser = ["docx", "html"])]
        format: String,
        /// Write here instead of standard output.
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

pub(super) fn run(target: &Target, command: ExportCommand) -> anyhow::Result<()> {
    let (consultation, format, order, output, with_contacts) = match command {
        ExportCommand::Summary {
            consultation,
            format,
            order,
            output,
            with_contacts,
        } => (consultation, format, order, output, with_contacts),
        ExportCommand::Pack {
            consultation,
            format,
            output,
        } => return pack(target, &consultation, &format, output.as_deref()),
    };
    let options = Options {
        ordering: order.parse()?,
        ..Options::default()
    };
    let format = match format.as_str() {
        "xlsx" => Format::Xlsx,
        "html" => Format::Html,
        _ => Format::Csv,
    };
    if with_contacts && format != Format::Csv {
        anyhow::bail!("contact details are exported as CSV only: add --format csv");
    }
    let mut conn = database::open(&target.url)?;
    let out: Box<dyn std::io::Write> = match &output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("cannot write {}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    if with_contacts {
        summary::export_with_contacts(&mut conn, &CLI, &consultation, out)?;
    } else {
        summary::export(
            &mut conn,
            Some(&CLI),
            &consultation,
            (&options, format),
            out,
        )?;
    }
    Ok(())
}

fn pack(
    target: &Target,
    consultation: &str,
    format: &str,
    output: Option<&std::path::Path>,
) -> anyhow::Result<()> {
    let mut conn = database::open(&target.url)?;
    let pack = crate::service::outcome::pack::pack(&mut conn, &CLI, consultation)?;
    let format = match format {
        "html" => crate::export::pack::PackFormat::Html,
        _ => crate::export::pack::PackFormat::Docx,
    };
    let bytes = format.write(&pack.document).map_err(anyhow::Error::msg)?;
    match output {
        Some(path) => std::fs::write(path, bytes)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => std::io::Write::write_all(&mut std::io::stdout(), &bytes)?,
    }
    Ok(())
}
