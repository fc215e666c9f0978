//! Helpers shared by the SM2 integration tests (`tests/sm2_kat.rs`, `tests/sm2_malformed.rs`).

#![allow(dead_code)] // each test crate uses a different subset

use kms_import::WrappingScheme;
use kms_import::rand_core::{TryCryptoRng, TryRng};

pub const SM2PKE: WrappingScheme = WrappingScheme::Sm2Pke;

pub fn unhex(s: &str) -> Vec<u8> {
    hex::decode(s).expect("hex")
}

/// Hands out exactly the given bytes; asking for more is a test failure. Tests only.
pub struct FixedRng {
    bytes: Vec<u8>,
    pub used: usize,
}

impl FixedRng {
    pub fn new(bytes: Vec<u8>) -> Self {
        FixedRng { bytes, used: 0 }
    }
}

impl TryRng for FixedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_be_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_be_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let end = self.used + dst.len();
        assert!(
            end <= self.bytes.len(),
            "FixedRng exhausted: k was drawn more than once"
        );
        dst.copy_from_slice(&self.bytes[self.used..end]);
        self.used = end;
        Ok(())
    }
}
impl TryCryptoRng for FixedRng {}
