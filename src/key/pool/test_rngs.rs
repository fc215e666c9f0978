//! Broken RNGs for the pool's unit tests.

use alloc::vec::Vec;
use core::convert::Infallible;

use rand_core::{TryCryptoRng, TryRng};

/// Repeats `block` forever: `Constant` with an 8-byte block is an RNG stuck at one word (or one
/// byte); a longer block is an RNG that keeps replaying the same output, which the repetition count
/// test cannot see.
pub(crate) struct Replay {
    block: Vec<u8>,
    pos: usize,
}

impl Replay {
    pub(crate) fn new(block: &[u8]) -> Self {
        assert!(!block.is_empty());
        Replay {
            block: block.to_vec(),
            pos: 0,
        }
    }

    /// An RNG stuck at one byte value.
    pub(crate) fn constant(byte: u8) -> Self {
        Self::new(&[byte])
    }

    /// Replays the first `len` bytes of a ChaCha20 stream seeded with `seed`.
    pub(crate) fn chacha_block(seed: u64, len: usize) -> Self {
        use rand::SeedableRng;
        use rand_core::Rng;
        let mut block = alloc::vec![0u8; len];
        rand::rngs::ChaCha20Rng::seed_from_u64(seed).fill_bytes(&mut block);
        Self::new(&block)
    }
}

impl TryRng for Replay {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        for b in dst {
            *b = self.block[self.pos];
            self.pos = (self.pos + 1) % self.block.len();
        }
        Ok(())
    }
}

impl TryCryptoRng for Replay {}
