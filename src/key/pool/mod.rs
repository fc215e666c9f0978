//! A pool of pregenerated wrapping keys (`no_std`) and its continuous health tests. The manual is
//! on the public types: [`WrappingKeyPool`] (hand-out, watermarks, refilling), [`HealthTestFailure`]
//! (the repetition count and duplicate key tests, with the derivation of their parameters),
//! [`FreshWrappingKey::generate`], [`FillError`], [`PutError`].

mod fresh_key;
mod health;
#[cfg(test)]
pub(crate) mod test_rngs;
#[cfg(test)]
mod tests;

use alloc::collections::VecDeque;
use core::fmt;

use rand_core::CryptoRng;

use crate::key::wrapping_key::WrappingPrivateKey;
use crate::policy::names::WrappingKeySpec;

pub use fresh_key::{FillError, FreshWrappingKey, HealthTestFailure};
pub(crate) use health::RecentKeys;

/// Why [`WrappingKeyPool::put`] refused a key.
#[derive(Debug)]
pub enum PutError {
    /// Its spec already holds its high watermark. The key is handed back, still fresh.
    Full(FreshWrappingKey),
    /// It failed the duplicate key test ([`HealthTestFailure::DuplicateKey`]); it has been
    /// dropped, and wiped.
    Duplicate(HealthTestFailure),
}

impl fmt::Display for PutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PutError::Full(key) => write!(
                f,
                "the pool already holds its high watermark of {} keys",
                key.spec()
            ),
            PutError::Duplicate(failure) => failure.fmt(f),
        }
    }
}

impl core::error::Error for PutError {}

const SPEC_COUNT: usize = WrappingKeySpec::ALL.len();

/// The slot of `spec` (exhaustive, so a new spec cannot be forgotten).
const fn slot_index(spec: WrappingKeySpec) -> usize {
    match spec {
        WrappingKeySpec::Rsa2048 => 0,
        WrappingKeySpec::Rsa3072 => 1,
        WrappingKeySpec::Rsa4096 => 2,
        WrappingKeySpec::Sm2 => 3,
    }
}

const _: () = assert!(SPEC_COUNT == 4);

#[derive(Default)]
struct Slot {
    keys: VecDeque<WrappingPrivateKey>,
    low: usize,
    high: usize,
}

impl Slot {
    /// Drops (and so wipes) the oldest keys above the high watermark; returns how many.
    fn trim(&mut self) -> usize {
        let surplus = self.keys.len().saturating_sub(self.high);
        self.keys.drain(..surplus);
        surplus
    }
}

/// Pregenerated wrapping keys per [`WrappingKeySpec`] (`no_std`), each handed out once:
/// `GetParametersForImport` takes a ready key in microseconds instead of generating one (an
/// RSA-4096 keygen takes about a second and has a heavy tail).
///
/// # Each key is handed out once
///
/// [`take`](Self::take) moves the key out, and the only way in is [`put`](Self::put) with a
/// [`FreshWrappingKey`], a type that can only be made by generating a new key. A key that was
/// handed out is a plain [`WrappingPrivateKey`], used by value for one import token; it can never
/// become a `FreshWrappingKey` again, so it cannot re-enter any pool.
///
/// That holds for the key *object*. A broken RNG can produce the same key *value* twice; two
/// continuous health tests stop such keys (details and parameters: [`HealthTestFailure`]):
///
/// - the **repetition count test** (NIST SP 800-90B §4.4.1) on the RNG output every key is
///   generated from ([`FreshWrappingKey::generate`]): no key is made from an RNG stuck at a
///   constant;
/// - the **duplicate key test**: `put` refuses (and wipes) a key whose public key equals one of the
///   last [`DUPLICATE_WINDOW`](Self::DUPLICATE_WINDOW) keys this pool accepted. So no key value is
///   handed out twice by one pool within that window. A pool knows nothing of other pools: two
///   pools whose RNGs were seeded alike hold the same keys (the `std` `PoolFiller` adds a
///   process-wide window across fillers).
///
/// # Watermarks
///
/// Per spec the pool keeps between a low and a high watermark (both 0, i.e. nothing kept, until
/// set). Whatever the order of calls, it **never holds more than `high`** keys of a spec: `put`
/// refuses a key above it, and lowering `high` ([`with_watermarks`](Self::with_watermarks),
/// [`set_watermarks`](Self::set_watermarks)) drops the surplus at once.
/// [`needs_refill`](Self::needs_refill) says when the count fell below `low` (or to zero: `low = 0`
/// behaves as `low = 1`, so a spec with `high > 0` is always refilled once empty) and
/// [`deficit`](Self::deficit) how many keys bring it back up to `high`.
///
/// # Refilling
///
/// The caller's job (or the `std` background filler, `PoolFiller`): generate keys with
/// [`FreshWrappingKey::generate`] outside any lock, then `put` them; or call
/// [`fill`](Self::fill), which blocks.
///
/// # Memory
///
/// The keys it holds (at most `high` per spec) plus at most
/// [`DUPLICATE_WINDOW`](Self::DUPLICATE_WINDOW) × 16 bytes of public-key digests (16 KiB, plus the
/// overhead of a `VecDeque` and a `BTreeSet` of them).
pub struct WrappingKeyPool {
    slots: [Slot; SPEC_COUNT],
    recent: RecentKeys,
}

impl Default for WrappingKeyPool {
    fn default() -> Self {
        WrappingKeyPool {
            slots: Default::default(),
            recent: RecentKeys::new(Self::DUPLICATE_WINDOW),
        }
    }
}

