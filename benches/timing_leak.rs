//! Timing-leak check of unwrap, in the manner of dudect (Reparaz, Balasch,
//! Verbauwhede, "Dude, is my code constant time?", DATE 2017): two classes of inputs are run in
//! random interleaved order, each call is timed, and Welch's t-test compares the two timing
//! distributions, on all samples and on samples below a series of percentiles (cropping removes
//! the long tail of interrupts and preemption that would otherwise mask a small difference).
//!
//! |t| below 4.5 is no evidence of a leak at this sample size; above 4.5 (dudect's threshold) is
//! worth a closer look; above 10 is a leak. A bench, not a test: timings are never asserted.
//!
//! ```text
//! cargo bench -p kms-import --bench timing_leak            # about two minutes
//! TIMING_LEAK_SAMPLES=20000 cargo bench -p kms-import --bench timing_leak   # per comparison
//! TIMING_LEAK_ONLY=modexp cargo bench -p kms-import --bench timing_leak     # exponentiation only
//! ```
//!
//! Comparisons: RSAES_OAEP_SHA_256 and RSA_AES_KEY_WRAP_SHA_256 (RSA_2048) with valid vs invalid
//! OAEP padding; RSA_AES_KEY_WRAP_SHA_256 with a valid OAEP block but a bad KWP integrity check vs
//! valid; SM2PKE with a good vs a bad C3, and C3 wrong in its first vs its last byte. Valid vs invalid is also success vs failure, which the
//! caller sees anyway; what a padding oracle needs is a difference *between failures*, so the
//! bench also crafts encoded messages (EM, RFC 8017 §7.1.1) that fail in different places —
//! Y ≠ 0 (Manger's oracle), a wrong lHash, no 0x01 separator — encrypts them with the raw public
//! RSA operation, and compares those classes pairwise.
//!
//! The modular exponentiation itself (the crate's fixed-width arithmetic under RSADP and the
//! prime search, reached through the `fuzzing` feature) is checked with secret classes of its
//! own: a fixed base (0, or 1) against random bases, and a fixed exponent (0, or all ones)
//! against random exponents, at 1024 and 2048 bits under a fixed modulus, and the
//! Miller–Rabin base-2 round on a fixed prime against random odd candidates of its size.

use std::hint::black_box;
use std::time::Instant;

use kms_import::{WrappingPrivateKey, WrappingScheme};
use rand::rngs::ChaCha20Rng;
use rand::{Rng, SeedableRng};

/// Distinct inputs per class (cycled), so no single input is cached.
const INPUTS_PER_CLASS: usize = 64;

