//! Interop with the OpenSSL 3 command line, both directions, for every wrapping algorithm ×
//! wrapping key spec (interop).
//!
//! OpenSSL → us: OpenSSL encrypts exactly as the AWS KMS developer guide shows ("Encrypt key
//! material": `pkeyutl` with explicit `rsa_oaep_md`/`rsa_mgf1_md`; for RSA_AES_KEY_WRAP an
//! `openssl rand` AES-256 key, `enc -id-aes256-wrap-pad -iv A65959A6`, the OAEP block first; for
//! SM2PKE `pkeyutl -encrypt`, which writes GM/T 0009 DER) to our DER SubjectPublicKeyInfo, and we
//! unwrap. Us → OpenSSL: we wrap, OpenSSL decrypts with our PKCS#8 private key. OpenSSL must also
//! read our keys, and we must read keys OpenSSL generates.
//!
//! Note: `openssl genpkey -outform DER` (OpenSSL 3.0) writes the *traditional* encoding (PKCS#1
//! RSAPrivateKey, SEC1 ECPrivateKey), not PKCS#8; PKCS#8 DER comes from
//! `openssl pkcs8 -topk8 -nocrypt -outform DER`, as the AWS guide does.
//!
//! Skipped with a printed `SKIPPED: openssl not found` when there is no OpenSSL 3 binary; set
//! `KMS_IMPORT_REQUIRE_INTEROP=1` to make that a failure.

#[path = "interop/common.rs"]
mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use kms_import::{Error, WrappingKeySpec, WrappingPrivateKey, WrappingPublicKey, WrappingScheme};

macro_rules! require_openssl {
    ($test:expr) => {
        if !openssl_available() {
            skip($test, "openssl not found (need the OpenSSL 3 CLI on PATH)");
            return;
        }
    };
}

/// Runs `openssl args...` in `dir`, panicking with its stderr on failure; returns stdout.
fn openssl(dir: &Path, args: &[&str]) -> Vec<u8> {
    run_ok("openssl", args, dir)
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("temp paths are UTF-8")
}

/// `-pkeyopt rsa_padding_mode:oaep -pkeyopt rsa_oaep_md:<md> -pkeyopt rsa_mgf1_md:<mgf1>`.
fn oaep_opts(md: &str, mgf1: &str) -> Vec<String> {
    vec![
        "-pkeyopt".into(),
        "rsa_padding_mode:oaep".into(),
        "-pkeyopt".into(),
        format!("rsa_oaep_md:{md}"),
        "-pkeyopt".into(),
        format!("rsa_mgf1_md:{mgf1}"),
    ]
}

/// `openssl pkeyutl -encrypt -pubin -inkey <pub> -keyform DER -in <m> -out <c> [opts]`.
fn pkeyutl_encrypt(
    dir: &TempDir,
    public: &Path,
    opts: &[String],
    plain: &[u8],
    tag: &str,
) -> Vec<u8> {
    let input = dir.write(&format!("{tag}.in"), plain);
    let output = dir.file(&format!("{tag}.out"));
    let mut args = vec![
        "pkeyutl",
        "-encrypt",
        "-pubin",
        "-inkey",
        path_str(public),
        "-keyform",
        "DER",
    ];
    args.extend(["-in", path_str(&input), "-out", path_str(&output)]);
    args.extend(opts.iter().map(String::as_str));
    openssl(dir.path(), &args);
    dir.read(&format!("{tag}.out"))
}

/// `openssl pkeyutl -decrypt -inkey <priv> -keyform DER -in <c> -out <m> [opts]`; `None` when
/// OpenSSL refuses the ciphertext.
fn pkeyutl_decrypt(
    dir: &TempDir,
    private: &Path,
    opts: &[String],
    ct: &[u8],
    tag: &str,
) -> Option<Vec<u8>> {
    let input = dir.write(&format!("{tag}.ct"), ct);
    let output = dir.file(&format!("{tag}.pt"));
    let mut args = vec![
        "pkeyutl",
        "-decrypt",
        "-inkey",
        path_str(private),
        "-keyform",
        "DER",
    ];
    args.extend(["-in", path_str(&input), "-out", path_str(&output)]);
    args.extend(opts.iter().map(String::as_str));
    let out = run_status("openssl", &args, dir.path());
    out.status.success().then(|| dir.read(&format!("{tag}.pt")))
}

