//! Helpers shared by the interop tests (`tests/interop_openssl.rs`, `tests/interop_pyca.rs`):
//! tool detection with a visible skip notice, temporary directories, running processes, the
//! wrapping keys (generated once per test binary from a seeded RNG) and a tiny DER reader for
//! GM/T 0009 SM2 ciphertexts.
//!
//! Use from a test file with `#[path = "interop/common.rs"] mod common;`.
#![allow(dead_code)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use kms_import::{WrappingKeySpec, WrappingPrivateKey, WrappingScheme};
use rand::SeedableRng;
use rand::rngs::ChaCha20Rng;

/// The RSA wrapping key specs.
pub const RSA_SPECS: [WrappingKeySpec; 3] = [
    WrappingKeySpec::Rsa2048,
    WrappingKeySpec::Rsa3072,
    WrappingKeySpec::Rsa4096,
];

/// The RSAES-OAEP algorithms.
pub const OAEP_ALGS: [WrappingScheme; 2] = [
    WrappingScheme::RsaesOaepSha1,
    WrappingScheme::RsaesOaepSha256,
];

/// The RSA_AES_KEY_WRAP algorithms.
pub const RSA_AES_ALGS: [WrappingScheme; 2] = [
    WrappingScheme::RsaAesKeyWrapSha1,
    WrappingScheme::RsaAesKeyWrapSha256,
];

/// Setting this variable turns a missing tool into a test failure (for CI machines that must
/// run the interop tests).
pub const REQUIRE_ENV: &str = "KMS_IMPORT_REQUIRE_INTEROP";

/// Prints a skip notice that `cargo test` shows even for passing tests (the test harness
/// captures `println!`/`eprintln!`, not direct writes to the stderr handle), or panics when
/// [`REQUIRE_ENV`] is set.
pub fn skip(test: &str, why: &str) {
    if std::env::var_os(REQUIRE_ENV).is_some() {
        panic!("{test}: {why}, and {REQUIRE_ENV} is set");
    }
    let line = format!("SKIPPED: {why} ({test})\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
}

/// Prints a note that `cargo test` shows even for passing tests.
pub fn notice(text: &str) {
    let _ = std::io::stderr()
        .lock()
        .write_all(format!("NOTE: {text}\n").as_bytes());
}

/// Whether an OpenSSL 3 `openssl` binary is on the PATH.
pub fn openssl_available() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    *FOUND.get_or_init(|| {
        Command::new("openssl")
            .arg("version")
            .output()
            .map(|o| o.status.success() && o.stdout.starts_with(b"OpenSSL 3"))
            .unwrap_or(false)
    })
}

/// Whether `python3` can import pyca `cryptography`.
pub fn pyca_available() -> bool {
    static FOUND: OnceLock<bool> = OnceLock::new();
    *FOUND.get_or_init(|| {
        Command::new("python3")
            .args(["-c", "import cryptography"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false)
    })
}

/// A fresh RNG for one test step. Wrapping keys use their own seeds.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// The wrapping key pair of `spec`, generated once per test binary from a fixed seed.
pub fn wrapping_key(spec: WrappingKeySpec) -> &'static WrappingPrivateKey {
    static KEYS: [OnceLock<WrappingPrivateKey>; 4] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let slot = match spec {
        WrappingKeySpec::Rsa2048 => 0,
        WrappingKeySpec::Rsa3072 => 1,
        WrappingKeySpec::Rsa4096 => 2,
        WrappingKeySpec::Sm2 => 3,
        other => panic!("no interop wrapping key for {other}"),
    };
    KEYS[slot].get_or_init(|| {
        let mut rng = ChaCha20Rng::seed_from_u64(0x1d7e_0000 + slot as u64);
        WrappingPrivateKey::generate(spec, &mut rng)
            .unwrap_or_else(|e| panic!("generating a {spec} wrapping key: {e}"))
    })
}

/// k, the RSA modulus length in bytes.
pub fn modulus_len(spec: WrappingKeySpec) -> usize {
    spec.rsa_modulus_len().expect("an RSA wrapping key spec")
}

/// The hash an RSA algorithm names, as OpenSSL and the pyca script spell it.
pub fn oaep_md(alg: WrappingScheme) -> &'static str {
    match alg {
        WrappingScheme::RsaesOaepSha1 | WrappingScheme::RsaAesKeyWrapSha1 => "sha1",
        WrappingScheme::RsaesOaepSha256 | WrappingScheme::RsaAesKeyWrapSha256 => "sha256",
        other => panic!("{other} is not an RSA OAEP algorithm"),
    }
}