fn main() {
    let samples = |default: usize| {
        std::env::var("TIMING_LEAK_SAMPLES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    };
    let mut rng = ChaCha20Rng::seed_from_u64(0xd0de);
    if std::env::var("TIMING_LEAK_ONLY").as_deref() == Ok("modexp") {
        modexp_comparisons(&samples, &mut rng);
        return;
    }
    let rsa = WrappingPrivateKey::from_pkcs8_der(include_bytes!("../fuzz/keys/rsa2048.pk8"))
        .expect("fixed RSA key");
    let sm2 = WrappingPrivateKey::from_pkcs8_der(include_bytes!("../fuzz/keys/sm2.pk8"))
        .expect("fixed SM2 key");

    // RSAES-OAEP: valid ciphertexts vs random values below n (their padding fails).
    let oaep = WrappingScheme::RsaesOaepSha256;
    let valid = valid_ciphertexts(&rsa, oaep, 32, &mut rng);
    let invalid = random_rsa_blocks(&valid, &mut rng);
    report(
        "RSAES_OAEP_SHA_256 (RSA_2048), valid vs invalid OAEP padding",
        measure(&rsa, oaep, [&valid, &invalid], samples(4000), &mut rng),
    );

    // RSA_AES: the same split on the RSA block, the KWP part left valid.
    let rsa_aes = WrappingScheme::RsaAesKeyWrapSha256;
    let valid = valid_ciphertexts(&rsa, rsa_aes, 32, &mut rng);
    let invalid_padding: Vec<Vec<u8>> = random_rsa_blocks(&valid, &mut rng)
        .into_iter()
        .zip(&valid)
        .map(|(block, good)| [&block[..256], &good[256..]].concat())
        .collect();
    report(
        "RSA_AES_KEY_WRAP_SHA_256 (RSA_2048), valid vs invalid OAEP padding",
        measure(
            &rsa,
            rsa_aes,
            [&valid, &invalid_padding],
            samples(4000),
            &mut rng,
        ),
    );
    let bad_kwp: Vec<Vec<u8>> = valid
        .iter()
        .map(|c| {
            let mut c = c.clone();
            c[256] ^= 0x01; // the first KWP semiblock: the integrity check fails
            c
        })
        .collect();
    report(
        "RSA_AES_KEY_WRAP_SHA_256 (RSA_2048), valid vs bad KWP integrity check",
        measure(&rsa, rsa_aes, [&valid, &bad_kwp], samples(4000), &mut rng),
    );

    // Failures against failures: Manger's Y ≠ 0 vs a bad lHash vs a missing separator.
    let public = rsa_public_key(&rsa);
    let crafted = |defect: Defect, rng: &mut ChaCha20Rng| -> Vec<Vec<u8>> {
        (0..INPUTS_PER_CLASS)
            .map(|_| raw_encrypt(&public, &crafted_em(defect, rng)))
            .collect()
    };
    let y_nonzero = crafted(Defect::YNonZero, &mut rng);
    let bad_lhash = crafted(Defect::BadLHash, &mut rng);
    let no_separator = crafted(Defect::NoSeparator, &mut rng);
    let well_formed = crafted(Defect::None, &mut rng);
    assert!(
        rsa.unwrap_key_material(oaep, &well_formed[0], &mut rng)
            .is_ok(),
        "EM crafting is right"
    );
    report(
        "RSAES_OAEP_SHA_256 (RSA_2048), Y != 0 vs bad lHash (both invalid)",
        measure_failures(
            &rsa,
            oaep,
            [&y_nonzero, &bad_lhash],
            samples(4000),
            &mut rng,
        ),
    );
    report(
        "RSAES_OAEP_SHA_256 (RSA_2048), bad lHash vs no 0x01 separator (both invalid)",
        measure_failures(
            &rsa,
            oaep,
            [&bad_lhash, &no_separator],
            samples(4000),
            &mut rng,
        ),
    );

    // SM2PKE: good vs bad C3 (one bit of the SM3 tag flipped).
    let sm2pke = WrappingScheme::Sm2Pke;
    let valid = valid_ciphertexts(&sm2, sm2pke, 32, &mut rng);
    let bad_c3: Vec<Vec<u8>> = valid
        .iter()
        .map(|c| {
            let mut c = c.clone();
            let at = c3_offset(&c).expect("our own SM2 ciphertext parses");
            c[at + 31] ^= 0x01;
            c
        })
        .collect();
    report(
        "SM2PKE (SM2), good vs bad C3",
        measure(&sm2, sm2pke, [&valid, &bad_c3], samples(20000), &mut rng),
    );
    // Failure vs failure: C3 wrong in its first byte vs in its last (an early-exit compare
    // would show here). Same C1 points in both classes, so the scalar multiplication is equal.
    let bad_c3_first: Vec<Vec<u8>> = valid
        .iter()
        .map(|c| {
            let mut c = c.clone();
            let at = c3_offset(&c).expect("our own SM2 ciphertext parses");
            c[at] ^= 0x80;
            c
        })
        .collect();
    report(
        "SM2PKE (SM2), C3 wrong in byte 0 vs in byte 31 (both invalid)",
        measure_failures(
            &sm2,
            sm2pke,
            [&bad_c3_first, &bad_c3],
            samples(20000),
            &mut rng,
        ),
    );

    modexp_comparisons(&samples, &mut rng);
}

/// The exponentiation with secret classes of base and exponent (see the module docs).
fn modexp_comparisons(samples: &dyn Fn(usize) -> usize, rng: &mut ChaCha20Rng) {
    use kms_import::fuzz_targets::arith;
    for (limbs, count) in [(16usize, samples(4000)), (32, samples(2000))] {
        let bits = 64 * limbs;
        let random = |rng: &mut ChaCha20Rng| (0..limbs).map(|_| rng.next_u64()).collect::<Vec<_>>();
        let mut n = random(rng);
        n[0] |= 1;
        n[limbs - 1] |= 1 << 63;
        let fixed_exponent = random(rng);
        let fixed_base = random(rng);
        let zero = vec![0u64; limbs];
        let mut one = zero.clone();
        one[0] = 1;
        let ones = vec![u64::MAX; limbs];
        let randoms: Vec<Vec<u64>> = (0..INPUTS_PER_CLASS).map(|_| random(rng)).collect();
        // (name, [base class 0, base class 1], [exponent class 0, exponent class 1]): class 0 is
        // one fixed value, class 1 the random ones.
        type Classes<'a> = [&'a [Vec<u64>]; 2];
        let one_of = std::slice::from_ref;
        let cases: [(&str, Classes<'_>, Classes<'_>); 4] = [
            (
                "base 0 vs random bases",
                [one_of(&zero), &randoms],
                [one_of(&fixed_exponent), one_of(&fixed_exponent)],
            ),
            (
                "base 1 vs random bases",
                [one_of(&one), &randoms],
                [one_of(&fixed_exponent), one_of(&fixed_exponent)],
            ),
            (
                "exponent 0 vs random exponents",
                [one_of(&fixed_base), one_of(&fixed_base)],
                [one_of(&zero), &randoms],
            ),
            (
                "exponent all ones vs random exponents",
                [one_of(&fixed_base), one_of(&fixed_base)],
                [one_of(&ones), &randoms],
            ),
        ];
        for (name, bases, exponents) in cases {
            for i in 0..32 {
                black_box(arith::pow(&n, &bases[i % 2][0], &exponents[i % 2][0]));
            }
            let timings = (0..count)
                .map(|i| {
                    let class = usize::from(rng.next_u32() & 1 == 1);
                    let b = &bases[class][i % bases[class].len()];
                    let e = &exponents[class][i % exponents[class].len()];
                    let start = Instant::now();
                    black_box(arith::pow(black_box(&n), black_box(b), black_box(e)));
                    (class, start.elapsed().as_nanos() as f64)
                })
                .collect();
            report(
                &format!("{bits}-bit modular exponentiation, {name}"),
                timings,
            );
        }
        // Miller–Rabin base-2 round: one fixed prime vs random odd candidates (the prime search's
        // composite filter). The round's time may depend on s (w − 1 = 2^s·d), a documented
        // property of the candidate; the random candidates get the prime's s, so that the
        // comparison is about everything else.
        if limbs == 16 {
            let prime = fixed_prime_1024();
            let s = (prime[0] - 1).trailing_zeros();
            let candidates: Vec<Vec<u64>> = randoms
                .iter()
                .map(|r| {
                    let mut c = r.clone();
                    c[0] = (c[0] & !((2u64 << s) - 1)) | (1 << s) | 1;
                    c[limbs - 1] |= 1 << 63;
                    c
                })
                .collect();
            let classes = [std::slice::from_ref(&prime), &candidates[..]];
            let timings = (0..count)
                .map(|i| {
                    let class = usize::from(rng.next_u32() & 1 == 1);
                    let w = &classes[class][i % classes[class].len()];
                    let start = Instant::now();
                    black_box(arith::miller_rabin_base_two(black_box(w)));
                    (class, start.elapsed().as_nanos() as f64)
                })
                .collect();
            report(
                "1024-bit Miller-Rabin base-2 round, a prime vs random odd candidates (same s)",
                timings,
            );
        }
    }
}

/// p of the fixed RSA-2048 test key (`fuzz/keys/rsa2048.pk8`): a 1024-bit prime.
fn fixed_prime_1024() -> Vec<u64> {
    use pkcs8::DecodePrivateKey;
    use rsa::traits::PrivateKeyParts;
    let key = rsa::PrivateKey::from_pkcs8_der(include_bytes!("../fuzz/keys/rsa2048.pk8"))
        .expect("fixed RSA key");
    let bytes = key.primes()[0].to_be_bytes();
    let bytes = &bytes[bytes.len() - 128..];
    bytes
        .rchunks(8)
        .map(|c| u64::from_be_bytes(c.try_into().expect("8 bytes")))
        .collect()
}

fn valid_ciphertexts(
    key: &WrappingPrivateKey,
    algorithm: WrappingScheme,
    material_len: usize,
    rng: &mut ChaCha20Rng,
) -> Vec<Vec<u8>> {
    let public = key.public_key();
    (0..INPUTS_PER_CLASS)
        .map(|_| {
            let mut material = vec![0u8; material_len];
            rng.fill_bytes(&mut material);
            let c = public
                .wrap_key_material(algorithm, &material, rng)
                .expect("wrap");
            assert!(
                key.unwrap_key_material(algorithm, &c, rng).is_ok(),
                "valid input must unwrap"
            );
            c
        })
        .collect()
}

/// Random 256-byte blocks below the modulus, whose OAEP decoding fails (with overwhelming
/// probability). The leading byte is half that of a valid ciphertext, so the block is below n and
/// both classes go through the whole RSA operation.
fn random_rsa_blocks(like: &[Vec<u8>], rng: &mut ChaCha20Rng) -> Vec<Vec<u8>> {
    like.iter()
        .map(|c| {
            let mut block = vec![0u8; c.len().min(256)];
            rng.fill_bytes(&mut block);
            block[0] = c[0] >> 1;
            block
        })
        .collect()
}

/// Offset of C3's contents in a GM/T 0009 DER ciphertext: SEQUENCE { INTEGER, INTEGER, OCTET
/// STRING C3, OCTET STRING C2 }.
fn c3_offset(der: &[u8]) -> Option<usize> {
    fn header(der: &[u8], at: usize) -> Option<(usize, usize)> {
        let len_byte = *der.get(at + 1)?;
        Some(match len_byte {
            0..=0x7f => (at + 2, usize::from(len_byte)),
            0x81 => (at + 3, usize::from(*der.get(at + 2)?)),
            0x82 => (
                at + 4,
                usize::from(*der.get(at + 2)?) << 8 | usize::from(*der.get(at + 3)?),
            ),
            _ => return None,
        })
    }
    let (mut at, _) = header(der, 0)?; // SEQUENCE
    for _ in 0..2 {
        let (start, len) = header(der, at)?; // x1, y1
        at = start + len;
    }
    let (start, len) = header(der, at)?;
    (len == 32).then_some(start)
}

/// Where a crafted EM is broken.
#[derive(Clone, Copy)]
enum Defect {
    None,
    YNonZero,
    BadLHash,
    NoSeparator,
}

fn rsa_public_key(key: &WrappingPrivateKey) -> rsa::PublicKey {
    use spki::DecodePublicKey;
    rsa::PublicKey::from_public_key_der(&key.public_key().to_der()).expect("RSA SPKI")
}

/// The raw RSA public operation (RSAEP, RFC 8017 §5.1.1) on a 256-byte EM.
fn raw_encrypt(key: &rsa::PublicKey, em: &[u8]) -> Vec<u8> {
    let m = rsa::BoxedUint::from_be_slice(em, 2048).expect("EM fits");
    let c = rsa::hazmat::rsa_encrypt(key, &m).expect("RSAEP");
    c.to_be_bytes().to_vec()
}

/// MGF1 with SHA-256 (RFC 8017 §B.2.1).
fn mgf1_sha256(seed: &[u8], len: usize) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    let mut out = Vec::with_capacity(len + 32);
    let mut counter = 0u32;
    while out.len() < len {
        out.extend(
            Sha256::new()
                .chain_update(seed)
                .chain_update(counter.to_be_bytes())
                .finalize(),
        );
        counter += 1;
    }
    out.truncate(len);
    out
}

