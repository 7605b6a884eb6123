//! Progress of the long stages, told as they go, so that the library
//! never draws on a terminal itself: the binary shows a bar, tests and
//! `check` show nothing. A leaf.

/// What a long stage tells as it goes.
pub trait Progress: Send + Sync {
    /// A stage begins that will `tick` `total` times.
    fn stage(&self, name: &'static str, total: u64);
    fn tick(&self);
    fn finish(&self);
}

/// Progress that shows nothing.
pub struct NoProgress;

impl Progress for NoProgress {
    fn stage(&self, _: &'static str, _: u64) {}
    fn tick(&self) {}
    fn finish(&self) {}
}
