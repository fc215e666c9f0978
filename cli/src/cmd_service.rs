//! `get-parameters-for-import` and `import-key-material`: the service side, run locally.
//!
//! Output is the AWS CLI's JSON for the same call (`ImportToken` and `PublicKey` base64, as the
//! AWS CLI prints blobs), so scripts written against `aws kms` work against this tool. Refusals are
//! the KMS exception: the first stderr line starts with its name.

use serde::Serialize;

use kms_import::{GetParametersForImportRequest, ImportKeyMaterialRequest};

use crate::cli::{GetParametersArgs, ImportArgs};
use crate::clock;
use crate::failure::{Failure, Outcome};
use crate::files::Access;
use crate::keys::{read_ciphertext, read_import_token, read_token_key};
use crate::output::print_json;
use crate::rng::os_rng;
use crate::service::{key_metadata, local_service};
use kms_import_client::encoding::encode_base64;

/// The AWS CLI's `get-parameters-for-import` output.
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ParametersOutput {
    key_id: String,
    import_token: String,
    public_key: String,
    parameters_valid_to: String,
}

/// `import-key-material` output, as `aws kms import-key-material` prints it: the key and the
/// `KeyMaterialId` (pass it back with `--associated-key-material-id` on a re-import).
#[derive(Serialize)]
#[serde(rename_all = "PascalCase")]
struct ImportOutput {
    key_id: String,
    key_material_id: String,
}

pub fn get_parameters_for_import(args: &GetParametersArgs) -> Outcome {
    let kms = local_service(&read_token_key(&args.token_key)?)?;
    let key = key_metadata(&args.key_id, args.key_spec, args.partition.partition, &[])?;
    let request = GetParametersForImportRequest {
        key_id: &args.key_id,
        wrapping_algorithm: args.wrapping_algorithm,
        wrapping_key_spec: args.wrapping_key_spec,
    };
    let now = clock::now(args.now);
    let label = format!("generating a {} wrapping key", args.wrapping_key_spec);
    let parameters = crate::spinner::with_spinner(&label, || {
        kms.get_parameters_for_import(&request, &key, now, &mut os_rng())
    })
    .map_err(Failure::refused)?;
    print_json(&ParametersOutput {
        key_id: parameters.key_id.to_string(),
        import_token: encode_base64(&parameters.import_token),
        public_key: encode_base64(&parameters.public_key),
        parameters_valid_to: parameters.parameters_valid_to.to_string(),
    })
}

pub fn import_key_material(args: &ImportArgs) -> Outcome {
    if args.previous_fingerprint.is_some() {
        return Err(Failure::usage(
            "--previous-fingerprint was replaced by --associated-key-material-id: pass the \
             KeyMaterialId that import-key-material printed (once per material the key holds)",
        ));
    }
    let target = crate::import_output::plan(args)?;
    let kms = local_service(&read_token_key(&args.token_key)?)?;
    let import_token = read_import_token(&args.import_token)?;
    let encrypted = read_ciphertext(&args.encrypted_key_material, true)?;
    let key = key_metadata(
        &args.key_id,
        args.key_spec,
        args.partition.partition,
        &args.associated_key_material_id,
    )?;
    let request = ImportKeyMaterialRequest {
        key_id: &args.key_id,
        import_token: import_token.as_bytes(),
        encrypted_key_material: encrypted.as_bytes(),
        expiration_model: args.expiration_model,
        valid_to: args.valid_to,
        import_type: args.import_type,
        key_material_id: args.key_material_id.as_deref(),
        key_material_description: args.key_material_description.as_deref(),
    };
    let imported = kms
        .import_key_material(&request, &key, clock::now(args.now), &mut os_rng())
        .map_err(Failure::refused)?;
    // The material file first, then the JSON; if the JSON cannot be printed, the file goes.
    let written = crate::target::write(target, imported.material.as_bytes(), Access::OwnerOnly)?;
    print_json(&ImportOutput {
        key_id: imported.key_id.to_string(),
        key_material_id: imported.key_material_id.to_string(),
    })
    .inspect_err(|_| written.undo())
}