/// EME-OAEP encoding (RFC 8017 §7.1.1 step 2) of a random 32-byte message under SHA-256 with an
/// empty label and a 256-byte modulus, with `defect` put in.
fn crafted_em(defect: Defect, rng: &mut ChaCha20Rng) -> Vec<u8> {
    use sha2::{Digest, Sha256};
    const K: usize = 256;
    const H: usize = 32;
    let mut db = Sha256::digest(b"").to_vec(); // lHash
    if let Defect::BadLHash = defect {
        db[7] ^= 0x40;
    }
    db.resize(K - H - 1 - 33, 0); // PS
    db.push(match defect {
        Defect::NoSeparator => 0x00,
        _ => 0x01,
    });
    let mut message = [0u8; 32];
    rng.fill_bytes(&mut message);
    if let Defect::NoSeparator = defect {
        // The first non-zero byte after lHash must not be 0x01, or it is the separator.
        message[0] |= 0x02;
    }
    db.extend(message);
    let mut seed = [0u8; H];
    rng.fill_bytes(&mut seed);
    let masked_db: Vec<u8> = db
        .iter()
        .zip(mgf1_sha256(&seed, db.len()))
        .map(|(a, b)| a ^ b)
        .collect();
    let masked_seed: Vec<u8> = seed
        .iter()
        .zip(mgf1_sha256(&masked_db, H))
        .map(|(a, b)| a ^ b)
        .collect();
    let y = match defect {
        Defect::YNonZero => 0x01,
        _ => 0x00,
    };
    [&[y][..], &masked_seed, &masked_db].concat()
}