/// RSA_AES_KEY_WRAP as the AWS guide does it with OpenSSL: a fresh AES-256 key from
/// `openssl rand`, `enc -id-aes256-wrap-pad -iv A65959A6` of the material, OAEP of the AES key,
/// RSA block first.
fn openssl_rsa_aes_wrap(
    dir: &TempDir,
    public: &Path,
    opts: &[String],
    k: usize,
    material: &[u8],
    tag: &str,
) -> Vec<u8> {
    let aes = dir.file(&format!("{tag}.aes"));
    openssl(dir.path(), &["rand", "-out", path_str(&aes), "32"]);
    let aes_key = dir.read(&format!("{tag}.aes"));
    assert_eq!(aes_key.len(), 32);
    let m = dir.write(&format!("{tag}.material"), material);
    let kwp = dir.file(&format!("{tag}.kwp"));
    openssl(
        dir.path(),
        &[
            "enc",
            "-id-aes256-wrap-pad",
            "-K",
            &hex::encode(&aes_key),
            "-iv",
            "A65959A6",
        ]
        .into_iter()
        .chain(["-in", path_str(&m), "-out", path_str(&kwp)])
        .collect::<Vec<_>>(),
    );
    let mut ct = pkeyutl_encrypt(dir, public, opts, &aes_key, tag);
    assert_eq!(ct.len(), k, "OpenSSL's OAEP block is k bytes");
    ct.extend(dir.read(&format!("{tag}.kwp")));
    ct
}

/// The reverse: split at k bytes, OAEP-decrypt the AES key, `enc -d -id-aes256-wrap-pad`.
fn openssl_rsa_aes_unwrap(
    dir: &TempDir,
    private: &Path,
    md: &str,
    k: usize,
    ct: &[u8],
    tag: &str,
) -> Vec<u8> {
    assert!(ct.len() > k, "{tag}: ciphertext shorter than one RSA block");
    let aes_key = pkeyutl_decrypt(dir, private, &oaep_opts(md, md), &ct[..k], tag)
        .unwrap_or_else(|| panic!("{tag}: openssl could not decrypt our OAEP block"));
    assert_eq!(aes_key.len(), 32, "{tag}: the ephemeral key is AES-256");
    let kwp = dir.write(&format!("{tag}.kwp"), &ct[k..]);
    let out = dir.file(&format!("{tag}.unwrapped"));
    openssl(
        dir.path(),
        &[
            "enc",
            "-d",
            "-id-aes256-wrap-pad",
            "-K",
            &hex::encode(&aes_key),
            "-iv",
            "A65959A6",
        ]
        .into_iter()
        .chain(["-in", path_str(&kwp), "-out", path_str(&out)])
        .collect::<Vec<_>>(),
    );
    dir.read(&format!("{tag}.unwrapped"))
}

/// Key material made by OpenSSL, PKCS#8 DER as the AWS guide makes it
/// (`genpkey`, then `pkcs8 -topk8 -nocrypt -outform DER`).
struct Materials {
    p521: Vec<u8>,
    p256: Vec<u8>,
    sm2: Vec<u8>,
    rsa4096: Vec<u8>,
}

fn openssl_pkcs8(dir: &TempDir, genpkey_args: &[&str], name: &str) -> Vec<u8> {
    let pem = dir.file(&format!("{name}.pem"));
    let der = dir.file(&format!("{name}.p8.der"));
    let mut args = vec!["genpkey"];
    args.extend(genpkey_args);
    args.extend(["-out", path_str(&pem)]);
    openssl(dir.path(), &args);
    openssl(
        dir.path(),
        &[
            "pkcs8",
            "-topk8",
            "-nocrypt",
            "-in",
            path_str(&pem),
            "-outform",
            "DER",
            "-out",
            path_str(&der),
        ],
    );
    dir.read(&format!("{name}.p8.der"))
}

