//! The names AWS KMS puts on the wire, as enums.
//!
//! Each enum's `Display` writes the exact AWS string and `FromStr` reads it back; an unknown string
//! is an [`UnknownName`] error that lists every valid value.
//!
//! Source of the value lists: AWS KMS API reference, `GetParametersForImport` (`WrappingAlgorithm`,
//! `WrappingKeySpec`) and `CreateKey` (`KeySpec`).

use core::fmt;
use core::str::FromStr;

/// A string that is not one of the values of an AWS enumeration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownName {
    /// The AWS parameter whose value was not recognized, e.g. `WrappingAlgorithm`.
    pub parameter: &'static str,
    /// The valid values, in AWS's order.
    pub valid: &'static [&'static str],
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {}; valid values: ", self.parameter)?;
        for (i, name) in self.valid.iter().enumerate() {
            if i > 0 {
                f.write_str(", ")?;
            }
            f.write_str(name)?;
        }
        Ok(())
    }
}

impl core::error::Error for UnknownName {}

/// Declares an enum whose variants map one-to-one onto AWS wire names.
macro_rules! aws_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $parameter:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal, )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* #[doc = concat!("`", $wire, "`")] $variant, )+
        }

        impl $name {
            /// Every value, in AWS's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every wire name, in AWS's order.
            pub const NAMES: &'static [&'static str] = &[$($wire),+];

            /// The exact AWS wire name.
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownName;
            fn from_str(s: &str) -> Result<Self, UnknownName> {
                match s {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(UnknownName { parameter: $parameter, valid: Self::NAMES }),
                }
            }
        }
    };
}

/// Lets other modules declare AWS enumerations the same way (they import `fmt`, `FromStr` and
/// `UnknownName`).
#[cfg(feature = "service")]
pub(crate) use aws_enum;

aws_enum! {
    /// The type of RSA or SM2 wrapping key KMS hands out in `GetParametersForImport`.
    WrappingKeySpec, "WrappingKeySpec" {
        Rsa2048 = "RSA_2048",
        Rsa3072 = "RSA_3072",
        Rsa4096 = "RSA_4096",
        /// China Regions only.
        Sm2 = "SM2",
    }
}

aws_enum! {
    /// How the key material is encrypted under the wrapping public key.
    WrappingAlgorithm, "WrappingAlgorithm" {
        /// Deprecated since 2023-10-10; always refused.
        RsaesPkcs1V15 = "RSAES_PKCS1_V1_5",
        RsaesOaepSha1 = "RSAES_OAEP_SHA_1",
        RsaesOaepSha256 = "RSAES_OAEP_SHA_256",
        RsaAesKeyWrapSha1 = "RSA_AES_KEY_WRAP_SHA_1",
        RsaAesKeyWrapSha256 = "RSA_AES_KEY_WRAP_SHA_256",
        /// China Regions only.
        Sm2Pke = "SM2PKE",
    }
}

/// A [`WrappingAlgorithm`] that AWS KMS accepts: every one but the deprecated
/// `RSAES_PKCS1_V1_5`. This is the type [`crate::WrappingPublicKey::wrap_key_material`] and
/// [`crate::WrappingPrivateKey::unwrap_key_material`] take, so the deprecated algorithm cannot
/// reach a cryptographic operation: convert with `WrappingScheme::try_from(algorithm)`, which
/// refuses `RSAES_PKCS1_V1_5` with [`crate::Error::NotAllowed`] (reason
/// [`crate::matrix::Reason::Deprecated`]).
///
/// `Display` and `FromStr` use the AWS names, like [`WrappingAlgorithm`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum WrappingScheme {
    /// `RSAES_OAEP_SHA_1`: RSAES-OAEP (RFC 8017 §7.1) with SHA-1 and MGF1-SHA-1, empty label.
    RsaesOaepSha1,
    /// `RSAES_OAEP_SHA_256`: RSAES-OAEP with SHA-256 and MGF1-SHA-256, empty label.
    RsaesOaepSha256,
    /// `RSA_AES_KEY_WRAP_SHA_1`: RSAES-OAEP-SHA-1 of an ephemeral AES-256 key, then AES-KWP
    /// (RFC 5649) of the material.
    RsaAesKeyWrapSha1,
    /// `RSA_AES_KEY_WRAP_SHA_256`: as above with RSAES-OAEP-SHA-256.
    RsaAesKeyWrapSha256,
    /// `SM2PKE`: SM2 public-key encryption (GB/T 32918.4) with SM3, GM/T 0009 DER (China
    /// Regions only).
    Sm2Pke,
}

