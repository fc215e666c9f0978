//! SM2PKE: GB/T 32918.4-2016 public-key encryption on sm2p256v1 with SM3 (for the KDF and C3),
//! ciphertext as GM/T 0009 DER ([`crate::algorithm::sm2_ciphertext`]).
//!
//! The `sm2` crate is used for curve arithmetic only. Its `pke` module (0.14.0) is deliberately
//! not used: its `DecryptingKey` prints the secret scalar in `Debug`, it compares C3 with `!=`
//! (variable time), it leaves the candidate plaintext in the caller's buffer when C3 does not
//! match, and it decrypts a ciphertext with an empty C2. `tests/sm2_dependency_defects.rs` shows
//! each of these and that none reaches this crate's API.
//!
//! Secrets here — k, the private scalar, [k]PB = [dB]C1 = (x2, y2), the KDF output t, the
//! candidate plaintext — live in zeroizing containers; SM3 states are wiped on drop (`sm3`'s
//! `zeroize` feature).

use alloc::vec;
use alloc::vec::Vec;

use rand_core::CryptoRng;
use sm2::elliptic_curve::Group;
use sm2::elliptic_curve::point::AffineCoordinates;
use sm2::elliptic_curve::subtle::{Choice, ConstantTimeEq};
use sm2::{AffinePoint, FieldBytes, NonZeroScalar, ProjectivePoint};
use sm3::{Digest, Sm3};
use zeroize::{Zeroize, Zeroizing};

use crate::algorithm::sm2_ciphertext::{self, FIELD_LEN, Sm2Ciphertext};
use crate::error::Error;
use crate::key::sm2_scalar::{MAX_K_DRAWS, draw_scalar};
use crate::limits::MAX_MATERIAL_LEN;

/// x2 ‖ y2 of a shared point, big-endian: the KDF's input Z (GB/T 32918.4 §6.1 A5, §7.1 B4).
type SharedSecret = Zeroizing<[u8; 2 * FIELD_LEN]>;

/// Client side: encrypts `message` to `key` (GB/T 32918.4 §6.1 A1–A8), returns GM/T 0009 DER.
///
/// k is drawn as 32 big-endian bytes from `rng`, redrawn when 0 or ≥ n — the same bytes a
/// fixed-k known-answer test gives, and the same draw as `sm2::NonZeroScalar`'s
/// `try_generate_from_rng`.
pub(crate) fn encrypt<R: CryptoRng + ?Sized>(
    key: &sm2::PublicKey,
    message: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    // An empty message has an empty t, which A5 can never accept; KMS has no use for it either.
    if message.is_empty() || message.len() > MAX_MATERIAL_LEN {
        return Err(Error::MaterialLength { len: message.len() });
    }
    // A3: S = [h]PB with h = 1 is PB itself, which `sm2::PublicKey` guarantees is not O.
    let pb = key.to_projective();
    let mut c2 = Zeroizing::new(vec![0u8; message.len()]);
    for _ in 0..MAX_K_DRAWS {
        // A1: k ∈ [1, n − 1].
        let Some(k) = draw_scalar(rng) else { continue };
        // A2: C1 = [k]G = (x1, y1).
        let c1 = ProjectivePoint::mul_by_generator(k.as_ref()).to_affine();
        // A4: [k]PB = (x2, y2).
        let shared = shared_secret(&pb, &k);
        // A5: t = KDF(x2 ‖ y2, klen); A6: C2 = M ⊕ t.
        c2.copy_from_slice(message);
        let t_is_zero = xor_with_kdf(&shared, &mut c2);
        if bool::from(t_is_zero) {
            continue; // A5: t is all zero, go back to A1.
        }
        // A7: C3 = SM3(x2 ‖ M ‖ y2).
        let c3 = tag(&shared, message);
        // A8: C = C1 ‖ C3 ‖ C2, here as GM/T 0009 DER.
        return Ok(sm2_ciphertext::encode(
            &c1.x().into(),
            &c1.y().into(),
            &c3,
            &c2,
        ));
    }
    Err(Error::Rng)
}

/// Service side: decrypts GM/T 0009 DER (GB/T 32918.4 §7.1 B1–B7); every failure is
/// [`Error::InvalidCiphertext`].
pub(crate) fn decrypt(
    key: &sm2::SecretKey,
    ciphertext: &[u8],
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let parsed = sm2_ciphertext::decode(ciphertext).ok_or(Error::InvalidCiphertext)?;
    // C2 is at most MAX_MATERIAL_LEN bytes (checked by `decode`).
    let mut plaintext = Zeroizing::new(vec![0u8; parsed.c2.len()]);
    open(key, &parsed, &mut plaintext)?;
    Ok(plaintext)
}