fn materials() -> &'static Materials {
    static MATERIALS: OnceLock<Materials> = OnceLock::new();
    MATERIALS.get_or_init(|| {
        let dir = TempDir::new("materials");
        Materials {
            p521: openssl_pkcs8(
                &dir,
                &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"],
                "p521",
            ),
            p256: openssl_pkcs8(
                &dir,
                &["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"],
                "p256",
            ),
            sm2: openssl_pkcs8(&dir, &["-algorithm", "SM2"], "sm2"),
            rsa4096: openssl_pkcs8(
                &dir,
                &["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"],
                "rsa4096",
            ),
        }
    })
}

/// The materials RSAES-OAEP carries under `spec`: AES-256, HMAC_512 and, where it fits (not under
/// RSA_2048, as the matrix says), an ECC_NIST_P521 PKCS#8.
fn oaep_materials(spec: WrappingKeySpec) -> Vec<(&'static str, Vec<u8>)> {
    let mut list = vec![
        ("aes256", aes_256_material(1)),
        ("hmac512", hmac_512_material(2)),
    ];
    if spec != WrappingKeySpec::Rsa2048 {
        list.push(("p521-pkcs8", materials().p521.clone()));
    }
    list
}

/// The materials RSA_AES_KEY_WRAP carries: a 32-byte key (mechanics), ECC_NIST_P521 and RSA_4096
/// PKCS#8 and, under RSA_2048 only, the RFC 5649 padding edge lengths (≤ 8 bytes is the
/// single-block case).
fn rsa_aes_materials(spec: WrappingKeySpec) -> Vec<(String, Vec<u8>)> {
    let m = materials();
    let mut list = vec![
        ("aes256".to_string(), aes_256_material(3)),
        ("p521-pkcs8".to_string(), m.p521.clone()),
        ("rsa4096-pkcs8".to_string(), m.rsa4096.clone()),
    ];
    if spec == WrappingKeySpec::Rsa2048 {
        for len in [1, 7, 8, 9, 17] {
            list.push((format!("len{len}"), bytes_of_len(len, 4)));
        }
    }
    list
}

fn write_public(dir: &TempDir, spec: WrappingKeySpec) -> PathBuf {
    dir.write(
        &format!("{spec}.pub.der"),
        &wrapping_key(spec).public_key().to_der(),
    )
}

fn write_private(dir: &TempDir, spec: WrappingKeySpec) -> PathBuf {
    let der = wrapping_key(spec).to_pkcs8_der().expect("PKCS#8 export");
    dir.write(&format!("{spec}.p8.der"), &der)
}

fn assert_unwraps(
    key: &WrappingPrivateKey,
    alg: WrappingScheme,
    ct: &[u8],
    want: &[u8],
    seed: u64,
    what: &str,
) {
    let got = key
        .unwrap_key_material(alg, ct, &mut rng(seed))
        .unwrap_or_else(|e| panic!("{what}: we could not unwrap OpenSSL's ciphertext: {e:?}"));
    assert!(got.ct_eq(want), "{what}: unwrapped material differs");
}

#[test]
fn openssl_reads_our_public_keys() {
    require_openssl!("openssl_reads_our_public_keys");
    let dir = TempDir::new("pub");
    for spec in WrappingKeySpec::ALL.iter().copied() {
        let public = write_public(&dir, spec);
        let text = String::from_utf8(openssl(
            dir.path(),
            &[
                "pkey",
                "-pubin",
                "-inform",
                "DER",
                "-in",
                path_str(&public),
                "-noout",
                "-text",
            ],
        ))
        .expect("UTF-8");
        match spec.rsa_modulus_len() {
            Some(k) => {
                assert!(
                    text.contains(&format!("Public-Key: ({} bit)", k * 8)),
                    "{spec}: {text}"
                );
                assert!(text.contains("Exponent: 65537 (0x10001)"), "{spec}: {text}");
            }
            None => {
                assert!(text.contains("Public-Key: (256 bit)"), "{spec}: {text}");
                assert!(text.contains("ASN1 OID: SM2"), "{spec}: {text}");
            }
        }
        // OpenSSL re-encodes it byte for byte: our SPKI is the canonical one.
        let reencoded = openssl(
            dir.path(),
            &[
                "pkey",
                "-pubin",
                "-inform",
                "DER",
                "-in",
                path_str(&public),
                "-pubout",
                "-outform",
                "DER",
            ],
        );
        assert_eq!(
            reencoded,
            wrapping_key(spec).public_key().to_der(),
            "{spec}: SPKI re-encoding"
        );
    }
}