impl WrappingScheme {
    /// Every scheme, in AWS's order of the algorithm names.
    pub const ALL: &'static [WrappingScheme] = &[
        WrappingScheme::RsaesOaepSha1,
        WrappingScheme::RsaesOaepSha256,
        WrappingScheme::RsaAesKeyWrapSha1,
        WrappingScheme::RsaAesKeyWrapSha256,
        WrappingScheme::Sm2Pke,
    ];

    /// The AWS name of the algorithm.
    pub const fn algorithm(self) -> WrappingAlgorithm {
        match self {
            WrappingScheme::RsaesOaepSha1 => WrappingAlgorithm::RsaesOaepSha1,
            WrappingScheme::RsaesOaepSha256 => WrappingAlgorithm::RsaesOaepSha256,
            WrappingScheme::RsaAesKeyWrapSha1 => WrappingAlgorithm::RsaAesKeyWrapSha1,
            WrappingScheme::RsaAesKeyWrapSha256 => WrappingAlgorithm::RsaAesKeyWrapSha256,
            WrappingScheme::Sm2Pke => WrappingAlgorithm::Sm2Pke,
        }
    }

    /// The scheme behind an algorithm name; `None` for `RSAES_PKCS1_V1_5`.
    pub const fn from_algorithm(algorithm: WrappingAlgorithm) -> Option<WrappingScheme> {
        Some(match algorithm {
            WrappingAlgorithm::RsaesPkcs1V15 => return None,
            WrappingAlgorithm::RsaesOaepSha1 => WrappingScheme::RsaesOaepSha1,
            WrappingAlgorithm::RsaesOaepSha256 => WrappingScheme::RsaesOaepSha256,
            WrappingAlgorithm::RsaAesKeyWrapSha1 => WrappingScheme::RsaAesKeyWrapSha1,
            WrappingAlgorithm::RsaAesKeyWrapSha256 => WrappingScheme::RsaAesKeyWrapSha256,
            WrappingAlgorithm::Sm2Pke => WrappingScheme::Sm2Pke,
        })
    }

    /// The exact AWS name.
    pub const fn as_str(self) -> &'static str {
        self.algorithm().as_str()
    }

    /// The OAEP hash length hLen in bytes (RFC 8017 §7.1) of the RSAES-OAEP step: 20 for the
    /// `_SHA_1` algorithms, 32 for `_SHA_256`; `None` for SM2PKE.
    pub const fn oaep_hash_len(self) -> Option<usize> {
        match self {
            WrappingScheme::RsaesOaepSha1 | WrappingScheme::RsaAesKeyWrapSha1 => Some(20),
            WrappingScheme::RsaesOaepSha256 | WrappingScheme::RsaAesKeyWrapSha256 => Some(32),
            WrappingScheme::Sm2Pke => None,
        }
    }

    /// `true` when the material itself is one RSAES-OAEP message (`RSAES_OAEP_*`), so its length
    /// is bounded by one OAEP block.
    pub const fn is_oaep_of_material(self) -> bool {
        matches!(
            self,
            WrappingScheme::RsaesOaepSha1 | WrappingScheme::RsaesOaepSha256
        )
    }

    /// Whether this scheme works with a wrapping key of `spec`: the RSA schemes with RSA keys,
    /// SM2PKE with SM2 keys.
    pub const fn fits(self, spec: WrappingKeySpec) -> bool {
        match self {
            WrappingScheme::Sm2Pke => matches!(spec, WrappingKeySpec::Sm2),
            _ => spec.rsa_modulus_len().is_some(),
        }
    }

    /// The longest key material, in bytes, this scheme can wrap under a key of `spec`, or `None`
    /// when the scheme does not fit `spec`. For `RSAES_OAEP_*` it is one OAEP block,
    /// k − 2·hLen − 2 (RFC 8017 §7.1.1 step 1.b; k = 256, 384 or 512 bytes), e.g. 190 bytes for
    /// `RSAES_OAEP_SHA_256` under `RSA_2048`; otherwise [`crate::limits::MAX_MATERIAL_LEN`].
    pub const fn max_material_len(self, spec: WrappingKeySpec) -> Option<usize> {
        if !self.fits(spec) {
            return None;
        }
        match (
            self.is_oaep_of_material(),
            spec.rsa_modulus_len(),
            self.oaep_hash_len(),
        ) {
            (true, Some(k), Some(h_len)) => Some(k.saturating_sub(2 * h_len + 2)),
            _ => Some(crate::limits::MAX_MATERIAL_LEN),
        }
    }
}

impl From<WrappingScheme> for WrappingAlgorithm {
    fn from(scheme: WrappingScheme) -> Self {
        scheme.algorithm()
    }
}

impl fmt::Display for WrappingScheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