/// Like [`measure`], for two classes that must both fail.
fn measure_failures(
    key: &WrappingPrivateKey,
    algorithm: WrappingScheme,
    classes: [&[Vec<u8>]; 2],
    samples: usize,
    rng: &mut ChaCha20Rng,
) -> Vec<(usize, f64)> {
    let mut blinding_rng = ChaCha20Rng::seed_from_u64(2);
    (0..samples)
        .map(|i| {
            let class = usize::from(rng.next_u32() & 1 == 1);
            let input = &classes[class][i % classes[class].len()];
            let start = Instant::now();
            let ok = key
                .unwrap_key_material(algorithm, black_box(input), &mut blinding_rng)
                .is_ok();
            let elapsed = start.elapsed().as_nanos() as f64;
            assert!(!ok, "a crafted invalid input unwrapped");
            (class, elapsed)
        })
        .collect()
}

/// Times `samples` unwraps, class chosen at random for each; returns (class, nanoseconds).
fn measure(
    key: &WrappingPrivateKey,
    algorithm: WrappingScheme,
    classes: [&[Vec<u8>]; 2],
    samples: usize,
    rng: &mut ChaCha20Rng,
) -> Vec<(usize, f64)> {
    // Warm up caches and branch predictors on both classes.
    for input in classes[0].iter().chain(classes[1]).take(32) {
        black_box(
            key.unwrap_key_material(algorithm, black_box(input), rng)
                .is_ok(),
        );
    }
    let mut blinding_rng = ChaCha20Rng::seed_from_u64(1);
    (0..samples)
        .map(|i| {
            let class = usize::from(rng.next_u32() & 1 == 1);
            let input = &classes[class][i % classes[class].len()];
            let start = Instant::now();
            let ok = key
                .unwrap_key_material(algorithm, black_box(input), &mut blinding_rng)
                .is_ok();
            let elapsed = start.elapsed().as_nanos() as f64;
            assert_eq!(ok, class == 0, "class {class} input gave the wrong outcome");
            (class, elapsed)
        })
        .collect()
}