#[test]
fn openssl_reads_our_private_keys() {
    require_openssl!("openssl_reads_our_private_keys");
    let dir = TempDir::new("priv");
    for spec in WrappingKeySpec::ALL.iter().copied() {
        let private = write_private(&dir, spec);
        let p = path_str(&private);
        let check = openssl(
            dir.path(),
            &["pkey", "-inform", "DER", "-in", p, "-check", "-noout"],
        );
        assert!(
            String::from_utf8_lossy(&check).contains("Key is valid"),
            "{spec}: -check"
        );
        let text = String::from_utf8(openssl(
            dir.path(),
            &["pkey", "-inform", "DER", "-in", p, "-noout", "-text"],
        ))
        .expect("UTF-8");
        match spec.rsa_modulus_len() {
            Some(k) => assert!(
                text.contains(&format!("Private-Key: ({} bit, 2 primes)", k * 8)),
                "{spec}"
            ),
            None => assert!(
                text.contains("Private-Key: (256 bit)") && text.contains("ASN1 OID: SM2"),
                "{spec}"
            ),
        }
        let public = openssl(
            dir.path(),
            &[
                "pkey", "-inform", "DER", "-in", p, "-pubout", "-outform", "DER",
            ],
        );
        assert_eq!(
            public,
            wrapping_key(spec).public_key().to_der(),
            "{spec}: public half of our PKCS#8"
        );
    }
}

/// Reads OpenSSL's `genpkey` keys (PKCS#8 via `pkcs8 -topk8`, SPKI via `pkey -pubout`) and uses
/// them both ways: OpenSSL encrypts to its own public key and we unwrap with the imported private
/// key; we wrap to the imported public key and OpenSSL decrypts with its own private key.
#[test]
fn we_read_openssl_generated_rsa_keys() {
    require_openssl!("we_read_openssl_generated_rsa_keys");
    let dir = TempDir::new("genrsa");
    for (bits, spec) in [
        (2048, WrappingKeySpec::Rsa2048),
        (3072, WrappingKeySpec::Rsa3072),
        (4096, WrappingKeySpec::Rsa4096),
    ] {
        let pkcs8 = if bits == 4096 {
            materials().rsa4096.clone()
        } else {
            openssl_pkcs8(
                &dir,
                &[
                    "-algorithm",
                    "RSA",
                    "-pkeyopt",
                    &format!("rsa_keygen_bits:{bits}"),
                ],
                &format!("rsa{bits}"),
            )
        };
        let private_path = dir.write(&format!("ossl{bits}.p8.der"), &pkcs8);
        let spki = openssl(
            dir.path(),
            &[
                "pkey",
                "-inform",
                "DER",
                "-in",
                path_str(&private_path),
                "-pubout",
                "-outform",
                "DER",
            ],
        );
        let public_path = dir.write(&format!("ossl{bits}.pub.der"), &spki);

        let private = WrappingPrivateKey::from_pkcs8_der(&pkcs8).expect("OpenSSL PKCS#8 RSA key");
        let public = WrappingPublicKey::from_der(&spki).expect("OpenSSL SPKI RSA key");
        assert_eq!(private.spec(), spec);
        assert_eq!(public.spec(), spec);
        assert_eq!(
            private.public_key().to_der(),
            spki,
            "{spec}: our SPKI of OpenSSL's key"
        );

        let k = modulus_len(spec);
        let material = aes_256_material(bits as u8);
        let alg = WrappingScheme::RsaesOaepSha256;
        let ct = pkeyutl_encrypt(
            &dir,
            &public_path,
            &oaep_opts("sha256", "sha256"),
            &material,
            &format!("g{bits}"),
        );
        assert_unwraps(
            &private,
            alg,
            &ct,
            &material,
            1,
            &format!("{spec} openssl key, openssl→us"),
        );

        let p521 = &materials().p521;
        let alg = WrappingScheme::RsaAesKeyWrapSha256;
        let ct = public
            .wrap_key_material(alg, p521, &mut rng(2))
            .expect("wrap");
        let back =
            openssl_rsa_aes_unwrap(&dir, &private_path, "sha256", k, &ct, &format!("h{bits}"));
        assert_eq!(&back, p521, "{spec} openssl key, us→openssl");
    }
    // `genpkey -outform DER` writes PKCS#1, not PKCS#8: refused with a described error.
    let traditional = dir.file("trad.der");
    openssl(
        dir.path(),
        &[
            "genpkey",
            "-algorithm",
            "RSA",
            "-pkeyopt",
            "rsa_keygen_bits:2048",
            "-outform",
            "DER",
            "-out",
            path_str(&traditional),
        ],
    );
    let err = WrappingPrivateKey::from_pkcs8_der(&dir.read("trad.der"))
        .expect_err("PKCS#1 is not PKCS#8");
    assert!(matches!(err, Error::InvalidKey(_)), "{err:?}");
}

