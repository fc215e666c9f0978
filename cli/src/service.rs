//! The service side run locally: an [`ImportService`] whose secrets come from one 32-byte token
//! key, and keys that exist only as the command line describes them (origin `EXTERNAL`, not in a
//! custom key store, in the partition given).

use kms_import::{
    AssociatedKeyMaterial, ImportService, ImportState, KeyIdentifier, KeyMaterial, KeyMaterialId,
    KeyMaterialState, KeyMetadata, KeySpec, KeyState, Partition, SealingKeyId,
};

use crate::failure::{Failure, Outcome};
use crate::keys::TOKEN_KEY_LEN;

/// The token sealing key id of the CLI's one sealing key.
const SEALING_KEY_ID: SealingKeyId = SealingKeyId(1);

/// The local service: the token sealing key and the `KeyMaterialId` key are both derived from
/// the 32-byte token key, so `get-parameters-for-import` and `import-key-material` run with the
/// same file agree.
pub fn local_service(token_key: &KeyMaterial) -> Outcome<ImportService> {
    let secret: &[u8; TOKEN_KEY_LEN] = token_key
        .as_bytes()
        .try_into()
        .map_err(|_| Failure::refused("the token key must be exactly 32 bytes"))?;
    Ok(ImportService::from_master_secret(secret, SEALING_KEY_ID))
}

/// The metadata of the key the command line names: its ARN when `--key-id` is one (the ARN's
/// partition is the key's), else its key ID in `partition`; the key spec's first key usage;
/// `PendingImport` with no material, or `Enabled` with the given material ids associated (the
/// first one current).
pub fn key_metadata(
    key_id: &str,
    key_spec: KeySpec,
    partition: Partition,
    associated: &[KeyMaterialId],
) -> Outcome<KeyMetadata> {
    let usage = key_spec.rule().key_usages[0];
    let identifier: KeyIdentifier = key_id.parse().map_err(Failure::refused)?;
    let mut key = match identifier {
        KeyIdentifier::Arn(arn) => {
            if partition != Partition::Aws && partition != arn.partition() {
                return Err(Failure::usage(format_args!(
                    "--partition {partition} does not match the key ARN, which is in {}",
                    arn.partition()
                )));
            }
            KeyMetadata::new(arn, key_spec, usage)
        }
        KeyIdentifier::Id(id) => KeyMetadata::with_key_id(id, partition, key_spec, usage),
    };
    for (i, id) in associated.iter().enumerate() {
        key.key_materials.push(AssociatedKeyMaterial {
            key_material_id: *id,
            state: if i == 0 {
                KeyMaterialState::Current
            } else {
                KeyMaterialState::NonCurrent
            },
            import_state: ImportState::Imported,
        });
    }
    if !associated.is_empty() {
        key.key_state = KeyState::Enabled;
    }
    Ok(key)
}
