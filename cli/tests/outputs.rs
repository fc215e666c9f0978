//! Every kind of `--out` and the CLI's secret hygiene for outputs, the
//! way users met them, in a scratch directory. The README's "Output paths" table lists the same
//! cases.
#![cfg(unix)]

mod common;

use std::io::Read;
use std::os::unix::fs::FileTypeExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;
use predicates::prelude::*;

const OAEP: &str = "RSAES_OAEP_SHA_256";

fn wrap_to(dir: &Scratch, public: &str, out: &str) -> assert_cmd::Command {
    let mut cmd = kms(dir);
    cmd.args(["wrap", "--wrapping-algorithm", OAEP, "--public-key", public])
        .args(["--key-material", "m", "--out", out])
        .timeout(Duration::from_secs(60));
    cmd
}

fn mkfifo(dir: &Scratch, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    let status = Command::new("mkfifo").arg(&path).status().expect("mkfifo");
    assert!(status.success());
    path
}

fn bin() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin!("kms-import").to_path_buf()
}

#[test]
fn out_symlink_is_refused_and_left_alone() {
    let dir = Scratch::new("out-symlink");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    dir.write("target", b"keep me");
    std::os::unix::fs::symlink("target", dir.join("link")).unwrap();
    std::os::unix::fs::symlink("nowhere", dir.join("dangling")).unwrap();
    for link in ["link", "dangling"] {
        wrap_to(&dir, &public, link).assert().code(2).stderr(
            predicate::str::contains("a symbolic link")
                .and(predicate::str::contains("neither replaced nor followed")),
        );
        assert!(
            std::fs::symlink_metadata(dir.join(link))
                .unwrap()
                .file_type()
                .is_symlink()
        );
    }
    assert_eq!(dir.read("target"), b"keep me");
    assert!(!dir.exists("nowhere"));
}

#[test]
fn out_fifo_with_a_reader_is_written_through() {
    let dir = Scratch::new("out-fifo");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    let fifo = mkfifo(&dir, "pipe");
    // A reader (opened read-write, which does not wait on Linux) is there before the CLI runs.
    let mut reader = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    wrap_to(&dir, &public, "pipe").assert().success();
    let mut got = vec![0u8; 256];
    reader.read_exact(&mut got).unwrap();
    assert!(
        std::fs::symlink_metadata(&fifo)
            .unwrap()
            .file_type()
            .is_fifo(),
        "the FIFO is still a FIFO"
    );
    assert_eq!(
        dir.entries(),
        ["RSA_2048.key.der", "RSA_2048.pub.der", "m", "pipe"]
    );
}

#[test]
fn out_fifo_without_a_reader_is_refused_without_waiting() {
    let dir = Scratch::new("out-fifo-alone");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    mkfifo(&dir, "pipe");
    wrap_to(&dir, &public, "pipe")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no process is reading"));
    // Secrets too: a token key into a FIFO nobody reads.
    kms(&dir)
        .args(["create-token-key", "--out", "pipe"])
        .timeout(Duration::from_secs(60))
        .assert()
        .code(2);
}

#[test]
fn out_devices_are_written_through_never_replaced() {
    let dir = Scratch::new("out-dev");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    wrap_to(&dir, &public, "/dev/null").assert().success();
    assert!(
        std::fs::metadata("/dev/null")
            .unwrap()
            .file_type()
            .is_char_device()
    );
    // /dev/stdout is standard output: the bytes arrive there, and (run as root) the system's
    // /dev/stdout is not replaced by a file.
    let out = wrap_to(&dir, &public, "/dev/stdout")
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(out.stdout.len(), 256);
    assert!(
        std::fs::symlink_metadata("/dev/stdout")
            .unwrap()
            .file_type()
            .is_symlink()
    );
    // A full device: an error, not a success.
    wrap_to(&dir, &public, "/dev/full")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("No space left"));
}

#[test]
fn out_directory_and_socket_are_refused_with_exit_2() {
    let dir = Scratch::new("out-kinds");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    std::fs::create_dir(dir.join("d")).unwrap();
    wrap_to(&dir, &public, "d")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a directory"));
    let _listener = std::os::unix::net::UnixListener::bind(dir.join("sock")).unwrap();
    wrap_to(&dir, &public, "sock")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("a socket"));
    assert!(std::fs::read_dir(dir.join("d")).unwrap().next().is_none());
}

#[test]
fn out_dash_is_standard_output() {
    let dir = Scratch::new("out-dash");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    let material = random(32);
    dir.write("m", &material);
    let ct = wrap_to(&dir, &public, "-")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(ct.len(), 256);
    assert!(!dir.exists("-"), "no file named -");
    dir.write("ct", &ct);
    let plain = kms(&dir)
        .args([
            "unwrap",
            "--wrapping-algorithm",
            OAEP,
            "--private-key",
            &private,
        ])
        .args(["--encrypted-key-material", "ct", "--out", "-"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(plain, material);
}

#[test]
fn out_dash_is_refused_on_a_terminal() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("SKIPPED: script(1) not found");
        return;
    }
    let dir = Scratch::new("out-tty");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    // script(1) runs the command with a pseudo-terminal as its stdout and /dev/tty.
    for out in ["-", "/dev/tty"] {
        let command = format!(
            "'{}' wrap --wrapping-algorithm {OAEP} --public-key {public} --key-material m --out {out}",
            bin().display()
        );
        let run = Command::new("script")
            .args(["-q", "-e", "-c", &command, "/dev/null"])
            .current_dir(dir.path())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&run.stdout);
        assert_eq!(run.status.code(), Some(2), "{out}: {text}");
        assert!(text.contains("terminal"), "{out}: {text}");
    }
}

