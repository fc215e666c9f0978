//! The compatibility rules restated from the project's written statement of the compatibility matrix,
//! written without looking at `src/policy/matrix.rs`: one boolean expression per rule, no table.

use kms_import::{KeySpec as K, Partition as P, WrappingAlgorithm as A, WrappingKeySpec as W};

/// Does KMS accept importing `key_spec` material with `algorithm` under a `wrapping_key_spec`
/// wrapping key in `partition`?
pub fn allowed(partition: P, algorithm: A, wrapping_key_spec: W, key_spec: K) -> bool {
    let china = partition == P::AwsCn;
    let rsa_wrapping_key = matches!(wrapping_key_spec, W::Rsa2048 | W::Rsa3072 | W::Rsa4096);
    let symmetric = key_spec == K::SymmetricDefault;
    let hmac = matches!(key_spec, K::Hmac224 | K::Hmac256 | K::Hmac384 | K::Hmac512);
    let rsa_private = matches!(key_spec, K::Rsa2048 | K::Rsa3072 | K::Rsa4096);
    let ecc_private = matches!(
        key_spec,
        K::EccNistP256 | K::EccNistP384 | K::EccNistP521 | K::EccSecgP256k1 | K::Sm2
    );
    // "ML_DSA_* keys cannot receive imported material"; the developer guide's list of key
    // types that take imported material also leaves out ML-KEM and Ed25519.
    let importable = symmetric || hmac || rsa_private || ecc_private;

    // "SM2 key spec and the SM2 wrapping spec exist only in aws-cn".
    if !china && (key_spec == K::Sm2 || wrapping_key_spec == W::Sm2) {
        return false;
    }
    importable
        && match algorithm {
            // "RSAES_PKCS1_V1_5 is refused everywhere".
            A::RsaesPkcs1V15 => false,
            // "every key material except RSA private keys; not ECC_NIST_P521 under RSA_2048".
            A::RsaesOaepSha1 | A::RsaesOaepSha256 => {
                rsa_wrapping_key
                    && !rsa_private
                    && !(key_spec == K::EccNistP521 && wrapping_key_spec == W::Rsa2048)
            }
            // "RSA and ECC private keys only; not in aws-cn".
            A::RsaAesKeyWrapSha1 | A::RsaAesKeyWrapSha256 => {
                rsa_wrapping_key && !china && (rsa_private || ecc_private)
            }
            // "only with the SM2 wrapping spec and vice versa; aws-cn only; asymmetric
            // material (RSA, ECC, SM2)".
            A::Sm2Pke => {
                wrapping_key_spec == W::Sm2 && china && (rsa_private || ecc_private)
            }
            _ => false,
        }
        // "... and vice versa": the SM2 wrapping spec takes SM2PKE only.
        && (wrapping_key_spec != W::Sm2 || algorithm == A::Sm2Pke)
}