aws_enum! {
    /// The key spec of the KMS key that receives the imported material.
    KeySpec, "KeySpec" {
        SymmetricDefault = "SYMMETRIC_DEFAULT",
        Hmac224 = "HMAC_224",
        Hmac256 = "HMAC_256",
        Hmac384 = "HMAC_384",
        Hmac512 = "HMAC_512",
        Rsa2048 = "RSA_2048",
        Rsa3072 = "RSA_3072",
        Rsa4096 = "RSA_4096",
        EccNistP256 = "ECC_NIST_P256",
        EccNistP384 = "ECC_NIST_P384",
        EccNistP521 = "ECC_NIST_P521",
        EccSecgP256k1 = "ECC_SECG_P256K1",
        EccNistEdwards25519 = "ECC_NIST_EDWARDS25519",
        /// China Regions only.
        Sm2 = "SM2",
        MlDsa44 = "ML_DSA_44",
        MlDsa65 = "ML_DSA_65",
        MlDsa87 = "ML_DSA_87",
        MlKem512 = "ML_KEM_512",
        MlKem768 = "ML_KEM_768",
        MlKem1024 = "ML_KEM_1024",
    }
}

aws_enum! {
    /// The AWS partition: it decides which algorithms and key specs exist.
    Partition, "Partition" {
        Aws = "aws",
        /// The China Regions (`cn-north-1`, `cn-northwest-1`).
        AwsCn = "aws-cn",
        /// AWS GovCloud (US); the import rules are those of `aws`.
        AwsUsGov = "aws-us-gov",
    }
}

aws_enum! {
    /// What a KMS key is for (`KeyMetadata.KeyUsage`; API reference, `CreateKey`, `KeyUsage`).
    KeyUsage, "KeyUsage" {
        SignVerify = "SIGN_VERIFY",
        EncryptDecrypt = "ENCRYPT_DECRYPT",
        GenerateVerifyMac = "GENERATE_VERIFY_MAC",
        KeyAgreement = "KEY_AGREEMENT",
        EncapsulateDecapsulate = "ENCAPSULATE_DECAPSULATE",
    }
}

/// The kind of material a key spec takes, which is what the compatibility rules speak of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MaterialKind {
    /// Raw symmetric key bytes (AES-256, or SM4 in `aws-cn`).
    Symmetric,
    /// Raw HMAC key bytes.
    Hmac,
    /// An RSA private key as PKCS#8 DER.
    RsaPrivateKey,
    /// An elliptic-curve private key (NIST, SECG or SM2 curve) as PKCS#8 DER.
    EccPrivateKey,
    /// A key spec that cannot receive imported material.
    NotImportable,
}

impl WrappingKeySpec {
    /// The partitions in which KMS hands out this wrapping key spec: `SM2` only in `aws-cn`
    /// (developer guide, "Download the wrapping public key and import token": "AWS KMS also
    /// supports the SM2 wrapping key spec (China Regions only)"), the RSA specs everywhere.
    pub const fn partitions(self) -> &'static [Partition] {
        match self {
            WrappingKeySpec::Sm2 => &[Partition::AwsCn],
            _ => Partition::ALL,
        }
    }

    /// RSA modulus length in bytes (`k` in RFC 8017), or `None` for SM2.
    pub const fn rsa_modulus_len(self) -> Option<usize> {
        match self {
            WrappingKeySpec::Rsa2048 => Some(256),
            WrappingKeySpec::Rsa3072 => Some(384),
            WrappingKeySpec::Rsa4096 => Some(512),
            WrappingKeySpec::Sm2 => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn every_name_round_trips() {
        for spec in WrappingKeySpec::ALL {
            assert_eq!(spec.to_string().parse::<WrappingKeySpec>(), Ok(*spec));
        }
        for alg in WrappingAlgorithm::ALL {
            assert_eq!(alg.to_string().parse::<WrappingAlgorithm>(), Ok(*alg));
        }
        for ks in KeySpec::ALL {
            assert_eq!(ks.to_string().parse::<KeySpec>(), Ok(*ks));
        }
        for p in Partition::ALL {
            assert_eq!(p.to_string().parse::<Partition>(), Ok(*p));
        }
    }

    #[test]
    fn unknown_name_lists_valid_values() {
        let err = "RSAES_OAEP_SHA_512"
            .parse::<WrappingAlgorithm>()
            .unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with("unknown WrappingAlgorithm; valid values: RSAES_PKCS1_V1_5, "));
        assert!(text.ends_with("SM2PKE"));
        // Case matters on the wire.
        assert!("rsa_2048".parse::<WrappingKeySpec>().is_err());
        assert!("".parse::<KeySpec>().is_err());
    }

    #[test]
    fn wire_names_are_exact() {
        assert_eq!(
            WrappingAlgorithm::RsaAesKeyWrapSha256.as_str(),
            "RSA_AES_KEY_WRAP_SHA_256"
        );
        assert_eq!(KeySpec::EccSecgP256k1.as_str(), "ECC_SECG_P256K1");
        assert_eq!(WrappingKeySpec::Sm2.rsa_modulus_len(), None);
        assert_eq!(WrappingKeySpec::Rsa3072.rsa_modulus_len(), Some(384));
    }
}
