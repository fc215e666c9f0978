//! `RSA_AES_KEY_WRAP_SHA_1` / `RSA_AES_KEY_WRAP_SHA_256`: a fresh AES-256 key encrypted with
//! RSAES-OAEP (hash as named, MGF1 with the same hash, empty label) into exactly k bytes, followed
//! by the key material wrapped under that AES key with AES-KWP (RFC 5649).
//!
//! AWS KMS developer guide, "Encrypt the key material" (importing-keys-encrypt-key-material.html):
//! "you encrypt your key material with an AES key that you generate, then encrypt your AES key with
//! the RSA public key from KMS", RSA block first.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::algorithm::kwp;
use crate::algorithm::rsa_oaep::{self, OaepHash};
use crate::arith::rsadp::RsaPrivateOp;
use crate::error::Error;

/// Client side: OAEP(ephemeral AES key) || KWP(AES key, material).
pub(crate) fn wrap<R: CryptoRng + ?Sized>(
    key: &rsa::PublicKey,
    hash: OaepHash,
    material: &[u8],
    rng: &mut R,
) -> Result<Vec<u8>, Error> {
    let mut aes_key = Zeroizing::new([0u8; kwp::KEY_LEN]);
    rng.fill_bytes(aes_key.as_mut());
    let mut out = rsa_oaep::encrypt(key, hash, aes_key.as_ref(), rng)?;
    out.extend_from_slice(&kwp::wrap(&aes_key, material)?);
    Ok(out)
}

/// Service side. Splits at k bytes; every failure is [`Error::InvalidCiphertext`]. The KWP unwrap runs even
/// when the OAEP block does not decrypt to a 32-byte key (under an all-zero stand-in key), so the
/// work done does not tell which of the two failed.
pub(crate) fn unwrap<R: CryptoRng + ?Sized>(
    key: &RsaPrivateOp,
    hash: OaepHash,
    ciphertext: &[u8],
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    let k = key.size();
    // Public length checks: an RSA block, then at least two whole KWP semiblocks.
    if ciphertext.len() < k + 16 || !(ciphertext.len() - k).is_multiple_of(8) {
        return Err(Error::InvalidCiphertext);
    }
    let (rsa_block, wrapped) = ciphertext.split_at(k);
    let mut aes_key = Zeroizing::new([0u8; kwp::KEY_LEN]);
    let oaep_ok = match rsa_oaep::decrypt(key, hash, rsa_block, rng) {
        Ok(decrypted) if decrypted.len() == kwp::KEY_LEN => {
            aes_key.copy_from_slice(&decrypted);
            true
        }
        _ => false,
    };
    let material = kwp::unwrap(&aes_key, wrapped);
    match material {
        Ok(material) if oaep_ok => Ok(material),
        _ => Err(Error::InvalidCiphertext),
    }
}
