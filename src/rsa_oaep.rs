//! RSAES-OAEP (RFC 8017 §7.1) as KMS uses it: MGF1 with the same hash as OAEP, empty label.
//!
//! Decryption is always blinded with the caller's RNG (`rsa` 0.10 `oaep_decrypt_with_rng`, which
//! passes the RNG to `rsa_decrypt_and_check`); the unblinded path is never used.

use alloc::vec::Vec;

use rand_core::CryptoRng;
use rsa::traits::PublicKeyParts;
use zeroize::Zeroizing;

use crate::error::Error;

/// The OAEP hash (and MGF1 hash: KMS uses the same one for both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum OaepHash {
    Sha1,
    Sha256,
}

impl OaepHash {
    /// hLen in bytes.
    pub(crate) const fn len(self) -> usize {
        match self {
            OaepHash::Sha1 => 20,
            OaepHash::Sha256 => 32,
        }
    }

    /// The longest message that fits one OAEP block under a `k`-byte modulus:
    /// mLen ≤ k − 2·hLen − 2 (RFC 8017 §7.1.1 step 1.b).
    pub(crate) const fn max_message_len(self, k: usize) -> usize {
        k.saturating_sub(2 * self.len() + 2)
    }
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
/// [`Error::Unwrap`]; the padding checks inside `rsa` 0.10 are constant-time (`CtOption`).
pub(crate) fn decrypt<R: CryptoRng + ?Sized>(
    key: &rsa::PrivateKey,
    hash: OaepHash,
    ciphertext: &[u8],
    rng: &mut R,
) -> Result<Zeroizing<Vec<u8>>, Error> {
    // §7.1.2 step 1.b: the ciphertext is exactly k bytes. Its length is public.
    if ciphertext.len() != key.size() {
        return Err(Error::Unwrap);
    }
    let result = match hash {
        OaepHash::Sha1 => key.oaep_decrypt_with_rng::<sha1::Sha1, _>(rng, ciphertext),
        OaepHash::Sha256 => key.oaep_decrypt_with_rng::<sha2::Sha256, _>(rng, ciphertext),
    };
    result.map(Zeroizing::new).map_err(|_| Error::Unwrap)
}
