//! `demo`: the whole import flow for every key spec, wrapping algorithm and wrapping key spec in
//! every partition, as a table with timings.
//!
//! For each allowed combination: sample material → the checks `wrap --key-spec` makes →
//! GetParametersForImport → wrap under the returned public key → ImportKeyMaterial → the imported
//! material must equal the original. For each refused combination: the checks of `wrap --key-spec`
//! and GetParametersForImport must both refuse it. Exit 0 only if every combination behaves.
//! Each wrapping key and each RSA sample key is generated once (in parallel) and reused.

use std::collections::BTreeMap;
use std::thread;
use std::time::{Duration, Instant};

use kms_import::{
    GetParametersForImportRequest, ImportKeyMaterialRequest, ImportService, KeyMaterial, KeySpec,
    KmsError, MaterialKind, Partition, UnixTime, WrappingKeySpec, WrappingPrivateKey,
    WrappingPublicKey, WrappingScheme, material, matrix,
};

use crate::clock;
use crate::failure::{Failure, Outcome};
use crate::output::print_line;
use crate::rng::{os_rng, random_bytes};
use crate::service::{key_metadata, local_service};
use crate::spinner::with_spinner;

const PARTITIONS: [Partition; 3] = [Partition::Aws, Partition::AwsCn, Partition::AwsUsGov];
const KEY_ID: &str = "1234abcd-12ab-34cd-56ef-1234567890ab";

/// What was generated once for the whole run.
struct Fixtures {
    wrapping_keys: BTreeMap<WrappingKeySpec, WrappingPrivateKey>,
    /// Sample material per (key spec, partition).
    material: BTreeMap<(KeySpec, Partition), KeyMaterial>,
}

