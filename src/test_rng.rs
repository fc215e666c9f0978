//! RNGs for unit tests only.

/// An RNG that only ever returns zero bytes: a broken RNG, which must cause `Error::Rng`, never a
/// hang.
pub(crate) struct StuckAtZeroRng;

impl rand_core::TryRng for StuckAtZeroRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        Ok(0)
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        Ok(0)
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        dst.fill(0);
        Ok(())
    }
}

impl rand_core::TryCryptoRng for StuckAtZeroRng {}
