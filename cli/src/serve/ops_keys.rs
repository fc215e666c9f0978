//! Key lifecycle: CreateKey, DescribeKey, ListKeys, EnableKey, DisableKey, ScheduleKeyDeletion,
//! CancelKeyDeletion; how a request's `KeyId` finds a key; and the sweep of expired material.

use kms_import::{KeyIdentifier, KeySpec, KeyState, MaterialKind, Origin, Partition, UnixTime};
use serde_json::{Value, json};

use crate::serve::Server;
use crate::serve::keys::{Key, KeyUsage, allowed_usages};
use crate::serve::protocol::{ApiError, ApiResult, Input, ts};

/// The key id (UUID) a request's `KeyId` names: a key id or key ARN of this region and account.
/// Aliases are not supported here (`NotFoundException`, as for an alias that does not exist).
pub fn resolve(server: &Server, key_ref: &str) -> ApiResult<String> {
    if key_ref.starts_with("alias/") || key_ref.contains(":alias/") {
        return Err(ApiError::not_found(format!(
            "Alias {key_ref} is not found."
        )));
    }
    let parsed: KeyIdentifier = key_ref.parse().map_err(|e: kms_import::KmsError| {
        if key_ref.starts_with("arn:") {
            ApiError::from(e)
        } else {
            ApiError::not_found(format!("Invalid keyId '{key_ref}'"))
        }
    })?;
    if let Some(arn) = parsed.arn() {
        if arn.partition() != server.partition {
            return Err(ApiError::new(
                "InvalidArnException",
                format!(
                    "{key_ref} is not an ARN of the {} partition",
                    server.partition
                ),
            ));
        }
        if arn.region() != server.region || arn.account() != server.account {
            return Err(ApiError::not_found(format!(
                "Key '{key_ref}' does not exist"
            )));
        }
    }
    Ok(parsed.key_id().to_string())
}

fn not_found(server: &Server, key_id: &str) -> ApiError {
    ApiError::not_found(format!(
        "Key '{}{key_id}' does not exist",
        server.arn_prefix()
    ))
}

/// Loads a key for reading, with expired material already removed (in memory).
pub fn read_key(server: &Server, key_ref: &str, now: UnixTime) -> ApiResult<Key> {
    let key_id = resolve(server, key_ref)?;
    load(server, &key_id, now.as_secs())
}

fn load(server: &Server, key_id: &str, now: u64) -> ApiResult<Key> {
    let mut key = server
        .store
        .load(key_id)?
        .filter(|k| k.deletion_date.is_none_or(|d| d > now))
        .ok_or_else(|| not_found(server, key_id))?;
    key.expire(now);
    Ok(key)
}

/// Runs `change` on the key under its lock and writes the result back in one transaction; an
/// error leaves the stored key untouched.
pub fn update_key<T>(
    server: &Server,
    key_ref: &str,
    now: UnixTime,
    change: impl FnOnce(&mut Key) -> ApiResult<T>,
) -> ApiResult<T> {
    let key_id = resolve(server, key_ref)?;
    let lock = server.key_lock(&key_id);
    let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
    let mut key = load(server, &key_id, now.as_secs())?;
    let out = change(&mut key)?;
    server.store.save(&key)?;
    Ok(out)
}