pub fn run(verbose: bool) -> Outcome {
    let started = Instant::now();
    print_line(
        "kms-import demo: every key spec x wrapping algorithm x wrapping key spec, in every partition",
    )?;
    let fixtures = with_spinner(
        "generating wrapping keys and sample material",
        generate_fixtures,
    )?;
    let kms = local_service(&random_bytes(32)?)?;
    let now = clock::now(None);
    print_line("")?;
    print_line(&format!(
        "{:<7} {:<24} {:<9} {:<18} {:>6} {:>9} {:>8} {:>9}  result",
        "part.",
        "wrapping algorithm",
        "wrap key",
        "key spec",
        "bytes",
        "token ms",
        "wrap ms",
        "import ms"
    ))?;
    let mut allowed_ok = 0usize;
    let mut refused_ok = 0usize;
    let mut failures = Vec::new();
    for partition in PARTITIONS {
        for (algorithm, wks, ks, verdict) in matrix::entries(partition) {
            let combo = format!("{partition} {algorithm} {wks} {ks}");
            match verdict {
                Ok(()) => match round_trip(&kms, &fixtures, partition, algorithm, wks, ks, now) {
                    Ok(row) => {
                        allowed_ok += 1;
                        print_line(&format!(
                            "{:<7} {:<24} {:<9} {:<18} {:>6} {:>9.2} {:>8.2} {:>9.2}  ok",
                            partition.as_str(),
                            algorithm.as_str(),
                            wks.as_str(),
                            ks.as_str(),
                            row.material_len,
                            ms(row.token),
                            ms(row.wrap),
                            ms(row.import)
                        ))?;
                    }
                    Err(why) => {
                        print_line(&format!(
                            "{:<7} {:<24} {:<9} {:<18} {:>6} {:>9} {:>8} {:>9}  FAILED: {why}",
                            partition.as_str(),
                            algorithm.as_str(),
                            wks.as_str(),
                            ks.as_str(),
                            "",
                            "",
                            "",
                            ""
                        ))?;
                        failures.push(format!("{combo}: {why}"));
                    }
                },
                Err(refusal) => {
                    match confirm_refused(&kms, &fixtures, partition, algorithm, wks, ks, now) {
                        Ok(exception) => {
                            refused_ok += 1;
                            if verbose {
                                print_line(&format!("{combo}: refused ({exception}): {refusal}"))?;
                            }
                        }
                        Err(why) => failures.push(format!("{combo}: should be refused, {why}")),
                    }
                }
            }
        }
    }
    print_line("")?;
    print_line(&format!(
        "{allowed_ok} allowed combinations imported and round-tripped; {refused_ok} refused \
         combinations refused by both `wrap --key-spec` and GetParametersForImport{}",
        if verbose {
            ""
        } else {
            " (list them with --verbose)"
        }
    ))?;
    print_line(&format!("total {:.1} s", started.elapsed().as_secs_f64()))?;
    if failures.is_empty() {
        return Ok(());
    }
    for f in &failures {
        eprintln!("FAILED {f}");
    }
    Err(Failure::refused(format_args!(
        "demo: {} combinations did not behave as the matrix says",
        failures.len()
    )))
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Generates the four wrapping keys and the three RSA sample keys in parallel (RSA-4096 takes
/// seconds), the rest of the sample material inline, and prints how long each took.
fn generate_fixtures() -> Outcome<Fixtures> {
    let rsa_material_specs = [KeySpec::Rsa2048, KeySpec::Rsa3072, KeySpec::Rsa4096];
    let timed = |spec: WrappingKeySpec| {
        let t = Instant::now();
        WrappingPrivateKey::generate(spec, &mut os_rng()).map(|k| (k, t.elapsed()))
    };
    let (wrapping, material_keys) = thread::scope(|s| {
        let wrapping: Vec<_> = WrappingKeySpec::ALL
            .iter()
            .map(|&spec| (spec, s.spawn(move || timed(spec))))
            .collect();
        let material: Vec<_> = rsa_material_specs
            .iter()
            .map(|&ks| (ks, s.spawn(move || timed(rsa_size(ks)))))
            .collect();
        let join = |h: thread::ScopedJoinHandle<'_, _>| {
            h.join().unwrap_or(Err(kms_import::Error::InvalidKey(
                "key generation panicked",
            )))
        };
        (
            wrapping
                .into_iter()
                .map(|(k, h)| (k, join(h)))
                .collect::<Vec<_>>(),
            material
                .into_iter()
                .map(|(k, h)| (k, join(h)))
                .collect::<Vec<_>>(),
        )
    });
    let mut fixtures = Fixtures {
        wrapping_keys: BTreeMap::new(),
        material: BTreeMap::new(),
    };
    let mut report = Vec::new();
    for (spec, result) in wrapping {
        let (key, took) = result?;
        report.push(format!("{spec} {:.2} s", took.as_secs_f64()));
        fixtures.wrapping_keys.insert(spec, key);
    }
    let mut rsa_material = BTreeMap::new();
    for (ks, result) in material_keys {
        let (key, _) = result?;
        rsa_material.insert(ks, key.to_pkcs8_der()?);
    }
    for partition in PARTITIONS {
        for &ks in KeySpec::ALL {
            if !ks.exists_in(partition) {
                continue;
            }
            let sample = match ks.material_kind() {
                MaterialKind::NotImportable => continue,
                MaterialKind::RsaPrivateKey => match rsa_material.get(&ks) {
                    Some(der) => KeyMaterial::from_slice(der),
                    None => continue,
                },
                _ => crate::sample::generate(ks, partition)?,
            };
            fixtures.material.insert((ks, partition), sample);
        }
    }
    print_line(&format!(
        "wrapping keys generated in parallel: {}",
        report.join(", ")
    ))?;
    Ok(fixtures)
}

fn rsa_size(ks: KeySpec) -> WrappingKeySpec {
    match ks {
        KeySpec::Rsa2048 => WrappingKeySpec::Rsa2048,
        KeySpec::Rsa3072 => WrappingKeySpec::Rsa3072,
        _ => WrappingKeySpec::Rsa4096,
    }
}

struct Timings {
    material_len: usize,
    token: Duration,
    wrap: Duration,
    import: Duration,
}

/// The whole flow for one allowed combination.
fn round_trip(
    kms: &ImportService,
    fixtures: &Fixtures,
    partition: Partition,
    algorithm: kms_import::WrappingAlgorithm,
    wks: WrappingKeySpec,
    ks: KeySpec,
    now: UnixTime,
) -> Result<Timings, String> {
    let sample = fixtures
        .material
        .get(&(ks, partition))
        .ok_or("no sample material")?;
    let wrapping_key = fixtures.wrapping_keys.get(&wks).ok_or("no wrapping key")?;
    let mut rng = os_rng();
    // What `wrap --key-spec` checks before encrypting.
    material::validate(partition, ks, sample.as_bytes(), &mut rng)
        .map_err(|e| format!("material check: {e}"))?;
    let key = key_metadata(KEY_ID, ks, partition, &[]).map_err(|e| format!("{e:?}"))?;
    let t = Instant::now();
    let request = GetParametersForImportRequest {
        key_id: KEY_ID,
        wrapping_algorithm: algorithm,
        wrapping_key_spec: wks,
    };
    let parameters = kms
        .get_parameters_for_import_with_wrapping_key(
            &request,
            &key,
            copy(wrapping_key)?,
            now,
            &mut rng,
        )
        .map_err(|e| e.to_string())?;
    let token = t.elapsed();
    let t = Instant::now();
    let public = WrappingPublicKey::from_der(&parameters.public_key).map_err(|e| e.to_string())?;
    let scheme = WrappingScheme::try_from(algorithm).map_err(|e| e.to_string())?;
    let encrypted = public
        .wrap_key_material(scheme, sample.as_bytes(), &mut rng)
        .map_err(|e| format!("wrap: {e}"))?;
    let wrap = t.elapsed();
    let t = Instant::now();
    let request = ImportKeyMaterialRequest {
        key_id: KEY_ID,
        import_token: &parameters.import_token,
        encrypted_key_material: &encrypted,
        expiration_model: Some(kms_import::ExpirationModel::KeyMaterialDoesNotExpire),
        ..Default::default()
    };
    let imported = kms
        .import_key_material(&request, &key, now, &mut rng)
        .map_err(|e| e.to_string())?;
    let import = t.elapsed();
    if !imported.material.ct_eq(sample.as_bytes()) {
        return Err("the imported material differs from the wrapped material".into());
    }
    Ok(Timings {
        material_len: sample.len(),
        token,
        wrap,
        import,
    })
}

/// A refused combination must be refused by the checks of `wrap --key-spec` and by
/// GetParametersForImport; returns the exception name.
fn confirm_refused(
    kms: &ImportService,
    fixtures: &Fixtures,
    partition: Partition,
    algorithm: kms_import::WrappingAlgorithm,
    wks: WrappingKeySpec,
    ks: KeySpec,
    now: UnixTime,
) -> Result<&'static str, String> {
    if matrix::check(partition, algorithm, wks, ks).is_ok() {
        return Err("but `wrap --key-spec` would accept it".into());
    }
    let wrapping_key = fixtures.wrapping_keys.get(&wks).ok_or("no wrapping key")?;
    let request = GetParametersForImportRequest {
        key_id: KEY_ID,
        wrapping_algorithm: algorithm,
        wrapping_key_spec: wks,
    };
    let key = key_metadata(KEY_ID, ks, partition, &[]).map_err(|e| format!("{e:?}"))?;
    match kms.get_parameters_for_import_with_wrapping_key(
        &request,
        &key,
        copy(wrapping_key)?,
        now,
        &mut os_rng(),
    ) {
        Ok(_) => Err("but GetParametersForImport issued a token".into()),
        Err(e @ KmsError::UnsupportedOperationException(_)) => Ok(e.name()),
        Err(e) => Err(format!("but GetParametersForImport said {e}")),
    }
}

/// A copy of a generated wrapping key for one token (each token takes its key by value; the demo
/// generates each spec once and reuses it, as a test harness may).
fn copy(key: &WrappingPrivateKey) -> Result<WrappingPrivateKey, String> {
    let der = key.to_pkcs8_der().map_err(|e| e.to_string())?;
    WrappingPrivateKey::from_pkcs8_der(&der).map_err(|e| e.to_string())
}
