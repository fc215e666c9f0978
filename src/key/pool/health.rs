//! The pool's continuous health tests (`no_std`): the repetition count test on the RNG output key
//! generation draws ([`RctRng`]) and the window of recent public-key digests for the duplicate key
//! test ([`RecentKeys`]). The parameters and their derivation are documented on the public
//! `HealthTestFailure`.

use alloc::collections::{BTreeSet, VecDeque};
use core::convert::Infallible;

use rand_core::{CryptoRng, TryCryptoRng, TryRng};
use sha2::{Digest, Sha256};
use subtle::{ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroize;

use crate::key::wrapping_key::WrappingPrivateKey;

/// Bytes per repetition-count-test sample (64-bit samples).
pub(crate) const RCT_SAMPLE_BYTES: usize = 8;

/// The repetition count test's cutoff C for 64-bit samples, H = 64 bits, α = 2⁻²⁰ (see the module
/// documentation): `C` identical samples in a row fail the test.
pub(crate) const RCT_CUTOFF: u32 = 2;

/// The caller's RNG, passed through to key generation with the repetition count test on every
/// byte. Lives for one key generation; its copies of the last sample are wiped on drop.
pub(crate) struct RctRng<'a, R: ?Sized> {
    inner: &'a mut R,
    /// The last complete sample, valid once `have_previous`.
    previous: [u8; RCT_SAMPLE_BYTES],
    have_previous: bool,
    /// The sample being assembled, `filled` bytes so far.
    current: [u8; RCT_SAMPLE_BYTES],
    filled: usize,
    /// B in SP 800-90B §4.4.1: how many identical samples in a row, the current one included.
    run: u32,
    failed: bool,
}

impl<'a, R: CryptoRng + ?Sized> RctRng<'a, R> {
    pub(crate) fn new(inner: &'a mut R) -> Self {
        RctRng {
            inner,
            previous: [0; RCT_SAMPLE_BYTES],
            have_previous: false,
            current: [0; RCT_SAMPLE_BYTES],
            filled: 0,
            run: 0,
            failed: false,
        }
    }

    /// `true` once the repetition count test has failed: nothing generated from this RNG may be
    /// used.
    pub(crate) fn failed(&self) -> bool {
        self.failed
    }

    fn observe(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if let Some(slot) = self.current.get_mut(self.filled) {
                *slot = b;
            }
            self.filled += 1;
            if self.filled < RCT_SAMPLE_BYTES {
                continue;
            }
            self.filled = 0;
            // Whether two samples are equal is the test's (public) verdict; the samples themselves
            // are key material, compared and counted without branching on them.
            let same = self.current[..].ct_eq(&self.previous[..])
                & subtle::Choice::from(u8::from(self.have_previous));
            self.run = u32::conditional_select(&1, &self.run.saturating_add(1), same);
            self.previous = self.current;
            self.have_previous = true;
            if self.run >= RCT_CUTOFF {
                self.failed = true;
            }
        }
    }
}

impl<R: CryptoRng + ?Sized> TryRng for RctRng<'_, R> {
    type Error = Infallible;

    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        if self.failed {
            return Ok(0);
        }
        let x = self.inner.next_u32();
        self.observe(&x.to_le_bytes());
        Ok(x)
    }

    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        if self.failed {
            return Ok(0);
        }
        let x = self.inner.next_u64();
        self.observe(&x.to_le_bytes());
        Ok(x)
    }

    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        if self.failed {
            dst.fill(0);
            return Ok(());
        }
        self.inner.fill_bytes(dst);
        self.observe(dst);
        Ok(())
    }
}

impl<R: CryptoRng + ?Sized> TryCryptoRng for RctRng<'_, R> {}

impl<R: ?Sized> Drop for RctRng<'_, R> {
    fn drop(&mut self) {
        self.previous.zeroize();
        self.current.zeroize();
    }
}

/// A public key's digest for the duplicate test: the first 128 bits of SHA-256 over its DER
/// SubjectPublicKeyInfo. (Two distinct keys share one with probability 2⁻¹²⁸ per pair.)
pub(crate) type KeyDigest = [u8; 16];

pub(crate) fn key_digest(key: &WrappingPrivateKey) -> KeyDigest {
    let hash = Sha256::digest(key.public_key().to_der());
    hash.first_chunk::<16>().copied().unwrap_or_default()
}

/// The digests of the last `capacity` keys, oldest first out; membership in O(log n).
#[derive(Debug)]
pub(crate) struct RecentKeys {
    order: VecDeque<KeyDigest>,
    set: BTreeSet<KeyDigest>,
    capacity: usize,
}

impl RecentKeys {
    pub(crate) const fn new(capacity: usize) -> Self {
        RecentKeys {
            order: VecDeque::new(),
            set: BTreeSet::new(),
            capacity,
        }
    }

