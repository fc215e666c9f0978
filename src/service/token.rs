//! The import token: everything `ImportKeyMaterial` needs from `GetParametersForImport`, sealed so
//! the KMS keeps no state between the two calls.
//!
//! Sealing (layout in [`crate::service::token_format`]): a fresh 16-byte salt and 96-bit nonce from the
//! caller's RNG; the AES-256-GCM key is HMAC-SHA256(sealing secret, label || 0x00 || header), so
//! every token has its own key and the 2^32-invocation limit for random nonces under one key
//! (NIST SP 800-38D §8.3) does not cap how many tokens a sealing key may seal. The header (magic,
//! version, sealing key id, salt, nonce) is the associated data; the body, including the wrapping
//! private key, is encrypted. Every intermediate plaintext lives in a zeroizing buffer.
//!
//! Opening refuses, as `InvalidImportTokenException`: a wrong length, magic or version, an unknown
//! sealing key id, any authentication failure (wrong sealing key, any modified byte), a body that
//! does not parse, a token bound to another key, a token whose issued-at lies more than
//! [`ALLOWED_CLOCK_SKEW_SECS`] in the future. A token is valid while `now <= valid_to`
//! (API reference, `GetParametersForImport`, `ParametersValidTo`: "The time at which the import
//! token and public key are no longer valid. After this time, you cannot use them to make an
//! ImportKeyMaterial request"); from `valid_to + 1` on it is `ExpiredImportTokenException`.

use alloc::format;
use alloc::vec::Vec;
use core::fmt;

use aes_gcm::aead::AeadInOut;
use aes_gcm::{Aes256Gcm, KeyInit};
use rand_core::CryptoRng;
use zeroize::{ZeroizeOnDrop, Zeroizing};

use crate::error::Error;
use crate::key::wrapping_key::WrappingPrivateKey;
use crate::limits::MAX_IMPORT_TOKEN_LEN;
use crate::policy::names::{KeySpec, Partition, WrappingAlgorithm, WrappingKeySpec};
use crate::service::kdf::hmac_sha256;
use crate::service::key_id::{KeyId, KeyIdentifier};
use crate::service::kms_error::KmsError;
use crate::service::token_format::{Body, HEADER_LEN, Header, NONCE_LEN, SALT_LEN, TAG_LEN};
use crate::service::unix_time::UnixTime;

/// How long the public key and import token are valid: 24 hours (API reference,
/// `GetParametersForImport`: "The public key and import token ... are valid for 24 hours").
pub const PARAMETERS_VALIDITY_SECS: u64 = 86_400;

/// How far in the future a token's issued-at may lie before it is refused: 5 minutes, the usual
/// bound on clock drift between the hosts of one service (a token from the future was issued by a
/// host whose clock is wrong, or was forged with a stolen sealing key and a chosen time).
pub const ALLOWED_CLOCK_SKEW_SECS: u64 = 300;

/// Label of the per-token AES-256-GCM key derivation.
const TOKEN_KEY_LABEL: &[u8] = b"kms-import v1 import token key";

/// Names a token sealing key, so a KMS can rotate them: the id travels in clear in the token
/// header and selects the key to open it with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SealingKeyId(pub u32);

impl fmt::Display for SealingKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A 32-byte secret that seals import tokens. Not `Clone`; zeroized on drop; `Debug` shows only
/// the id.
pub struct TokenSealingKey {
    id: SealingKeyId,
    secret: Zeroizing<[u8; 32]>,
}

impl ZeroizeOnDrop for TokenSealingKey {}

impl TokenSealingKey {
    /// A sealing key named `id` with the 32-byte `secret` (copied; wipe your copy).
    pub fn new(id: SealingKeyId, secret: &[u8; 32]) -> Self {
        TokenSealingKey {
            id,
            secret: Zeroizing::new(*secret),
        }
    }

    /// Like [`TokenSealingKey::new`], from a slice that must be exactly 32 bytes.
    pub fn from_slice(id: SealingKeyId, secret: &[u8]) -> Result<Self, Error> {
        let secret: &[u8; 32] = secret
            .try_into()
            .map_err(|_| Error::InvalidKey("a token sealing key must be exactly 32 bytes"))?;
        Ok(Self::new(id, secret))
    }

    /// The key's id.
    pub fn id(&self) -> SealingKeyId {
        self.id
    }

    pub(crate) fn cipher(&self, header: &[u8; HEADER_LEN]) -> Aes256Gcm {
        let key = hmac_sha256(&self.secret, TOKEN_KEY_LABEL, &[header]);
        Aes256Gcm::new((&*key).into())
    }
}

