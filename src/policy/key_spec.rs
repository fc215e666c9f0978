//! One table of what each `KeySpec` is and takes: its family, the form and size of its key
//! material, whether it can receive imported material at all, the partitions it exists in, and
//! its key usages. The compatibility matrix ([`crate::matrix`]) and the key material checks
//! ([`crate::material`]) both read it; nothing else states these facts.
//!
//! Sources (AWS KMS developer guide and API reference):
//! - `CreateKey`, `KeySpec`: "SYMMETRIC_DEFAULT, creates a KMS key with a 256-bit AES-GCM key ...
//!   except in China Regions, where it creates a 128-bit symmetric key that uses SM4 encryption";
//!   "SM2 (China Regions only)"; "The ML-KEM key specs are not available in China Regions."
//! - `CreateKey`, `KeyUsage`: the usages per family (listed in [`KeySpecRule::key_usages`]).
//! - Developer guide, "Importing key material": symmetric, HMAC, RSA and ECC (and in China SM2)
//!   keys take imported material; ML-DSA, ML-KEM and `ECC_NIST_EDWARDS25519` keys are generated
//!   inside KMS only (no `EXTERNAL` origin is documented for them).
//! - Developer guide, "Special requirements for key material": HMAC material is exactly the key
//!   spec's size; asymmetric material is a PKCS#8 private key (RFC 5208).

use crate::policy::names::{KeySpec, KeyUsage, MaterialKind, Partition};

/// The curves of the ECC and SM2 key specs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EcCurve {
    /// NIST P-256 (secp256r1), `ECC_NIST_P256`.
    P256,
    /// NIST P-384 (secp384r1), `ECC_NIST_P384`.
    P384,
    /// NIST P-521 (secp521r1), `ECC_NIST_P521`.
    P521,
    /// secp256k1, `ECC_SECG_P256K1`.
    Secp256k1,
    /// sm2p256v1 (GB/T 32918.5), `SM2`.
    Sm2,
}

impl EcCurve {
    /// `None` when this build checks keys on this curve; otherwise what is missing (the curve's
    /// Cargo feature is off, see [`crate::Error::Unsupported`]).
    pub const fn unsupported(self) -> Option<crate::Unsupported> {
        #[allow(unused_imports)]
        use crate::Unsupported as U;
        match self {
            #[cfg(not(feature = "ecc-p256"))]
            EcCurve::P256 => Some(U::new("ECC_NIST_P256 key material", "ecc-p256")),
            #[cfg(not(feature = "ecc-p384"))]
            EcCurve::P384 => Some(U::new("ECC_NIST_P384 key material", "ecc-p384")),
            #[cfg(not(feature = "ecc-p521"))]
            EcCurve::P521 => Some(U::new("ECC_NIST_P521 key material", "ecc-p521")),
            #[cfg(not(feature = "ecc-secp256k1"))]
            EcCurve::Secp256k1 => Some(U::new("ECC_SECG_P256K1 key material", "ecc-secp256k1")),
            #[cfg(not(feature = "sm2"))]
            EcCurve::Sm2 => Some(U::new("SM2 key material", "sm2")),
            #[allow(unreachable_patterns)]
            _ => None,
        }
    }

    /// The length of the private scalar in bytes, ceiling(log2(n)/8) (RFC 5915 §3).
    pub const fn scalar_len(self) -> usize {
        match self {
            EcCurve::P384 => 48,
            EcCurve::P521 => 66,
            EcCurve::P256 | EcCurve::Secp256k1 | EcCurve::Sm2 => 32,
        }
    }
}

/// What the key material of a key spec looks like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum MaterialForm {
    /// The key spec cannot receive imported material.
    NotImportable,
    /// Raw key bytes of exactly this many bytes (in `aws-cn`, `len_in_aws_cn`).
    Raw {
        /// Length in bytes in `aws` and `aws-us-gov`.
        len: usize,
        /// Length in bytes in `aws-cn`.
        len_in_aws_cn: usize,
    },
    /// A PKCS#8 `rsaEncryption` private key (RFC 8017 A.1.2) whose modulus has exactly this many
    /// bits.
    RsaPkcs8 {
        /// Modulus length in bits.
        modulus_bits: u32,
    },
    /// A PKCS#8 `id-ecPublicKey` private key (RFC 5915, RFC 5480) on this curve. `max_len` is the
    /// longest usual encoding in bytes: PKCS#8 wrapping an `ECPrivateKey` with both the optional
    /// `parameters` and `publicKey`, as `openssl pkcs8 -topk8` and Java write it (OpenSSL 3's
    /// `genpkey` omits the inner parameters and is 17 or 18 bytes shorter).
    EcPkcs8 {
        /// The curve.
        curve: EcCurve,
        /// The longest usual PKCS#8 encoding, in bytes.
        max_len: usize,
    },
}

