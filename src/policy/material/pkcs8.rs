//! The strict PKCS#8 envelope around RSA, ECC and SM2 private keys.
//!
//! RFC 5208 §5:
//!
//! ```text
//! PrivateKeyInfo ::= SEQUENCE {
//!   version                   Version,                 -- 0
//!   privateKeyAlgorithm       AlgorithmIdentifier,
//!   privateKey                OCTET STRING,
//!   attributes           [0]  IMPLICIT Attributes OPTIONAL }
//! ```
//!
//! Policy (shared by key material checks and wrapping key import):
//! - DER only (the `der` crate refuses BER lengths, non-minimal INTEGERs, indefinite lengths);
//!   nothing may follow the outer `SEQUENCE`.
//! - `version` must be 0. RFC 5958 `OneAsymmetricKey` v2 (version 1, with a `[1]` public key) is
//!   refused: OpenSSL, Java, Go and the RustCrypto crates all write version 0 for RSA and EC keys,
//!   and the RSA and EC private key structures already carry what a v2 public key would repeat.
//! - `attributes` are refused: a KMS cannot keep them, and dropping them silently would make the
//!   same key import under two encodings.
//! - A PKCS#1 `RSAPrivateKey` or SEC1 `ECPrivateKey` given without the PKCS#8 envelope is
//!   recognised and refused with the command that converts it.

use der::asn1::{AnyRef, ObjectIdentifier, OctetStringRef};
use der::{Reader, SliceReader, Tag, TagNumber};

/// A parsed `PrivateKeyInfo`, borrowing from the DER it came from.
pub(crate) struct PrivateKeyInfo<'a> {
    /// `privateKeyAlgorithm.algorithm`.
    pub(crate) algorithm: ObjectIdentifier,
    /// `privateKeyAlgorithm.parameters`.
    pub(crate) parameters: Option<AnyRef<'a>>,
    /// The contents of the `privateKey` OCTET STRING (an RSAPrivateKey, ECPrivateKey, ...).
    pub(crate) private_key: &'a [u8],
}

/// Why an input is refused; converts from any DER decoding error.
pub(crate) struct Refused(pub(crate) &'static str);

impl From<der::Error> for Refused {
    fn from(_: der::Error) -> Self {
        Refused(NOT_STRICT_DER)
    }
}

const NOT_STRICT_DER: &str = "the private key is not a strict-DER PKCS#8 PrivateKeyInfo (RFC 5208); PEM, BER and \
     encrypted PKCS#8 are not accepted";
const PKCS1_NOT_PKCS8: &str = "this is a bare PKCS#1 RSAPrivateKey; wrap it in PKCS#8 with \
                               `openssl pkcs8 -topk8 -nocrypt -outform DER`";
const SEC1_NOT_PKCS8: &str = "this is a bare SEC1 ECPrivateKey; wrap it in PKCS#8 with \
                              `openssl pkcs8 -topk8 -nocrypt -outform DER`";

/// RFC 5208 §5 `attributes [0]`, RFC 5958 §2 `publicKey [1]`.
const ATTRIBUTES: TagNumber = TagNumber(0);
const PUBLIC_KEY: TagNumber = TagNumber(1);

/// Parses `der` as a strict PKCS#8 v1 `PrivateKeyInfo` (see the module documentation).
pub(crate) fn parse(der: &[u8]) -> Result<PrivateKeyInfo<'_>, &'static str> {
    parse_inner(der).map_err(|Refused(why)| why)
}

fn parse_inner(der: &[u8]) -> Result<PrivateKeyInfo<'_>, Refused> {
    let mut reader = SliceReader::new(der)?;
    let info = reader.sequence(|r| -> Result<PrivateKeyInfo<'_>, Refused> {
        let version: u8 = r.decode()?;
        // The second field tells the envelope from the bare key formats.
        match Tag::peek(r)? {
            Tag::Sequence => {}
            Tag::Integer => return Err(Refused(PKCS1_NOT_PKCS8)),
            Tag::OctetString => return Err(Refused(SEC1_NOT_PKCS8)),
            _ => return Err(Refused(NOT_STRICT_DER)),
        }
        if version != 0 {
            return Err(Refused(
                "only PKCS#8 version 0 (RFC 5208 PrivateKeyInfo) is accepted, not RFC 5958 \
                 OneAsymmetricKey v2",
            ));
        }
        let algorithm: spki::AlgorithmIdentifierRef<'_> = r.decode()?;
        let private_key: &OctetStringRef = r.decode()?;
        if !r.is_finished() {
            let tag = Tag::peek(r)?;
            return Err(Refused(
                if tag.is_context_specific() && tag.number() == ATTRIBUTES {
                    "PKCS#8 attributes are not accepted; export the key without them"
                } else if tag.is_context_specific() && tag.number() == PUBLIC_KEY {
                    "only PKCS#8 version 0 (RFC 5208 PrivateKeyInfo) is accepted, not RFC 5958 \
                 OneAsymmetricKey v2"
                } else {
                    NOT_STRICT_DER
                },
            ));
        }
        Ok(PrivateKeyInfo {
            algorithm: algorithm.oid,
            parameters: algorithm.parameters,
            private_key: private_key.as_bytes(),
        })
    })?;
    if !reader.is_finished() {
        return Err(Refused(
            "bytes follow the PKCS#8 structure; the material must be exactly one DER PrivateKeyInfo",
        ));
    }
    Ok(info)
}
