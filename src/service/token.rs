//! The import token: everything `ImportKeyMaterial` needs from `GetParametersForImport`, sealed so
//! the KMS keeps no state between the two calls.
//!
//! Sealing (layout in [`crate::service::token_format`]): a fresh 16-byte salt and 96-bit nonce
//! from the caller's RNG; the AES-256-GCM-SIV (RFC 8452) key is HMAC-SHA256(sealing secret,
//! label || 0x00 || header), so every token has its own key and no per-key invocation limit caps
//! how many tokens a sealing key may seal. The header (magic, version, sealing key id, salt,
//! nonce) is the associated data; the body, including the wrapping private key, is encrypted.
//! Every intermediate plaintext lives in a zeroizing buffer.
//!
//! AES-GCM-SIV makes sealing misuse-resistant: should the caller's RNG ever repeat (two services
//! seeded alike, a VM snapshot restored twice), two tokens with the same salt and nonce still
//! share no keystream unless their bodies are identical — RFC 8452 §1 derives the counter from a
//! MAC of the plaintext — so a repeated RNG state reveals at most that two tokens are equal.
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

use aes_gcm_siv::aead::AeadInOut;
use rand_core::CryptoRng;
use zeroize::Zeroizing;

use crate::key::wrapping_key::WrappingPrivateKey;
use crate::limits::MAX_IMPORT_TOKEN_LEN;
use crate::policy::names::{KeySpec, Partition, WrappingKeySpec, WrappingScheme};
use crate::service::key_id::KeyIdentifier;
use crate::service::kms_error::KmsError;
use crate::service::sealing::{SealingKeyId, SealingKeys, TokenSealingKey};
use crate::service::token_format::{Body, HEADER_LEN, Header, NONCE_LEN, SALT_LEN, TAG_LEN};
use crate::service::unix_time::UnixTime;

/// How long the public key and import token are valid: 24 hours (API reference,
/// `GetParametersForImport`: "The public key and import token ... are valid for 24 hours").
pub const PARAMETERS_VALIDITY_SECS: u64 = 86_400;

/// How far in the future a token's issued-at may lie before it is refused: 5 minutes, the usual
/// bound on clock drift between the hosts of one service (a token from the future was issued by a
/// host whose clock is wrong, or was forged with a stolen sealing key and a chosen time).
pub const ALLOWED_CLOCK_SKEW_SECS: u64 = 300;

