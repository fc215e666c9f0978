//! The import operations: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial,
//! ListKeyRotations, RotateKeyOnDemand. The core decides the import (matrix, token, unwrap,
//! material checks, `KeyMaterialId`); this file keeps the key's materials and state.
//!
//! Rules of AWS's current ImportKeyMaterial (API reference, ImportKeyMaterial, `ImportType` and
//! `KeyMaterialId`; AWS KMS developer guide, "Rotate imported key material on demand"), as the
//! recorded AWS answers show them (see the shared design notes):
//! - `ImportType` defaults to `NEW_KEY_MATERIAL` for a key that never had material, else
//!   `EXISTING_KEY_MATERIAL`.
//! - `EXISTING_KEY_MATERIAL`: the material must be one already associated with the key (same
//!   `KeyMaterialId`), and equal the given `KeyMaterialId`, else `IncorrectKeyMaterialException`.
//! - `NEW_KEY_MATERIAL` on a key with material: symmetric encryption keys only
//!   (`UnsupportedOperationException`), not with a `KeyMaterialId` (`ValidationException`), not
//!   while another new material waits for rotation (`KMSInvalidStateException`), and not
//!   material already associated (`IncorrectKeyMaterialException`). It becomes
//!   `PENDING_ROTATION` until `RotateKeyOnDemand`.

use kms_import::{
    ExpirationModel, GetParametersForImportRequest, ImportKeyMaterialRequest, ImportSecrets,
    KeyMaterialExpiration, KeyMetadata, KeySpec, KeyState, WrappingAlgorithm, WrappingKeySpec,
};
use serde_json::{Value, json};

use crate::rng::os_rng;
use crate::serve::Server;
use crate::serve::keys::{Key, Material, MaterialState};
use crate::serve::ops_keys::{read_key, update_key};
use crate::serve::protocol::{ApiError, ApiResult, Input, b64, check_pattern, ts};

/// What the core knows of a key: spec, partition, origin EXTERNAL, state, ARN.
fn core_metadata(server: &Server, key: &Key) -> ApiResult<KeyMetadata> {
    let mut meta = KeyMetadata::new(key.spec, server.partition);
    meta.key_state = key.state;
    meta.arn = Some(
        key.arn
            .parse()
            .map_err(|e: kms_import::KmsError| ApiError::internal(e.to_string()))?,
    );
    Ok(meta)
}

/// GetParametersForImport: a wrapping key from the warm pool (generated now only when the pool
/// has none of that spec), sealed into a token bound to the key's ARN.
pub fn get_parameters_for_import(
    server: &Server,
    input: &Input,
    now: kms_import::UnixTime,
) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let wrapping_algorithm: WrappingAlgorithm =
        input.enumeration("WrappingAlgorithm", WrappingAlgorithm::NAMES)?;
    let wrapping_key_spec: WrappingKeySpec =
        input.enumeration("WrappingKeySpec", WrappingKeySpec::NAMES)?;
    let key = read_key(server, key_ref, now)?;
    let meta = core_metadata(server, &key)?;
    let request = GetParametersForImportRequest {
        key_id: key_ref,
        wrapping_algorithm,
        wrapping_key_spec,
    };
    let token_key = &server.secrets.token_key;
    let mut rng = os_rng();
    // A pooled key is taken only for a combination the matrix allows, so that refused requests
    // do not drain the pool; the core then checks everything again.
    let allowed = kms_import::matrix::check(
        server.partition,
        wrapping_algorithm,
        wrapping_key_spec,
        key.spec,
    )
    .is_ok();
    let pooled = if allowed {
        server.pool.take(wrapping_key_spec)
    } else {
        None
    };
    let params = match pooled {
        Some(wrapping_key) => kms_import::get_parameters_for_import_with_wrapping_key(
            &request,
            &meta,
            &wrapping_key,
            token_key,
            now,
            &mut rng,
        ),
        None => kms_import::get_parameters_for_import(&request, &meta, token_key, now, &mut rng),
    }?;
    Ok(json!({
        "KeyId": params.key_id.to_string(),
        "ImportToken": b64(&params.import_token),
        "PublicKey": b64(&params.public_key),
        "ParametersValidTo": ts(params.parameters_valid_to.as_secs()),
    }))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum ImportType {
    New,
    Existing,
}

impl std::str::FromStr for ImportType {
    type Err = ();
    fn from_str(s: &str) -> Result<Self, ()> {
        match s {
            "NEW_KEY_MATERIAL" => Ok(ImportType::New),
            "EXISTING_KEY_MATERIAL" => Ok(ImportType::Existing),
            _ => Err(()),
        }
    }
}

fn is_description_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_whitespace() || ":/_.-".contains(c)
}