/// One row of the table.
#[derive(Clone, Copy, Debug)]
pub struct KeySpecRule {
    /// The key spec.
    pub key_spec: KeySpec,
    /// The family of its material, which is what the wrapping algorithms' rules speak of.
    pub family: MaterialKind,
    /// The form and size of its material.
    pub material: MaterialForm,
    /// The partitions in which the key spec exists.
    pub partitions: &'static [Partition],
    /// The `KeyUsage` values a key of this spec can have (API reference, `CreateKey`).
    pub key_usages: &'static [KeyUsage],
}

use KeyUsage::{
    EncapsulateDecapsulate as Kem, EncryptDecrypt as Encrypt, GenerateVerifyMac as Mac,
    KeyAgreement as Agree, SignVerify as Sign,
};
use MaterialForm::{EcPkcs8, NotImportable, Raw, RsaPkcs8};
use MaterialKind::{EccPrivateKey as Ecc, Hmac, NotImportable as None_, RsaPrivateKey as Rsa};
use Partition::{Aws, AwsCn, AwsUsGov};

const EVERYWHERE: &[Partition] = &[Aws, AwsCn, AwsUsGov];
const OUTSIDE_CHINA: &[Partition] = &[Aws, AwsUsGov];
const CHINA_ONLY: &[Partition] = &[AwsCn];

const fn raw(len: usize) -> MaterialForm {
    Raw {
        len,
        len_in_aws_cn: len,
    }
}

/// The whole table, in the order of [`KeySpec::ALL`].
#[rustfmt::skip]
pub const KEY_SPECS: &[KeySpecRule] = &[
    KeySpecRule { key_spec: KeySpec::SymmetricDefault, family: MaterialKind::Symmetric, material: Raw { len: 32, len_in_aws_cn: 16 }, partitions: EVERYWHERE, key_usages: &[Encrypt] },
    KeySpecRule { key_spec: KeySpec::Hmac224, family: Hmac, material: raw(28), partitions: EVERYWHERE, key_usages: &[Mac] },
    KeySpecRule { key_spec: KeySpec::Hmac256, family: Hmac, material: raw(32), partitions: EVERYWHERE, key_usages: &[Mac] },
    KeySpecRule { key_spec: KeySpec::Hmac384, family: Hmac, material: raw(48), partitions: EVERYWHERE, key_usages: &[Mac] },
    KeySpecRule { key_spec: KeySpec::Hmac512, family: Hmac, material: raw(64), partitions: EVERYWHERE, key_usages: &[Mac] },
    KeySpecRule { key_spec: KeySpec::Rsa2048, family: Rsa, material: RsaPkcs8 { modulus_bits: 2048 }, partitions: EVERYWHERE, key_usages: &[Encrypt, Sign] },
    KeySpecRule { key_spec: KeySpec::Rsa3072, family: Rsa, material: RsaPkcs8 { modulus_bits: 3072 }, partitions: EVERYWHERE, key_usages: &[Encrypt, Sign] },
    KeySpecRule { key_spec: KeySpec::Rsa4096, family: Rsa, material: RsaPkcs8 { modulus_bits: 4096 }, partitions: EVERYWHERE, key_usages: &[Encrypt, Sign] },
    KeySpecRule { key_spec: KeySpec::EccNistP256, family: Ecc, material: EcPkcs8 { curve: EcCurve::P256, max_len: 138 }, partitions: EVERYWHERE, key_usages: &[Sign, Agree] },
    KeySpecRule { key_spec: KeySpec::EccNistP384, family: Ecc, material: EcPkcs8 { curve: EcCurve::P384, max_len: 185 }, partitions: EVERYWHERE, key_usages: &[Sign, Agree] },
    KeySpecRule { key_spec: KeySpec::EccNistP521, family: Ecc, material: EcPkcs8 { curve: EcCurve::P521, max_len: 241 }, partitions: EVERYWHERE, key_usages: &[Sign, Agree] },
    KeySpecRule { key_spec: KeySpec::EccSecgP256k1, family: Ecc, material: EcPkcs8 { curve: EcCurve::Secp256k1, max_len: 135 }, partitions: EVERYWHERE, key_usages: &[Sign] },
    KeySpecRule { key_spec: KeySpec::EccNistEdwards25519, family: None_, material: NotImportable, partitions: EVERYWHERE, key_usages: &[Sign] },
    KeySpecRule { key_spec: KeySpec::Sm2, family: Ecc, material: EcPkcs8 { curve: EcCurve::Sm2, max_len: 138 }, partitions: CHINA_ONLY, key_usages: &[Encrypt, Sign, Agree] },
    KeySpecRule { key_spec: KeySpec::MlDsa44, family: None_, material: NotImportable, partitions: EVERYWHERE, key_usages: &[Sign] },
    KeySpecRule { key_spec: KeySpec::MlDsa65, family: None_, material: NotImportable, partitions: EVERYWHERE, key_usages: &[Sign] },
    KeySpecRule { key_spec: KeySpec::MlDsa87, family: None_, material: NotImportable, partitions: EVERYWHERE, key_usages: &[Sign] },
    KeySpecRule { key_spec: KeySpec::MlKem512, family: None_, material: NotImportable, partitions: OUTSIDE_CHINA, key_usages: &[Kem] },
    KeySpecRule { key_spec: KeySpec::MlKem768, family: None_, material: NotImportable, partitions: OUTSIDE_CHINA, key_usages: &[Kem] },
    KeySpecRule { key_spec: KeySpec::MlKem1024, family: None_, material: NotImportable, partitions: OUTSIDE_CHINA, key_usages: &[Kem] },
];