fn new_key_id() -> ApiResult<String> {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).map_err(|e| ApiError::internal(format!("RNG: {e}")))?;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    Ok(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// The key specs a key with imported material can have in `partition` (the core's per-KeySpec
/// table: importable, and existing in the partition; SM2 only in aws-cn).
pub fn importable(spec: KeySpec, partition: Partition) -> bool {
    spec.material_kind() != MaterialKind::NotImportable && spec.exists_in(partition)
}

/// The model's `CustomerMasterKeySpec` enum (deprecated alias of `KeySpec`).
const CUSTOMER_MASTER_KEY_SPECS: &[&str] = &[
    "RSA_2048",
    "RSA_3072",
    "RSA_4096",
    "ECC_NIST_P256",
    "ECC_NIST_P384",
    "ECC_NIST_P521",
    "ECC_SECG_P256K1",
    "SYMMETRIC_DEFAULT",
    "HMAC_224",
    "HMAC_256",
    "HMAC_384",
    "HMAC_512",
    "SM2",
];

/// CreateKey (API reference, CreateKey): this endpoint creates keys with `Origin` EXTERNAL only.
pub fn create_key(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    input.opt_str("Policy", 1, 131_072)?;
    let description = input.opt_str("Description", 0, 8192)?.unwrap_or("");
    let usage: Option<KeyUsage> = input.opt_enum("KeyUsage", KeyUsage::NAMES)?;
    let legacy: Option<KeySpec> =
        input.opt_enum("CustomerMasterKeySpec", CUSTOMER_MASTER_KEY_SPECS)?;
    let spec: Option<KeySpec> = input.opt_enum("KeySpec", KeySpec::NAMES)?;
    let origin: Option<Origin> = input.opt_enum("Origin", Origin::NAMES)?;
    input.opt_str("CustomKeyStoreId", 1, 64)?;
    input.opt_bool("BypassPolicyLockoutSafetyCheck")?;
    input.opt_str("XksKeyId", 1, 128)?;
    let multi_region = input.opt_bool("MultiRegion")?;
    if spec.is_some() && legacy.is_some() {
        return Err(ApiError::validation(
            "You cannot specify KeySpec and CustomerMasterKeySpec in the same request. \
             CustomerMasterKeySpec parameter is deprecated. Use KeySpec parameter instead.",
        ));
    }
    let spec = spec.or(legacy).unwrap_or(KeySpec::SymmetricDefault);
    let origin = origin.unwrap_or(Origin::AwsKms);
    if origin != Origin::External {
        return Err(ApiError::unsupported(format!(
            "this local KMS only creates keys for imported key material: Origin must be \
             EXTERNAL, not {origin}"
        )));
    }
    if input.opt_str("CustomKeyStoreId", 1, 64)?.is_some()
        || input.opt_str("XksKeyId", 1, 128)?.is_some()
    {
        return Err(ApiError::unsupported(
            "this local KMS has no custom key stores",
        ));
    }
    if multi_region == Some(true) {
        return Err(ApiError::unsupported(
            "this local KMS does not create multi-Region keys",
        ));
    }
    if !importable(spec, server.partition) {
        return Err(ApiError::unsupported(if spec == KeySpec::Sm2 {
            format!(
                "KeySpec SM2 is available only in the China Regions (aws-cn); this endpoint's \
                 region is {}",
                server.region
            )
        } else {
            format!(
                "KMS keys with KeySpec {spec} do not support imported key material (Origin EXTERNAL)"
            )
        }));
    }
    let usage = usage.unwrap_or(KeyUsage::EncryptDecrypt);
    if !allowed_usages(spec).contains(&usage) {
        return Err(ApiError::validation(format!(
            "KeyUsage {usage} is not compatible with KeySpec {spec}; valid: {}",
            allowed_usages(spec)
                .iter()
                .map(|u| u.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let key_id = new_key_id()?;
    let key = Key {
        arn: format!("{}{key_id}", server.arn_prefix()),
        key_id,
        spec,
        usage,
        description: description.to_owned(),
        created: now.as_secs(),
        state: KeyState::PendingImport,
        deletion_date: None,
        pending_window_days: None,
        seq: 0,
        materials: Vec::new(),
    };
    server.store.save(&key)?;
    Ok(json!({"KeyMetadata": key.metadata(&server.account)}))
}

pub fn describe_key(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    input.grant_tokens()?;
    let key = read_key(server, input.key_id()?, now)?;
    Ok(json!({"KeyMetadata": key.metadata(&server.account)}))
}

/// ListKeys: keys in creation order; `NextMarker` is the last key's creation number.
pub fn list_keys(server: &Server, input: &Input, _now: UnixTime) -> ApiResult<Value> {
    let limit = input.opt_int("Limit", 1, 1000)?.unwrap_or(100);
    let after = match input.opt_str("Marker", 1, 1024)? {
        None => 0,
        Some(marker) => marker.parse::<i64>().map_err(|_| {
            ApiError::new(
                "InvalidMarkerException",
                "the Marker is not one ListKeys returned",
            )
        })?,
    };
    let mut rows = server.store.list(after, limit + 1)?;
    let truncated = rows.len() > usize::try_from(limit).unwrap_or(usize::MAX);
    rows.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    let keys: Vec<Value> = rows
        .iter()
        .map(|(id, arn, _)| json!({"KeyId": id, "KeyArn": arn}))
        .collect();
    let mut out = json!({"Keys": keys, "Truncated": truncated});
    if truncated && let Some((_, _, seq)) = rows.last() {
        out["NextMarker"] = json!(seq.to_string());
    }
    Ok(out)
}

/// EnableKey: `Disabled` → `Enabled` (`Enabled` stays); other states `KMSInvalidStateException`.
pub fn enable_key(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    update_key(server, input.key_id()?, now, |key| match key.state {
        KeyState::Enabled | KeyState::Disabled => {
            key.state = KeyState::Enabled;
            Ok(json!({}))
        }
        state => Err(ApiError::invalid_state(format!(
            "{} is {}",
            key.arn,
            state_words(state)
        ))),
    })
}

/// DisableKey: `Enabled` → `Disabled` (`Disabled` stays); other states `KMSInvalidStateException`.
pub fn disable_key(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    update_key(server, input.key_id()?, now, |key| match key.state {
        KeyState::Enabled | KeyState::Disabled => {
            key.state = KeyState::Disabled;
            Ok(json!({}))
        }
        state => Err(ApiError::invalid_state(format!(
            "{} is {}",
            key.arn,
            state_words(state)
        ))),
    })
}

fn state_words(state: KeyState) -> &'static str {
    match state {
        KeyState::PendingImport => "pending import.",
        KeyState::PendingDeletion => "pending deletion.",
        KeyState::Disabled => "disabled.",
        _ => "not in a state that allows this operation.",
    }
}

/// ScheduleKeyDeletion: a waiting period of 7 to 30 days (default 30; API reference,
/// `PendingWindowInDays`); a key already pending deletion → `KMSInvalidStateException`.
pub fn schedule_key_deletion(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let days = input.opt_int("PendingWindowInDays", 1, 365)?.unwrap_or(30);
    if !(7..=30).contains(&days) {
        return Err(ApiError::validation(format!(
            "PendingWindowInDays must be between 7 and 30, not {days}"
        )));
    }
    update_key(server, input.key_id()?, now, |key| {
        if key.state == KeyState::PendingDeletion {
            return Err(ApiError::invalid_state(format!(
                "{} is pending deletion.",
                key.arn
            )));
        }
        #[allow(clippy::cast_sign_loss)]
        let date = now.as_secs() + days as u64 * 86_400;
        key.state = KeyState::PendingDeletion;
        key.deletion_date = Some(date);
        key.pending_window_days = Some(days);
        Ok(json!({
            "KeyId": key.arn,
            "DeletionDate": ts(date),
            "KeyState": "PendingDeletion",
            "PendingWindowInDays": days,
        }))
    })
}

/// CancelKeyDeletion: the key becomes `Disabled` ("When this operation succeeds, the key state of
/// the KMS key is Disabled"), or `PendingImport` when its material is missing.
pub fn cancel_key_deletion(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    update_key(server, input.key_id()?, now, |key| {
        if key.state != KeyState::PendingDeletion {
            return Err(ApiError::invalid_state(format!(
                "{} is not pending deletion.",
                key.arn
            )));
        }
        key.state = KeyState::Disabled;
        key.deletion_date = None;
        key.pending_window_days = None;
        key.recompute_state();
        Ok(json!({"KeyId": key.arn}))
    })
}

/// Deletes keys whose deletion date has come and material whose `ValidTo` has passed, each
/// key in its own transaction.
pub fn sweep(server: &Server) -> ApiResult<()> {
    let now = crate::serve::now().as_secs();
    for key_id in server.store.due(now)? {
        let lock = server.key_lock(&key_id);
        let _guard = lock.lock().unwrap_or_else(|e| e.into_inner());
        let Some(mut key) = server.store.load(&key_id)? else {
            continue;
        };
        if key.deletion_date.is_some_and(|d| d <= now) {
            server.store.delete(&key_id)?;
        } else if key.expire(now) {
            server.store.save(&key)?;
        }
    }
    Ok(())
}