/// A 32-byte AES-256 key (SYMMETRIC_DEFAULT material), deterministic per seed.
pub fn aes_256_material(seed: u8) -> Vec<u8> {
    (0..32u8).map(|i| i.wrapping_mul(7) ^ seed).collect()
}

/// 64 bytes of HMAC_512 material, deterministic per seed.
pub fn hmac_512_material(seed: u8) -> Vec<u8> {
    (0..64u8)
        .map(|i| i.wrapping_mul(13) ^ seed ^ 0xa5)
        .collect()
}

/// Arbitrary bytes of length `len` for the KWP padding edge cases (1, 7, 8, 9, ... bytes).
pub fn bytes_of_len(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

/// A temporary directory under `std::env::temp_dir()`, unique per process and call, removed on
/// drop.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn new(tag: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "kms-import-interop-{tag}-{}-{}-{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&path)
            .unwrap_or_else(|e| panic!("creating {}: {e}", path.display()));
        TempDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// `<dir>/<name>`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Writes `bytes` to `<dir>/<name>` and returns the path.
    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.file(name);
        std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
        path
    }

    /// Reads `<dir>/<name>`.
    pub fn read(&self, name: &str) -> Vec<u8> {
        let path = self.file(name);
        std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs `program args...` with `stdin` and returns its output, whatever the exit status.
pub fn run_with_stdin(program: &str, args: &[&str], cwd: &Path, stdin: &[u8]) -> Output {
    let mut child = Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawning {program}: {e}"));
    {
        let mut input = child.stdin.take().expect("piped stdin");
        // A child that exits early closes the pipe; its exit status tells the story.
        let _ = input.write_all(stdin);
    }
    child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("waiting for {program}: {e}"))
}

/// Runs `program args...` in `cwd`; whatever the exit status.
pub fn run_status(program: &str, args: &[&str], cwd: &Path) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("spawning {program}: {e}"))
}

/// Runs `program args...` in `cwd`, panics with its stderr unless it succeeds; returns stdout.
pub fn run_ok(program: &str, args: &[&str], cwd: &Path) -> Vec<u8> {
    let out = run_status(program, args, cwd);
    assert!(
        out.status.success(),
        "`{program} {}` failed ({}): {}",
        args.join(" "),
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// One DER TLV with a short or long definite length: (tag, content, rest).
fn der_tlv(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let len = if first < 0x80 {
        usize::from(first)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 2 || rest.len() < n {
            return None;
        }
        let mut len = 0usize;
        for &b in &rest[..n] {
            len = (len << 8) | usize::from(b);
        }
        rest = &rest[n..];
        len
    };
    if rest.len() < len {
        return None;
    }
    Some((tag, &rest[..len], &rest[len..]))
}

/// The content octets of x1 and y1 in a GM/T 0009 SM2 ciphertext
/// `SEQUENCE { INTEGER x1, INTEGER y1, OCTET STRING C3, OCTET STRING C2 }`.
pub fn sm2_c1_integers(ct: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let (tag, seq, rest) = der_tlv(ct).expect("an SM2 ciphertext is one DER SEQUENCE");
    assert!(tag == 0x30 && rest.is_empty(), "not a lone DER SEQUENCE");
    let (tx, x, seq) = der_tlv(seq).expect("x1");
    let (ty, y, seq) = der_tlv(seq).expect("y1");
    let (t3, c3, seq) = der_tlv(seq).expect("C3");
    let (t2, _c2, seq) = der_tlv(seq).expect("C2");
    assert_eq!(
        (tx, ty, t3, t2),
        (0x02, 0x02, 0x04, 0x04),
        "GM/T 0009 field tags"
    );
    assert_eq!(c3.len(), 32, "C3 is an SM3 digest");
    assert!(seq.is_empty(), "nothing after C2");
    (x.to_vec(), y.to_vec())
}

/// Whether `content` is the minimal DER encoding of a non-negative INTEGER (X.690 §8.3.2).
pub fn is_minimal_positive_integer(content: &[u8]) -> bool {
    match content {
        [] => false,
        [b, ..] if b & 0x80 != 0 => false,
        [0, next, ..] => next & 0x80 != 0,
        _ => true,
    }
}

/// The magnitude of a DER INTEGER's content, without leading zero bytes.
pub fn magnitude(content: &[u8]) -> &[u8] {
    let first = content
        .iter()
        .position(|&b| b != 0)
        .unwrap_or(content.len());
    &content[first..]
}