impl KeySpec {
    /// This key spec's row of [`KEY_SPECS`].
    pub fn rule(self) -> &'static KeySpecRule {
        // The table has one row per key spec in `KeySpec::ALL` order (a unit test checks it);
        // the search keeps this total even if it ever did not.
        KEY_SPECS
            .iter()
            .find(|r| r.key_spec == self)
            .unwrap_or(&KEY_SPECS[0])
    }

    /// What kind of material this key spec receives.
    pub fn material_kind(self) -> MaterialKind {
        self.rule().family
    }

    /// `true` when the key spec exists in `partition`.
    pub fn exists_in(self, partition: Partition) -> bool {
        self.rule().partitions.contains(&partition)
    }

    /// The exact length in bytes of raw (symmetric or HMAC) material in `partition`; `None` for
    /// PKCS#8 material and for key specs that take none.
    pub fn raw_material_len(self, partition: Partition) -> Option<usize> {
        match self.rule().material {
            Raw { len_in_aws_cn, .. } if partition == AwsCn => Some(len_in_aws_cn),
            Raw { len, .. } => Some(len),
            _ => None,
        }
    }

    /// The largest material of this key spec in `partition`, in bytes, as the matrix's OAEP size
    /// rule uses it: the exact length of raw material, the longest usual PKCS#8 encoding of an EC
    /// key (see [`MaterialForm::EcPkcs8`]), and [`crate::limits::MAX_MATERIAL_LEN`] for RSA keys
    /// (and for key specs that take no material).
    pub fn max_material_len(self, partition: Partition) -> usize {
        match self.rule().material {
            EcPkcs8 { max_len, .. } => max_len,
            _ => self
                .raw_material_len(partition)
                .unwrap_or(crate::limits::MAX_MATERIAL_LEN),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_row_per_key_spec_in_order() {
        assert_eq!(KEY_SPECS.len(), KeySpec::ALL.len());
        for (row, &spec) in KEY_SPECS.iter().zip(KeySpec::ALL) {
            assert_eq!(row.key_spec, spec);
            assert_eq!(spec.rule().key_spec, spec);
            assert!(!row.partitions.is_empty() && !row.key_usages.is_empty());
            assert_eq!(
                row.family == MaterialKind::NotImportable,
                row.material == NotImportable,
                "{spec}"
            );
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(KeySpec::SymmetricDefault.raw_material_len(Aws), Some(32));
        assert_eq!(KeySpec::SymmetricDefault.raw_material_len(AwsCn), Some(16));
        assert_eq!(KeySpec::Hmac224.raw_material_len(AwsUsGov), Some(28));
        assert_eq!(KeySpec::EccNistP521.max_material_len(Aws), 241);
        assert_eq!(KeySpec::Rsa2048.raw_material_len(Aws), None);
        assert!(!KeySpec::Sm2.exists_in(Aws) && KeySpec::Sm2.exists_in(AwsCn));
        assert!(!KeySpec::MlKem768.exists_in(AwsCn));
    }
}
