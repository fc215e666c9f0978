//! The wrapping algorithms, both directions: RSAES-OAEP (RFC 8017 §7.1), RSA_AES_KEY_WRAP
//! (RSAES-OAEP of an ephemeral AES-256 key, then AES-KWP, RFC 5649) and SM2PKE (GB/T 32918.4,
//! GM/T 0009 DER), and the one dispatch from a wrapping algorithm to its scheme.

pub(crate) mod kwp;
pub(crate) mod rsa_aes_key_wrap;
pub(crate) mod rsa_oaep;
pub(crate) mod sm2_ciphertext;
pub(crate) mod sm2_pke;

use alloc::vec::Vec;

use rand_core::CryptoRng;

use crate::algorithm::rsa_oaep::OaepHash;
use crate::error::Error;
use crate::key::wrapping_key::{WrappingPrivateKey, WrappingPublicKey};
use crate::limits::{MAX_ENCRYPTED_KEY_MATERIAL_LEN, MAX_MATERIAL_LEN};
use crate::policy::names::{WrappingAlgorithm, WrappingKeySpec};
use crate::secret::KeyMaterial;

/// What an algorithm does, once `RSAES_PKCS1_V1_5` is out of the way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Scheme {
    /// RSAES-OAEP of the material itself.
    Oaep(OaepHash),
    /// RSAES-OAEP of an ephemeral AES-256 key, then AES-KWP of the material.
    RsaAes(OaepHash),
    /// SM2 public-key encryption.
    Sm2Pke,
}

impl WrappingAlgorithm {
    /// The scheme behind the name; `RSAES_PKCS1_V1_5` is [`Error::Deprecated`].
    pub(crate) fn scheme(self) -> Result<Scheme, Error> {
        Ok(match self {
            WrappingAlgorithm::RsaesPkcs1V15 => return Err(Error::Deprecated(self)),
            WrappingAlgorithm::RsaesOaepSha1 => Scheme::Oaep(OaepHash::Sha1),
            WrappingAlgorithm::RsaesOaepSha256 => Scheme::Oaep(OaepHash::Sha256),
            WrappingAlgorithm::RsaAesKeyWrapSha1 => Scheme::RsaAes(OaepHash::Sha1),
            WrappingAlgorithm::RsaAesKeyWrapSha256 => Scheme::RsaAes(OaepHash::Sha256),
            WrappingAlgorithm::Sm2Pke => Scheme::Sm2Pke,
        })
    }

    /// Whether this algorithm works with a wrapping key of `spec` (RSA algorithms with RSA keys,
    /// SM2PKE with SM2). `RSAES_PKCS1_V1_5` is [`Error::Deprecated`].
    pub fn check_wrapping_key_spec(self, spec: WrappingKeySpec) -> Result<(), Error> {
        let fits = match self.scheme()? {
            Scheme::Oaep(_) | Scheme::RsaAes(_) => spec.rsa_modulus_len().is_some(),
            Scheme::Sm2Pke => spec == WrappingKeySpec::Sm2,
        };
        if fits {
            Ok(())
        } else {
            Err(Error::KeyMismatch {
                algorithm: self,
                wrapping_key_spec: spec,
            })
        }
    }

    /// The longest material this algorithm can wrap under a key of `spec`: for RSAES-OAEP, one
    /// OAEP block (k − 2·hLen − 2 bytes); otherwise [`MAX_MATERIAL_LEN`].
    pub fn max_material_len(self, spec: WrappingKeySpec) -> Result<usize, Error> {
        self.check_wrapping_key_spec(spec)?;
        Ok(match (self.scheme()?, spec.rsa_modulus_len()) {
            (Scheme::Oaep(hash), Some(k)) => hash.max_message_len(k),
            _ => MAX_MATERIAL_LEN,
        })
    }
}

impl WrappingPublicKey {
    /// Client side: encrypts `material` exactly as KMS expects it in `EncryptedKeyMaterial`.
    ///
    /// Refuses, before any cryptography: `RSAES_PKCS1_V1_5`; an algorithm that needs another kind
    /// of key; empty material; material longer than the algorithm can carry. This does not
    /// consult the compatibility matrix (it does not know the key spec); see
    /// [`crate::policy::matrix::check`] and [`crate::policy::material::check`] for that.
    pub fn wrap<R: CryptoRng + ?Sized>(
        &self,
        algorithm: WrappingAlgorithm,
        material: &[u8],
        rng: &mut R,
    ) -> Result<Vec<u8>, Error> {
        let limit = algorithm.max_material_len(self.spec())?;
        if material.is_empty() || material.len() > MAX_MATERIAL_LEN {
            return Err(Error::MaterialLength {
                len: material.len(),
            });
        }
        if material.len() > limit {
            return Err(Error::MaterialTooLong {
                algorithm,
                wrapping_key_spec: self.spec(),
                len: material.len(),
                limit,
            });
        }
        match (algorithm.scheme()?, self.as_rsa(), self.as_sm2()) {
            (Scheme::Oaep(hash), Some(key), _) => rsa_oaep::encrypt(key, hash, material, rng),
            (Scheme::RsaAes(hash), Some(key), _) => {
                rsa_aes_key_wrap::wrap(key, hash, material, rng)
            }
            (Scheme::Sm2Pke, _, Some(key)) => sm2_pke::encrypt(key, material, rng),
            _ => Err(Error::KeyMismatch {
                algorithm,
                wrapping_key_spec: self.spec(),
            }),
        }
    }
}

impl WrappingPrivateKey {
    /// Service side: decrypts `EncryptedKeyMaterial`.
    ///
    /// `RSAES_PKCS1_V1_5` and an algorithm that does not fit this key are described errors (they
    /// do not depend on the ciphertext). Everything about the ciphertext — its length, padding,
    /// KWP integrity check, SM2 tag, DER — fails as the one opaque [`Error::Unwrap`]. RSA private
    /// operations are blinded with `rng`.
    pub fn unwrap<R: CryptoRng + ?Sized>(
        &self,
        algorithm: WrappingAlgorithm,
        ciphertext: &[u8],
        rng: &mut R,
    ) -> Result<KeyMaterial, Error> {
        algorithm.check_wrapping_key_spec(self.spec())?;
        if ciphertext.is_empty() || ciphertext.len() > MAX_ENCRYPTED_KEY_MATERIAL_LEN {
            return Err(Error::Unwrap);
        }
        let material = match (algorithm.scheme()?, self.as_rsa(), self.as_sm2()) {
            (Scheme::Oaep(hash), Some(key), _) => rsa_oaep::decrypt(key, hash, ciphertext, rng),
            (Scheme::RsaAes(hash), Some(key), _) => {
                rsa_aes_key_wrap::unwrap(key, hash, ciphertext, rng)
            }
            (Scheme::Sm2Pke, _, Some(key)) => sm2_pke::decrypt(key, ciphertext),
            _ => Err(Error::KeyMismatch {
                algorithm,
                wrapping_key_spec: self.spec(),
            }),
        }?;
        if material.is_empty() {
            return Err(Error::Unwrap);
        }
        Ok(KeyMaterial::from(material))
    }
}
