//! Helpers for the integration tests: a scratch directory, the binary, OpenSSL detection.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::cargo::cargo_bin_cmd;

/// The `kms-import` binary, run in `dir`.
pub fn kms(dir: &Scratch) -> assert_cmd::Command {
    let mut cmd = cargo_bin_cmd!("kms-import");
    cmd.current_dir(dir.path());
    cmd
}

/// A scratch directory removed on drop.
pub struct Scratch(PathBuf);

static COUNTER: AtomicUsize = AtomicUsize::new(0);

impl Scratch {
    pub fn new(name: &str) -> Self {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!(
            "kms-import-cli-test-{}-{name}-{n}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create scratch dir");
        Scratch(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    pub fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.join(name);
        std::fs::write(&p, bytes).expect("write test file");
        p
    }

    pub fn read(&self, name: &str) -> Vec<u8> {
        std::fs::read(self.join(name)).unwrap_or_else(|e| panic!("read {name}: {e}"))
    }

    pub fn exists(&self, name: &str) -> bool {
        self.join(name).exists()
    }

    /// Names of every entry, to see that nothing (no temporary file) was left behind.
    pub fn entries(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .expect("read scratch dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Unix permission bits of a file.
#[cfg(unix)]
pub fn mode(path: &Path) -> u32 {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path)
        .expect("metadata")
        .permissions()
        .mode()
        & 0o777
}

/// Whether `openssl` (3.x) is on the PATH.
pub fn openssl_available() -> bool {
    Command::new("openssl")
        .arg("version")
        .output()
        .map(|o| o.status.success() && String::from_utf8_lossy(&o.stdout).starts_with("OpenSSL 3"))
        .unwrap_or(false)
}

/// Skips the calling test, with a printed notice, when OpenSSL is missing.
#[macro_export]
macro_rules! require_openssl {
    () => {
        if !common::openssl_available() {
            eprintln!("SKIPPED: openssl not found");
            return;
        }
    };
}

/// Runs openssl in `dir`; returns the output whatever the status.
pub fn openssl(dir: &Scratch, args: &[&str]) -> Output {
    Command::new("openssl")
        .args(args)
        .current_dir(dir.path())
        .output()
        .expect("run openssl")
}

/// Runs openssl in `dir` and panics with its stderr unless it succeeds.
pub fn openssl_ok(dir: &Scratch, args: &[&str]) {
    let out = openssl(dir, args);
    assert!(
        out.status.success(),
        "openssl {} failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Random bytes from the OS, via the binary-independent route of /dev/urandom.
pub fn random(n: usize) -> Vec<u8> {
    use std::io::Read;
    let mut buf = vec![0u8; n];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut buf))
        .expect("read /dev/urandom");
    buf
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Creates a wrapping key pair with the CLI: returns (public, private) file names.
pub fn create_wrapping_key(dir: &Scratch, spec: &str) -> (String, String) {
    let public = format!("{spec}.pub.der");
    let private = format!("{spec}.key.der");
    kms(dir)
        .args(["create-wrapping-key", "--wrapping-key-spec", spec])
        .args(["--public-key-out", &public, "--private-key-out", &private])
        .assert()
        .success();
    (public, private)
}

/// Sample material for a key spec, made by the CLI (replacing `out`: `--force`, since
/// secret outputs are not written over without it).
pub fn sample_material(dir: &Scratch, key_spec: &str, partition: &str, out: &str) -> Vec<u8> {
    kms(dir)
        .args([
            "sample-material",
            "--key-spec",
            key_spec,
            "--partition",
            partition,
            "--out",
            out,
            "--force",
        ])
        .assert()
        .success();
    dir.read(out)
}

/// Makes a file private (mode 0600), as secret inputs must be.
#[cfg(unix)]
pub fn chmod_600(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).expect("chmod 600");
}

#[cfg(not(unix))]
pub fn chmod_600(_path: &Path) {}

/// First line of stderr.
pub fn first_stderr_line(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .next()
        .unwrap_or("")
        .to_owned()
}
