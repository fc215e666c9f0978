//! `kms-import serve`: a local AWS KMS endpoint for the whole import lifecycle, the reference
//! embedding of the core's service functions.
//!
//! - `http`: the HTTP/1.1 server (hyper on tokio), request bounds, SigV4, dispatch;
//! - `protocol`: AWS JSON 1.1 members checked against the API model, errors;
//! - `sigv4`: signature verification;
//! - `store`: SQLite (keys, materials sealed at rest), `secrets`: the master key file;
//! - `keys`: the key model and the key-state table; `ops_keys`, `ops_import`, `ops_use`,
//!   `ops_sign`: the operations; `asym`: asymmetric key use; `pool`: the warm wrapping-key pool.

mod asym;
mod http;
mod keys;
mod ops_import;
mod ops_keys;
mod ops_sign;
mod ops_use;
mod pool;
mod protocol;
mod secrets;
mod sigv4;
mod store;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use clap::Args;
use kms_import::{Partition, UnixTime};
use serde_json::Value;

use crate::failure::{Failure, Outcome};
use crate::serve::pool::{Pool, PoolSizes};
use crate::serve::protocol::{ApiError, ApiResult, Input};
use crate::serve::secrets::Secrets;
use crate::serve::sigv4::Credentials;
use crate::serve::store::Store;

/// `kms-import serve`: the interface is a contract (outside scripts start it this way).
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. A non-loopback address needs --credentials.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4599")]
    pub listen: SocketAddr,
    /// Directory of the SQLite database and the master key (created, mode 0700). Without it,
    /// state lives in memory and is lost at exit.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// The region in ARNs; cn-north-1 and cn-northwest-1 select the aws-cn partition.
    #[arg(long, value_name = "REGION", default_value = "us-east-1")]
    pub region: String,
    /// The account id in ARNs (12 digits).
    #[arg(long, value_name = "ID", default_value = "111122223333")]
    pub account_id: String,
    /// `ACCESS_KEY_ID SECRET_ACCESS_KEY` per line: every request's SigV4 signature is verified.
    #[arg(long, value_name = "FILE")]
    pub credentials: Option<PathBuf>,
    /// Warm wrapping keys kept per spec, e.g. RSA_4096=8,RSA_2048=8 (0 turns a spec off).
    #[arg(long, value_name = "SPEC=N,...", value_parser = pool::parse_sizes)]
    pub pool: Option<PoolSizes>,
}

/// Everything the operations share.
pub struct Server {
    pub store: Store,
    pub secrets: Secrets,
    pub pool: Pool,
    pub region: String,
    pub account: String,
    pub partition: Partition,
    pub credentials: Option<Credentials>,
    /// One lock per key: operations that change a key run one at a time per key.
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
}

