//! parlor: a static site generator for blogs that start discussions.
//!
//! The build is a pipeline; each stage owns its types and hands a new value
//! to the next: config -> load -> parse -> model -> render -> output.
//! See ARCHITECTURE.md.

pub mod config;
pub mod diag;
pub mod load;
pub mod parse;
