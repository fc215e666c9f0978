//! RSAES-OAEP (RFC 8017 §7.1) as KMS uses it: MGF1 with the same hash as OAEP, empty label.
//!
//! Decryption is always blinded (`crate::arith::rsadp`); there is no unblinded path. The OAEP
//! decoding after it is ours (see [`decrypt`]).

use alloc::vec::Vec;

use rand_core::CryptoRng;
use sha2::Digest;
use subtle::{Choice, ConditionallySelectable, ConstantTimeEq};
use zeroize::Zeroizing;

use crate::arith::rsadp::RsaPrivateOp;
use crate::error::Error;

/// The OAEP hash (and MGF1 hash: KMS uses the same one for both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OaepHash {
    Sha1,
    Sha256,
}

/// RSAES-OAEP-ENCRYPT (RFC 8017 §7.1.1) with an empty label. The caller has checked the length.
pub(crate) fn encrypt<R: CryptoRng + ?Sized>(
    key: &rsa::PublicKey,
    hash: OaepHash,
    message: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let result = match hash {
        OaepHash::Sha1 => key.oaep_encrypt_with_rng::<sha1::Sha1, _>(rng, message),
        OaepHash::Sha256 => key.oaep_encrypt_with_rng::<sha2::Sha256, _>(rng, message),
    };
    result.map_err(|e| match e {
        rsa::errors::Error::MessageTooLong => Error::MaterialLength { len: message.len() },
        _ => Error::Rng,
    })
}

/// RSAES-OAEP-DECRYPT (RFC 8017 §7.1.2) with an empty label, blinded. Every failure is
/// [`Error::InvalidCiphertext`].
///
/// The RSA step (2.a–2.c) is this crate's RSADP (`crate::arith::rsadp`: c < n, the CRT with base
/// blinding whose pair is kept in the key and refreshed by squaring, exponent blinding with the
/// caller's RNG, the result checked by re-encryption). The EME-OAEP decoding (step 3) is done
/// here because `rsa` 0.10.0's decoder omits the check of step 3.g that the first octet Y of EM is
/// zero: it accepts Wycheproof's "First byte is 1" vectors.
pub(crate) fn decrypt<R: CryptoRng + ?Sized>(
    key: &RsaPrivateOp,
    hash: OaepHash,
    ciphertext: &[u8],
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    // Step 1.b: the ciphertext is exactly k bytes. Its length is public.
    if ciphertext.len() != key.size() {
        return Err(Error::InvalidCiphertext);
    }
    // Steps 2.a–2.c: c = OS2IP(C); m = RSADP(K, c), blinded, which refuses c ≥ n; EM =
    // I2OSP(m, k).
    let mut em = key
        .decrypt(ciphertext, rng)
        .ok_or(Error::InvalidCiphertext)?;
    match hash {
        OaepHash::Sha1 => eme_oaep_decode::<sha1::Sha1>(&mut em),
        OaepHash::Sha256 => eme_oaep_decode::<sha2::Sha256>(&mut em),
    }
}

/// EME-OAEP decoding (RFC 8017 §7.1.2 step 3) with the empty label and MGF1 over the same hash.
/// Which check failed, and where the 0x01 separator is, do not change the work done.
pub(crate) fn eme_oaep_decode<D: Digest>(em: &mut [u8]) -> Result<Zeroizing<Vec<u8>>, Error> {
    let h_len = <D as Digest>::output_size();
    // §7.1.2 step 1.c: k ≥ 2·hLen + 2 (public; always true for 2048-bit and larger keys).
    if em.len() < 2 * h_len + 2 {
        return Err(Error::InvalidCiphertext);
    }
    // Step 3.a: lHash = Hash(L), L empty.
    let l_hash = D::digest(b"");
    // Step 3.b: EM = Y || maskedSeed || maskedDB.
    let (y, rest) = em.split_at_mut(1);
    let (seed, db) = rest.split_at_mut(h_len);
    // Steps 3.c–3.f: seed = maskedSeed ⊕ MGF(maskedDB, hLen); DB = maskedDB ⊕ MGF(seed, k − hLen − 1).
    mgf1_xor::<D>(db, seed);
    mgf1_xor::<D>(seed, db);
    // Step 3.g: DB = lHash' || PS || 0x01 || M with lHash' = lHash, PS all zero, and Y = 0.
    let mut valid = y.ct_eq(&[0u8]) & db[..h_len].ct_eq(&l_hash);
    let mut looking_for_one = Choice::from(1);
    let mut one_at = 0u32;
    for (i, byte) in db.iter().enumerate().skip(h_len) {
        let is_one = byte.ct_eq(&1);
        // At most 512 bytes (a 4096-bit key), so `i` fits in u32.
        one_at.conditional_assign(&(i as u32), looking_for_one & is_one);
        valid &= !looking_for_one | is_one | byte.ct_eq(&0);
        looking_for_one &= !is_one;
    }
    valid &= !looking_for_one;
    let message = db.get(one_at as usize + 1..).unwrap_or_default();
    if bool::from(valid) {
        Ok(Zeroizing::new(message.to_vec()))
    } else {
        Err(Error::InvalidCiphertext)
    }
}