#[test]
fn we_read_openssl_generated_sm2_key() {
    require_openssl!("we_read_openssl_generated_sm2_key");
    let dir = TempDir::new("gensm2");
    let pkcs8 = &materials().sm2;
    let private_path = dir.write("sm2.p8.der", pkcs8);
    let spki = openssl(
        dir.path(),
        &[
            "pkey",
            "-inform",
            "DER",
            "-in",
            path_str(&private_path),
            "-pubout",
            "-outform",
            "DER",
        ],
    );
    let private = WrappingPrivateKey::from_pkcs8_der(pkcs8).expect("OpenSSL PKCS#8 SM2 key");
    let public = WrappingPublicKey::from_der(&spki).expect("OpenSSL SPKI SM2 key");
    assert_eq!(private.spec(), WrappingKeySpec::Sm2);
    assert_eq!(public.spec(), WrappingKeySpec::Sm2);
    assert_eq!(
        private.public_key().to_der(),
        spki,
        "our SPKI of OpenSSL's SM2 key"
    );
}

#[test]
fn openssl_oaep_to_us() {
    require_openssl!("openssl_oaep_to_us");
    let dir = TempDir::new("oaep-in");
    for spec in RSA_SPECS {
        let public = write_public(&dir, spec);
        for alg in OAEP_ALGS {
            let md = oaep_md(alg);
            for (name, material) in oaep_materials(spec) {
                let tag = format!("{spec}-{alg}-{name}");
                let ct = pkeyutl_encrypt(&dir, &public, &oaep_opts(md, md), &material, &tag);
                assert_eq!(ct.len(), modulus_len(spec), "{tag}");
                assert_unwraps(wrapping_key(spec), alg, &ct, &material, 3, &tag);
            }
        }
    }
}

#[test]
fn us_oaep_to_openssl() {
    require_openssl!("us_oaep_to_openssl");
    let dir = TempDir::new("oaep-out");
    for spec in RSA_SPECS {
        let private = write_private(&dir, spec);
        let public = wrapping_key(spec).public_key();
        let k = modulus_len(spec);
        for alg in OAEP_ALGS {
            let md = oaep_md(alg);
            for (name, material) in oaep_materials(spec) {
                let tag = format!("{spec}-{alg}-{name}");
                let ct = public
                    .wrap_key_material(alg, &material, &mut rng(4))
                    .expect("wrap");
                assert_eq!(ct.len(), k, "{tag}");
                let back = pkeyutl_decrypt(&dir, &private, &oaep_opts(md, md), &ct, &tag)
                    .unwrap_or_else(|| panic!("{tag}: openssl refused our ciphertext"));
                assert_eq!(back, material, "{tag}");
            }
        }
        // A ciphertext whose first byte is zero must still be k bytes and decrypt in OpenSSL.
        let alg = WrappingScheme::RsaesOaepSha256;
        let material = aes_256_material(5);
        let ct = (0..20_000u64)
            .map(|seed| {
                public
                    .wrap_key_material(alg, &material, &mut rng(seed))
                    .expect("wrap")
            })
            .find(|ct| ct[0] == 0)
            .expect("a ciphertext with a leading zero byte within 20000 tries");
        assert_eq!(
            ct.len(),
            k,
            "{spec}: leading-zero ciphertext keeps length k"
        );
        let back = pkeyutl_decrypt(
            &dir,
            &private,
            &oaep_opts("sha256", "sha256"),
            &ct,
            &format!("{spec}-lz"),
        )
        .unwrap_or_else(|| panic!("{spec}: openssl refused our leading-zero ciphertext"));
        assert_eq!(back, material);
    }
}

