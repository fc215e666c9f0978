//! The key material `wrap` encrypts: read where `input` allows a secret (a regular file or `-`),
//! taken in the forms people hold it by `kms_import_client::material`, which says on stderr what
//! it converted.

use std::path::Path;

use kms_import::KeyMaterial;
use kms_import_client::material;

use crate::failure::{Failure, Outcome};
use crate::input::{self, KEY_MATERIAL};
use crate::output::note;

/// Reads the key material `arg` names (a regular file or `-`: it is secret).
pub fn read(arg: &Path) -> Outcome<KeyMaterial> {
    let input = input::read(arg, KEY_MATERIAL)?;
    let shown = input.origin.shown(KEY_MATERIAL.flag);
    let material =
        material::decode(input.bytes, &shown, &input.origin).map_err(Failure::refused)?;
    if let Some(text) = &material.note {
        note(text);
    }
    Ok(material.bytes)
}
