//! `material::validate` on keys made by the `openssl` CLI (skipped with a notice without it).

mod key_der;

use key_der::*;
use kms_import::{KeySpec, Partition};

use KeySpec as K;
use Partition::{Aws, AwsCn};

// ---------- OpenSSL-generated keys ----------

#[test]
fn openssl_keys_of_every_spec() {
    if !have_openssl("openssl_keys_of_every_spec") {
        return;
    }
    // RSA: genpkey's PEM (PKCS#8), and `pkcs8 -topk8` of the traditional PKCS#1 form.
    let mut rsa_keys = Vec::new();
    for (spec, bits) in [
        (K::Rsa2048, "2048"),
        (K::Rsa3072, "3072"),
        (K::Rsa4096, "4096"),
    ] {
        let args = [
            "-algorithm",
            "RSA",
            "-pkeyopt",
            &format!("rsa_keygen_bits:{bits}"),
        ];
        let pkcs8 = genpkey_pkcs8(&args.iter().map(|s| s.as_ref()).collect::<Vec<&str>>());
        accepted(spec, Aws, &pkcs8);
        let traditional =
            genpkey_traditional_der(&args.iter().map(|s| s.as_ref()).collect::<Vec<&str>>());
        refused(spec, Aws, &traditional, "bare PKCS#1 RSAPrivateKey");
        accepted(spec, Aws, &topk8(&traditional));
        rsa_keys.push((spec, pkcs8));
    }
    // RSA-3072 into RSA_2048 and every other size mismatch.
    for (spec, _) in &rsa_keys {
        for (other, der) in &rsa_keys {
            if other != spec {
                refused(
                    *spec,
                    Aws,
                    der,
                    "modulus is not the size the key spec names",
                );
            }
        }
    }
    // e = 65539 is allowed for material; e = 3 is not.
    let e65539 = genpkey_pkcs8(&[
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-pkeyopt",
        "rsa_keygen_pubexp:65539",
    ]);
    accepted(K::Rsa2048, Aws, &e65539);
    let e3 = genpkey_pkcs8(&[
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-pkeyopt",
        "rsa_keygen_pubexp:3",
    ]);
    refused(K::Rsa2048, Aws, &e3, "2^16 < e < 2^256");
    // Multi-prime RSA from OpenSSL.
    let multi = genpkey_pkcs8(&[
        "-algorithm",
        "RSA",
        "-pkeyopt",
        "rsa_keygen_bits:2048",
        "-pkeyopt",
        "rsa_keygen_primes:3",
    ]);
    refused(K::Rsa2048, Aws, &multi, "multi-prime");
    // Ed25519.
    let ed = genpkey_pkcs8(&["-algorithm", "ED25519"]);
    refused(K::Rsa2048, Aws, &ed, "not rsaEncryption");
    refused(K::EccNistP256, Aws, &ed, "not id-ecPublicKey");

    // EC: genpkey PEM, topk8 of SEC1 with and without the public key, compressed public key,
    // and explicit curve parameters (refused).
    let curves = [
        (K::EccNistP256, Aws, "P-256", "prime256v1"),
        (K::EccNistP384, Aws, "P-384", "secp384r1"),
        (K::EccNistP521, Aws, "P-521", "secp521r1"),
        (K::EccSecgP256k1, Aws, "secp256k1", "secp256k1"),
        (K::Sm2, AwsCn, "SM2", "SM2"),
    ];
    let mut ec_keys = Vec::new();
    for (spec, partition, genpkey_name, ecparam_name) in curves {
        let pkcs8 = if spec == K::Sm2 {
            genpkey_pkcs8(&["-algorithm", "SM2"])
        } else {
            genpkey_pkcs8(&[
                "-algorithm",
                "EC",
                "-pkeyopt",
                &format!("ec_paramgen_curve:{genpkey_name}"),
            ])
        };
        accepted(spec, partition, &pkcs8);
        assert!(
            pkcs8.len() <= spec.max_material_len(partition),
            "{spec}: {}",
            pkcs8.len()
        );
        let sec1 = ec_traditional(ecparam_name, &[]);
        refused(spec, partition, &sec1, "bare SEC1 ECPrivateKey");
        accepted(spec, partition, &topk8(&sec1));
        accepted(
            spec,
            partition,
            &topk8(&ec_traditional(ecparam_name, &["-no_public"])),
        );
        accepted(
            spec,
            partition,
            &topk8(&ec_traditional(ecparam_name, &["-conv_form", "compressed"])),
        );
        if spec != K::Sm2 {
            let explicit = ec_traditional(ecparam_name, &["-param_enc", "explicit"]);
            refused(spec, partition, &topk8(&explicit), "namedCurve OID");
        }
        ec_keys.push((spec, partition, pkcs8));
    }
    for (spec, partition, _) in &ec_keys {
        for (other, _, der) in &ec_keys {
            if other != spec {
                refused(*spec, *partition, der, WRONG_CURVE);
            }
        }
    }
}
