//! The service-side targets: import tokens and the whole `ImportKeyMaterial` call, with the
//! service's fixed secrets.

use std::sync::OnceLock;

use kms_import::fuzz_targets as body;
use kms_import::{
    AssociatedKeyMaterial, ExpirationModel, GetParametersForImportRequest,
    ImportKeyMaterialRequest, ImportService, ImportState, ImportType, KeyArn, KeyMaterialId,
    KeyMaterialIdKey, KeyMaterialState, KeyMetadata, KeySpec, KeyState, Partition, SealingKeyId,
    SealingKeys, TokenSealingKey, UnixTime, WrappingAlgorithm, WrappingKeySpec,
};

use super::{keys, rng};

/// The KMS key every token is issued for.
pub const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// "Now" for every service-side target: 2027-01-15T08:00:00Z.
pub fn now() -> UnixTime {
    UnixTime::from_secs(1_800_000_000).expect("fixed time")
}

/// The service's fixed secrets: a token sealing key (id 7) and a `KeyMaterialId` key.
pub struct ServiceSecrets {
    /// The service that seals and opens import tokens.
    pub service: ImportService,
    /// Its sealing key (the same secret), for sealing raw token bodies.
    pub sealing_key: TokenSealingKey,
}

const SEALING_SECRET: [u8; 32] = [0x42; 32];

/// The service (built on first use).
pub fn service() -> &'static ServiceSecrets {
    static SERVICE: OnceLock<ServiceSecrets> = OnceLock::new();
    SERVICE.get_or_init(|| ServiceSecrets {
        service: ImportService::new(
            SealingKeys::new(TokenSealingKey::new(SealingKeyId(7), &SEALING_SECRET)),
            KeyMaterialIdKey::derive(&[0x24; 32]),
        ),
        sealing_key: TokenSealingKey::new(SealingKeyId(7), &SEALING_SECRET),
    })
}

/// The metadata of the KMS key [`KEY_ID`] in account 111122223333 of `partition`: a freshly
/// created `EXTERNAL` key of `key_spec` with the key spec's first key usage.
pub fn key_metadata(partition: Partition, key_spec: KeySpec) -> KeyMetadata {
    let region = match partition {
        Partition::AwsCn => "cn-north-1",
        Partition::AwsUsGov => "us-gov-west-1",
        _ => "us-east-1",
    };
    let arn: KeyArn = format!("arn:{partition}:kms:{region}:111122223333:key/{KEY_ID}")
        .parse()
        .expect("fixed ARN");
    KeyMetadata::new(arn, key_spec, key_spec.rule().key_usages[0])
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
    let wrapping_key = kms_import::WrappingPrivateKey::from_pkcs8_der(
        &keys().get(wrapping_key_spec).to_pkcs8_der().ok()?,
    )
    .ok()?;
    service()
        .service
        .get_parameters_for_import_with_wrapping_key(
            &request,
            &key_metadata(partition, key_spec),
            wrapping_key,
            issued_at,
            &mut rng(),
        )
        .ok()
        .map(|p| p.import_token)
}

/// Tokens: a mode byte (even: a whole token; odd: a token body, sealed by the target), then bytes.
pub fn import_token_open(data: &[u8]) {
    let s = service();
    let key = key_metadata(Partition::Aws, KeySpec::SymmetricDefault);
    body::import_token_open(&s.service, &s.sealing_key, &key, now(), data);
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
    /// The key materials the key already has: 0 none; 1 one other material, imported; 2 one
    /// other material, deleted (pending import).
    pub previous: u8,
    /// `ImportType`: 0 absent, 1 `NEW_KEY_MATERIAL`, 2 `EXISTING_KEY_MATERIAL`.
    pub import_type: u8,
    /// Give the other material's `KeyMaterialId` in the request.
    pub give_key_material_id: bool,
    /// Material, ciphertext or token.
    pub payload: Vec<u8>,
}

impl ImportInput {
    /// Fixed layout (so the seed generator can write inputs): partition, key spec, key state,
    /// algorithm, wrapping key spec, expiration (one byte each, taken modulo the choices), ValidTo
    /// offset (i32 BE), flags (bit 0 valid token, bit 1 wrap, bits 2-3 previous, bits 4-5 import
    /// type, bit 6 give a KeyMaterialId), token age (i32 BE), payload.
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
            previous: (head[10] >> 2 & 3) % 3,
            import_type: (head[10] >> 4 & 3) % 3,
            give_key_material_id: head[10] & 0x40 != 0,
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
            u8::from(self.valid_token)
                | u8::from(self.wrap_payload) << 1
                | self.previous << 2
                | self.import_type << 4
                | u8::from(self.give_key_material_id) << 6,
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
                .wrap_key_material(input.algorithm.try_into().ok()?, &input.payload, &mut rng())
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
    let other = KeyMaterialId::from_bytes([0x77; 32]).to_string();
    let request = ImportKeyMaterialRequest {
        key_id: KEY_ID,
        import_token: &token,
        encrypted_key_material: &ciphertext,
        expiration_model,
        valid_to,
        import_type: match input.import_type {
            0 => None,
            1 => Some(ImportType::NewKeyMaterial),
            _ => Some(ImportType::ExistingKeyMaterial),
        },
        key_material_id: input.give_key_material_id.then_some(other.as_str()),
        key_material_description: None,
    };
    let mut key = key_metadata(input.partition, input.key_spec);
    key.key_state = input.key_state;
    if input.previous > 0 {
        key.key_materials.push(AssociatedKeyMaterial {
            key_material_id: KeyMaterialId::from_bytes([0x77; 32]),
            state: KeyMaterialState::Current,
            import_state: if input.previous == 1 {
                ImportState::Imported
            } else {
                ImportState::PendingImport
            },
        });
    }
    body::import_key_material_call(&s.service, &request, &key, now, &mut rng());
}