#[test]
fn openssl_rsa_aes_key_wrap_to_us() {
    require_openssl!("openssl_rsa_aes_key_wrap_to_us");
    let dir = TempDir::new("rsaaes-in");
    for spec in RSA_SPECS {
        let public = write_public(&dir, spec);
        let k = modulus_len(spec);
        for alg in RSA_AES_ALGS {
            for (name, material) in rsa_aes_materials(spec) {
                let tag = format!("{spec}-{alg}-{name}");
                let md = oaep_md(alg);
                let ct =
                    openssl_rsa_aes_wrap(&dir, &public, &oaep_opts(md, md), k, &material, &tag);
                assert_unwraps(wrapping_key(spec), alg, &ct, &material, 5, &tag);
            }
        }
    }
}

#[test]
fn us_rsa_aes_key_wrap_to_openssl() {
    require_openssl!("us_rsa_aes_key_wrap_to_openssl");
    let dir = TempDir::new("rsaaes-out");
    for spec in RSA_SPECS {
        let private = write_private(&dir, spec);
        let public = wrapping_key(spec).public_key();
        let k = modulus_len(spec);
        for alg in RSA_AES_ALGS {
            for (name, material) in rsa_aes_materials(spec) {
                let tag = format!("{spec}-{alg}-{name}");
                let ct = public
                    .wrap_key_material(alg, &material, &mut rng(6))
                    .expect("wrap");
                let kwp_len = material.len().div_ceil(8) * 8 + 8;
                assert_eq!(ct.len(), k + kwp_len.max(16), "{tag}: k + RFC 5649 length");
                let back = openssl_rsa_aes_unwrap(&dir, &private, oaep_md(alg), k, &ct, &tag);
                assert_eq!(back, material, "{tag}");
            }
        }
    }
}

/// SHA-256 OAEP with MGF1-SHA-1 (Java's default `OAEPWithSHA-256AndMGF1Padding`) is a different
/// scheme and must be refused under RSAES_OAEP_SHA_256 and RSA_AES_KEY_WRAP_SHA_256; so must
/// a SHA-1 ciphertext under the SHA-256 names. Controls show OpenSSL made valid ciphertexts and
/// honours the MGF1 option.
#[test]
fn oaep_sha256_with_mgf1_sha1_is_refused() {
    require_openssl!("oaep_sha256_with_mgf1_sha1_is_refused");
    let dir = TempDir::new("mgf1");
    let spec = WrappingKeySpec::Rsa2048;
    let key = wrapping_key(spec);
    let public = write_public(&dir, spec);
    let private = write_private(&dir, spec);
    let material = aes_256_material(7);
    let mixed = oaep_opts("sha256", "sha1");

    let ct = pkeyutl_encrypt(&dir, &public, &mixed, &material, "mixed");
    assert_eq!(
        pkeyutl_decrypt(&dir, &private, &mixed, &ct, "mixed-control").as_deref(),
        Some(&material[..]),
        "control: OpenSSL decrypts its own SHA-256/MGF1-SHA-1 ciphertext"
    );
    for alg in [
        WrappingScheme::RsaesOaepSha256,
        WrappingScheme::RsaesOaepSha1,
    ] {
        let got = key.unwrap_key_material(alg, &ct, &mut rng(8));
        assert!(
            matches!(got, Err(Error::InvalidCiphertext)),
            "{alg} accepted SHA-256/MGF1-SHA-1: {got:?}"
        );
    }
    // The same mismatch inside RSA_AES_KEY_WRAP_SHA_256.
    let rsa_aes = openssl_rsa_aes_wrap(
        &dir,
        &public,
        &mixed,
        modulus_len(spec),
        &material,
        "mixed-aes",
    );
    let got = key.unwrap_key_material(WrappingScheme::RsaAesKeyWrapSha256, &rsa_aes, &mut rng(10));
    assert!(
        matches!(got, Err(Error::InvalidCiphertext)),
        "RSA_AES_KEY_WRAP_SHA_256 accepted MGF1-SHA-1: {got:?}"
    );

    // SHA-1 OAEP under the SHA-256 name.
    let sha1 = pkeyutl_encrypt(&dir, &public, &oaep_opts("sha1", "sha1"), &material, "sha1");
    let got = key.unwrap_key_material(WrappingScheme::RsaesOaepSha256, &sha1, &mut rng(11));
    assert!(
        matches!(got, Err(Error::InvalidCiphertext)),
        "SHA-1 OAEP accepted as SHA-256: {got:?}"
    );

    // Control the other way: OpenSSL refuses our SHA-256 ciphertext when told MGF1-SHA-1.
    let ours = key
        .public_key()
        .wrap_key_material(WrappingScheme::RsaesOaepSha256, &material, &mut rng(12))
        .expect("wrap");
    assert_eq!(
        pkeyutl_decrypt(&dir, &private, &mixed, &ours, "ours-mixed"),
        None
    );
}