#[test]
fn a_full_stdout_is_an_error() {
    let dir = Scratch::new("out-full");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    let run = Command::new(bin())
        .args([
            "wrap",
            "--wrapping-algorithm",
            OAEP,
            "--public-key",
            &public,
        ])
        .args(["--key-material", "m", "--out", "-"])
        .current_dir(dir.path())
        .stdout(std::fs::File::create("/dev/full").unwrap())
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&run.stderr).contains("cannot write to standard output"));
}

#[test]
fn secret_outputs_are_not_written_over_without_force() {
    let dir = Scratch::new("out-force");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    let old = b"an existing secret".to_vec();
    let exists = predicate::str::contains("not written over without --force");
    // create-token-key, sample-material, create-wrapping-key's private key.
    dir.write("tk", &old);
    kms(&dir)
        .args(["create-token-key", "--out", "tk"])
        .assert()
        .code(2)
        .stderr(exists.clone());
    assert_eq!(dir.read("tk"), old);
    kms(&dir)
        .args(["create-token-key", "--out", "tk", "--force"])
        .assert()
        .success();
    assert_eq!(dir.read("tk").len(), 32);
    dir.write("sample", &old);
    kms(&dir)
        .args([
            "sample-material",
            "--key-spec",
            "HMAC_256",
            "--out",
            "sample",
        ])
        .assert()
        .code(2)
        .stderr(exists.clone());
    assert_eq!(dir.read("sample"), old);
    kms(&dir)
        .args(["create-wrapping-key", "--wrapping-key-spec", "SM2"])
        .args(["--public-key-out", "new.pub", "--private-key-out", &private])
        .assert()
        .code(2)
        .stderr(exists.clone());
    assert!(!dir.exists("new.pub"), "checked before anything is written");
    // unwrap's plaintext.
    dir.write("m", &random(32));
    wrap_to(&dir, &public, "ct").assert().success();
    dir.write("plain", &old);
    let unwrap = |force: bool| {
        let mut cmd = kms(&dir);
        cmd.args([
            "unwrap",
            "--wrapping-algorithm",
            OAEP,
            "--private-key",
            &private,
        ])
        .args(["--encrypted-key-material", "ct", "--out", "plain"]);
        if force {
            cmd.arg("--force");
        }
        cmd
    };
    unwrap(false).assert().code(2).stderr(exists);
    assert_eq!(dir.read("plain"), old);
    unwrap(true).assert().success();
    assert_eq!(dir.read("plain"), dir.read("m"));
    // A public output is replaced as before.
    wrap_to(&dir, &public, "ct").assert().success();
}

#[test]
fn out_may_not_name_an_input() {
    let dir = Scratch::new("out-input");
    let (public, private) = create_wrapping_key(&dir, "RSA_2048");
    dir.write("m", &random(32));
    kms(&dir)
        .args(["create-token-key", "--out", "tk"])
        .assert()
        .success();
    let token_key = dir.read("tk");
    std::fs::hard_link(dir.join("tk"), dir.join("tk-link")).unwrap();
    std::fs::create_dir(dir.join("sub")).unwrap();
    // The same file by name, by another spelling of the path, and by hard link (device+inode).
    for out in ["tk", "./tk", "sub/../tk", "tk-link"] {
        kms(&dir)
            .args([
                "import-key-material",
                "--key-id",
                "k",
                "--key-spec",
                "HMAC_256",
            ])
            .args(["--import-token", "t", "--encrypted-key-material", "ct"])
            .args(["--token-key", "tk", "--out", out, "--force"])
            .assert()
            .code(2)
            .stderr(predicate::str::contains(
                "is also the token key (--token-key)",
            ));
        assert_eq!(dir.read("tk"), token_key, "{out}");
    }
    wrap_to(&dir, &public, "m")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("is also the key material"));
    kms(&dir)
        .args([
            "unwrap",
            "--wrapping-algorithm",
            OAEP,
            "--private-key",
            &private,
        ])
        .args([
            "--encrypted-key-material",
            "ct",
            "--out",
            &private,
            "--force",
        ])
        .assert()
        .code(2);
    kms(&dir)
        .args(["create-wrapping-key", "--wrapping-key-spec", "SM2"])
        .args(["--public-key-out", "same", "--private-key-out", "./same"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("name the same file"));
    // Two inputs from standard input.
    kms(&dir)
        .args(["wrap", "--wrapping-algorithm", OAEP, "--public-key", "-"])
        .args(["--key-material", "-", "--out", "ct"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("only one input can"));
}
