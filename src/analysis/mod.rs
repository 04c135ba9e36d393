//! Pure text analysis: values in, values out, deterministic. Imports nothing
//! from `db` or `web`.

pub mod agglomerative;
pub mod cluster;
pub mod kind;
pub mod kmeans;
pub mod label;
pub mod linalg;
pub mod lsa;
pub mod metrics;
pub mod rng;
pub mod stopwords;
pub mod tokenize;
pub mod vector;