/// `out ⊕= MGF1(seed, out.len())` (RFC 8017 B.2.1).
pub(crate) fn mgf1_xor<D: Digest>(seed: &[u8], out: &mut [u8]) {
    for (counter, chunk) in out.chunks_mut(<D as Digest>::output_size()).enumerate() {
        let mut hasher = D::new();
        hasher.update(seed);
        // Step 3.a: C = I2OSP(counter, 4); at most 512 / 20 + 1 blocks here.
        hasher.update((counter as u32).to_be_bytes());
        for (o, mask) in chunk.iter_mut().zip(hasher.finalize().iter()) {
            *o ^= mask;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// EME-OAEP encoding (RFC 8017 §7.1.1 step 2) with a fixed seed, then `tamper`.
    fn encode(k: usize, message: &[u8], tamper: impl FnOnce(&mut [u8])) -> Vec<u8> {
        let h_len = 32;
        let mut em = vec![0u8; k];
        let (_, rest) = em.split_at_mut(1);
        let (seed, db) = rest.split_at_mut(h_len);
        seed.fill(0x5a);
        db[..h_len].copy_from_slice(&sha2::Sha256::digest(b""));
        let one_at = db.len() - message.len() - 1;
        db[one_at] = 1;
        db[one_at + 1..].copy_from_slice(message);
        tamper(&mut em);
        let (_, rest) = em.split_at_mut(1);
        let (seed, db) = rest.split_at_mut(h_len);
        mgf1_xor::<sha2::Sha256>(seed, db);
        mgf1_xor::<sha2::Sha256>(db, seed);
        em
    }

    fn decode(mut em: Vec<u8>) -> Result<Vec<u8>, Error> {
        eme_oaep_decode::<sha2::Sha256>(&mut em).map(|m| m.to_vec())
    }

    #[test]
    fn decodes_a_well_formed_block() {
        let msg = b"thirty-two bytes of key material";
        assert_eq!(decode(encode(256, msg, |_| {})).unwrap(), msg);
        assert_eq!(decode(encode(256, b"", |_| {})), Ok(Vec::new()));
        let longest = [7u8; 256 - 2 * 32 - 2];
        assert_eq!(decode(encode(256, &longest, |_| {})).unwrap(), longest);
    }

    /// Each condition of RFC 8017 §7.1.2 step 3.g on its own; `rsa` 0.10.0 misses the first.
    #[test]
    fn refuses_each_malformed_block() {
        let msg = b"material";
        type Tamper = fn(&mut [u8]);
        let cases: [(&str, Tamper); 5] = [
            ("Y = 1", |em| em[0] = 1),
            ("Y = 0x80", |em| em[0] = 0x80),
            ("lHash' differs", |em| em[33] ^= 1),
            ("PS not zero", |em| em[33 + 32] = 2),
            ("no 0x01 separator", |em| {
                let len = em.len();
                em[len - 9] = 0
            }),
        ];
        for (what, tamper) in cases {
            assert_eq!(
                decode(encode(256, msg, tamper)),
                Err(Error::InvalidCiphertext),
                "{what}"
            );
        }
        assert_eq!(
            decode(vec![0u8; 2 * 32 + 1]),
            Err(Error::InvalidCiphertext),
            "short EM"
        );
    }
}
