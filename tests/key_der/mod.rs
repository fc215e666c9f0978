//! Test support for key material and wrapping key import: a tiny DER writer (so tests can build
//! malformed encodings on purpose), RSA/EC key surgery, and the `openssl` CLI.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Stdio};

use der::Decode;
use kms_import::Partition::{Aws, AwsCn};
use kms_import::{Error, KeySpec, Partition, material};
use rand::{SeedableRng, rngs::ChaCha20Rng};

pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

// ---------- DER writer ----------

/// A TLV with a minimal definite length.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes: Vec<u8> = len
            .to_be_bytes()
            .iter()
            .copied()
            .skip_while(|b| *b == 0)
            .collect();
        out.push(0x80 | bytes.len() as u8);
        out.extend(bytes);
    }
    out.extend_from_slice(content);
    out
}

pub fn seq(parts: &[&[u8]]) -> Vec<u8> {
    tlv(0x30, &parts.concat())
}

/// An unsigned INTEGER in minimal two's complement form.
pub fn uint(bytes: &[u8]) -> Vec<u8> {
    let mut v: Vec<u8> = bytes.iter().copied().skip_while(|b| *b == 0).collect();
    if v.first().is_none_or(|b| *b >= 0x80) {
        v.insert(0, 0);
    }
    tlv(0x02, &v)
}

pub fn octets(bytes: &[u8]) -> Vec<u8> {
    tlv(0x04, bytes)
}

pub fn oid(dotted: &str) -> Vec<u8> {
    use der::Encode;
    der::asn1::ObjectIdentifier::new_unwrap(dotted)
        .to_der()
        .unwrap()
}

pub const NULL: &[u8] = &[0x05, 0x00];
pub const RSA_ENCRYPTION: &str = "1.2.840.113549.1.1.1";
pub const ID_EC_PUBLIC_KEY: &str = "1.2.840.10045.2.1";
pub const P256: &str = "1.2.840.10045.3.1.7";
pub const P384: &str = "1.3.132.0.34";
pub const P521: &str = "1.3.132.0.35";
pub const SECP256K1: &str = "1.3.132.0.10";
pub const SM2: &str = "1.2.156.10197.1.301";

/// PKCS#8 v1 `PrivateKeyInfo` around `private_key`, with an `AlgorithmIdentifier` of `alg` and
/// the raw (already encoded) parameters.
pub fn pkcs8(alg: &str, params: Option<&[u8]>, private_key: &[u8]) -> Vec<u8> {
    let alg_id = seq(&[&oid(alg), params.unwrap_or(&[])]);
    seq(&[&uint(&[0]), &alg_id, &octets(private_key)])
}

// ---------- RSA surgery ----------

/// The nine fields of an RSAPrivateKey, as big-endian unsigned bytes (version first).
#[derive(Clone)]
pub struct RsaFields {
    pub version: Vec<u8>,
    pub ints: [Vec<u8>; 8], // n, e, d, p, q, dp, dq, qinv
}

pub const N: usize = 0;
pub const E: usize = 1;
pub const D: usize = 2;
pub const P: usize = 3;
pub const Q: usize = 4;
pub const DP: usize = 5;
pub const DQ: usize = 6;
pub const QINV: usize = 7;

impl RsaFields {
    pub fn from_pkcs8(der: &[u8]) -> Self {
        let info = pkcs8::PrivateKeyInfoRef::from_der(der).unwrap();
        let k = rsa::pkcs1::RsaPrivateKeyRef::from_der(info.private_key.as_bytes()).unwrap();
        let b = |u: der::asn1::UintRef<'_>| u.as_bytes().to_vec();
        RsaFields {
            version: vec![0],
            ints: [
                b(k.modulus),
                b(k.public_exponent),
                b(k.private_exponent),
                b(k.prime1),
                b(k.prime2),
                b(k.exponent1),
                b(k.exponent2),
                b(k.coefficient),
            ],
        }
    }

    pub fn rsa_private_key(&self) -> Vec<u8> {
        let mut parts = vec![uint(&self.version)];
        parts.extend(self.ints.iter().map(|i| uint(i)));
        let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
        seq(&refs)
    }

    pub fn to_pkcs8(&self) -> Vec<u8> {
        pkcs8(RSA_ENCRYPTION, Some(NULL), &self.rsa_private_key())
    }

