//! Key material checks: what each key spec accepts on import.

pub(crate) mod ec;
pub(crate) mod pkcs8;
pub(crate) mod rsa;

use crate::error::Error;
use crate::policy::names::{KeySpec, Partition};
use ec::EcCurve;
use rsa::RsaPolicy;

/// The largest material a key spec takes, in bytes, as used by the OAEP size rule of the matrix.
///
/// Symmetric and HMAC material has one exact length. For ECC keys this is the longest usual
/// PKCS#8 encoding (RFC 5208 wrapping an RFC 5915 `ECPrivateKey` with both the optional
/// `parameters` and `publicKey`, as `openssl pkcs8 -topk8` and Java write it): P-256 138, P-384 185,
/// P-521 241, secp256k1 135, SM2 138 bytes. OpenSSL 3's `genpkey` omits the inner parameters
/// (121 / 167 / 223 / 118 / 121 bytes). RSA keys are bounded by [`crate::limits::MAX_MATERIAL_LEN`].
pub fn max_len(key_spec: KeySpec, partition: Partition) -> usize {
    match key_spec {
        KeySpec::SymmetricDefault => symmetric_len(partition),
        KeySpec::Hmac224 => 28,
        KeySpec::Hmac256 => 32,
        KeySpec::Hmac384 => 48,
        KeySpec::Hmac512 => 64,
        KeySpec::EccNistP256 | KeySpec::Sm2 => 138,
        KeySpec::EccNistP384 => 185,
        KeySpec::EccNistP521 => 241,
        KeySpec::EccSecgP256k1 => 135,
        _ => crate::limits::MAX_MATERIAL_LEN,
    }
}

/// `SYMMETRIC_DEFAULT` material: a 256-bit AES key, or a 128-bit SM4 key in the China Regions.
pub const fn symmetric_len(partition: Partition) -> usize {
    match partition {
        Partition::AwsCn => 16,
        _ => 32,
    }
}

/// Checks that `material` is what a `key_spec` key accepts on import in `partition`: the exact
/// length for symmetric and HMAC keys; for RSA, ECC and SM2 keys a strict-DER PKCS#8 private key of
/// the right algorithm, curve and size, internally consistent, with nothing trailing.
/// A refusal is [`Error::IncorrectKeyMaterial`] with the reason.
///
/// This is the `ImportKeyMaterial` step "validates the material for the key spec" (issue 4) and
/// what `wrap --key-spec` runs before wrapping. Pure and bounded: the length is checked before any
/// parsing, and RSA sizes before any arithmetic. The rules, in order:
/// - empty, or longer than [`crate::limits::MAX_MATERIAL_LEN`]: refused;
/// - a key spec that cannot receive imported material (ML-DSA, ML-KEM, Ed25519): refused;
/// - `SM2` outside `aws-cn`: refused (it exists only in the China Regions);
/// - `SYMMETRIC_DEFAULT`: exactly [`symmetric_len`] bytes; `HMAC_*`: exactly 28/32/48/64 bytes;
/// - RSA: see `rsa::check`; the modulus must be exactly the key spec's size and the public
///   exponent odd with 2^16 < e < 2^256 (FIPS 186-5 §A.1.1; KMS itself generates e = 65537);
/// - ECC and SM2: see `ec::check`.
///
/// The PKCS#8 envelope rules (version 0, no attributes, strict DER, nothing trailing) are in
/// `material_pkcs8`.
pub fn check(key_spec: KeySpec, partition: Partition, material: &[u8]) -> Result<(), Error> {
    check_reason(key_spec, partition, material).map_err(Error::IncorrectKeyMaterial)
}

fn check_reason(
    key_spec: KeySpec,
    partition: Partition,
    material: &[u8],
) -> Result<(), &'static str> {
    if material.is_empty() {
        return Err("the key material is empty");
    }
    if material.len() > crate::limits::MAX_MATERIAL_LEN {
        return Err("the key material is longer than any key spec accepts (4096 bytes)");
    }
    let exact_len = |len: usize, refusal: &'static str| {
        if material.len() == len {
            Ok(())
        } else {
            Err(refusal)
        }
    };
    let rsa = |bits: &'static [u32]| -> Result<(), &'static str> {
        let info = pkcs8::parse(material)?;
        let policy = RsaPolicy {
            modulus_bits: bits,
            modulus_refusal: "the RSA modulus is not the size the key spec names \
                              (RSA_2048: 2048 bits, RSA_3072: 3072, RSA_4096: 4096)",
            e_65537_only: false,
        };
        rsa::check(&info, &policy).map(drop)
    };
    let ec = |curve: EcCurve| ec::check(curve, &pkcs8::parse(material)?);
    match key_spec {
        KeySpec::SymmetricDefault => match partition {
            Partition::AwsCn => exact_len(
                symmetric_len(partition),
                "SYMMETRIC_DEFAULT material in aws-cn must be exactly 16 bytes (an SM4 key)",
            ),
            _ => exact_len(
                symmetric_len(partition),
                "SYMMETRIC_DEFAULT material must be exactly 32 bytes (an AES-256 key)",
            ),
        },
        KeySpec::Hmac224 => exact_len(28, "HMAC_224 material must be exactly 28 bytes"),
        KeySpec::Hmac256 => exact_len(32, "HMAC_256 material must be exactly 32 bytes"),
        KeySpec::Hmac384 => exact_len(48, "HMAC_384 material must be exactly 48 bytes"),
        KeySpec::Hmac512 => exact_len(64, "HMAC_512 material must be exactly 64 bytes"),
        KeySpec::Rsa2048 => rsa(&[2048]),
        KeySpec::Rsa3072 => rsa(&[3072]),
        KeySpec::Rsa4096 => rsa(&[4096]),
        KeySpec::EccNistP256 => ec(EcCurve::P256),
        KeySpec::EccNistP384 => ec(EcCurve::P384),
        KeySpec::EccNistP521 => ec(EcCurve::P521),
        KeySpec::EccSecgP256k1 => ec(EcCurve::Secp256k1),
        KeySpec::Sm2 if partition == Partition::AwsCn => ec(EcCurve::Sm2),
        KeySpec::Sm2 => Err("the SM2 key spec exists only in the China Regions (aws-cn)"),
        KeySpec::EccNistEdwards25519
        | KeySpec::MlDsa44
        | KeySpec::MlDsa65
        | KeySpec::MlDsa87
        | KeySpec::MlKem512
        | KeySpec::MlKem768
        | KeySpec::MlKem1024 => Err("this key spec cannot receive imported key material"),
    }
}
