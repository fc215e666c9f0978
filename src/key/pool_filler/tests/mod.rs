//! Unit tests of the filler, by concern; the helpers they share are here.

mod failures;
mod health;
mod refill;
mod shutdown;

use super::schedule::next_spec;
use super::shared::{SPEC_COUNT, State};
use super::*;
use crate::key::pool::{FillError, HealthTestFailure};
use alloc::collections::{BTreeMap, BTreeSet};
use core::sync::atomic::AtomicBool;
use rand::SeedableRng;
use rand_core::{TryCryptoRng, TryRng};
use std::sync::Mutex;

const SM2: WrappingKeySpec = WrappingKeySpec::Sm2;

use crate::key::pool::test_rngs::Replay;
use alloc::sync::Arc as StdArc;
use alloc::vec::Vec;
use core::sync::atomic::AtomicUsize;
use std::sync::mpsc;

const RSA_2048: WrappingKeySpec = WrappingKeySpec::Rsa2048;

fn chacha(seed: u64) -> rand::rngs::ChaCha20Rng {
    rand::rngs::ChaCha20Rng::seed_from_u64(seed)
}

/// Polls `done` every 2 ms until it holds or `timeout` passes.
fn wait_for(timeout: Duration, mut done: impl FnMut() -> bool) -> bool {
    let deadline = Instant::now() + timeout;
    while !done() {
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(2));
    }
    true
}

/// A hook that records every event, and the record.
fn recorder() -> (
    impl Fn(&FillerEvent) + Send + Sync + 'static,
    StdArc<Mutex<Vec<FillerEvent>>>,
) {
    let events = StdArc::new(Mutex::new(Vec::new()));
    let sink = StdArc::clone(&events);
    let hook = move |e: &FillerEvent| sink.lock().unwrap().push(e.clone());
    (hook, events)
}

/// The events without the keygen times, which vary.
fn kinds(events: &Mutex<Vec<FillerEvent>>) -> Vec<FillerEvent> {
    let zero = Duration::ZERO;
    let events = events.lock().unwrap();
    events
        .iter()
        .map(|e| match e {
            FillerEvent::Added { spec, .. } => FillerEvent::Added {
                spec: *spec,
                keygen_time: zero,
            },
            other => other.clone(),
        })
        .collect()
}

fn added(spec: WrappingKeySpec) -> FillerEvent {
    FillerEvent::Added {
        spec,
        keygen_time: Duration::ZERO,
    }
}

fn drain(filler: &PoolFiller, spec: WrappingKeySpec) -> Vec<WrappingPrivateKey> {
    core::iter::from_fn(|| filler.take(spec)).collect()
}

fn fast_retry(max_consecutive_failures: u32) -> RetryPolicy {
    RetryPolicy {
        initial_backoff: Duration::from_millis(1),
        max_backoff: Duration::from_millis(4),
        max_consecutive_failures,
    }
}
