//! Asymmetric keys made from imported PKCS#8 material, with the RustCrypto crates: RSA (`rsa`:
//! OAEP, PKCS#1 v1.5 and PSS signatures), ECDSA on P-256/P-384/P-521/secp256k1 (`p256`, `p384`,
//! `p521`, `k256` via `ecdsa`), SM2DSA (`sm2`, distinguishing id `1234567812345678` as AWS uses
//! for RAW messages), and ECDH (`elliptic-curve`'s `diffie_hellman`: the shared x-coordinate,
//! what DeriveSharedSecret returns).
//!
//! Signing algorithms per key spec and the `MessageType` rules follow the API reference, Sign:
//! with `DIGEST`, the message is the digest and must have the digest's length; ECDSA and SM2
//! signatures are DER (ASN.1), RSA-PSS uses a salt as long as the digest.

use p256::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePublicKey};
use rsa::signature::hazmat::{PrehashSigner, PrehashVerifier, RandomizedPrehashSigner};
use rsa::signature::{Signer, Verifier};
use sha2::{Digest, Sha256, Sha384, Sha512};
use zeroize::Zeroizing;

use kms_import::KeySpec;

use crate::rng::os_rng;
use crate::serve::protocol::{ApiError, ApiResult};

/// The distinguishing id AWS KMS uses for SM2DSA with `MessageType` RAW.
const SM2_DIST_ID: &str = "1234567812345678";

pub enum PrivateKey {
    Rsa(Box<rsa::PrivateKey>),
    P256(p256::SecretKey),
    P384(p384::SecretKey),
    P521(p521::SecretKey),
    K256(k256::SecretKey),
    Sm2(sm2::SecretKey),
}

fn internal<E>(_: E) -> ApiError {
    ApiError::internal("the stored key material does not parse")
}

fn invalid_signature() -> ApiError {
    ApiError::new(
        "KMSInvalidSignatureException",
        "the signature verification failed",
    )
}

/// The hash of the message for a signing algorithm, or the digest given (`MessageType`
/// DIGEST), which must have the hash's length.
fn digest(algorithm: &str, message: &[u8], is_digest: bool) -> ApiResult<Vec<u8>> {
    let len = if algorithm.ends_with("_256") {
        32
    } else if algorithm.ends_with("_384") {
        48
    } else {
        64
    };
    if !is_digest {
        return Ok(match len {
            32 => Sha256::digest(message).to_vec(),
            48 => Sha384::digest(message).to_vec(),
            _ => Sha512::digest(message).to_vec(),
        });
    }
    if message.len() != len {
        return Err(ApiError::validation(format!(
            "Digest is invalid length for algorithm {algorithm}: a {len}-byte digest is expected"
        )));
    }
    Ok(message.to_vec())
}

macro_rules! ecdsa_sign {
    ($curve:ident, $key:expr, $prehash:expr) => {{
        let signer = $curve::ecdsa::SigningKey::from($key);
        let sig: $curve::ecdsa::Signature = signer.sign_prehash($prehash).map_err(internal)?;
        Ok(sig.to_der().as_bytes().to_vec())
    }};
}

macro_rules! ecdsa_verify {
    ($curve:ident, $key:expr, $prehash:expr, $sig:expr) => {{
        let verifier = $curve::ecdsa::VerifyingKey::from($key.public_key());
        let sig = $curve::ecdsa::Signature::from_der($sig).map_err(|_| invalid_signature())?;
        Ok(verifier.verify_prehash($prehash, &sig).is_ok())
    }};
}

macro_rules! ecdh {
    ($curve:ident, $key:expr, $peer:expr) => {{
        let peer = $curve::PublicKey::from_public_key_der($peer).map_err(|_| peer_error())?;
        let shared =
            p256::elliptic_curve::ecdh::diffie_hellman($key.to_nonzero_scalar(), peer.as_affine());
        Ok(Zeroizing::new(shared.raw_secret_bytes().to_vec()))
    }};
}

fn peer_error() -> ApiError {
    ApiError::validation(
        "PublicKey must be a DER SubjectPublicKeyInfo of a point on the KMS key's curve",
    )
}

impl PrivateKey {
    /// Parses the key's imported material (the core already checked it as PKCS#8 of this spec).
    pub fn from_pkcs8(spec: KeySpec, der: &[u8]) -> ApiResult<Self> {
        Ok(match spec {
            KeySpec::Rsa2048 | KeySpec::Rsa3072 | KeySpec::Rsa4096 => PrivateKey::Rsa(Box::new(
                rsa::PrivateKey::from_pkcs8_der(der).map_err(internal)?,
            )),
            KeySpec::EccNistP256 => {
                PrivateKey::P256(p256::SecretKey::from_pkcs8_der(der).map_err(internal)?)
            }
            KeySpec::EccNistP384 => {
                PrivateKey::P384(p384::SecretKey::from_pkcs8_der(der).map_err(internal)?)
            }
            KeySpec::EccNistP521 => {
                PrivateKey::P521(p521::SecretKey::from_pkcs8_der(der).map_err(internal)?)
            }
            KeySpec::EccSecgP256k1 => {
                PrivateKey::K256(k256::SecretKey::from_pkcs8_der(der).map_err(internal)?)
            }
            KeySpec::Sm2 => PrivateKey::Sm2(sm2::SecretKey::from_pkcs8_der(der).map_err(internal)?),
            other => {
                return Err(ApiError::internal(format!(
                    "{other} is not an asymmetric key spec"
                )));
            }
        })
    }

