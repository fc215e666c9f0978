//! The import operations: GetParametersForImport, ImportKeyMaterial, DeleteImportedKeyMaterial
//! (the core's `ImportService` decides each: matrix, token, unwrap, material checks,
//! `KeyMaterialId`, `ImportType`, the resulting key and material states), ListKeyRotations and
//! RotateKeyOnDemand. This file turns the stored key into the core's `KeyMetadata` and writes back
//! what the core decided, in one transaction.

use kms_import::{
    AssociatedKeyMaterial, DeleteImportedKeyMaterialRequest, ExpirationModel,
    GetParametersForImportRequest, ImportKeyMaterialRequest, ImportState, ImportType,
    KeyMaterialExpiration, KeyMaterialState, KeyMetadata, KeySpec, UnixTime, WrappingAlgorithm,
    WrappingKeySpec,
};
use serde_json::{Value, json};

use crate::rng::os_rng;
use crate::serve::Server;
use crate::serve::keys::{Key, Material, MaterialState};
use crate::serve::ops_keys::{read_key, update_key};
use crate::serve::protocol::{ApiError, ApiResult, Input, b64, ts};

/// The key as the core sees it: ARN, spec, usage, state and the associated key materials.
fn core_metadata(key: &Key) -> ApiResult<KeyMetadata> {
    let arn = key
        .arn
        .parse()
        .map_err(|e: kms_import::KmsError| ApiError::internal(e.to_string()))?;
    let mut meta = KeyMetadata::new(arn, key.spec, key.usage);
    meta.key_state = key.state;
    for m in &key.materials {
        meta.key_materials.push(AssociatedKeyMaterial {
            key_material_id: m
                .id
                .parse()
                .map_err(|_| ApiError::internal("a stored KeyMaterialId does not parse"))?,
            state: match m.state {
                MaterialState::Current => KeyMaterialState::Current,
                MaterialState::NonCurrent => KeyMaterialState::NonCurrent,
                MaterialState::PendingRotation => KeyMaterialState::PendingRotation,
            },
            import_state: if m.imported {
                ImportState::Imported
            } else {
                ImportState::PendingImport
            },
        });
    }
    Ok(meta)
}

/// GetParametersForImport: a wrapping key from the warm pool (generated now only when the pool
/// has none of that spec), sealed into a token bound to the key's ARN.
pub fn get_parameters_for_import(
    server: &Server,
    input: &Input,
    now: UnixTime,
) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let wrapping_algorithm: WrappingAlgorithm =
        input.enumeration("WrappingAlgorithm", WrappingAlgorithm::NAMES)?;
    let wrapping_key_spec: WrappingKeySpec =
        input.enumeration("WrappingKeySpec", WrappingKeySpec::NAMES)?;
    let key = read_key(server, key_ref, now)?;
    let meta = core_metadata(&key)?;
    let request = GetParametersForImportRequest {
        key_id: key_ref,
        wrapping_algorithm,
        wrapping_key_spec,
    };
    // A pooled key is taken only for a combination the matrix allows, so that refused requests
    // do not drain the pool; the service then checks everything.
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
    let service = &server.secrets.import_service;
    let mut rng = os_rng();
    let params = match pooled {
        Some(wrapping_key) => service.get_parameters_for_import_with_wrapping_key(
            &request,
            &meta,
            wrapping_key,
            now,
            &mut rng,
        ),
        None => service.get_parameters_for_import(&request, &meta, now, &mut rng),
    }?;
    Ok(json!({
        "KeyId": params.key_id.to_string(),
        "ImportToken": b64(&params.import_token),
        "PublicKey": b64(&params.public_key),
        "ParametersValidTo": ts(params.parameters_valid_to.as_secs()),
    }))
}