    #[cfg(test)]
    pub(crate) fn contains(&self, digest: &KeyDigest) -> bool {
        self.set.contains(digest)
    }

    /// Remembers `digest` (forgetting the oldest beyond `capacity`); `false`, and nothing changes,
    /// when it is already remembered.
    pub(crate) fn insert(&mut self, digest: KeyDigest) -> bool {
        if self.set.contains(&digest) {
            return false;
        }
        if self.capacity == 0 {
            return true;
        }
        while self.order.len() >= self.capacity {
            match self.order.pop_front() {
                Some(old) => {
                    self.set.remove(&old);
                }
                None => break,
            }
        }
        self.order.push_back(digest);
        self.set.insert(digest);
        true
    }

    pub(crate) fn len(&self) -> usize {
        self.order.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use rand::SeedableRng;
    use rand_core::Rng;

    use crate::key::pool::test_rngs::Replay;

    /// An RNG that repeats one 8-byte word.
    fn stuck_at(word: [u8; 8]) -> Replay {
        Replay::new(&word)
    }

    /// Feeds `rng` through an [`RctRng`] with the given call pattern and says whether it failed.
    fn fails(rng: &mut impl CryptoRng, pattern: &[usize]) -> bool {
        let mut rct = RctRng::new(rng);
        for &n in pattern {
            match n {
                4 => {
                    rct.next_u32();
                }
                8 => {
                    rct.next_u64();
                }
                n => rct.fill_bytes(&mut alloc::vec![0u8; n]),
            }
        }
        rct.failed()
    }

    #[test]
    fn cutoff_follows_the_sp_800_90b_formula() {
        // C = 1 + ceil(-log2(alpha) / H), alpha = 2^-20, H = 64 bits per 64-bit sample.
        let (neg_log2_alpha, h) = (20u32, 64u32);
        assert_eq!(RCT_CUTOFF, 1 + neg_log2_alpha.div_ceil(h));
        assert_eq!(RCT_SAMPLE_BYTES * 8, h as usize);
        // Any H from 20 to 64 gives the same cutoff.
        assert!((20..=64).all(|h| 1 + neg_log2_alpha.div_ceil(h) == RCT_CUTOFF));
    }

    #[test]
    fn a_stuck_rng_fails_whatever_the_call_pattern() {
        for byte in [0x00, 0x42, 0xff] {
            for pattern in [&[32usize][..], &[4, 4, 4, 4], &[8, 8], &[3, 5, 7, 1], &[16]] {
                assert!(
                    fails(&mut stuck_at([byte; 8]), pattern),
                    "{byte:#x} {pattern:?}"
                );
            }
        }
        // Any repeated 8-byte word, not only a constant byte.
        assert!(fails(
            &mut stuck_at(*b"\x01\x02\x03\x04\x05\x06\x07\x08"),
            &[16]
        ));
    }

    #[test]
    fn a_sound_rng_passes_and_one_sample_is_not_enough() {
        let mut rng = rand::rngs::ChaCha20Rng::seed_from_u64(1);
        // 1 MiB in assorted call sizes.
        let pattern: Vec<usize> = (0..8192).map(|i| [4, 8, 32, 128, 340][i % 5]).collect();
        assert!(!fails(&mut rng, &pattern));
        // A stuck RNG needs two samples to be noticed (C = 2); 12 bytes are one and a half.
        assert!(!fails(&mut stuck_at([0x42; 8]), &[8]));
        assert!(!fails(&mut stuck_at([0x42; 8]), &[4, 4, 4]));
        assert!(fails(&mut stuck_at([0x42; 8]), &[4, 4, 4, 4]));
    }

    #[test]
    fn after_a_failure_the_caller_rng_is_no_longer_called() {
        let mut stuck = stuck_at([0x42; 8]);
        let mut rct = RctRng::new(&mut stuck);
        let mut buf = [0u8; 16];
        rct.fill_bytes(&mut buf);
        assert_eq!(buf, [0x42; 16]);
        assert!(rct.failed());
        rct.fill_bytes(&mut buf);
        assert_eq!(buf, [0; 16]);
        assert_eq!((rct.next_u32(), rct.next_u64()), (0, 0));
    }

    #[test]
    fn recent_keys_remember_a_bounded_window() {
        let d = |i: u8| [i; 16];
        let mut recent = RecentKeys::new(3);
        assert!(recent.insert(d(1)) && recent.insert(d(2)) && recent.insert(d(3)));
        assert!(
            !recent.insert(d(2)),
            "a digest within the window is a duplicate"
        );
        assert!(recent.insert(d(4))); // forgets 1
        assert_eq!(recent.len(), 3);
        assert!(!recent.contains(&d(1)) && recent.contains(&d(2)));
        assert!(
            recent.insert(d(1)),
            "beyond the window a digest is new again"
        );
        let mut none = RecentKeys::new(0);
        assert!(none.insert(d(1)) && none.insert(d(1)));
    }
}
