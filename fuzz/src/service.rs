//! The service-side targets: import tokens and the whole `ImportKeyMaterial` call, with the
//! service's fixed secrets.

use std::sync::OnceLock;

use kms_import::fuzz_targets as body;
use kms_import::{
    ExpirationModel, FingerprintKey, GetParametersForImportRequest, ImportKeyMaterialRequest,
    ImportSecrets, KeyId, KeyMetadata, KeySpec, KeyState, Partition, SealingKeyId, TokenSealingKey,
    UnixTime, WrappingAlgorithm, WrappingKeySpec,
};

use super::{keys, rng};

/// The KMS key every token is issued for.
pub const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// "Now" for every service-side target: 2027-01-15T08:00:00Z.
pub fn now() -> UnixTime {
    UnixTime::from_secs(1_800_000_000).expect("fixed time")
}

/// The service's fixed secrets: a token sealing key (id 7) and a fingerprint key.
pub struct ServiceSecrets {
    /// Seals and opens import tokens.
    pub sealing_key: TokenSealingKey,
    /// Keys the material fingerprints.
    pub fingerprint_key: FingerprintKey,
    /// [`KEY_ID`], parsed.
    pub key_id: KeyId,
}

/// The service secrets (built on first use).
pub fn service() -> &'static ServiceSecrets {
    static SERVICE: OnceLock<ServiceSecrets> = OnceLock::new();
    SERVICE.get_or_init(|| ServiceSecrets {
        sealing_key: TokenSealingKey::new(SealingKeyId(7), &[0x42; 32]),
        fingerprint_key: FingerprintKey::derive(&[0x24; 32]),
        key_id: KEY_ID.parse().expect("fixed key id"),
    })
}

/// A valid import token for `algorithm` under the fixed key of `wrapping_key_spec`, issued at
/// `issued_at` for a `key_spec` key in `partition`; `None` when the matrix refuses the question.
pub fn issue_token(
    partition: Partition,
    key_spec: KeySpec,
    algorithm: WrappingAlgorithm,
    wrapping_key_spec: WrappingKeySpec,
    issued_at: UnixTime,
) -> Option<Vec<u8>> {
    let request = GetParametersForImportRequest {
        key_id: KEY_ID,
        wrapping_algorithm: algorithm,
        wrapping_key_spec,
    };
    kms_import::get_parameters_for_import_with_wrapping_key(
        &request,
        &KeyMetadata::new(key_spec, partition),
        keys().get(wrapping_key_spec),
        &service().sealing_key,
        issued_at,
        &mut rng(),
    )
    .ok()
    .map(|p| p.import_token)
}

/// Tokens: a mode byte (even: a whole token; odd: a token body, sealed by the target), then bytes.
pub fn import_token_open(data: &[u8]) {
    let s = service();
    body::import_token_open(&s.sealing_key, &s.key_id, now(), data);
}

/// One whole `ImportKeyMaterial` call, with a valid token or not, wrapped material or not.
#[derive(Debug)]
pub struct ImportInput {
    /// The key's partition.
    pub partition: Partition,
    /// The key's spec.
    pub key_spec: KeySpec,
    /// The key's state.
    pub key_state: KeyState,
    /// The algorithm of the token (when one is issued).
    pub algorithm: WrappingAlgorithm,
    /// RSA_2048 or SM2.
    pub wrapping_key_spec: WrappingKeySpec,
    /// 0: no model, no ValidTo; 1: expires at now + offset; 2: does not expire; 3: does not
    /// expire, with a ValidTo (refused).
    pub expiration: u8,
    /// ValidTo − now, in seconds (may be in the past).
    pub valid_to_offset: i32,
    /// Issue a valid token (else the payload is the token).
    pub valid_token: bool,
    /// How long ago the token was issued, in seconds (may be in the future).
    pub token_age: i32,
    /// Wrap the payload as material (else the payload is the ciphertext).
    pub wrap_payload: bool,
    /// 0: no previous fingerprint; 1: that of the payload; 2: another one.
    pub previous: u8,
    /// Material, ciphertext or token.
    pub payload: Vec<u8>,
}

