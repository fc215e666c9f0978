//! Differential targets for the two constant-time decoders this crate writes itself instead of
//! taking them from a dependency: EME-OAEP decoding ([`crate::algorithm::rsa_oaep`]) and the KWP unwrap
//! ([`crate::algorithm::kwp`]).
//!
//! Random ciphertexts almost never decrypt to anything structured, and a constant-time decoder
//! has no branches for coverage to follow. So here the fuzzer writes the *decrypted* structure
//! itself (EM before masking; A || P before wrapping), the harness applies the forward
//! transformation, and the decoder's answer is held against a plain, branching reading of the
//! spec (and, for KWP, against `aes-kw`'s own unwrap).

use alloc::vec::Vec;

use aes::Aes256;
use aes::cipher::{Array, BlockCipherEncrypt, KeyInit};
use sha2::Digest;

use crate::algorithm::kwp::{self, AIV_PREFIX};
use crate::algorithm::rsa_oaep::{eme_oaep_decode, mgf1_xor};
use crate::error::Error;
use crate::limits::MAX_ENCRYPTED_KEY_MATERIAL_LEN;

/// The largest EM: a 4096-bit modulus.
const MAX_EM_LEN: usize = 512;
/// A fixed KEK: the target is about the check after W^-1, not about keys.
const KEK: [u8; kwp::KEY_LEN] = [0x4b; kwp::KEY_LEN];

/// `oaep_decode`: `[flags, Y || seed || DB]`, at most 512 bytes of EM. Flag bit 0 picks SHA-256
/// (else SHA-1); bit 1 makes the harness write the correct lHash into DB, which the fuzzer could
/// not find through a constant-time comparison. The harness masks EM (RFC 8017 §7.1.1 steps
/// 2.f–2.i); the decoder must return exactly M for a well-formed DB and `Error::InvalidCiphertext` otherwise.
pub fn oaep_decode(data: &[u8]) {
    let Some((&flags, em)) = data.split_first() else {
        return;
    };
    if em.len() > MAX_EM_LEN {
        return;
    }
    if flags & 1 == 0 {
        oaep_decode_with::<sha1::Sha1>(flags, em);
    } else {
        oaep_decode_with::<sha2::Sha256>(flags, em);
    }
}

fn oaep_decode_with<D: Digest>(flags: u8, em: &[u8]) {
    let h_len = <D as Digest>::output_size();
    let l_hash = D::digest(b"");
    let mut plain = em.to_vec();
    if flags & 2 != 0
        && let Some(dst) = plain.get_mut(1 + h_len..1 + 2 * h_len)
    {
        dst.copy_from_slice(&l_hash);
    }
    let expected = naive_oaep_decode(&plain, h_len, &l_hash).map(<[u8]>::to_vec);
    let mut masked = plain.clone();
    if masked.len() >= 2 * h_len + 2 {
        let (_, rest) = masked.split_at_mut(1);
        let (seed, db) = rest.split_at_mut(h_len);
        mgf1_xor::<D>(seed, db); // step 2.g: maskedDB = DB ⊕ MGF(seed)
        mgf1_xor::<D>(db, seed); // step 2.i: maskedSeed = seed ⊕ MGF(maskedDB)
    }
    match (eme_oaep_decode::<D>(&mut masked), expected) {
        (Ok(message), Some(m)) => {
            assert_eq!(message.as_slice(), m.as_slice(), "OAEP decoded other bytes")
        }
        (Err(Error::InvalidCiphertext), None) => {}
        (got, expected) => panic!("OAEP decode gave {got:?}, the spec says {expected:?}"),
    }
}

/// RFC 8017 §7.1.2 step 3.g, read literally on the unmasked EM.
fn naive_oaep_decode<'a>(em: &'a [u8], h_len: usize, l_hash: &[u8]) -> Option<&'a [u8]> {
    if em.len() < 2 * h_len + 2 || em[0] != 0 {
        return None;
    }
    let db = &em[1 + h_len..];
    if &db[..h_len] != l_hash {
        return None;
    }
    let after_ps = db[h_len..].iter().position(|&b| b != 0)?;
    let rest = &db[h_len + after_ps..];
    (rest[0] == 1).then(|| &rest[1..])
}