/// The SM2 materials: an SM2 PKCS#8, an ECC_NIST_P256 PKCS#8, and 32 bytes (mechanics).
fn sm2_materials() -> Vec<(&'static str, Vec<u8>)> {
    let m = materials();
    vec![
        ("sm2-pkcs8", m.sm2.clone()),
        ("p256-pkcs8", m.p256.clone()),
        ("aes256", aes_256_material(13)),
    ]
}

/// Which C1 coordinate shapes a set of ciphertexts covered: a 33-byte INTEGER (high bit set,
/// 0x00 prefix) and a coordinate shorter than 32 bytes.
#[derive(Default)]
struct C1Coverage {
    high_bit: bool,
    short: bool,
}

impl C1Coverage {
    fn add(&mut self, ct: &[u8]) {
        let (x, y) = sm2_c1_integers(ct);
        for c in [&x, &y] {
            self.high_bit |= magnitude(c).len() == 32 && magnitude(c)[0] & 0x80 != 0;
            self.short |= magnitude(c).len() < 32;
        }
    }
}

#[test]
fn openssl_sm2pke_to_us() {
    require_openssl!("openssl_sm2pke_to_us");
    let dir = TempDir::new("sm2-in");
    let key = wrapping_key(WrappingKeySpec::Sm2);
    let public = write_public(&dir, WrappingKeySpec::Sm2);
    let alg = WrappingScheme::Sm2Pke;
    for (name, material) in sm2_materials() {
        let ct = pkeyutl_encrypt(&dir, &public, &[], &material, name);
        let (x, y) = sm2_c1_integers(&ct);
        assert!(
            is_minimal_positive_integer(&x) && is_minimal_positive_integer(&y),
            "OpenSSL writes DER"
        );
        assert_unwraps(key, alg, &ct, &material, 14, &format!("SM2PKE {name}"));
    }
    // OpenSSL writes C1 coordinates as minimal INTEGERs: 33 bytes when the high bit is set, fewer
    // than 32 when the top byte is zero (about 1 ciphertext in 128). Encrypt in batches until both
    // shapes were seen, and unwrap every ciphertext.
    let material = aes_256_material(15);
    dir.write("m", &material);
    let script = "for i in $(seq 1 128); do openssl pkeyutl -encrypt -pubin -inkey SM2.pub.der -keyform DER \
                  -in m -out c$i || exit 1; done";
    let mut coverage = C1Coverage::default();
    for _batch in 0..6 {
        run_ok("sh", &["-c", script], dir.path());
        for i in 1..=128 {
            let ct = dir.read(&format!("c{i}"));
            coverage.add(&ct);
            assert_unwraps(
                key,
                alg,
                &ct,
                &material,
                16,
                &format!("SM2PKE batch ciphertext {i}"),
            );
        }
        if coverage.short && coverage.high_bit {
            break;
        }
    }
    assert!(
        coverage.high_bit,
        "no OpenSSL ciphertext with a 33-byte coordinate"
    );
    if !coverage.short {
        skip(
            "openssl_sm2pke_to_us",
            "no OpenSSL ciphertext with a short C1 coordinate in 768 tries (chance ~0.3%)",
        );
    }
}

