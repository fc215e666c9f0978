//! The master key (32 random bytes in `DATA_DIR/master.key`, mode 0600) and what is derived from
//! it, each with its own label (HMAC-SHA256(master, label)):
//! - the key that seals key material at rest (AES-256-GCM, the key ARN and material id as
//!   associated data);
//! - the secret of the core's `ImportService` (`from_master_secret`: the token sealing key and the
//!   `KeyMaterialId` key), so import tokens issued before a restart open after it and the same
//!   material keeps its id.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, KeyInit, Nonce};
use hmac::Mac;
use kms_import::{ImportService, SealingKeyId};
use sha2::Sha256;
use zeroize::Zeroizing;

const MASTER_KEY_FILE: &str = "master.key";
const AT_REST_LABEL: &[u8] = b"kms-import serve v1 key material at rest";
const IMPORT_SERVICE_LABEL: &[u8] = b"kms-import serve v1 import service secret";
const NONCE_LEN: usize = 12;

/// The server's secrets, all derived from one master key.
pub struct Secrets {
    at_rest: Aes256Gcm,
    /// The core's service: its token sealing key and `KeyMaterialId` key are derived from a
    /// secret derived from the master key.
    pub import_service: ImportService,
}

fn derive(master: &[u8; 32], label: &[u8]) -> Zeroizing<[u8; 32]> {
    let mut mac = <hmac::Hmac<Sha256> as hmac::KeyInit>::new_from_slice(master)
        .expect("HMAC takes a 32-byte key");
    mac.update(label);
    Zeroizing::new(mac.finalize().into_bytes().into())
}

impl Secrets {
    fn from_master(master: &[u8; 32]) -> Self {
        let at_rest = derive(master, AT_REST_LABEL);
        Secrets {
            at_rest: Aes256Gcm::new((&*at_rest).into()),
            import_service: ImportService::from_master_secret(
                &derive(master, IMPORT_SERVICE_LABEL),
                SealingKeyId(1),
            ),
        }
    }

    /// Reads `DIR/master.key`, or creates it (and `DIR`, mode 0700) with 32 random bytes,
    /// mode 0600. A master key file readable by others is refused.
    pub fn load_or_create(dir: &Path) -> Result<Self, String> {
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let path = dir.join(MASTER_KEY_FILE);
        if path.exists() {
            let mode = fs::metadata(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?
                .permissions()
                .mode();
            if mode & 0o077 != 0 {
                return Err(format!(
                    "{} is readable by others (mode {:o}); it must be 0600",
                    path.display(),
                    mode & 0o777
                ));
            }
            let bytes = Zeroizing::new(
                fs::read(&path).map_err(|e| format!("cannot read {}: {e}", path.display()))?,
            );
            let master: &[u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| format!("{} must hold exactly 32 bytes", path.display()))?;
            return Ok(Self::from_master(master));
        }
        let master = random_master()?;
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&path)
            .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
        file.write_all(&*master)
            .and_then(|()| file.sync_all())
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        Ok(Self::from_master(&master))
    }

    /// A master key that lives only in memory (no `--data-dir`).
    pub fn ephemeral() -> Result<Self, String> {
        Ok(Self::from_master(&*random_master()?))
    }

    /// Seals material for the database: `nonce || AES-256-GCM(material)`, bound to the key ARN
    /// and the material id.
    pub fn seal(&self, arn: &str, material_id: &str, material: &[u8]) -> Result<Vec<u8>, String> {
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::fill(&mut nonce).map_err(|e| format!("the system RNG failed: {e}"))?;
        let aad = associated_data(arn, material_id);
        let sealed = self
            .at_rest
            .encrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: material,
                    aad: &aad,
                },
            )
            .map_err(|_| "sealing the key material failed".to_owned())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(out)
    }

    /// Opens what [`Secrets::seal`] wrote for this ARN and material id.
    pub fn open(
        &self,
        arn: &str,
        material_id: &str,
        sealed: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>, String> {
        if sealed.len() < NONCE_LEN {
            return Err("the stored key material is truncated".into());
        }
        let (nonce, ciphertext) = sealed.split_at(NONCE_LEN);
        let nonce: [u8; NONCE_LEN] = nonce.try_into().map_err(|_| "nonce".to_owned())?;
        let aad = associated_data(arn, material_id);
        self.at_rest
            .decrypt(
                &Nonce::from(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| "the stored key material does not open under the master key".into())
    }
}

fn random_master() -> Result<Zeroizing<[u8; 32]>, String> {
    let mut master = Zeroizing::new([0u8; 32]);
    getrandom::fill(&mut *master).map_err(|e| format!("the system RNG failed: {e}"))?;
    Ok(master)
}

/// `len(arn) || arn || material_id`: unambiguous.
fn associated_data(arn: &str, material_id: &str) -> Vec<u8> {
    let mut aad = (arn.len() as u64).to_be_bytes().to_vec();
    aad.extend_from_slice(arn.as_bytes());
    aad.extend_from_slice(material_id.as_bytes());
    aad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_material_opens_only_for_its_key_and_id() {
        let secrets = Secrets::from_master(&[7; 32]);
        let sealed = secrets.seal("arn:a", "id1", b"material").unwrap();
        assert_eq!(
            &*secrets.open("arn:a", "id1", &sealed).unwrap(),
            b"material"
        );
        assert!(secrets.open("arn:b", "id1", &sealed).is_err());
        assert!(secrets.open("arn:a", "id2", &sealed).is_err());
        assert!(
            Secrets::from_master(&[8; 32])
                .open("arn:a", "id1", &sealed)
                .is_err()
        );
    }

    #[test]
    fn master_key_file_is_0600_and_reused() {
        let dir = std::env::temp_dir().join(format!("kms-serve-secrets-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let first = Secrets::load_or_create(&dir).unwrap();
        let sealed = first.seal("arn", "id", b"m").unwrap();
        let mode = fs::metadata(dir.join(MASTER_KEY_FILE))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
        let again = Secrets::load_or_create(&dir).unwrap();
        assert_eq!(&*again.open("arn", "id", &sealed).unwrap(), b"m");
        fs::set_permissions(dir.join(MASTER_KEY_FILE), fs::Permissions::from_mode(0o644)).unwrap();
        assert!(Secrets::load_or_create(&dir).is_err());
        fs::remove_dir_all(&dir).unwrap();
    }
}