/// What `GetParametersForImport` bound into a token, and the wrapping private key.
#[derive(Debug)]
pub struct OpenedToken {
    key_id: KeyIdentifier,
    key_spec: KeySpec,
    partition: Partition,
    wrapping_algorithm: WrappingScheme,
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
    pub fn wrapping_algorithm(&self) -> WrappingScheme {
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
    pub(crate) wrapping_algorithm: WrappingScheme,
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
    // AES-GCM-SIV: a repeated salt and nonce (a repeated RNG state) with different bodies still
    // gives unrelated keystreams (RFC 8452 §9).
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
        sealing_key_id: sealing_key.id().0,
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
        .map_err(|_| internal("AES-GCM-SIV refused the plaintext"))?;
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
/// module documentation; a token of another key is refused before its expiry is looked at, and
/// no refusal quotes what the token sealed.
pub(crate) fn open(
    token: &[u8],
    sealing_keys: &SealingKeys,
    expected_key: &KeyIdentifier,
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
        .find(SealingKeyId(header.sealing_key_id))
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
    // The whole identifier: a token for arn:...:111122223333:key/K does not open for
    // arn:...:444455556666:key/K. Nothing sealed is quoted to whoever presents another key's token.
    let same_key = match expected_key {
        KeyIdentifier::Arn(_) => body.key_id == *expected_key,
        // A stateless tool that knows only the key ID.
        KeyIdentifier::Id(id) => body.key_id.key_id() == *id,
    };
    if !same_key {
        return Err(invalid(&format!(
            "the import token belongs to another KMS key, not to {expected_key}"
        )));
    }
    if body.issued_at.checked_add_secs(PARAMETERS_VALIDITY_SECS) != Some(body.valid_to) {
        return Err(invalid("the import token's validity period is malformed"));
    }
    if body.issued_at.as_secs() > now.as_secs().saturating_add(ALLOWED_CLOCK_SKEW_SECS) {
        return Err(invalid(&format!(
            "the import token was issued more than {ALLOWED_CLOCK_SKEW_SECS} seconds after now \
             ({now}); check the clocks of the hosts that issue and accept tokens"
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::sealing::SealingKeyId;
    use alloc::vec;
    use rand::SeedableRng;

    fn seal_for(key_id: &str, rng_seed: u64) -> (Vec<u8>, Zeroizing<Vec<u8>>) {
        let key_id: KeyIdentifier = key_id.parse().unwrap();
        let wrapping_key = WrappingPrivateKey::generate(
            WrappingKeySpec::Sm2,
            &mut rand::rngs::ChaCha8Rng::seed_from_u64(99),
        )
        .unwrap();
        let binding = Binding {
            key_id: &key_id,
            key_spec: KeySpec::Hmac256,
            partition: Partition::Aws,
            wrapping_algorithm: WrappingScheme::RsaesOaepSha256,
        };
        let sealing = TokenSealingKey::new(SealingKeyId(1), &[7; 32]);
        let now = UnixTime::from_secs(1_800_000_000).unwrap();
        // The same RNG state for every token: a misused, repeating RNG.
        let mut rng = rand::rngs::ChaCha8Rng::seed_from_u64(rng_seed);
        let (token, valid_to) = seal(&binding, &wrapping_key, &sealing, now, &mut rng).unwrap();
        let body = Body {
            key_id: key_id.clone(),
            key_spec: binding.key_spec,
            partition: binding.partition,
            wrapping_algorithm: binding.wrapping_algorithm,
            wrapping_key_spec: wrapping_key.spec(),
            issued_at: now,
            valid_to,
            private_key_pkcs8: wrapping_key.to_pkcs8_der().unwrap(),
        }
        .encode()
        .unwrap();
        (token, body)
    }

    /// Two tokens sealed with identically seeded RNGs (same salt, same nonce, so the same
    /// per-token key) for different keys share no keystream: the XOR of the ciphertexts is not
    /// the XOR of the plaintexts. With AES-GCM it was, byte for byte.
    #[test]
    fn a_repeated_rng_state_reveals_no_keystream() {
        let (a, plain_a) = seal_for("1234abcd-12ab-34cd-56ef-1234567890ab", 5);
        let (b, plain_b) = seal_for("1234abcd-12ab-34cd-56ef-1234567890ac", 5);
        assert_eq!(
            a[..HEADER_LEN],
            b[..HEADER_LEN],
            "the RNG repeated: same salt and nonce"
        );
        let (ct_a, ct_b) = (
            &a[HEADER_LEN..a.len() - TAG_LEN],
            &b[HEADER_LEN..b.len() - TAG_LEN],
        );
        assert_eq!(ct_a.len(), plain_a.len());
        let same_keystream = ct_a
            .iter()
            .zip(ct_b)
            .zip(plain_a.iter().zip(plain_b.iter()))
            .filter(|((ca, cb), (pa, pb))| (*ca ^ *cb) == (*pa ^ *pb))
            .count();
        // Independent keystreams agree on about 1 byte in 256 by chance.
        assert!(
            same_keystream < plain_a.len() / 16,
            "{same_keystream} of {} bytes share keystream",
            plain_a.len()
        );
        // The same body under the same RNG state gives the same token: that is all it reveals.
        let (a_again, _) = seal_for("1234abcd-12ab-34cd-56ef-1234567890ab", 5);
        assert_eq!(a, a_again);
        let _ = vec![0u8; 0];
    }
}
