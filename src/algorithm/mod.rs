//! The wrapping algorithms, both directions: RSAES-OAEP (RFC 8017 §7.1), RSA_AES_KEY_WRAP
//! (RSAES-OAEP of an ephemeral AES-256 key, then AES-KWP, RFC 5649) and SM2PKE (GB/T 32918.4,
//! GM/T 0009 DER), and the one dispatch from a wrapping algorithm to its scheme.

pub(crate) mod kwp;
pub(crate) mod rsa_aes_key_wrap;
pub(crate) mod rsa_oaep;
#[cfg(feature = "sm2")]
pub(crate) mod sm2_ciphertext;
#[cfg(feature = "sm2")]
pub(crate) mod sm2_pke;

use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::algorithm::rsa_oaep::OaepHash;
use crate::error::Error;
use crate::key::wrapping_key::{WrappingPrivateKey, WrappingPublicKey};
use crate::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_MATERIAL_LEN};
use crate::policy::names::WrappingScheme;
use crate::secret::KeyMaterial;

/// What a wrapping scheme does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSAES-OAEP of the material itself.
    Oaep(OaepHash),
    /// RSAES-OAEP of an ephemeral AES-256 key, then AES-KWP of the material.
    RsaAes(OaepHash),
    /// SM2 public-key encryption.
    Sm2Pke,
}

pub(crate) const fn scheme(s: WrappingScheme) -> Scheme {
    match s {
        WrappingScheme::RsaesOaepSha1 => Scheme::Oaep(OaepHash::Sha1),
        WrappingScheme::RsaesOaepSha256 => Scheme::Oaep(OaepHash::Sha256),
        WrappingScheme::RsaAesKeyWrapSha1 => Scheme::RsaAes(OaepHash::Sha1),
        WrappingScheme::RsaAesKeyWrapSha256 => Scheme::RsaAes(OaepHash::Sha256),
        WrappingScheme::Sm2Pke => Scheme::Sm2Pke,
    }
}

impl WrappingPublicKey {
    /// Client side: encrypts `material` exactly as KMS expects it in `EncryptedKeyMaterial`.
    ///
    /// `material` is the plaintext key material (raw key bytes, or PKCS#8 DER for RSA, ECC and
    /// SM2 keys), 1 to [`MAX_MATERIAL_LEN`] bytes. The result is `EncryptedKeyMaterial`: k bytes
    /// (the modulus length: 256, 384 or 512) for `RSAES_OAEP_*`; k + the RFC 5649 wrap (the
    /// material padded to a multiple of 8, plus 8) for `RSA_AES_KEY_WRAP_*`; GM/T 0009 DER of
    /// C1, C3 and C2 for `SM2PKE`. `rng` supplies the OAEP seed, the ephemeral AES key or the SM2
    /// k.
    ///
    /// This does not consult the compatibility matrix (it does not know the key spec); run
    /// [`crate::matrix::check`] and [`crate::material::validate`] first for that.
    ///
    /// # Errors
    /// Before any cryptography: [`Error::NotAllowed`] when the scheme needs another kind of key
    /// ([`crate::matrix::Reason::WrappingKeySpecMismatch`]) or the material is longer than one
    /// OAEP block ([`crate::matrix::Reason::MaterialTooLongForOaep`]); [`Error::MaterialLength`]
    /// for empty or over-long material. [`Error::Rng`] when `rng` fails.
    pub fn wrap_key_material<R: CryptoRng + ?Sized>(
        &self,
        scheme: WrappingScheme,
        material: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        // The pair first (it does not depend on the material), then the length, then the OAEP
        // block limit.
        crate::policy::matrix::check_wrapping_key(scheme, self.spec(), 0)?;
        if material.is_empty() || material.len() > MAX_MATERIAL_LEN {
            return Err(Error::MaterialLength {
                len: material.len(),
            });
        }
        crate::policy::matrix::check_wrapping_key(scheme, self.spec(), material.len())?;
        match (self::scheme(scheme), self.as_rsa()) {
            (Scheme::Oaep(hash), Some(key)) => rsa_oaep::encrypt(key, hash, material, rng),
            (Scheme::RsaAes(hash), Some(key)) => rsa_aes_key_wrap::wrap(key, hash, material, rng),
            #[cfg(feature = "sm2")]
            (Scheme::Sm2Pke, _) => match self.as_sm2() {
                Some(key) => sm2_pke::encrypt(key, material, rng),
                None => Err(Error::Backend("the wrapping key does not match its spec")),
            },
            _ => Err(Error::Backend("the wrapping key does not match its spec")),
        }
    }
}

impl WrappingPrivateKey {
    /// Service side: decrypts `EncryptedKeyMaterial` (see
    /// [`WrappingPublicKey::wrap_key_material`] for its shape) and returns the plaintext key
    /// material, which may be empty (an RSAES-OAEP block can carry 0 bytes) — judging the
    /// material is [`crate::material::validate`]'s job. RSA private operations are blinded with
    /// `rng`.
    ///
    /// # Errors
    /// [`Error::NotAllowed`] when the scheme does not fit this key (it does not depend on the
    /// ciphertext). Everything about the ciphertext — its length, padding, KWP integrity check,
    /// SM2 tag, DER — fails as the one opaque [`Error::InvalidCiphertext`]; so does an RSA
    /// private operation that cannot get a blinding value from `rng` (an RNG stuck at zero: an
    /// error, not a hang) or whose result fails its re-encryption check (a fault).
    pub fn unwrap_key_material<R: CryptoRng + ?Sized>(
        &self,
        scheme: WrappingScheme,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<KeyMaterial, Error> {
        crate::policy::matrix::check_wrapping_key(scheme, self.spec(), 0)?;
        if ciphertext.is_empty() || ciphertext.len() > MAX_ENCRYPTED_KEY_MATERIAL_LEN {
            return Err(Error::InvalidCiphertext);
        }
        let material = match (self::scheme(scheme), self.as_rsa_op()) {
            (Scheme::Oaep(hash), Some(key)) => rsa_oaep::decrypt(key, hash, ciphertext, rng),
            (Scheme::RsaAes(hash), Some(key)) => {
                rsa_aes_key_wrap::unwrap(key, hash, ciphertext, rng)
            }
            #[cfg(feature = "sm2")]
            (Scheme::Sm2Pke, _) => match self.as_sm2() {
                Some(key) => sm2_pke::decrypt(key, ciphertext),
                None => Err(Error::Backend("the wrapping key does not match its spec")),
            },
            _ => Err(Error::Backend("the wrapping key does not match its spec")),
        }?;
        Ok(KeyMaterial::from(material))
    }
}
