//! The command line (the interface is a contract: names and flags below are fixed).
//!
//! AWS names are parsed with the core's `FromStr`, so an unknown name is a usage error (exit 2)
//! that lists the valid values, while `RSAES_PKCS1_V1_5` parses and is refused when the command
//! runs (exit 1, with the deprecation message).

use std::path::PathBuf;
use std::str::FromStr;

use clap::{Args, Parser, Subcommand};
use kms_import::{
    ExpirationModel, ImportType, KeyMaterialId, KeySpec, Partition, UnixTime, UnknownName,
    WrappingAlgorithm, WrappingKeySpec,
};

use crate::clock::{parse_rfc3339, parse_rfc3339_deadline};

/// Wrap key material for AWS KMS import with no OpenSSL pitfalls, and run the service side
/// (GetParametersForImport / ImportKeyMaterial) locally.
///
/// Exit status: 0 success; 1 refused (the first line on stderr says why, starting with the KMS
/// exception name where there is one); 2 usage error.
#[derive(Debug, Parser)]
#[command(name = "kms-import", version, about, long_about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Generate a wrapping key pair: DER SPKI public key and PKCS#8 DER private key (mode 0600).
    CreateWrappingKey {
        #[arg(long, value_name = "SPEC", value_parser = aws_name::<WrappingKeySpec>)]
        wrapping_key_spec: WrappingKeySpec,
        /// Where to write the public key (DER SubjectPublicKeyInfo).
        #[arg(long, value_name = "FILE")]
        public_key_out: PathBuf,
        /// Where to write the private key (PKCS#8 DER, mode 0600).
        #[arg(long, value_name = "FILE")]
        private_key_out: PathBuf,
        /// Replace an existing private key file.
        #[arg(long)]
        force: bool,
    },
    /// Client side: encrypt key material exactly as KMS expects it in EncryptedKeyMaterial.
    Wrap(WrapArgs),
    /// Decrypt EncryptedKeyMaterial with a wrapping private key (output mode 0600).
    Unwrap(UnwrapArgs),
    /// Ask the compatibility matrix: prints "allowed" (exit 0) or the reason (exit 1).
    Check {
        #[arg(long, value_name = "ALG", value_parser = aws_name::<WrappingAlgorithm>)]
        wrapping_algorithm: WrappingAlgorithm,
        #[arg(long, value_name = "SPEC", value_parser = aws_name::<WrappingKeySpec>)]
        wrapping_key_spec: WrappingKeySpec,
        #[arg(long, value_name = "KS", value_parser = aws_name::<KeySpec>)]
        key_spec: KeySpec,
        #[command(flatten)]
        partition: PartitionArg,
    },
    /// Print the compatibility matrix (every partition unless --partition is given).
    Matrix {
        #[arg(long, value_name = "PARTITION", value_parser = aws_name::<Partition>)]
        partition: Option<Partition>,
        /// One JSON array of {partition, wrapping_algorithm, wrapping_key_spec, key_spec, allowed, reason, suggestions}.
        #[arg(long)]
        json: bool,
    },
    /// Write a new token sealing key: 32 random bytes, mode 0600.
    CreateTokenKey {
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// Service side of GetParametersForImport: prints the AWS CLI's JSON.
    GetParametersForImport(GetParametersArgs),
    /// Service side of ImportKeyMaterial: writes the material (mode 0600), prints {KeyId, KeyMaterialId}.
    ImportKeyMaterial(ImportArgs),
    /// Write sample key material for a key spec (random bytes, or a fresh PKCS#8 private key), mode 0600.
    SampleMaterial {
        #[arg(long, value_name = "KS", value_parser = aws_name::<KeySpec>)]
        key_spec: KeySpec,
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        #[command(flatten)]
        partition: PartitionArg,
        /// Replace an existing file.
        #[arg(long)]
        force: bool,
    },
    /// A local AWS KMS endpoint (AWS JSON 1.1, SigV4) for the whole import lifecycle.
    Serve(crate::serve::ServeArgs),
    /// Run the whole flow for every key spec and algorithm in aws and aws-cn, with timings.
    Demo {
        /// Also list every refused combination, not only the count.
        #[arg(long)]
        verbose: bool,
    },
}

/// `--partition aws|aws-cn|aws-us-gov`, `aws` by default.
#[derive(Debug, Args)]
pub struct PartitionArg {
    /// The AWS partition whose rules apply.
    #[arg(long, value_name = "PARTITION", default_value = "aws", value_parser = aws_name::<Partition>)]
    pub partition: Partition,
}

#[derive(Debug, Args)]
pub struct WrapArgs {
    #[arg(long, value_name = "ALG", value_parser = aws_name::<WrappingAlgorithm>)]
    pub wrapping_algorithm: WrappingAlgorithm,
    /// The wrapping public key: DER, PEM, or the base64 text KMS returned as PublicKey; a file,
    /// - for standard input, or the base64 text itself.
    #[arg(long, value_name = "FILE")]
    pub public_key: PathBuf,
    /// The plaintext key material (raw bytes; PKCS#8 DER or PEM for RSA, ECC and SM2 keys); a
    /// file or - for standard input.
    #[arg(long, value_name = "FILE")]
    pub key_material: PathBuf,
    /// Where to write EncryptedKeyMaterial (- for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Check the matrix and the material for this key spec first, and refuse what KMS would.
    /// Without it, the same checks run for every key spec the material can be for.
    #[arg(long, value_name = "KS", value_parser = aws_name::<KeySpec>)]
    pub key_spec: Option<KeySpec>,
    /// Wrap the bytes as they are, without the matrix and material checks (for another KMS).
    #[arg(long, conflicts_with = "key_spec")]
    pub no_check: bool,
    #[command(flatten)]
    pub partition: PartitionArg,
}