    /// Flips bit 1 of the last byte of field `i` (keeps parity, so odd stays odd).
    pub fn corrupt(mut self, i: usize) -> Self {
        let last = self.ints[i].last_mut().unwrap();
        *last ^= 0x02;
        self
    }
}

/// A fresh RSA key as PKCS#8 DER from the `rsa` crate (2048 bits: fast enough in tests).
pub fn rust_rsa_pkcs8(bits: usize, seed: u64) -> Vec<u8> {
    use rsa::pkcs8::EncodePrivateKey;
    let key = rsa::PrivateKey::new(&mut rng(seed), bits).unwrap();
    key.to_pkcs8_der().unwrap().as_bytes().to_vec()
}

// ---------- EC ----------

/// RFC 5915 ECPrivateKey with optional `[0]` parameters and `[1]` public key.
pub fn ec_private_key(scalar: &[u8], params: Option<&str>, public: Option<&[u8]>) -> Vec<u8> {
    let mut parts = vec![uint(&[1]), octets(scalar)];
    if let Some(curve) = params {
        parts.push(tlv(0xA0, &oid(curve)));
    }
    if let Some(point) = public {
        let mut bits = vec![0u8];
        bits.extend_from_slice(point);
        parts.push(tlv(0xA1, &tlv(0x03, &bits)));
    }
    let refs: Vec<&[u8]> = parts.iter().map(|p| p.as_slice()).collect();
    seq(&refs)
}

pub fn ec_pkcs8(curve: &str, ec_key: &[u8]) -> Vec<u8> {
    pkcs8(ID_EC_PUBLIC_KEY, Some(&oid(curve)), ec_key)
}

// ---------- openssl CLI ----------

/// Whether the `openssl` CLI can be run; prints a notice when it cannot.
pub fn have_openssl(test: &str) -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("NOTICE: {test}: `openssl` not found, OpenSSL-generated keys SKIPPED");
    }
    ok
}