/// `kwp_unwrap`: `[flags, bytes]`. With flag bit 0 clear, `bytes` is a ciphertext. With it set,
/// `bytes` is A || P (at least two semiblocks, whole semiblocks), which the harness encrypts as
/// RFC 5649 §4.1 does (one AES block for n = 1, else W of RFC 3394 §2.2.1), after writing
/// A65959A6 into A when bit 1 is set. Our unwrap must refuse every ciphertext shorter than two
/// semiblocks, agree with `aes-kw`'s on every other one, and agree with the RFC 5649 §4.2 step 2
/// checks on every A || P.
pub fn kwp_unwrap(data: &[u8]) {
    let Some((&flags, bytes)) = data.split_first() else {
        return;
    };
    if bytes.len() > MAX_ENCRYPTED_KEY_MATERIAL_LEN {
        return;
    }
    let (ciphertext, expected) = if flags & 1 == 0 {
        (bytes.to_vec(), None)
    } else {
        if bytes.len() < 16 || !bytes.len().is_multiple_of(8) {
            return;
        }
        let mut plain = bytes.to_vec();
        if flags & 2 != 0 {
            plain[..4].copy_from_slice(&AIV_PREFIX);
        }
        let expected = naive_kwp_check(&plain).map(<[u8]>::to_vec);
        (encrypt_a_and_p(&plain), Some(expected))
    };
    let ours = kwp::unwrap(&KEK, &ciphertext);
    if ciphertext.len() < 16 {
        // RFC 5649 §4.2: n ≥ 1, so a ciphertext has at least two semiblocks. aes-kw 0.3.1 is no
        // oracle here: it accepts the unencrypted `A65959A6 00000000` as a wrap of nothing
        // (Wycheproof aes_kwp tcId 253; tests/kat_kwp.rs shows it).
        assert!(
            matches!(ours, Err(Error::InvalidCiphertext)),
            "KWP: {ours:?} from < 16 bytes"
        );
        return;
    }
    let mut buf = alloc::vec![0u8; ciphertext.len() - 8];
    let theirs = aes_kw::KwpAes256::new(&Array::from(KEK)).unwrap_key(&ciphertext, &mut buf);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a.as_slice(), *b, "KWP: aes-kw unwrapped other bytes"),
        (Err(Error::InvalidCiphertext), Err(_)) => {}
        _ => panic!("KWP: ours {ours:?}, aes-kw {theirs:?}"),
    }
    if let Some(expected) = expected {
        assert_eq!(ours.ok().as_deref().map(Vec::as_slice), expected.as_deref());
    }
}

/// RFC 5649 §4.2 step 2 on A || P: MSB32(A) = A65959A6, 8·(n−1) < MLI ≤ 8·n, zero padding.
fn naive_kwp_check(plain: &[u8]) -> Option<&[u8]> {
    let (a, p) = plain.split_at(8);
    let mli = u32::from_be_bytes([a[4], a[5], a[6], a[7]]) as usize;
    let n = p.len() / 8;
    if a[..4] != AIV_PREFIX || mli <= 8 * (n - 1) || mli > 8 * n {
        return None;
    }
    p[mli..].iter().all(|&b| b == 0).then(|| &p[..mli])
}

/// RFC 5649 §4.1 step 2 on a given A || P: AES(K, A || P1) for n = 1, else W (RFC 3394 §2.2.1).
fn encrypt_a_and_p(plain: &[u8]) -> Vec<u8> {
    let cipher = Aes256::new(&Array::from(KEK));
    let mut block = Array::default();
    let mut out = plain.to_vec();
    let n = plain.len() / 8 - 1;
    if n == 1 {
        block.copy_from_slice(plain);
        cipher.encrypt_block(&mut block);
        return block.to_vec();
    }
    let mut a = [0u8; 8];
    a.copy_from_slice(&plain[..8]);
    for j in 0..6u64 {
        for (i, r) in out[8..].chunks_exact_mut(8).enumerate() {
            // B = AES(K, A | R[i]); A = MSB64(B) ⊕ t with t = n·j + i; R[i] = LSB64(B).
            block[..8].copy_from_slice(&a);
            block[8..].copy_from_slice(r);
            cipher.encrypt_block(&mut block);
            let t = (n as u64) * j + (i as u64 + 1);
            for ((a_byte, b_byte), t_byte) in a.iter_mut().zip(&block[..8]).zip(t.to_be_bytes()) {
                *a_byte = b_byte ^ t_byte;
            }
            r.copy_from_slice(&block[8..]);
        }
    }
    out[..8].copy_from_slice(&a);
    out
}
