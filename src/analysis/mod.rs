//! Pure text analysis: values in, values out, deterministic. Imports nothing
//! from `db` or `web`.

pub mod kind;
