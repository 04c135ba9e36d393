//! Shared by the benchmarks (each uses a part, hence the allowance).
#![allow(dead_code)]

pub mod http;

/// The process's peak resident memory so far (VmHWM), in MiB; 0 where
/// `/proc` is missing.
pub fn peak_rss_mib() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse::<f64>().ok())
        })
        .map_or(0.0, |kib| kib / 1024.0)
}

/// Real short texts to recombine, and where they came from: the NHS
/// feedback answers in `../shared/data/` when that folder is present, the
/// Cheltenham fixture's points otherwise (so a fresh clone can run it).
pub fn real_texts() -> (Vec<String>, &'static str) {
    let shared = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/data/nhs_fft_phase1.csv"
    );
    if let Ok(mut reader) = csv::Reader::from_path(shared) {
        let column = reader
            .headers()
            .ok()
            .and_then(|h| h.iter().position(|c| c == "text"))
            .unwrap_or(1);
        let texts: Vec<String> = reader
            .records()
            .filter_map(Result::ok)
            .filter_map(|r| r.get(column).map(str::to_owned))
            .filter(|t| !t.trim().is_empty())
            .collect();
        if !texts.is_empty() {
            return (texts, "NHS feedback answers (../shared/data)");
        }
    }
    let fixture = sounding::service::fixtures::parse("cheltenham-2011").expect("fixture");
    let texts = fixture
        .responses
        .iter()
        .flat_map(|r| r.issues.iter())
        .map(|i| i.text.clone())
        .collect();
    (texts, "Cheltenham fixture issues")
}

/// A benchmark's fresh database: a SQLite file in a temporary folder, or,
/// given `--postgres ADMIN_URL`, a PostgreSQL database of its own.
pub struct BenchDatabase {
    /// Where the benchmark connects.
    pub url: String,
    /// Set on PostgreSQL; dropped (and the database with it) last.
    pub postgres: Option<ScratchDatabase>,
    _folder: tempfile::TempDir,
}

impl BenchDatabase {
    /// A new database named after `name`.
    pub fn fresh(postgres_admin: Option<&str>, name: &str) -> anyhow::Result<Self> {
        let folder = tempfile::tempdir()?;
        let postgres = postgres_admin
            .map(|admin| ScratchDatabase::create(admin, &format!("sounding_{name}")))
            .transpose()?;
        let url = match &postgres {
            Some(scratch) => scratch.url.clone(),
            None => folder
                .path()
                .join(format!("{name}.db"))
                .display()
                .to_string(),
        };
        Ok(Self {
            url,
            postgres,
            _folder: folder,
        })
    }
}

/// A PostgreSQL database made for one benchmark run and dropped after it,
/// so a run never writes into the database it was pointed at.
pub struct ScratchDatabase {
    admin: String,
    name: String,
    /// Where the benchmark connects.
    pub url: String,
}

impl ScratchDatabase {
    /// Creates `<prefix>_<pid>` through the `admin` URL; the new URL keeps
    /// any options after the database name (`?host=…`, `?sslmode=…`).
    pub fn create(admin: &str, prefix: &str) -> anyhow::Result<Self> {
        use diesel::{Connection, RunQueryDsl};
        let name = format!("{prefix}_{}", std::process::id());
        let mut conn = diesel::PgConnection::establish(admin)?;
        diesel::sql_query(format!("CREATE DATABASE {name}")).execute(&mut conn)?;
        let (path, options) = admin.split_once('?').unwrap_or((admin, ""));
        let base = path.rsplit_once('/').map_or(path, |(b, _)| b);
        let options = if options.is_empty() {
            String::new()
        } else {
            format!("?{options}")
        };
        Ok(Self {
            admin: admin.to_string(),
            url: format!("{base}/{name}{options}"),
            name,
        })
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        use diesel::{Connection, RunQueryDsl};
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.admin) {
            let _ = diesel::sql_query(format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ))
            .execute(&mut conn);
        }
    }
}