impl fmt::Debug for TokenSealingKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TokenSealingKey({}, [REDACTED])", self.id)
    }
}

/// Finds a sealing key by id: implemented for one key and for slices of keys (current and retired
/// keys during a rotation).
pub trait SealingKeyLookup {
    /// The key named `id`, if this service has it.
    fn sealing_key(&self, id: SealingKeyId) -> Option<&TokenSealingKey>;
}

impl SealingKeyLookup for TokenSealingKey {
    fn sealing_key(&self, id: SealingKeyId) -> Option<&TokenSealingKey> {
        (self.id == id).then_some(self)
    }
}

impl SealingKeyLookup for [TokenSealingKey] {
    fn sealing_key(&self, id: SealingKeyId) -> Option<&TokenSealingKey> {
        self.iter().find(|k| k.id == id)
    }
}

impl<const N: usize> SealingKeyLookup for [TokenSealingKey; N] {
    fn sealing_key(&self, id: SealingKeyId) -> Option<&TokenSealingKey> {
        self.as_slice().sealing_key(id)
    }
}

impl SealingKeyLookup for Vec<TokenSealingKey> {
    fn sealing_key(&self, id: SealingKeyId) -> Option<&TokenSealingKey> {
        self.as_slice().sealing_key(id)
    }
}

/// What `GetParametersForImport` bound into a token, and the wrapping private key.
#[derive(Debug)]
pub struct OpenedToken {
    key_id: KeyIdentifier,
    key_spec: KeySpec,
    partition: Partition,
    wrapping_algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
    issued_at: UnixTime,
    valid_to: UnixTime,
    wrapping_key: WrappingPrivateKey,
}

impl OpenedToken {
    /// The key ID or ARN the token was issued for.
    pub fn key_id(&self) -> &KeyIdentifier {
        &self.key_id
    }
    /// The key spec of that key.
    pub fn key_spec(&self) -> KeySpec {
        self.key_spec
    }
    /// Its partition.
    pub fn partition(&self) -> Partition {
        self.partition
    }
    /// The wrapping algorithm the material must be encrypted with.
    pub fn wrapping_algorithm(&self) -> WrappingAlgorithm {
        self.wrapping_algorithm
    }
    /// The spec of the wrapping key.
    pub fn wrapping_key_spec(&self) -> WrappingKeySpec {
        self.wrapping_key_spec
    }
    /// When `GetParametersForImport` issued the token.
    pub fn issued_at(&self) -> UnixTime {
        self.issued_at
    }
    /// The last second at which the token is valid (`ParametersValidTo`).
    pub fn valid_to(&self) -> UnixTime {
        self.valid_to
    }
    /// The wrapping private key.
    pub fn wrapping_key(&self) -> &WrappingPrivateKey {
        &self.wrapping_key
    }
}

/// The fields `GetParametersForImport` binds (everything but the private key and times).
pub(crate) struct Binding<'a> {
    pub(crate) key_id: &'a KeyIdentifier,
    pub(crate) key_spec: KeySpec,
    pub(crate) partition: Partition,
    pub(crate) wrapping_algorithm: WrappingAlgorithm,
}

fn internal(what: &str) -> KmsError {
    KmsError::KmsInternalException(format!("the import token could not be sealed: {what}"))
}

/// Seals a token valid from `now` to `now + PARAMETERS_VALIDITY_SECS`; returns it and `valid_to`.
pub(crate) fn seal<R: CryptoRng + ?Sized>(
    binding: &Binding<'_>,
    wrapping_key: &WrappingPrivateKey,
    sealing_key: &TokenSealingKey,
    now: UnixTime,
    rng: &mut R,
) -> Result<(Vec<u8>, UnixTime), KmsError> {
    let valid_to = now
        .checked_add_secs(PARAMETERS_VALIDITY_SECS)
        .ok_or_else(|| internal("`now` is too close to the year 10000"))?;
    let body = Body {
        key_id: binding.key_id.clone(),
        key_spec: binding.key_spec,
        partition: binding.partition,
        wrapping_algorithm: binding.wrapping_algorithm,
        wrapping_key_spec: wrapping_key.spec(),
        issued_at: now,
        valid_to,
        private_key_pkcs8: wrapping_key
            .to_pkcs8_der()
            .map_err(|_| internal("the wrapping key could not be encoded"))?,
    };
    let mut buffer = body
        .encode()
        .ok_or_else(|| internal("a field is too long"))?;
    let mut header = Header {
        sealing_key_id: sealing_key.id.0,
        salt: [0; SALT_LEN],
        nonce: [0; NONCE_LEN],
    };
    rng.fill_bytes(&mut header.salt);
    rng.fill_bytes(&mut header.nonce);
    let header_bytes = header.encode();
    let tag = sealing_key
        .cipher(&header_bytes)
        .encrypt_inout_detached(
            (&header.nonce).into(),
            &header_bytes,
            buffer.as_mut_slice().into(),
        )
        .map_err(|_| internal("AES-GCM refused the plaintext"))?;
    let mut token = Vec::with_capacity(HEADER_LEN + buffer.len() + TAG_LEN);
    token.extend_from_slice(&header_bytes);
    token.extend_from_slice(&buffer);
    token.extend_from_slice(&tag);
    if token.len() > MAX_IMPORT_TOKEN_LEN {
        return Err(internal("the token is longer than 6144 bytes"));
    }
    Ok((token, valid_to))
}