/// ImportKeyMaterial.
pub fn import_key_material(
    server: &Server,
    input: &Input,
    now: kms_import::UnixTime,
) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let import_token = input.blob("ImportToken", 1, 6144)?;
    let encrypted = input.blob("EncryptedKeyMaterial", 1, 6144)?;
    let valid_to = input.opt_timestamp("ValidTo")?;
    let expiration_model: Option<ExpirationModel> =
        input.opt_enum("ExpirationModel", ExpirationModel::NAMES)?;
    let import_type: Option<ImportType> =
        input.opt_enum("ImportType", &["NEW_KEY_MATERIAL", "EXISTING_KEY_MATERIAL"])?;
    let description = input.opt_str("KeyMaterialDescription", 0, 256)?;
    if let Some(text) = description.filter(|t| !t.is_empty()) {
        check_pattern(
            "KeyMaterialDescription",
            text,
            is_description_char,
            r"^[a-zA-Z0-9:/_\s.-]+$",
        )?;
    }
    let given_id = input.opt_str("KeyMaterialId", 64, 64)?;
    if let Some(id) = given_id {
        check_pattern(
            "KeyMaterialId",
            id,
            |c| c.is_ascii_digit() || ('a'..='f').contains(&c),
            "^[a-f0-9]+$",
        )?;
    }
    update_key(server, key_ref, now, |key| {
        let import_type = import_type.unwrap_or(if key.has_material_history() {
            ImportType::Existing
        } else {
            ImportType::New
        });
        if import_type == ImportType::New && given_id.is_some() {
            return Err(ApiError::validation(
                "KeyMaterialId can be given only with ImportType EXISTING_KEY_MATERIAL",
            ));
        }
        if import_type == ImportType::New && key.has_material_history() {
            if key.spec != KeySpec::SymmetricDefault {
                return Err(ApiError::unsupported(format!(
                    "{} is a {} key: only symmetric encryption keys can hold more than one key \
                     material; reimport the same material with EXISTING_KEY_MATERIAL",
                    key.arn, key.spec
                )));
            }
            if key
                .materials
                .iter()
                .any(|m| m.state == MaterialState::PendingRotation)
            {
                return Err(ApiError::invalid_state(format!(
                    "{} already has new key material pending rotation; call RotateKeyOnDemand \
                     before importing more",
                    key.arn
                )));
            }
        }
        let mut meta = core_metadata(server, key)?;
        // The core's reimport check compares with one previous material; the server compares
        // with every material of the key below, so the core sees a key awaiting material.
        if matches!(meta.key_state, KeyState::Enabled | KeyState::Disabled) {
            meta.key_state = KeyState::PendingImport;
        }
        let request = ImportKeyMaterialRequest {
            key_id: key_ref,
            import_token: &import_token,
            encrypted_key_material: &encrypted,
            expiration_model,
            valid_to,
        };
        let secrets = ImportSecrets {
            sealing_keys: &server.secrets.token_key,
            fingerprint_key: &server.secrets.material_id_key,
        };
        let imported =
            kms_import::import_key_material(&request, &meta, None, &secrets, now, &mut os_rng())?;
        let id = imported.fingerprint.to_string();
        let valid_to = match imported.expiration {
            KeyMaterialExpiration::ExpiresAt(t) => Some(t.as_secs()),
            KeyMaterialExpiration::DoesNotExpire => None,
        };
        let position = key.materials.iter().position(|m| m.id == id);
        let sealed = server
            .secrets
            .seal(&key.arn, &id, imported.material.as_bytes())
            .map_err(ApiError::internal)?;
        match (import_type, position) {
            (ImportType::Existing, None) => {
                return Err(ApiError::new(
                    "IncorrectKeyMaterialException",
                    format!(
                        "the key material is not key material previously imported into {}; \
                         to add new key material, use ImportType NEW_KEY_MATERIAL",
                        key.arn
                    ),
                ));
            }
            (ImportType::Existing, Some(_)) if given_id.is_some_and(|g| g != id) => {
                return Err(ApiError::new(
                    "IncorrectKeyMaterialException",
                    "the key material does not match the KeyMaterialId in the request",
                ));
            }
            (ImportType::New, Some(_)) => {
                return Err(ApiError::new(
                    "IncorrectKeyMaterialException",
                    format!(
                        "this key material is already associated with {}; reimport it with \
                         ImportType EXISTING_KEY_MATERIAL",
                        key.arn
                    ),
                ));
            }
            (ImportType::Existing, Some(i)) => {
                let m = &mut key.materials[i];
                m.imported = true;
                m.sealed = Some(sealed);
                m.valid_to = valid_to;
                m.import_date = Some(now.as_secs());
                if let Some(d) = description {
                    m.description = Some(d.to_owned());
                }
            }
            (ImportType::New, None) => {
                let state = if key.materials.is_empty() {
                    MaterialState::Current
                } else {
                    MaterialState::PendingRotation
                };
                key.materials.push(Material {
                    id: id.clone(),
                    state,
                    imported: true,
                    description: description.map(str::to_owned),
                    valid_to,
                    import_date: Some(now.as_secs()),
                    rotation_date: None,
                    sealed: Some(sealed),
                });
            }
        }
        key.recompute_state();
        Ok(json!({"KeyId": key.arn, "KeyMaterialId": id}))
    })
}