/// ImportKeyMaterial.
pub fn import_key_material(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let import_token = input.blob("ImportToken", 1, 6144)?;
    let encrypted = input.blob("EncryptedKeyMaterial", 1, 6144)?;
    let valid_to = input.opt_timestamp("ValidTo")?;
    let expiration_model: Option<ExpirationModel> =
        input.opt_enum("ExpirationModel", ExpirationModel::NAMES)?;
    let import_type: Option<ImportType> = input.opt_enum("ImportType", ImportType::NAMES)?;
    let description = input.opt_str("KeyMaterialDescription", 0, 256)?;
    let given_id = input.opt_str("KeyMaterialId", 64, 64)?;
    update_key(server, key_ref, now, |key| {
        let meta = core_metadata(key)?;
        let request = ImportKeyMaterialRequest {
            key_id: key_ref,
            import_token: &import_token,
            encrypted_key_material: &encrypted,
            expiration_model,
            valid_to,
            import_type,
            key_material_id: given_id,
            key_material_description: description,
        };
        let imported = server.secrets.import_service.import_key_material(
            &request,
            &meta,
            now,
            &mut os_rng(),
        )?;
        let id = imported.key_material_id.to_string();
        let valid_to = match imported.expiration {
            KeyMaterialExpiration::ExpiresAt(t) => Some(t.as_secs()),
            KeyMaterialExpiration::DoesNotExpire => None,
        };
        let sealed = server
            .secrets
            .seal(&key.arn, &id, imported.material.as_bytes())
            .map_err(ApiError::internal)?;
        let state = match imported.key_material_state {
            KeyMaterialState::Current => MaterialState::Current,
            KeyMaterialState::NonCurrent => MaterialState::NonCurrent,
            _ => MaterialState::PendingRotation,
        };
        let description = imported.key_material_description.clone();
        match key.materials.iter_mut().find(|m| m.id == id) {
            Some(m) => {
                m.imported = true;
                m.sealed = Some(sealed);
                m.valid_to = valid_to;
                m.import_date = Some(now.as_secs());
                m.state = state;
                if description.is_some() {
                    m.description = description;
                }
            }
            None => key.materials.push(Material {
                id: id.clone(),
                state,
                imported: true,
                description,
                valid_to,
                import_date: Some(now.as_secs()),
                rotation_date: None,
                sealed: Some(sealed),
            }),
        }
        key.state = imported.key_state;
        Ok(json!({"KeyId": imported.key_id.to_string(), "KeyMaterialId": id}))
    })
}

/// DeleteImportedKeyMaterial: the service names the material deleted (default: the current one)
/// and the key's next state (`PendingImport`); material that was only pending rotation leaves
/// the key.
pub fn delete_imported_key_material(
    server: &Server,
    input: &Input,
    now: UnixTime,
) -> ApiResult<Value> {
    let key_ref = input.key_id()?;
    let given_id = input.opt_str("KeyMaterialId", 64, 64)?;
    update_key(server, key_ref, now, |key| {
        let meta = core_metadata(key)?;
        let request = DeleteImportedKeyMaterialRequest {
            key_id: key_ref,
            key_material_id: given_id,
        };
        let deleted = server
            .secrets
            .import_service
            .delete_imported_key_material(&request, &meta)?;
        let id = deleted.key_material_id.to_string();
        if deleted.disassociated {
            key.materials.retain(|m| m.id != id);
        } else if let Some(m) = key.materials.iter_mut().find(|m| m.id == id) {
            m.imported = false;
            m.sealed = None;
            m.valid_to = None;
        }
        key.state = deleted.key_state;
        Ok(json!({"KeyId": deleted.key_id.to_string(), "KeyMaterialId": id}))
    })
}

/// ListKeyRotations (symmetric encryption keys): with `ALL_KEY_MATERIAL`, every material of the
/// key; with `ROTATIONS_ONLY` (the default), the materials that became current by rotation.
pub fn list_key_rotations(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
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
pub fn rotate_key_on_demand(server: &Server, input: &Input, now: UnixTime) -> ApiResult<Value> {
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