    /// The public key, DER SubjectPublicKeyInfo (GetPublicKey's `PublicKey`).
    pub fn public_key_der(&self) -> ApiResult<Vec<u8>> {
        let der = match self {
            PrivateKey::Rsa(k) => k.to_public_key().to_public_key_der(),
            PrivateKey::P256(k) => k.public_key().to_public_key_der(),
            PrivateKey::P384(k) => k.public_key().to_public_key_der(),
            PrivateKey::P521(k) => k.public_key().to_public_key_der(),
            PrivateKey::K256(k) => k.public_key().to_public_key_der(),
            PrivateKey::Sm2(k) => k.public_key().to_public_key_der(),
        };
        der.map(|d| d.as_bytes().to_vec()).map_err(internal)
    }

    /// Sign: `algorithm` already checked against the key spec.
    pub fn sign(&self, algorithm: &str, message: &[u8], is_digest: bool) -> ApiResult<Vec<u8>> {
        if let PrivateKey::Sm2(k) = self {
            let signer = sm2::dsa::SigningKey::new(SM2_DIST_ID, k).map_err(internal)?;
            let sig = if is_digest {
                if message.len() != 32 {
                    return Err(ApiError::validation(
                        "Digest is invalid length for algorithm SM2DSA: 32 bytes expected",
                    ));
                }
                signer.sign_prehash(message).map_err(internal)?
            } else {
                signer.sign(message)
            };
            return Ok(sig.to_der().as_bytes().to_vec());
        }
        let prehash = digest(algorithm, message, is_digest)?;
        match self {
            PrivateKey::Rsa(k) => rsa_sign(k, algorithm, &prehash),
            PrivateKey::P256(k) => ecdsa_sign!(p256, k, &prehash),
            PrivateKey::P384(k) => ecdsa_sign!(p384, k, &prehash),
            PrivateKey::P521(k) => {
                let signer =
                    p521::ecdsa::SigningKey::from_bytes(&k.to_bytes()).map_err(internal)?;
                let sig: p521::ecdsa::Signature =
                    signer.sign_prehash(&prehash).map_err(internal)?;
                Ok(sig.to_der().as_bytes().to_vec())
            }
            PrivateKey::K256(k) => ecdsa_sign!(k256, k, &prehash),
            PrivateKey::Sm2(_) => unreachable!("handled above"),
        }
    }

    /// Verify: `Ok(false)` when the signature does not verify.
    pub fn verify(
        &self,
        algorithm: &str,
        message: &[u8],
        is_digest: bool,
        signature: &[u8],
    ) -> ApiResult<bool> {
        if let PrivateKey::Sm2(k) = self {
            let verifier =
                sm2::dsa::VerifyingKey::new(SM2_DIST_ID, k.public_key()).map_err(internal)?;
            let sig = sm2::dsa::Signature::from_der(signature).map_err(|_| invalid_signature())?;
            return Ok(if is_digest {
                verifier.verify_prehash(message, &sig).is_ok()
            } else {
                verifier.verify(message, &sig).is_ok()
            });
        }
        let prehash = digest(algorithm, message, is_digest)?;
        match self {
            PrivateKey::Rsa(k) => Ok(rsa_verify(k, algorithm, &prehash, signature)),
            PrivateKey::P256(k) => ecdsa_verify!(p256, k, &prehash, signature),
            PrivateKey::P384(k) => ecdsa_verify!(p384, k, &prehash, signature),
            PrivateKey::P521(k) => {
                let verifier = p521::ecdsa::VerifyingKey::from_affine(*k.public_key().as_affine())
                    .map_err(internal)?;
                let sig =
                    p521::ecdsa::Signature::from_der(signature).map_err(|_| invalid_signature())?;
                Ok(verifier.verify_prehash(&prehash, &sig).is_ok())
            }
            PrivateKey::K256(k) => ecdsa_verify!(k256, k, &prehash, signature),
            PrivateKey::Sm2(_) => unreachable!("handled above"),
        }
    }

    /// ECDH with a peer's DER SubjectPublicKeyInfo: the shared x-coordinate.
    pub fn derive_shared_secret(&self, peer_spki: &[u8]) -> ApiResult<Zeroizing<Vec<u8>>> {
        match self {
            PrivateKey::P256(k) => ecdh!(p256, k, peer_spki),
            PrivateKey::P384(k) => ecdh!(p384, k, peer_spki),
            PrivateKey::P521(k) => ecdh!(p521, k, peer_spki),
            PrivateKey::Sm2(k) => ecdh!(sm2, k, peer_spki),
            _ => Err(ApiError::key_usage("this key does not do key agreement")),
        }
    }