/// DeleteImportedKeyMaterial: deletes the given material (default: the current one); the key is
/// `PendingImport` until it is reimported. Material pending rotation is dropped from the key.
pub fn delete_imported_key_material(
    server: &Server,
    input: &Input,
    now: kms_import::UnixTime,
) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let given_id = input.opt_str("KeyMaterialId", 64, 64)?;
    update_key(server, key_ref, now, |key| {
        if key.state == KeyState::PendingDeletion {
            return Err(ApiError::invalid_state(format!(
                "{} is pending deletion.",
                key.arn
            )));
        }
        let index = match given_id {
            Some(id) => key
                .materials
                .iter()
                .position(|m| m.id == id)
                .ok_or_else(|| {
                    ApiError::not_found(format!(
                        "KeyMaterialId {id} is not associated with {}",
                        key.arn
                    ))
                })?,
            None => key
                .materials
                .iter()
                .position(|m| m.state == MaterialState::Current)
                .ok_or_else(|| {
                    ApiError::invalid_state(format!("{} has no key material", key.arn))
                })?,
        };
        let id = key.materials[index].id.clone();
        if key.materials[index].state == MaterialState::PendingRotation {
            key.materials.remove(index);
        } else {
            let m = &mut key.materials[index];
            m.imported = false;
            m.sealed = None;
            m.valid_to = None;
        }
        key.recompute_state();
        Ok(json!({"KeyId": key.arn, "KeyMaterialId": id}))
    })
}

/// ListKeyRotations (symmetric encryption keys): with `ALL_KEY_MATERIAL`, every material of the
/// key; with `ROTATIONS_ONLY` (the default), the materials that became current by rotation.
pub fn list_key_rotations(
    server: &Server,
    input: &Input,
    now: kms_import::UnixTime,
) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let all = input.opt_str("IncludeKeyMaterial", 0, 64)?;
    let all = match all {
        None | Some("ROTATIONS_ONLY") => false,
        Some("ALL_KEY_MATERIAL") => true,
        Some(_) => {
            return Err(input
                .opt_enum::<String>(
                    "IncludeKeyMaterial",
                    &["ALL_KEY_MATERIAL", "ROTATIONS_ONLY"],
                )
                .unwrap_err());
        }
    };
    let limit = input.opt_int("Limit", 1, 1000)?.unwrap_or(100);
    let start = match input.opt_str("Marker", 1, 1024)? {
        None => 0,
        Some(m) => m.parse::<usize>().map_err(|_| {
            ApiError::new(
                "InvalidMarkerException",
                "the Marker is not one ListKeyRotations returned",
            )
        })?,
    };
    let key = read_key(server, key_ref, now)?;
    if key.spec != KeySpec::SymmetricDefault {
        return Err(ApiError::unsupported(format!(
            "{} is not a symmetric encryption key; only those have key rotations",
            key.arn
        )));
    }
    let entries: Vec<Value> = key
        .materials
        .iter()
        .filter(|m| all || m.rotation_date.is_some())
        .map(|m| {
            let mut e = json!({
                "KeyId": key.key_id,
                "KeyMaterialId": m.id,
                "ImportState": if m.imported { "IMPORTED" } else { "PENDING_IMPORT" },
                "KeyMaterialState": m.state.as_str(),
            });
            if let Some(d) = &m.description {
                e["KeyMaterialDescription"] = json!(d);
            }
            if let Some(model) = m.expiration_model() {
                e["ExpirationModel"] = json!(model.as_str());
            }
            if let (true, Some(t)) = (m.imported, m.valid_to) {
                e["ValidTo"] = ts(t);
            }
            if let Some(t) = m.rotation_date {
                e["RotationDate"] = ts(t);
                e["RotationType"] = json!("ON_DEMAND");
            }
            e
        })
        .collect();
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let page: Vec<Value> = entries.iter().skip(start).take(limit).cloned().collect();
    let truncated = start + page.len() < entries.len();
    let mut out = json!({"Rotations": page, "Truncated": truncated});
    if truncated {
        out["NextMarker"] = json!((start + limit).to_string());
    }
    Ok(out)
}

/// RotateKeyOnDemand for a symmetric key with imported material: the material pending rotation
/// becomes CURRENT, the current one NON_CURRENT (still decrypts what it encrypted).
pub fn rotate_key_on_demand(
    server: &Server,
    input: &Input,
    now: kms_import::UnixTime,
) -> ApiResult<Value> {
    update_key(server, input.key_id()?, now, |key| {
        if key.spec != KeySpec::SymmetricDefault {
            return Err(ApiError::unsupported(format!(
                "{} is a {} key; only symmetric encryption keys rotate",
                key.arn, key.spec
            )));
        }
        key.check_usable()?;
        let Some(next) = key
            .materials
            .iter()
            .position(|m| m.state == MaterialState::PendingRotation && m.imported)
        else {
            return Err(ApiError::invalid_state(format!(
                "{} has no imported key material pending rotation; import new key material \
                 with ImportType NEW_KEY_MATERIAL first",
                key.arn
            )));
        };
        for m in &mut key.materials {
            if m.state == MaterialState::Current {
                m.state = MaterialState::NonCurrent;
            }
        }
        key.materials[next].state = MaterialState::Current;
        key.materials[next].rotation_date = Some(now.as_secs());
        Ok(json!({"KeyId": key.arn}))
    })
}
