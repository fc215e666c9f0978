//! The SM2PKE KATs (the `sm2` feature): decrypt, the fixed-k encrypt byte for byte, and a
//! tampered ciphertext refused.

use alloc::vec::Vec;

use cortex_m_semihosting::hprintln;
use kms_import::rand_core::{TryCryptoRng, TryRng};
use kms_import::{Error, WrappingPrivateKey, WrappingScheme};

use crate::{Tally, TestRng, clock_cs, vectors};

/// PKCS#8 of an SM2 private scalar: `id-ecPublicKey` with sm2p256v1, RFC 5915 `ECPrivateKey`
/// version 1 without the optional fields.
pub fn sm2_pkcs8(d: &[u8]) -> Vec<u8> {
    let mut der = alloc::vec![
        0x30, 0x41, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02,
        0x01, 0x06, 0x08, 0x2A, 0x81, 0x1C, 0xCF, 0x55, 0x01, 0x82, 0x2D, 0x04, 0x27, 0x30, 0x25,
        0x02, 0x01, 0x01, 0x04, 0x20,
    ];
    der.extend_from_slice(d);
    der
}

/// Hands out the KAT's k, then zeros (which the core refuses rather than use).
struct FixedRng(&'static [u8]);

impl TryRng for FixedRng {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        let n = dst.len().min(self.0.len());
        dst[..n].copy_from_slice(&self.0[..n]);
        dst[n..].fill(0);
        self.0 = &self.0[n..];
        Ok(())
    }
}

impl TryCryptoRng for FixedRng {}

pub fn run(t: &mut Tally, rng: &mut TestRng) {
    let start = clock_cs();
    let (p0, f0) = (t.passed, t.failed);
    for (i, kat) in vectors::SM2.iter().enumerate() {
        let id = i as u32;
        let Ok(key) = WrappingPrivateKey::from_pkcs8_der(&sm2_pkcs8(kat.private_key)) else {
            hprintln!("FAILED: SM2 {}: key refused", kat.id);
            t.failed += 1;
            continue;
        };
        let got = key.unwrap_key_material(WrappingScheme::Sm2Pke, kat.der, rng);
        t.check(got.is_ok_and(|m| m.ct_eq(kat.plaintext)), kat.id, id);
        if let Some(k) = kat.k {
            let ct = key.public_key().wrap_key_material(
                WrappingScheme::Sm2Pke,
                kat.plaintext,
                &mut FixedRng(k),
            );
            t.check(ct.is_ok_and(|c| c == kat.der), kat.id, id);
        }
        let mut tampered = Vec::from(kat.der);
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        let got = key.unwrap_key_material(WrappingScheme::Sm2Pke, &tampered, rng);
        t.check(matches!(got, Err(Error::InvalidCiphertext)), kat.id, id);
    }
    hprintln!(
        "SM2PKE KATs: {} passed, {} failed ({} cs)",
        t.passed - p0,
        t.failed - f0,
        clock_cs() - start
    );
}
