//! The narrow trait through which long operations report progress to a front end
//! (a progress bar on a terminal, an event to the UI). The core never prints.

/// Receives progress of a long operation, in bytes.
pub trait Progress {
    /// The work starts; `total` is its size in bytes when known.
    fn begin(&mut self, _total: Option<u64>) {}
    /// `bytes` more are done.
    fn advance(&mut self, _bytes: u64) {}
    /// The work is over (successfully or not).
    fn end(&mut self) {}
}

/// Ignores progress.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Progress for Silent {}