    /// RSAES-OAEP encryption (`RSAES_OAEP_SHA_1` or `_256`, MGF1 with the same hash).
    pub fn rsa_encrypt(&self, algorithm: &str, plaintext: &[u8]) -> ApiResult<Vec<u8>> {
        let PrivateKey::Rsa(k) = self else {
            return Err(ApiError::key_usage("not an RSA key"));
        };
        let public = k.to_public_key();
        let mut rng = os_rng();
        let result = if algorithm == "RSAES_OAEP_SHA_1" {
            public.encrypt(
                &mut rng,
                rsa::Oaep::<sha1::Sha1, sha1::Sha1>::new(),
                plaintext,
            )
        } else {
            public.encrypt(&mut rng, rsa::Oaep::<Sha256, Sha256>::new(), plaintext)
        };
        result.map_err(|_| {
            ApiError::validation(format!(
                "Plaintext is too long for {algorithm} with this key"
            ))
        })
    }

    /// RSAES-OAEP decryption, blinded; any failure is `InvalidCiphertextException`.
    pub fn rsa_decrypt(&self, algorithm: &str, ciphertext: &[u8]) -> ApiResult<Zeroizing<Vec<u8>>> {
        let PrivateKey::Rsa(k) = self else {
            return Err(ApiError::key_usage("not an RSA key"));
        };
        let mut rng = os_rng();
        let result = if algorithm == "RSAES_OAEP_SHA_1" {
            k.decrypt_blinded(
                &mut rng,
                rsa::Oaep::<sha1::Sha1, sha1::Sha1>::new(),
                ciphertext,
            )
        } else {
            k.decrypt_blinded(&mut rng, rsa::Oaep::<Sha256, Sha256>::new(), ciphertext)
        };
        result
            .map(Zeroizing::new)
            .map_err(|_| ApiError::new("InvalidCiphertextException", ""))
    }
}

fn rsa_sign(k: &rsa::PrivateKey, algorithm: &str, prehash: &[u8]) -> ApiResult<Vec<u8>> {
    use rsa::{pkcs1v15, pss};
    let key = k.clone();
    let mut rng = os_rng();
    let sig: Box<[u8]> = match algorithm {
        "RSASSA_PKCS1_V1_5_SHA_256" => pkcs1v15::SigningKey::<Sha256>::new(key)
            .sign_prehash(prehash)
            .map_err(internal)?
            .into(),
        "RSASSA_PKCS1_V1_5_SHA_384" => pkcs1v15::SigningKey::<Sha384>::new(key)
            .sign_prehash(prehash)
            .map_err(internal)?
            .into(),
        "RSASSA_PKCS1_V1_5_SHA_512" => pkcs1v15::SigningKey::<Sha512>::new(key)
            .sign_prehash(prehash)
            .map_err(internal)?
            .into(),
        "RSASSA_PSS_SHA_256" => pss::SigningKey::<Sha256>::new(key)
            .sign_prehash_with_rng(&mut rng, prehash)
            .map_err(internal)?
            .into(),
        "RSASSA_PSS_SHA_384" => pss::SigningKey::<Sha384>::new(key)
            .sign_prehash_with_rng(&mut rng, prehash)
            .map_err(internal)?
            .into(),
        _ => pss::SigningKey::<Sha512>::new(key)
            .sign_prehash_with_rng(&mut rng, prehash)
            .map_err(internal)?
            .into(),
    };
    Ok(sig.into_vec())
}

fn rsa_verify(k: &rsa::PrivateKey, algorithm: &str, prehash: &[u8], signature: &[u8]) -> bool {
    use rsa::{pkcs1v15, pss};
    let public = k.to_public_key();
    match algorithm {
        "RSASSA_PKCS1_V1_5_SHA_256" | "RSASSA_PKCS1_V1_5_SHA_384" | "RSASSA_PKCS1_V1_5_SHA_512" => {
            let Ok(sig) = pkcs1v15::Signature::try_from(signature) else {
                return false;
            };
            match algorithm {
                "RSASSA_PKCS1_V1_5_SHA_256" => {
                    pkcs1v15::VerifyingKey::<Sha256>::new(public).verify_prehash(prehash, &sig)
                }
                "RSASSA_PKCS1_V1_5_SHA_384" => {
                    pkcs1v15::VerifyingKey::<Sha384>::new(public).verify_prehash(prehash, &sig)
                }
                _ => pkcs1v15::VerifyingKey::<Sha512>::new(public).verify_prehash(prehash, &sig),
            }
            .is_ok()
        }
        _ => {
            let Ok(sig) = pss::Signature::try_from(signature) else {
                return false;
            };
            match algorithm {
                "RSASSA_PSS_SHA_256" => {
                    pss::VerifyingKey::<Sha256>::new(public).verify_prehash(prehash, &sig)
                }
                "RSASSA_PSS_SHA_384" => {
                    pss::VerifyingKey::<Sha384>::new(public).verify_prehash(prehash, &sig)
                }
                _ => pss::VerifyingKey::<Sha512>::new(public).verify_prehash(prehash, &sig),
            }
            .is_ok()
        }
    }
}