/// Decrypts `ciphertext` into the front of `out` and returns the plaintext's length. On every
/// failure — DER, C1, t all zero, C3 mismatch, `out` too short — `out` is left all zero.
#[cfg_attr(not(test), allow(dead_code))]
pub(crate) fn decrypt_into(
    key: &sm2::SecretKey,
    ciphertext: &[u8],
    out: &mut [u8],
) -> Result<usize, Error> {
    match sm2_ciphertext::decode(ciphertext) {
        Some(parsed) => open(key, &parsed, out),
        None => {
            out.zeroize();
            Err(Error::InvalidCiphertext)
        }
    }
}

/// B1–B7 on a parsed ciphertext, plaintext into the front of `out`; `out` all zero on failure.
fn open(key: &sm2::SecretKey, ct: &Sm2Ciphertext<'_>, out: &mut [u8]) -> Result<usize, Error> {
    let result = open_unwiped(key, ct, out);
    if result.is_err() {
        // B5's candidate M' must not outlive a failed check.
        out.zeroize();
    }
    result
}

fn open_unwiped(
    key: &sm2::SecretKey,
    ct: &Sm2Ciphertext<'_>,
    out: &mut [u8],
) -> Result<usize, Error> {
    let len = ct.c2.len();
    let candidate = out.get_mut(..len).ok_or(Error::InvalidCiphertext)?;
    // B1: C1 must be a point of the curve: x1, y1 < p (canonical field elements) and
    // y1² = x1³ + a·x1 + b. C1 is public; branching on it leaks nothing.
    let c1: Option<AffinePoint> =
        AffinePoint::from_coordinates(&FieldBytes::from(ct.x1), &FieldBytes::from(ct.y1)).into();
    let c1 = ProjectivePoint::from(c1.ok_or(Error::InvalidCiphertext)?);
    // B2: S = [h]C1 with h = 1 is C1 itself; it must not be O (no affine encoding is, but the
    // check costs nothing).
    if bool::from(c1.is_identity()) {
        return Err(Error::InvalidCiphertext);
    }
    // B3: [dB]C1 = (x2, y2).
    let d = Zeroizing::new(key.to_nonzero_scalar());
    let shared = shared_secret(&c1, &d);
    // B4: t = KDF(x2 ‖ y2, klen); B5: M' = C2 ⊕ t.
    candidate.copy_from_slice(ct.c2);
    let t_is_zero = xor_with_kdf(&shared, candidate);
    // B6: u = SM3(x2 ‖ M' ‖ y2), compared with C3 in constant time (`subtle::ConstantTimeEq`),
    // and folded with B4's "t is all zero" check so that neither failure returns earlier or
    // differently than the other.
    let u = tag(&shared, candidate);
    let valid = u.ct_eq(ct.c3) & !t_is_zero;
    if bool::from(valid) {
        Ok(len) // B7: output M'.
    } else {
        Err(Error::InvalidCiphertext)
    }
}

/// [scalar]point as x ‖ y. The result is never O: `point` has prime order n (h = 1) and
/// `scalar` ∈ [1, n − 1].
fn shared_secret(point: &ProjectivePoint, scalar: &NonZeroScalar) -> SharedSecret {
    let product = Zeroizing::new((*point * scalar.as_ref()).to_affine());
    let mut z = Zeroizing::new([0u8; 2 * FIELD_LEN]);
    let (x, y) = z.split_at_mut(FIELD_LEN);
    x.copy_from_slice(&Zeroizing::new(product.x()));
    y.copy_from_slice(&Zeroizing::new(product.y()));
    z
}

/// GB/T 32918.4 §5.4.3 KDF with SM3: t = Hash(Z ‖ ct) ‖ Hash(Z ‖ ct+1) ‖ …, ct a 32-bit
/// big-endian counter from 1, truncated to `data.len()` bytes; XORed into `data` (A6 / B5).
/// Returns whether t was all zero (A5 / B4).
fn xor_with_kdf(z: &SharedSecret, data: &mut [u8]) -> Choice {
    let mut any_bit = 0u8;
    let mut block = Zeroizing::new([0u8; FIELD_LEN]);
    // `data` is at most MAX_MATERIAL_LEN bytes: the counter stays far below 2^32.
    for (counter, chunk) in (1u32..).zip(data.chunks_mut(FIELD_LEN)) {
        let mut hash = Sm3::new();
        hash.update(z.as_slice());
        hash.update(counter.to_be_bytes());
        hash.finalize_into(<&mut sm3::digest::Output<Sm3>>::from(&mut *block));
        for (byte, t) in chunk.iter_mut().zip(block.iter()) {
            any_bit |= *t;
            *byte ^= *t;
        }
    }
    any_bit.ct_eq(&0)
}

