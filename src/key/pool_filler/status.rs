//! What a filler reports and how it retries: [`FillerStatus`], the [`FillerEvent`]s its hook
//! hears, and the [`RetryPolicy`].

use alloc::boxed::Box;
use std::time::Duration;

use crate::key::pool::FillError;
use crate::policy::names::WrappingKeySpec;

/// What the filler reports to the hook given to [`PoolFillerBuilder::on_event`]. The hook runs on
/// the filler thread, without any lock held, just after the change it reports became visible to
/// [`PoolFiller::status`] and [`PoolFiller::len`]; it should return quickly (the next keygen waits
/// for it). A hook that panics is ignored.
///
/// [`PoolFiller::len`]: crate::key::pool_filler::PoolFiller::len
/// [`PoolFiller::status`]: crate::key::pool_filler::PoolFiller::status
/// [`PoolFillerBuilder::on_event`]: crate::key::pool_filler::PoolFillerBuilder::on_event
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FillerEvent {
    /// A key was generated and added to the pool.
    Added {
        /// Its spec.
        spec: WrappingKeySpec,
        /// How long its generation took.
        keygen_time: Duration,
    },
    /// An attempt failed; the filler tries again after `retry_in`.
    Failed {
        /// The spec it was generating.
        spec: WrappingKeySpec,
        /// What went wrong.
        error: FillError,
        /// Failures in a row, this one included.
        consecutive_failures: u32,
        /// The back-off before the next attempt.
        retry_in: Duration,
    },
    /// A key was generated after `after_failures` failures in a row (counted across a
    /// [`PoolFiller::restart`]); the filler is healthy again.
    ///
    /// [`PoolFiller::restart`]: crate::key::pool_filler::PoolFiller::restart
    Recovered {
        /// The spec it generated.
        spec: WrappingKeySpec,
        /// The failures in a row before it.
        after_failures: u32,
    },
    /// The filler stopped (a health test failed, or too many failures in a row): it generates
    /// nothing until [`PoolFiller::restart`].
    ///
    /// [`PoolFiller::restart`]: crate::key::pool_filler::PoolFiller::restart
    Stopped {
        /// The spec it was generating.
        spec: WrappingKeySpec,
        /// The failure that stopped it.
        error: FillError,
    },
}

/// What [`PoolFiller::status`] reports.
///
/// [`PoolFiller::status`]: crate::key::pool_filler::PoolFiller::status
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum FillerStatus {
    /// The last attempt succeeded (or none has failed yet).
    Healthy,
    /// The last attempt failed; the filler retries after a back-off.
    Degraded {
        /// The last failure.
        last_error: FillError,
        /// Failures in a row.
        consecutive_failures: u32,
    },
    /// The filler has stopped generating keys (a health test failed, too many failures in a row,
    /// or the thread itself panicked). The keys already in the pool can still be taken.
    Stopped {
        /// The failure that stopped it.
        last_error: FillError,
    },
}

/// How the filler retries after a failure that is not a health test failure: the n-th failure in
/// a row waits `initial_backoff · 2^(n−1)`, at most `max_backoff`, and the
/// `max_consecutive_failures`-th stops the filler.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait after the first failure (default 10 ms).
    pub initial_backoff: Duration,
    /// The longest wait (default 1 s).
    pub max_backoff: Duration,
    /// Failures in a row that stop the filler (default 10; 0 counts as 1).
    pub max_consecutive_failures: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_secs(1),
            max_consecutive_failures: 10,
        }
    }
}

impl RetryPolicy {
    /// The wait after the `failures`-th failure in a row (`failures ≥ 1`).
    pub fn backoff(&self, failures: u32) -> Duration {
        let factor = 1u32
            .checked_shl(failures.saturating_sub(1))
            .unwrap_or(u32::MAX);
        self.initial_backoff
            .saturating_mul(factor)
            .min(self.max_backoff)
    }
}

pub(super) type EventHook = Box<dyn Fn(&FillerEvent) + Send + Sync>;