impl WrappingKeyPool {
    /// How many of the keys most recently accepted by [`put`](Self::put) the duplicate key test
    /// compares a new key with (all specs together): 1024, i.e. at most 16 KiB of digests.
    pub const DUPLICATE_WINDOW: usize = 1024;

    /// An empty pool that keeps no keys of any spec until watermarks are set.
    pub fn new() -> Self {
        Self::default()
    }

    /// [`set_watermarks`](Self::set_watermarks), builder style.
    pub fn with_watermarks(mut self, spec: WrappingKeySpec, low: usize, high: usize) -> Self {
        self.set_watermarks(spec, low, high);
        self
    }

    /// Keeps between `low` and `high` keys of `spec` (`low` is lowered to `high` if above it;
    /// `low = 0` behaves as `low = 1`). The pool never holds more than `high` keys of a spec, so
    /// its memory is bounded: keys above a lowered `high` are dropped at once (the oldest first),
    /// and wiped. Returns how many were dropped.
    pub fn set_watermarks(&mut self, spec: WrappingKeySpec, low: usize, high: usize) -> usize {
        let slot = self.slot_mut(spec);
        slot.high = high;
        slot.low = low.min(high);
        slot.trim()
    }

    /// The `(low, high)` watermarks of `spec`, as set (`low` already capped at `high`).
    pub fn watermarks(&self, spec: WrappingKeySpec) -> (usize, usize) {
        let slot = self.slot(spec);
        (slot.low, slot.high)
    }

    /// Hands out a pregenerated key of `spec` (the oldest), or `None` when there is none (generate
    /// one directly then). The key leaves the pool for good.
    pub fn take(&mut self, spec: WrappingKeySpec) -> Option<WrappingPrivateKey> {
        self.slot_mut(spec).keys.pop_front()
    }

    /// Adds a freshly generated key.
    ///
    /// # Errors
    ///
    /// - [`PutError::Full`] (the key is handed back) when its spec already holds its high
    ///   watermark.
    /// - [`PutError::Duplicate`] (the key is dropped and wiped) when its public key equals one of
    ///   the last [`DUPLICATE_WINDOW`](Self::DUPLICATE_WINDOW) keys this pool accepted.
    pub fn put(&mut self, key: FreshWrappingKey) -> Result<(), PutError> {
        let spec = key.spec();
        let slot = self.slot(spec);
        if slot.keys.len() >= slot.high {
            return Err(PutError::Full(key));
        }
        if !self.recent.insert(key.digest) {
            return Err(PutError::Duplicate(HealthTestFailure::DuplicateKey {
                spec,
            }));
        }
        self.slot_mut(spec).keys.push_back(key.key);
        Ok(())
    }

    /// How many keys of `spec` are ready.
    pub fn len(&self, spec: WrappingKeySpec) -> usize {
        self.slot(spec).keys.len()
    }

    /// `true` when no key of `spec` is ready.
    pub fn is_empty(&self, spec: WrappingKeySpec) -> bool {
        self.len(spec) == 0
    }

    /// `true` when the count of `spec` fell below its low watermark, or to zero with a high
    /// watermark above zero: time to refill.
    pub fn needs_refill(&self, spec: WrappingKeySpec) -> bool {
        let slot = self.slot(spec);
        slot.high > 0 && slot.keys.len() < slot.low.max(1)
    }

    /// How many keys of `spec` bring the pool up to its high watermark.
    pub fn deficit(&self, spec: WrappingKeySpec) -> usize {
        let slot = self.slot(spec);
        slot.high.saturating_sub(slot.keys.len())
    }

    /// The specs that [`need a refill`](Self::needs_refill), in the order of
    /// [`WrappingKeySpec::ALL`].
    pub fn specs_needing_refill(&self) -> impl Iterator<Item = WrappingKeySpec> + '_ {
        WrappingKeySpec::ALL
            .iter()
            .copied()
            .filter(|&s| self.needs_refill(s))
    }

    /// Generates keys of `spec` until its high watermark is reached (blocking; a `no_std` caller
    /// runs this when it has time). Returns how many keys were added.
    ///
    /// # Errors
    ///
    /// The first failure ([`FreshWrappingKey::generate`]'s errors, or
    /// [`HealthTestFailure::DuplicateKey`]) ends the fill; the keys added before it stay.
    pub fn fill<R: CryptoRng + ?Sized>(
        &mut self,
        spec: WrappingKeySpec,
        rng: &mut R,
    ) -> Result<usize, FillError> {
        let mut added = 0;
        while self.deficit(spec) > 0 {
            match self.put(FreshWrappingKey::generate(spec, rng)?) {
                Ok(()) => added += 1,
                Err(PutError::Duplicate(failure)) => return Err(FillError::Health(failure)),
                // Not reached (the deficit is positive); stop rather than spin.
                Err(PutError::Full(_)) => break,
            }
        }
        Ok(added)
    }

    fn slot(&self, spec: WrappingKeySpec) -> &Slot {
        &self.slots[slot_index(spec)]
    }

    fn slot_mut(&mut self, spec: WrappingKeySpec) -> &mut Slot {
        &mut self.slots[slot_index(spec)]
    }
}

impl fmt::Debug for WrappingKeyPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("WrappingKeyPool");
        for &spec in WrappingKeySpec::ALL {
            let slot = self.slot(spec);
            d.field(spec.as_str(), &(slot.keys.len(), slot.low, slot.high));
        }
        d.field("recent_keys", &self.recent.len());
        d.finish()
    }
}