/// C3 / u = SM3(x2 ‖ M ‖ y2) (A7 / B6).
fn tag(z: &SharedSecret, message: &[u8]) -> [u8; FIELD_LEN] {
    let (x2, y2) = z.split_at(FIELD_LEN);
    let mut hash = Sm3::new();
    hash.update(x2);
    hash.update(message);
    hash.update(y2);
    hash.finalize().into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sm2::elliptic_curve::Generate;

    /// An RNG that hands out fixed bytes, then a counter (never a CSPRNG: tests only).
    struct CountingRng(u8);
    impl rand_core::TryRng for CountingRng {
        type Error = core::convert::Infallible;
        fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
            let mut b = [0u8; 4];
            self.try_fill_bytes(&mut b)?;
            Ok(u32::from_le_bytes(b))
        }
        fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
            let mut b = [0u8; 8];
            self.try_fill_bytes(&mut b)?;
            Ok(u64::from_le_bytes(b))
        }
        fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
            for b in dst {
                self.0 = self.0.wrapping_add(1);
                *b = self.0;
            }
            Ok(())
        }
    }
    impl rand_core::TryCryptoRng for CountingRng {}

    /// Returns only zero bytes: k = 0 on every draw.
    use crate::test_rng::StuckAtZeroRng as ZeroRng;

    fn key() -> sm2::SecretKey {
        sm2::SecretKey::generate_from_rng(&mut CountingRng(7))
    }

    #[test]
    fn round_trip_and_decrypt_into() {
        let key = key();
        let ct = encrypt(&key.public_key(), b"material", &mut CountingRng(1)).unwrap();
        assert_eq!(decrypt(&key, &ct).unwrap().as_slice(), b"material");
        let mut out = [0xAAu8; 20];
        assert_eq!(decrypt_into(&key, &ct, &mut out), Ok(8));
        assert_eq!(&out[..8], b"material");
    }

    #[test]
    fn out_is_zero_after_bad_c3_first_or_last_byte() {
        let key = key();
        let message = [0x5Au8; 40];
        let ct = encrypt(&key.public_key(), &message, &mut CountingRng(3)).unwrap();
        let parsed = sm2_ciphertext::decode(&ct).unwrap();
        let c3_at = ct.len() - parsed.c2.len() - 2 - FIELD_LEN;
        assert_eq!(&ct[c3_at..c3_at + FIELD_LEN], parsed.c3);
        for flip in [c3_at, c3_at + FIELD_LEN - 1] {
            let mut bad = ct.clone();
            bad[flip] ^= 0x01;
            let mut out = [0xAAu8; 64];
            assert_eq!(
                decrypt_into(&key, &bad, &mut out),
                Err(Error::InvalidCiphertext)
            );
            assert_eq!(
                out, [0u8; 64],
                "candidate plaintext left after flip at {flip}"
            );
            assert_eq!(decrypt(&key, &bad), Err(Error::InvalidCiphertext));
        }
    }

    #[test]
    fn out_is_zero_after_every_failure_kind() {
        let key = key();
        let ct = encrypt(&key.public_key(), &[1u8; 16], &mut CountingRng(9)).unwrap();
        let mut bad_der = ct.clone();
        bad_der.push(0);
        let mut bad_c2 = ct.clone();
        *bad_c2.last_mut().unwrap() ^= 0x80;
        for bad in [&bad_der[..], &bad_c2[..], &ct[..ct.len() - 1], &[][..]] {
            let mut out = [0xAAu8; 16];
            assert_eq!(
                decrypt_into(&key, bad, &mut out),
                Err(Error::InvalidCiphertext)
            );
            assert_eq!(out, [0u8; 16]);
        }
        // Output buffer one byte too short.
        let mut out = [0xAAu8; 15];
        assert_eq!(
            decrypt_into(&key, &ct, &mut out),
            Err(Error::InvalidCiphertext)
        );
        assert_eq!(out, [0u8; 15]);
    }

    #[test]
    fn broken_rng_is_an_error_not_a_hang() {
        let key = key();
        let result = encrypt(&key.public_key(), b"x", &mut ZeroRng);
        assert_eq!(result, Err(Error::Rng));
    }

    #[test]
    fn empty_and_oversized_messages_refused() {
        let public = key().public_key();
        assert_eq!(
            encrypt(&public, &[], &mut CountingRng(0)),
            Err(Error::MaterialLength { len: 0 })
        );
        let big = vec![1u8; MAX_MATERIAL_LEN + 1];
        assert_eq!(
            encrypt(&public, &big, &mut CountingRng(0)),
            Err(Error::MaterialLength { len: big.len() })
        );
        let max = vec![1u8; MAX_MATERIAL_LEN];
        let ct = encrypt(&public, &max, &mut CountingRng(0)).unwrap();
        assert_eq!(decrypt(&key(), &ct).unwrap().as_slice(), &max[..]);
    }

    #[test]
    fn kdf_matches_definition_across_blocks() {
        // t for 70 bytes is three SM3 blocks with counters 1, 2, 3.
        let z = Zeroizing::new([0x42u8; 64]);
        let mut t = [0u8; 70];
        assert!(!bool::from(xor_with_kdf(&z, &mut t)));
        for (i, chunk) in t.chunks(32).enumerate() {
            let mut h = Sm3::new();
            h.update([0x42u8; 64]);
            h.update((i as u32 + 1).to_be_bytes());
            assert_eq!(chunk, &h.finalize()[..chunk.len()]);
        }
    }
}