/// Runs `openssl args...` with `stdin`, returns stdout; panics on failure.
pub fn openssl(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new("openssl")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "openssl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// `openssl genpkey` with its default PEM output (PKCS#8 in OpenSSL 3), decoded to DER.
pub fn genpkey_pkcs8(args: &[&str]) -> Vec<u8> {
    let mut full = vec!["genpkey"];
    full.extend_from_slice(args);
    let pem = openssl(&full, b"");
    let text = String::from_utf8(pem).unwrap();
    assert!(text.starts_with("-----BEGIN PRIVATE KEY-----"), "{text}");
    let body: String = text
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect::<Vec<_>>()
        .join("\n");
    openssl(&["base64", "-d"], format!("{body}\n").as_bytes())
}

/// `openssl genpkey -outform DER`: OpenSSL 3.0 writes the traditional (PKCS#1 / SEC1) form.
pub fn genpkey_traditional_der(args: &[&str]) -> Vec<u8> {
    let mut full = vec!["genpkey"];
    full.extend_from_slice(args);
    full.extend_from_slice(&["-outform", "DER"]);
    openssl(&full, b"")
}

/// `openssl pkcs8 -topk8 -nocrypt` of a DER key in any form OpenSSL reads.
pub fn topk8(der: &[u8]) -> Vec<u8> {
    openssl(
        &[
            "pkcs8", "-topk8", "-nocrypt", "-inform", "DER", "-outform", "DER",
        ],
        der,
    )
}

/// `openssl ecparam -genkey` (SEC1, traditional) for `curve`, then `openssl ec extra...` on it.
pub fn ec_traditional(curve: &str, extra: &[&str]) -> Vec<u8> {
    let sec1 = openssl(
        &[
            "ecparam", "-name", curve, "-genkey", "-noout", "-outform", "DER",
        ],
        b"",
    );
    let mut args = vec!["ec", "-inform", "DER", "-outform", "DER"];
    args.extend_from_slice(extra);
    openssl(&args, &sec1)
}

// ---------- material::validate assertions ----------

pub fn accepted(spec: KeySpec, partition: Partition, der: &[u8]) {
    assert_eq!(
        material::validate(partition, spec, der, &mut rng(0x5EED)),
        Ok(()),
        "{spec} in {partition}"
    );
}

/// Refused with `IncorrectKeyMaterial` whose reason contains `phrase`.
pub fn refused(spec: KeySpec, partition: Partition, der: &[u8], phrase: &str) {
    match material::validate(partition, spec, der, &mut rng(0x5EED)) {
        Err(Error::IncorrectKeyMaterial(refusal)) => {
            let why = refusal.to_string();
            assert!(
                why.contains(phrase),
                "{spec}: reason {why:?} lacks {phrase:?}"
            )
        }
        other => {
            panic!("{spec} in {partition}: expected a refusal containing {phrase:?}, got {other:?}")
        }
    }
}

/// Refused before the bytes are looked at, with the matrix's `reason`, whose text contains
/// `phrase`.
pub fn not_allowed(
    spec: KeySpec,
    partition: Partition,
    der: &[u8],
    reason: kms_import::matrix::Reason,
    phrase: &str,
) {
    match material::validate(partition, spec, der, &mut rng(0x5EED)) {
        Err(Error::NotAllowed(refusal)) => {
            assert_eq!(refusal.reason, reason, "{spec} in {partition}: {refusal}");
            let why = refusal.to_string();
            assert!(
                why.contains(phrase),
                "{spec} in {partition}: reason {why:?} lacks {phrase:?}"
            )
        }
        other => panic!("{spec} in {partition}: expected {reason:?} ({phrase:?}), got {other:?}"),
    }
}

pub const NOT_DER: &str = "not a strict-DER PKCS#8";
pub const WRONG_CURVE: &str = "on another curve";
pub const ASYMMETRIC: [KeySpec; 8] = [
    KeySpec::Rsa2048,
    KeySpec::Rsa3072,
    KeySpec::Rsa4096,
    KeySpec::EccNistP256,
    KeySpec::EccNistP384,
    KeySpec::EccNistP521,
    KeySpec::EccSecgP256k1,
    KeySpec::Sm2,
];

// ---------- EC keys built with the Rust crates ----------

/// Scalar and public point (uncompressed and compressed) of a fresh key.
pub struct EcParts {
    pub curve: &'static str,
    pub scalar: Vec<u8>,
    pub uncompressed: Vec<u8>,
    pub compressed: Vec<u8>,
    pub crate_pkcs8: Vec<u8>,
}

impl EcParts {
    pub fn pkcs8_plain(&self) -> Vec<u8> {
        ec_pkcs8(
            self.curve,
            &ec_private_key(&self.scalar, None, Some(&self.uncompressed)),
        )
    }
}

macro_rules! ec_parts_fn {
    ($name:ident, $krate:ident, $curve:expr) => {
        pub fn $name(seed: u64) -> EcParts {
            use $krate::elliptic_curve::Generate;
            use $krate::elliptic_curve::sec1::ToSec1Point;
            use $krate::pkcs8::EncodePrivateKey;
            let sk = $krate::SecretKey::generate_from_rng(&mut rng(seed));
            let pk = sk.public_key();
            EcParts {
                curve: $curve,
                scalar: sk.to_bytes().to_vec(),
                uncompressed: pk.to_sec1_point(false).as_bytes().to_vec(),
                compressed: pk.to_sec1_point(true).as_bytes().to_vec(),
                crate_pkcs8: sk.to_pkcs8_der().unwrap().as_bytes().to_vec(),
            }
        }
    };
}
ec_parts_fn!(p256_parts, p256, P256);
ec_parts_fn!(p384_parts, p384, P384);
ec_parts_fn!(p521_parts, p521, P521);
ec_parts_fn!(k256_parts, k256, SECP256K1);
ec_parts_fn!(sm2_parts, sm2, SM2);

pub fn ec_cases() -> Vec<(KeySpec, Partition, EcParts, EcParts, &'static str)> {
    vec![
        (
            KeySpec::EccNistP256,
            Aws,
            p256_parts(10),
            p256_parts(11),
            "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        ),
        (
            KeySpec::EccNistP384,
            Aws,
            p384_parts(12),
            p384_parts(13),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        ),
        (
            KeySpec::EccNistP521,
            Aws,
            p521_parts(14),
            p521_parts(15),
            "01FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFA51868783BF2F966B7FCC0148F709A5D03BB5C9B8899C47AEBB6FB71E91386409",
        ),
        (
            KeySpec::EccSecgP256k1,
            Aws,
            k256_parts(16),
            k256_parts(17),
            "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141",
        ),
        (
            KeySpec::Sm2,
            AwsCn,
            sm2_parts(18),
            sm2_parts(19),
            "FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123",
        ),
    ]
}
