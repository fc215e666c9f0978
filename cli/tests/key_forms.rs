//! Keys in the forms OpenSSL writes: PKCS#1 and SEC1 keys and encrypted PKCS#8, in
//! PEM and DER, are refused with the exact `openssl` command that converts them, and running
//! that command gives a key the CLI takes. Skipped with a notice when `openssl` (3.x) is missing.

mod common;

use common::*;

const OAEP: &str = "RSAES_OAEP_SHA_256";
const RSA_AES: &str = "RSA_AES_KEY_WRAP_SHA_256";

/// Runs the command, expects exit 1, and returns the `openssl ...` command quoted last in the
/// message, checking the message says `what`.
fn refused_with_command(cmd: &mut assert_cmd::Command, what: &str) -> String {
    let out = cmd.assert().code(1).get_output().clone();
    let why = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(why.contains(what), "{why}");
    let quoted: Vec<&str> = why.split('`').collect();
    assert!(quoted.len() >= 3, "{why}");
    let command = quoted[quoted.len() - 2].to_owned();
    assert!(command.starts_with("openssl "), "{why}");
    command
}

/// Runs a suggested command in `dir` (with the passphrase, for the encrypted keys).
fn run(dir: &Scratch, command: &str, extra: &[&str]) {
    let mut args: Vec<&str> = command.split_whitespace().skip(1).collect();
    args.extend_from_slice(extra);
    openssl_ok(dir, &args);
}

fn unwrap(dir: &Scratch, private: &str) -> assert_cmd::Command {
    let mut cmd = kms(dir);
    cmd.args([
        "unwrap",
        "--wrapping-algorithm",
        OAEP,
        "--private-key",
        private,
    ])
    .args(["--encrypted-key-material", "ct", "--out", "back", "--force"]);
    cmd
}

#[test]
fn rsa_keys_in_openssl_forms_get_the_command_that_converts_them() {
    require_openssl!();
    let dir = Scratch::new("forms-rsa");
    openssl_ok(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-out",
            "k.pem",
        ],
    );
    openssl_ok(
        &dir,
        &[
            "rsa",
            "-in",
            "k.pem",
            "-RSAPublicKey_out",
            "-out",
            "rpub.pem",
        ],
    );
    openssl_ok(
        &dir,
        &[
            "rsa",
            "-in",
            "k.pem",
            "-RSAPublicKey_out",
            "-outform",
            "DER",
            "-out",
            "rpub.der",
        ],
    );
    dir.write("m", &random(32));
    // PKCS#1 RSAPublicKey as the wrapping public key, PEM and DER.
    for (file, form) in [("rpub.pem", "PEM `RSA PUBLIC KEY`"), ("rpub.der", "DER")] {
        let command = refused_with_command(
            kms(&dir)
                .args(["wrap", "--wrapping-algorithm", OAEP, "--public-key", file])
                .args(["--key-material", "m", "--out", "ct"]),
            &format!("a PKCS#1 RSAPublicKey ({form}), not a SubjectPublicKeyInfo"),
        );
        let _ = std::fs::remove_file(dir.join("rpub.spki.der"));
        run(&dir, &command, &[]);
        kms(&dir)
            .args([
                "wrap",
                "--wrapping-algorithm",
                OAEP,
                "--public-key",
                "rpub.spki.der",
            ])
            .args(["--key-material", "m", "--out", "ct"])
            .assert()
            .success();
    }
    // The private key as PKCS#1 (PEM, DER) and as encrypted PKCS#8 (PEM, DER).
    openssl_ok(
        &dir,
        &["rsa", "-in", "k.pem", "-traditional", "-out", "rsa1.pem"],
    );
    openssl_ok(
        &dir,
        &[
            "rsa",
            "-in",
            "k.pem",
            "-traditional",
            "-outform",
            "DER",
            "-out",
            "rsa1.der",
        ],
    );
    let enc = [
        "pkcs8",
        "-topk8",
        "-v2",
        "aes-256-cbc",
        "-passout",
        "pass:pw",
        "-in",
        "k.pem",
    ];
    openssl_ok(&dir, &[&enc[..], &["-out", "enc.pem"]].concat());
    openssl_ok(
        &dir,
        &[&enc[..], &["-outform", "DER", "-out", "enc.der"]].concat(),
    );
    for (file, what, converted, pass) in [
        (
            "rsa1.pem",
            "a PKCS#1 RSAPrivateKey (PEM `RSA PRIVATE KEY`), not PKCS#8",
            "rsa1.pkcs8.der",
            false,
        ),
        (
            "rsa1.der",
            "a PKCS#1 RSAPrivateKey (DER), not PKCS#8",
            "rsa1.pkcs8.der",
            false,
        ),
        (
            "enc.pem",
            "an encrypted PKCS#8 key (PEM `ENCRYPTED PRIVATE KEY`)",
            "enc.pkcs8.der",
            true,
        ),
        (
            "enc.der",
            "an encrypted PKCS#8 key (DER)",
            "enc.pkcs8.der",
            true,
        ),
    ] {
        let command = refused_with_command(&mut unwrap(&dir, file), what);
        let _ = std::fs::remove_file(dir.join(converted));
        run(
            &dir,
            &command,
            if pass { &["-passin", "pass:pw"] } else { &[] },
        );
        unwrap(&dir, converted).assert().success();
        assert_eq!(dir.read("back"), dir.read("m"), "{file}");
    }
}

#[test]
fn ec_key_material_in_openssl_forms() {
    require_openssl!();
    let dir = Scratch::new("forms-ec");
    let (public, _) = create_wrapping_key(&dir, "RSA_2048");
    let wrap = |material: &str| {
        let mut cmd = kms(&dir);
        cmd.args([
            "wrap",
            "--wrapping-algorithm",
            RSA_AES,
            "--public-key",
            &public,
        ])
        .args(["--key-material", material, "--out", "ct"]);
        cmd
    };
    // What `openssl genpkey` writes by default: PEM PKCS#8, taken (as DER).
    openssl_ok(
        &dir,
        &[
            "genpkey",
            "-algorithm",
            "EC",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-out",
            "p8.pem",
        ],
    );
    wrap("p8.pem")
        .assert()
        .success()
        .stderr(predicates::str::contains("is PEM; wrapping the"));
    // SEC1 (`openssl ecparam -genkey`), and the same with legacy PEM encryption.
    openssl_ok(
        &dir,
        &[
            "ecparam",
            "-name",
            "prime256v1",
            "-genkey",
            "-noout",
            "-out",
            "ec.pem",
        ],
    );
    openssl_ok(
        &dir,
        &[
            "ec",
            "-in",
            "ec.pem",
            "-aes256",
            "-passout",
            "pass:pw",
            "-out",
            "ecenc.pem",
        ],
    );
    let command = refused_with_command(
        &mut wrap("ec.pem"),
        "a SEC1 ECPrivateKey (PEM `EC PRIVATE KEY`), not PKCS#8",
    );
    run(&dir, &command, &[]);
    wrap("ec.pkcs8.der").assert().success();
    let command = refused_with_command(&mut wrap("ecenc.pem"), "legacy PEM encryption");
    std::fs::remove_file(dir.join("ecenc.pkcs8.der")).ok();
    run(&dir, &command, &["-passin", "pass:pw"]);
    wrap("ecenc.pkcs8.der").assert().success();
}
