//! What a filler's handle and its thread share: the pool, the refill's bookkeeping, the status and
//! the shutdown flags, under one lock, with the condition variables that signal changes to them.

use core::sync::atomic::AtomicBool;
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::key::pool::WrappingKeyPool;
use crate::key::pool_filler::status::FillerStatus;
use crate::policy::names::WrappingKeySpec;

pub(super) const SPEC_COUNT: usize = WrappingKeySpec::ALL.len();

pub(super) struct State {
    pub(super) pool: WrappingKeyPool,
    /// Specs being brought back up to their high watermark (hysteresis between the watermarks),
    /// in the order of `WrappingKeySpec::ALL`.
    pub(super) refilling: [bool; SPEC_COUNT],
    /// The fair-share clock: generation time charged to each spec (see `next_spec`).
    pub(super) served: [Duration; SPEC_COUNT],
    /// Where ties between equally served specs are broken (round robin).
    pub(super) next: usize,
    pub(super) status: FillerStatus,
    /// Failures in a row, for the retry policy (a restart resets it).
    pub(super) consecutive_failures: u32,
    /// Failures since the last key (for `FillerEvent::Recovered`; a restart keeps it).
    pub(super) failures_since_success: u32,
    /// Set by drop / `stop`: the thread must exit.
    pub(super) shutdown: bool,
    /// Set by the thread as its last act, after dropping its RNG.
    pub(super) exited: bool,
}

pub(super) struct Shared {
    pub(super) state: Mutex<State>,
    /// Wakes the filler thread (a key was taken, watermarks changed, restart, shutdown).
    pub(super) wake: Condvar,
    /// Wakes waiters (a key was added, the status changed, watermarks changed, the thread exited).
    pub(super) changed: Condvar,
    /// Set on shutdown, read by the thread's RNG wrapper on every call: abandons a keygen.
    pub(super) abort: AtomicBool,
}

impl Shared {
    pub(super) fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(super) fn wait<'a>(condvar: &Condvar, guard: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
    condvar.wait(guard).unwrap_or_else(|e| e.into_inner())
}

/// Waits on `condvar` until `deadline` (`None`: no deadline); `None` once the deadline passed.
pub(super) fn wait_until<'a>(
    condvar: &Condvar,
    guard: MutexGuard<'a, State>,
    deadline: Option<Instant>,
) -> Option<MutexGuard<'a, State>> {
    let Some(deadline) = deadline else {
        return Some(wait(condvar, guard));
    };
    let left = deadline.checked_duration_since(Instant::now())?;
    if left.is_zero() {
        return None;
    }
    Some(match condvar.wait_timeout(guard, left) {
        Ok((g, _)) => g,
        Err(e) => e.into_inner().0,
    })
}
