//! A pool of pregenerated wrapping keys (`no_std`): `GetParametersForImport` takes a ready key in
//! microseconds instead of generating one (an RSA-4096 keygen takes about a second and has a heavy
//! tail).
//!
//! Each key is handed out at most once, by construction: [`WrappingKeyPool::take`] moves the key
//! out, and the only way in is [`WrappingKeyPool::put`] with a [`FreshWrappingKey`], a type that
//! can only be made by generating a new key. A key that was handed out is a plain
//! [`WrappingPrivateKey`] and can never become a `FreshWrappingKey` again, so it cannot re-enter
//! any pool.
//!
//! Refilling is the caller's job (or the `std` background filler, `PoolFiller`): per spec, the
//! pool keeps between a low and a high watermark; [`WrappingKeyPool::needs_refill`] says when the
//! count fell below the low one and [`WrappingKeyPool::deficit`] how many keys bring it back to the
//! high one. Generate keys outside any lock, then `put` them.

use alloc::collections::VecDeque;

use rand_core::CryptoRng;

use crate::error::Error;
use crate::key::wrapping_key::WrappingPrivateKey;
use crate::policy::names::WrappingKeySpec;

/// A wrapping key that has just been generated and never handed out.
#[derive(Debug)]
pub struct FreshWrappingKey(WrappingPrivateKey);

impl FreshWrappingKey {
    /// Generates a new key pair (see [`WrappingPrivateKey::generate`]).
    pub fn generate<R: CryptoRng + ?Sized>(
        spec: WrappingKeySpec,
        rng: &mut R,
    ) -> Result<Self, Error> {
        WrappingPrivateKey::generate(spec, rng).map(FreshWrappingKey)
    }

    /// The wrapping key spec of this key.
    pub fn spec(&self) -> WrappingKeySpec {
        self.0.spec()
    }
}

const SPECS: [WrappingKeySpec; 4] = [
    WrappingKeySpec::Rsa2048,
    WrappingKeySpec::Rsa3072,
    WrappingKeySpec::Rsa4096,
    WrappingKeySpec::Sm2,
];

fn slot_index(spec: WrappingKeySpec) -> usize {
    match spec {
        WrappingKeySpec::Rsa2048 => 0,
        WrappingKeySpec::Rsa3072 => 1,
        WrappingKeySpec::Rsa4096 => 2,
        WrappingKeySpec::Sm2 => 3,
    }
}

#[derive(Default)]
struct Slot {
    keys: VecDeque<WrappingPrivateKey>,
    low: usize,
    high: usize,
}

/// Pregenerated wrapping keys per [`WrappingKeySpec`], each handed out once.
#[derive(Default)]
pub struct WrappingKeyPool {
    slots: [Slot; 4],
}

impl WrappingKeyPool {
    /// An empty pool that keeps no keys of any spec until watermarks are set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps between `low` and `high` keys of `spec` (`low` is raised to `high` if above it).
    /// The pool never holds more than `high` keys of a spec, so its memory is bounded.
    pub fn with_watermarks(mut self, spec: WrappingKeySpec, low: usize, high: usize) -> Self {
        let slot = &mut self.slots[slot_index(spec)];
        slot.high = high;
        slot.low = low.min(high);
        self
    }

    /// Hands out a pregenerated key of `spec`, or `None` when there is none (generate one
    /// directly then). The key leaves the pool for good.
    pub fn take(&mut self, spec: WrappingKeySpec) -> Option<WrappingPrivateKey> {
        self.slots[slot_index(spec)].keys.pop_front()
    }

    /// Adds a freshly generated key. Refused (and handed back) when its spec already holds its
    /// high watermark.
    pub fn put(&mut self, key: FreshWrappingKey) -> Result<(), FreshWrappingKey> {
        let slot = &mut self.slots[slot_index(key.spec())];
        if slot.keys.len() >= slot.high {
            return Err(key);
        }
        slot.keys.push_back(key.0);
        Ok(())
    }

    /// How many keys of `spec` are ready.
    pub fn len(&self, spec: WrappingKeySpec) -> usize {
        self.slots[slot_index(spec)].keys.len()
    }