#[derive(Debug, Args)]
pub struct UnwrapArgs {
    #[arg(long, value_name = "ALG", value_parser = aws_name::<WrappingAlgorithm>)]
    pub wrapping_algorithm: WrappingAlgorithm,
    /// The wrapping private key: PKCS#8 DER, PEM, or base64 of the DER; a file (mode 0600) or -.
    #[arg(long, value_name = "FILE")]
    pub private_key: PathBuf,
    /// Raw bytes or their base64 text; a file, -, or the base64 text itself.
    #[arg(long, value_name = "FILE")]
    pub encrypted_key_material: PathBuf,
    /// Where to write the plaintext key material (mode 0600; - for standard output).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Replace an existing file.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct GetParametersArgs {
    /// A key ID (UUID) or key ARN.
    #[arg(long, value_name = "ID")]
    pub key_id: String,
    #[arg(long, value_name = "KS", value_parser = aws_name::<KeySpec>)]
    pub key_spec: KeySpec,
    #[arg(long, value_name = "ALG", value_parser = aws_name::<WrappingAlgorithm>)]
    pub wrapping_algorithm: WrappingAlgorithm,
    #[arg(long, value_name = "SPEC", value_parser = aws_name::<WrappingKeySpec>)]
    pub wrapping_key_spec: WrappingKeySpec,
    /// The 32-byte token sealing key (see create-token-key).
    #[arg(long, value_name = "FILE")]
    pub token_key: PathBuf,
    #[command(flatten)]
    pub partition: PartitionArg,
    /// Use this time instead of the system clock (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    pub now: Option<UnixTime>,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// A key ID (UUID) or key ARN.
    #[arg(long, value_name = "ID")]
    pub key_id: String,
    #[arg(long, value_name = "KS", value_parser = aws_name::<KeySpec>)]
    pub key_spec: KeySpec,
    /// The ImportToken: raw bytes, or the base64 text get-parameters-for-import printed.
    #[arg(long, value_name = "FILE")]
    pub import_token: PathBuf,
    /// Raw bytes or their base64 text.
    #[arg(long, value_name = "FILE")]
    pub encrypted_key_material: PathBuf,
    /// The 32-byte token sealing key the token was sealed with.
    #[arg(long, value_name = "FILE")]
    pub token_key: PathBuf,
    /// Where to write the validated key material (mode 0600).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub partition: PartitionArg,
    /// Use this time instead of the system clock (RFC 3339).
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    pub now: Option<UnixTime>,
    /// Replaced by --associated-key-material-id (an error says so).
    #[arg(long, value_name = "HEX", hide = true)]
    pub previous_fingerprint: Option<String>,
    /// A KeyMaterialId the key already holds (as import-key-material printed it); repeat for each.
    /// Without any, the key has never had material.
    #[arg(long, value_name = "HEX64", value_parser = parse_key_material_id)]
    pub associated_key_material_id: Vec<KeyMaterialId>,
    /// NEW_KEY_MATERIAL or EXISTING_KEY_MATERIAL (symmetric keys only; AWS's default: new when
    /// the key has no material, else existing).
    #[arg(long, value_name = "TYPE", value_parser = aws_name::<ImportType>)]
    pub import_type: Option<ImportType>,
    /// The KeyMaterialId of the material being re-imported (symmetric keys only).
    #[arg(long, value_name = "HEX64")]
    pub key_material_id: Option<String>,
    /// A description of the material (symmetric keys only; at most 256 characters).
    #[arg(long, value_name = "TEXT")]
    pub key_material_description: Option<String>,
    /// When the imported material expires (RFC 3339; a fraction of a second rounds up).
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339_deadline)]
    pub valid_to: Option<UnixTime>,
    /// KEY_MATERIAL_EXPIRES (the default; needs --valid-to) or KEY_MATERIAL_DOES_NOT_EXPIRE.
    #[arg(long, value_name = "MODEL", value_parser = aws_name::<ExpirationModel>)]
    pub expiration_model: Option<ExpirationModel>,
    /// Replace an existing --out file.
    #[arg(long)]
    pub force: bool,
}

/// 64 lower-case hex digits, as `import-key-material` printed them.
fn parse_key_material_id(text: &str) -> Result<KeyMaterialId, String> {
    text.parse()
        .map_err(|e: kms_import::InvalidKeyMaterialId| e.to_string())
}

/// Parses an AWS name with the core's `FromStr`; the error lists every valid value.
fn aws_name<T: FromStr<Err = UnknownName>>(text: &str) -> Result<T, String> {
    text.parse().map_err(|e: UnknownName| e.to_string())
}