impl ImportInput {
    /// Fixed layout (so the seed generator can write inputs): partition, key spec, key state,
    /// algorithm, wrapping key spec, expiration (one byte each, taken modulo the choices), ValidTo
    /// offset (i32 BE), flags (bit 0 valid token, bit 1 wrap, bits 2-3 previous), token age
    /// (i32 BE), payload.
    pub fn decode(data: &[u8]) -> Option<ImportInput> {
        let (head, payload) = data.split_first_chunk::<15>()?;
        let pick = |i: usize, len: usize| usize::from(head[i]) % len;
        let i32_at =
            |i: usize| i32::from_be_bytes([head[i], head[i + 1], head[i + 2], head[i + 3]]);
        Some(ImportInput {
            partition: Partition::ALL[pick(0, Partition::ALL.len())],
            key_spec: KeySpec::ALL[pick(1, KeySpec::ALL.len())],
            key_state: KeyState::ALL[pick(2, KeyState::ALL.len())],
            algorithm: WrappingAlgorithm::ALL[pick(3, WrappingAlgorithm::ALL.len())],
            wrapping_key_spec: [WrappingKeySpec::Rsa2048, WrappingKeySpec::Sm2][pick(4, 2)],
            expiration: head[5] % 4,
            valid_to_offset: i32_at(6),
            valid_token: head[10] & 1 != 0,
            wrap_payload: head[10] & 2 != 0,
            previous: (head[10] >> 2) % 3,
            token_age: i32_at(11),
            payload: payload.to_vec(),
        })
    }

    /// The bytes [`ImportInput::decode`] reads back as `self`.
    pub fn encode(&self) -> Vec<u8> {
        let index = |found: Option<usize>| found.expect("a listed value") as u8;
        let mut out = vec![
            index(Partition::ALL.iter().position(|&p| p == self.partition)),
            index(KeySpec::ALL.iter().position(|&k| k == self.key_spec)),
            index(KeyState::ALL.iter().position(|&k| k == self.key_state)),
            index(
                WrappingAlgorithm::ALL
                    .iter()
                    .position(|&a| a == self.algorithm),
            ),
            u8::from(self.wrapping_key_spec == WrappingKeySpec::Sm2),
            self.expiration,
        ];
        out.extend(self.valid_to_offset.to_be_bytes());
        out.push(
            u8::from(self.valid_token) | u8::from(self.wrap_payload) << 1 | self.previous << 2,
        );
        out.extend(self.token_age.to_be_bytes());
        out.extend(&self.payload);
        out
    }
}

fn offset(t: UnixTime, secs: i64) -> UnixTime {
    let s = t.as_secs().saturating_add_signed(secs);
    UnixTime::from_secs(s).unwrap_or(t)
}

/// The whole pure `ImportKeyMaterial`.
pub fn import_key_material(data: &[u8]) {
    let Some(input) = ImportInput::decode(data) else {
        return;
    };
    let s = service();
    let now = now();
    let token = input
        .valid_token
        .then(|| {
            issue_token(
                input.partition,
                input.key_spec,
                input.algorithm,
                input.wrapping_key_spec,
                offset(now, -i64::from(input.token_age)),
            )
        })
        .flatten()
        .unwrap_or_else(|| input.payload.clone());
    let ciphertext = input
        .wrap_payload
        .then(|| {
            keys()
                .get(input.wrapping_key_spec)
                .public_key()
                .wrap(input.algorithm, &input.payload, &mut rng())
                .ok()
        })
        .flatten()
        .unwrap_or_else(|| input.payload.clone());
    let valid_to = offset(now, i64::from(input.valid_to_offset));
    let (expiration_model, valid_to) = match input.expiration {
        0 => (None, None),
        1 => (Some(ExpirationModel::KeyMaterialExpires), Some(valid_to)),
        2 => (Some(ExpirationModel::KeyMaterialDoesNotExpire), None),
        _ => (
            Some(ExpirationModel::KeyMaterialDoesNotExpire),
            Some(valid_to),
        ),
    };
    let request = ImportKeyMaterialRequest {
        key_id: KEY_ID,
        import_token: &token,
        encrypted_key_material: &ciphertext,
        expiration_model,
        valid_to,
    };
    let mut key = KeyMetadata::new(input.key_spec, input.partition);
    key.key_state = input.key_state;
    let previous = match input.previous {
        0 => None,
        1 => Some(s.fingerprint_key.fingerprint(&s.key_id, &input.payload)),
        _ => Some(s.fingerprint_key.fingerprint(&s.key_id, b"other material")),
    };
    let secrets = ImportSecrets {
        sealing_keys: &s.sealing_key,
        fingerprint_key: &s.fingerprint_key,
    };
    body::import_key_material_call(&request, &key, previous.as_ref(), &secrets, now, &mut rng());
}