    /// `true` when no key of `spec` is ready.
    pub fn is_empty(&self, spec: WrappingKeySpec) -> bool {
        self.len(spec) == 0
    }

    /// `true` when the count of `spec` fell below its low watermark: time to refill.
    pub fn needs_refill(&self, spec: WrappingKeySpec) -> bool {
        let slot = &self.slots[slot_index(spec)];
        slot.keys.len() < slot.low
    }

    /// How many keys of `spec` bring the pool up to its high watermark.
    pub fn deficit(&self, spec: WrappingKeySpec) -> usize {
        let slot = &self.slots[slot_index(spec)];
        slot.high.saturating_sub(slot.keys.len())
    }

    /// The specs whose count is below the low watermark, in a fixed order.
    pub fn specs_needing_refill(&self) -> impl Iterator<Item = WrappingKeySpec> + '_ {
        SPECS.into_iter().filter(|&s| self.needs_refill(s))
    }

    /// Generates keys of `spec` until its high watermark is reached (blocking; a `no_std` caller
    /// runs this when it has time). Returns how many keys were added.
    pub fn fill<R: CryptoRng + ?Sized>(
        &mut self,
        spec: WrappingKeySpec,
        rng: &mut R,
    ) -> Result<usize, Error> {
        let mut added = 0;
        while self.deficit(spec) > 0 {
            let _ = self.put(FreshWrappingKey::generate(spec, rng)?);
            added += 1;
        }
        Ok(added)
    }
}

impl core::fmt::Debug for WrappingKeyPool {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let mut d = f.debug_struct("WrappingKeyPool");
        for spec in SPECS {
            let slot = &self.slots[slot_index(spec)];
            d.field(spec.as_str(), &(slot.keys.len(), slot.low, slot.high));
        }
        d.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::collections::BTreeSet;
    use alloc::vec::Vec;
    use rand::SeedableRng;

    const SM2: WrappingKeySpec = WrappingKeySpec::Sm2;

    #[test]
    fn each_key_is_handed_out_once() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(3);
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 5);
        assert!(pool.needs_refill(SM2));
        assert_eq!(pool.deficit(SM2), 5);
        assert_eq!(pool.fill(SM2, &mut rng).unwrap(), 5);
        assert!(!pool.needs_refill(SM2));
        assert_eq!(pool.deficit(SM2), 0);
        let mut seen = BTreeSet::new();
        let mut taken = Vec::new();
        while let Some(key) = pool.take(SM2) {
            assert_eq!(key.spec(), SM2);
            assert!(
                seen.insert(key.public_key().to_der()),
                "a key was handed out twice"
            );
            taken.push(key);
        }
        assert_eq!(taken.len(), 5);
        assert!(pool.take(SM2).is_none());
        assert!(pool.take(WrappingKeySpec::Rsa4096).is_none());
    }

    #[test]
    fn watermarks_signal_refill_and_bound_the_pool() {
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(4);
        let mut pool = WrappingKeyPool::new().with_watermarks(SM2, 2, 3);
        pool.fill(SM2, &mut rng).unwrap();
        // Full: one more is refused and handed back.
        let extra = FreshWrappingKey::generate(SM2, &mut rng).unwrap();
        assert!(pool.put(extra).is_err());
        assert_eq!(pool.len(SM2), 3);
        pool.take(SM2).unwrap(); // 2 left: at the low watermark, no refill yet
        assert!(!pool.needs_refill(SM2));
        assert_eq!(pool.deficit(SM2), 1);
        pool.take(SM2).unwrap(); // 1 left: below it
        assert!(pool.needs_refill(SM2));
        assert_eq!(pool.specs_needing_refill().collect::<Vec<_>>(), [SM2]);
        assert_eq!(pool.deficit(SM2), 2);
        // A spec without watermarks keeps nothing.
        let rsa = WrappingKeySpec::Rsa2048;
        assert!(!pool.needs_refill(rsa));
        assert_eq!(pool.deficit(rsa), 0);
    }
}