impl Server {
    /// The lock of one key (held while the key is read, changed and written back).
    pub fn key_lock(&self, key_id: &str) -> Arc<Mutex<()>> {
        let mut locks = self.locks.lock().unwrap_or_else(|e| e.into_inner());
        if locks.len() > 4096 {
            locks.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        Arc::clone(locks.entry(key_id.to_owned()).or_default())
    }

    /// The key ARN prefix, `arn:PARTITION:kms:REGION:ACCOUNT:key/`.
    pub fn arn_prefix(&self) -> String {
        format!(
            "arn:{}:kms:{}:{}:key/",
            self.partition, self.region, self.account
        )
    }
}

/// The partition of a region (ARN partition of the China Regions is `aws-cn`, of GovCloud
/// `aws-us-gov`).
pub fn partition_of(region: &str) -> Partition {
    if region.starts_with("cn-") {
        Partition::AwsCn
    } else if region.starts_with("us-gov-") {
        Partition::AwsUsGov
    } else {
        Partition::Aws
    }
}

/// The clock of the operations, as the core takes it. For tests only, the environment variable
/// `KMS_IMPORT_SERVE_CLOCK_SKEW_SECS` moves it forward (so that expiry of import tokens and
/// material can be tested without waiting a day); SigV4 always uses the real clock.
pub fn now() -> UnixTime {
    static SKEW: OnceLock<u64> = OnceLock::new();
    let skew = *SKEW.get_or_init(|| {
        std::env::var("KMS_IMPORT_SERVE_CLOCK_SKEW_SECS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    });
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    UnixTime::from_secs(secs.saturating_add(skew)).unwrap_or(UnixTime::MAX)
}

/// Runs one operation (blocking: SQLite and key cryptography).
pub fn dispatch(server: &Server, operation: &str, body: &[u8]) -> ApiResult<Value> {
    let input = Input::parse(body)?;
    let now = now();
    match operation {
        "CreateKey" => ops_keys::create_key(server, &input, now),
        "DescribeKey" => ops_keys::describe_key(server, &input, now),
        "ListKeys" => ops_keys::list_keys(server, &input, now),
        "EnableKey" => ops_keys::enable_key(server, &input, now),
        "DisableKey" => ops_keys::disable_key(server, &input, now),
        "ScheduleKeyDeletion" => ops_keys::schedule_key_deletion(server, &input, now),
        "CancelKeyDeletion" => ops_keys::cancel_key_deletion(server, &input, now),
        "GetParametersForImport" => ops_import::get_parameters_for_import(server, &input, now),
        "ImportKeyMaterial" => ops_import::import_key_material(server, &input, now),
        "DeleteImportedKeyMaterial" => {
            ops_import::delete_imported_key_material(server, &input, now)
        }
        "ListKeyRotations" => ops_import::list_key_rotations(server, &input, now),
        "RotateKeyOnDemand" => ops_import::rotate_key_on_demand(server, &input, now),
        "Encrypt" => ops_use::encrypt(server, &input, now),
        "Decrypt" => ops_use::decrypt(server, &input, now),
        "GenerateMac" => ops_sign::generate_mac(server, &input, now),
        "VerifyMac" => ops_sign::verify_mac(server, &input, now),
        "Sign" => ops_sign::sign(server, &input, now),
        "Verify" => ops_sign::verify(server, &input, now),
        "GetPublicKey" => ops_sign::get_public_key(server, &input, now),
        "DeriveSharedSecret" => ops_sign::derive_shared_secret(server, &input, now),
        _ => Err(ApiError::new(
            "UnknownOperationException",
            format!("this endpoint does not implement the operation {operation}"),
        )),
    }
}

fn check_account(account: &str) -> Outcome {
    if account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(Failure::usage("--account-id must be 12 digits"))
    }
}

fn check_region(region: &str) -> Outcome {
    let ok = !region.is_empty()
        && region.len() <= 32
        && region
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(Failure::usage("--region must look like us-east-1"))
    }
}

/// `kms-import serve`.
pub fn run(args: &ServeArgs) -> Outcome {
    check_account(&args.account_id)?;
    check_region(&args.region)?;
    let credentials = args
        .credentials
        .as_deref()
        .map(Credentials::load)
        .transpose()
        .map_err(Failure::refused)?;
    if !args.listen.ip().is_loopback() && credentials.is_none() {
        return Err(Failure::refused(format!(
            "refusing to listen on {}: a non-loopback address needs --credentials (every request \
             is then SigV4-verified)",
            args.listen
        )));
    }
    let (store, secrets) = match &args.data_dir {
        Some(dir) => {
            let secrets = Secrets::load_or_create(dir).map_err(Failure::refused)?;
            (Store::open(Some(dir)).map_err(Failure::refused)?, secrets)
        }
        None => {
            eprintln!("no --data-dir: keys live in memory and are lost when the server stops");
            (
                Store::open(None).map_err(Failure::refused)?,
                Secrets::ephemeral().map_err(Failure::refused)?,
            )
        }
    };
    let partition = partition_of(&args.region);
    let sizes = args.pool.clone().unwrap_or_default();
    let pool = Pool::start(&sizes, partition).map_err(Failure::refused)?;
    let server = Arc::new(Server {
        store,
        secrets,
        pool,
        region: args.region.clone(),
        account: args.account_id.clone(),
        partition,
        credentials,
        locks: Mutex::new(HashMap::new()),
    });
    http::serve(server, args.listen).map_err(Failure::refused)
}