/// Welch's t statistic of class 0 vs class 1 over `samples`.
fn welch_t(samples: impl Iterator<Item = (usize, f64)>) -> (f64, [usize; 2], [f64; 2]) {
    let mut n = [0usize; 2];
    let mut mean = [0f64; 2];
    let mut m2 = [0f64; 2];
    for (class, x) in samples {
        n[class] += 1;
        let delta = x - mean[class];
        mean[class] += delta / n[class] as f64;
        m2[class] += delta * (x - mean[class]);
    }
    if n[0] < 2 || n[1] < 2 {
        return (0.0, n, mean);
    }
    let var = |c: usize| m2[c] / (n[c] - 1) as f64;
    let t = (mean[0] - mean[1]) / (var(0) / n[0] as f64 + var(1) / n[1] as f64).sqrt();
    (t, n, mean)
}

fn report(name: &str, samples: Vec<(usize, f64)>) {
    let (t, n, mean) = welch_t(samples.iter().copied());
    // dudect's crops: keep samples below the p-th percentile, p = 1 − 0.5^(10·(i+1)/100).
    let mut sorted: Vec<f64> = samples.iter().map(|&(_, x)| x).collect();
    sorted.sort_by(f64::total_cmp);
    let mut worst = (t.abs(), 1.0);
    for i in 0..20 {
        let p = 1.0 - 0.5f64.powf(10.0 * (i + 1) as f64 / 100.0);
        let threshold = sorted[((sorted.len() - 1) as f64 * p) as usize];
        let (t_crop, _, _) = welch_t(samples.iter().copied().filter(|&(_, x)| x <= threshold));
        if t_crop.abs() > worst.0 {
            worst = (t_crop.abs(), p);
        }
    }
    let verdict = match worst.0 {
        t if t < 4.5 => "no evidence of a leak",
        t if t < 10.0 => "worth a closer look",
        _ => "LEAK",
    };
    println!(
        "{name}\n  n = {} + {}, mean {:.1} µs vs {:.1} µs, t = {t:.2}, max |t| = {:.2} \
         (at the {:.0}th percentile crop): {verdict}",
        n[0],
        n[1],
        mean[0] / 1e3,
        mean[1] / 1e3,
        worst.0,
        worst.1 * 100.0,
    );
}
