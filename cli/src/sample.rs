//! Sample key material of every kind KMS imports, for `sample-material` and `demo`.
//!
//! Symmetric and HMAC material is random bytes of the key spec's length; RSA, ECC and SM2
//! material is a freshly generated private key as PKCS#8 DER (RFC 5208), which is what KMS expects
//! in `EncryptedKeyMaterial` for asymmetric keys.

use kms_import::{KeyMaterial, KeySpec, MaterialKind, Partition, WrappingKeySpec};
use p256::elliptic_curve::Generate;
use p256::pkcs8::EncodePrivateKey;

use crate::failure::{Failure, Outcome};
use crate::rng::{os_rng, random_bytes};

/// Generates sample material for a `key_spec` key in `partition`.
/// Refuses, with the matrix's reason, a key spec that takes no imported material in
/// `partition` (ML-DSA, ML-KEM, Ed25519 anywhere; SM2 outside aws-cn).
pub fn generate(key_spec: KeySpec, partition: Partition) -> Outcome<KeyMaterial> {
    kms_import::material::check_key_spec(partition, key_spec).map_err(Failure::refused)?;
    let mut rng = os_rng();
    if let Some(len) = key_spec.raw_material_len(partition) {
        return random_bytes(len);
    }
    match key_spec.material_kind() {
        MaterialKind::RsaPrivateKey => {
            let size = match key_spec {
                KeySpec::Rsa2048 => WrappingKeySpec::Rsa2048,
                KeySpec::Rsa3072 => WrappingKeySpec::Rsa3072,
                _ => WrappingKeySpec::Rsa4096,
            };
            // An RSA key pair with e = 65537 of exactly the requested size: the core's wrapping
            // key generator makes precisely that.
            let key = crate::keys::generate_wrapping_key(size)?;
            Ok(KeyMaterial::from(key.to_pkcs8_der()?))
        }
        MaterialKind::EccPrivateKey => {
            let der = match key_spec {
                KeySpec::EccNistP256 => p256::SecretKey::generate_from_rng(&mut rng).to_pkcs8_der(),
                KeySpec::EccNistP384 => p384::SecretKey::generate_from_rng(&mut rng).to_pkcs8_der(),
                KeySpec::EccNistP521 => p521::SecretKey::generate_from_rng(&mut rng).to_pkcs8_der(),
                KeySpec::EccSecgP256k1 => {
                    k256::SecretKey::generate_from_rng(&mut rng).to_pkcs8_der()
                }
                _ => sm2::SecretKey::generate_from_rng(&mut rng).to_pkcs8_der(),
            }
            .map_err(|e| Failure::refused(format_args!("cannot encode the {key_spec} key: {e}")))?;
            Ok(KeyMaterial::from_slice(der.as_bytes()))
        }
        _ => Err(Failure::refused(format_args!(
            "{key_spec} keys cannot receive imported key material"
        ))),
    }
}