#[test]
fn us_sm2pke_to_openssl() {
    require_openssl!("us_sm2pke_to_openssl");
    let dir = TempDir::new("sm2-out");
    let private = write_private(&dir, WrappingKeySpec::Sm2);
    let public = wrapping_key(WrappingKeySpec::Sm2).public_key();
    let alg = WrappingScheme::Sm2Pke;
    let mut cases: Vec<(String, Vec<u8>, Vec<u8>)> = Vec::new();
    for (name, material) in sm2_materials() {
        let ct = public
            .wrap_key_material(alg, &material, &mut rng(17))
            .expect("SM2PKE wrap");
        cases.push((name.to_string(), material, ct));
    }
    // Our ciphertexts with a high-bit and with a short C1 coordinate: strict DER needs a 0x00
    // prefix in one case and no zero padding in the other, and OpenSSL rejects anything else.
    let material = aes_256_material(18);
    let mut coverage = C1Coverage::default();
    for seed in 0..5_000u64 {
        let ct = public
            .wrap_key_material(alg, &material, &mut rng(seed))
            .expect("SM2PKE wrap");
        let before = (coverage.high_bit, coverage.short);
        coverage.add(&ct);
        if (coverage.high_bit, coverage.short) != before {
            cases.push((format!("c1-shape-seed{seed}"), material.clone(), ct));
        }
        if coverage.high_bit && coverage.short {
            break;
        }
    }
    assert!(
        coverage.high_bit && coverage.short,
        "our C1 never had both shapes in 5000 tries"
    );
    for (name, material, ct) in cases {
        let (x, y) = sm2_c1_integers(&ct);
        assert!(
            is_minimal_positive_integer(&x) && is_minimal_positive_integer(&y),
            "{name}: our C1 INTEGERs are not minimal DER: x {} y {}",
            hex::encode(&x),
            hex::encode(&y)
        );
        let back = pkeyutl_decrypt(&dir, &private, &[], &ct, &name)
            .unwrap_or_else(|| panic!("{name}: openssl refused our SM2PKE ciphertext"));
        assert_eq!(back, material, "{name}");
    }
}

/// SM2PKE with a key OpenSSL generated, both ways.
#[test]
fn openssl_generated_sm2_key_sm2pke_round_trip() {
    require_openssl!("openssl_generated_sm2_key_sm2pke_round_trip");
    let dir = TempDir::new("gensm2-pke");
    let pkcs8 = &materials().sm2;
    let private_path = dir.write("sm2.p8.der", pkcs8);
    let spki = openssl(
        dir.path(),
        &[
            "pkey",
            "-inform",
            "DER",
            "-in",
            path_str(&private_path),
            "-pubout",
            "-outform",
            "DER",
        ],
    );
    let public_path = dir.write("sm2.pub.der", &spki);
    let private = WrappingPrivateKey::from_pkcs8_der(pkcs8).expect("OpenSSL PKCS#8 SM2 key");
    let public = WrappingPublicKey::from_der(&spki).expect("OpenSSL SPKI SM2 key");
    let material = &materials().p256;
    let alg = WrappingScheme::Sm2Pke;

    let ct = pkeyutl_encrypt(&dir, &public_path, &[], material, "to-us");
    assert_unwraps(
        &private,
        alg,
        &ct,
        material,
        19,
        "OpenSSL SM2 key, openssl→us",
    );
    let ct = public
        .wrap_key_material(alg, material, &mut rng(20))
        .expect("SM2PKE wrap");
    let back = pkeyutl_decrypt(&dir, &private_path, &[], &ct, "to-openssl")
        .expect("openssl refused our SM2PKE ciphertext to its own key");
    assert_eq!(&back, material);
}