fn invalid(message: &str) -> KmsError {
    KmsError::InvalidImportTokenException(format!(
        "{message}; call GetParametersForImport for this key again and use the ImportToken and \
         PublicKey from the same response"
    ))
}

/// Opens `token` for the key `expected_key`, at time `now`, with the sealing key its header names.
///
/// Errors: `InvalidImportTokenException` and `ExpiredImportTokenException` as described in the
/// module documentation.
pub fn open_import_token<K: SealingKeyLookup + ?Sized>(
    token: &[u8],
    sealing_keys: &K,
    expected_key: &KeyId,
    now: UnixTime,
) -> Result<OpenedToken, KmsError> {
    if token.len() < HEADER_LEN + TAG_LEN || token.len() > MAX_IMPORT_TOKEN_LEN {
        return Err(invalid(&format!(
            "the import token is {} bytes long, which no import token issued by this service is",
            token.len()
        )));
    }
    let header = Header::decode(token)
        .ok_or_else(|| invalid("the import token was not issued by this service"))?;
    let sealing_key = sealing_keys
        .sealing_key(SealingKeyId(header.sealing_key_id))
        .ok_or_else(|| {
            invalid(&format!(
                "the import token was sealed under token sealing key {}, which this service does \
                 not have (retired, or the token was not issued by this service)",
                header.sealing_key_id
            ))
        })?;
    let malformed = || invalid("the import token is malformed");
    let (header_bytes, rest) = token
        .split_first_chunk::<HEADER_LEN>()
        .ok_or_else(malformed)?;
    let (ciphertext, tag) = rest.split_last_chunk::<TAG_LEN>().ok_or_else(malformed)?;
    let mut plaintext = Zeroizing::new(ciphertext.to_vec());
    sealing_key
        .cipher(header_bytes)
        .decrypt_inout_detached(
            (&header.nonce).into(),
            header_bytes,
            plaintext.as_mut_slice().into(),
            tag.into(),
        )
        .map_err(|_| {
            invalid(
                "the import token failed authentication: it was modified, truncated, or sealed \
                 under another token sealing key",
            )
        })?;
    let body = Body::decode(&plaintext)
        .ok_or_else(|| invalid("the import token's contents are malformed"))?;
    drop(plaintext);
    if body.key_id.key_id() != *expected_key {
        return Err(invalid(&format!(
            "the import token was issued for the KMS key {}, not for {expected_key}",
            body.key_id.key_id()
        )));
    }
    if body.issued_at.checked_add_secs(PARAMETERS_VALIDITY_SECS) != Some(body.valid_to) {
        return Err(invalid("the import token's validity period is malformed"));
    }
    if body.issued_at.as_secs() > now.as_secs().saturating_add(ALLOWED_CLOCK_SKEW_SECS) {
        return Err(invalid(&format!(
            "the import token was issued at {}, more than {ALLOWED_CLOCK_SKEW_SECS} seconds after \
             now ({now}); check the clocks of the hosts that issue and accept tokens",
            body.issued_at
        )));
    }
    if now > body.valid_to {
        return Err(KmsError::ExpiredImportTokenException(format!(
            "the import token and public key expired at {} (now is {now}); call \
             GetParametersForImport again, wrap the key material under the new public key, and \
             import it with the new token",
            body.valid_to
        )));
    }
    let wrapping_key = WrappingPrivateKey::from_pkcs8_der(&body.private_key_pkcs8)
        .ok()
        .filter(|k| k.spec() == body.wrapping_key_spec)
        .ok_or_else(|| invalid("the import token's wrapping key is malformed"))?;
    Ok(OpenedToken {
        key_id: body.key_id,
        key_spec: body.key_spec,
        partition: body.partition,
        wrapping_algorithm: body.wrapping_algorithm,
        wrapping_key_spec: body.wrapping_key_spec,
        issued_at: body.issued_at,
        valid_to: body.valid_to,
        wrapping_key,
    })
}
