//! The health tests: a stuck RNG, an RNG replaying its output, two fillers seeded alike.

use super::*;

#[test]
fn a_stuck_rng_stops_the_filler_and_hands_out_no_key() {
    let (hook, events) = recorder();
    let pool = WrappingKeyPool::new()
        .with_watermarks(SM2, 12, 12)
        .with_watermarks(RSA_2048, 1, 1);
    let filler = PoolFiller::builder(pool)
        .on_event(hook)
        .spawn(Replay::constant(0x42))
        .unwrap();
    let started = Instant::now();
    // Returns on the failure (and a timeout of Duration::MAX does not overflow).
    assert!(!filler.wait_until_full(Duration::MAX));
    assert!(started.elapsed() < Duration::from_secs(20));
    let stopped = FillerStatus::Stopped {
        last_error: FillError::Health(HealthTestFailure::RepetitionCount),
    };
    assert_eq!(filler.status(), stopped);
    assert!(filler.take(SM2).is_none() && filler.take(RSA_2048).is_none());
    // The hook hears of it just after the status changes.
    assert!(wait_for(Duration::from_secs(5), || !events
        .lock()
        .unwrap()
        .is_empty()));
    assert_eq!(
        kinds(&events),
        [FillerEvent::Stopped {
            spec: RSA_2048,
            error: FillError::Health(HealthTestFailure::RepetitionCount)
        }]
    );
    // A health test failure is not retried; a restart tries again, and stops again.
    std::thread::sleep(Duration::from_millis(50));
    assert_eq!(events.lock().unwrap().len(), 1);
    assert!(filler.restart());
    assert!(wait_for(Duration::from_secs(20), || {
        events.lock().unwrap().len() == 2
    }));
    assert!(wait_for(Duration::from_secs(5), || filler.status() == stopped));
    assert!(filler.take(SM2).is_none());
}

#[test]
fn a_filler_replaying_its_rng_output_stops_at_the_first_duplicate() {
    let pool = WrappingKeyPool::new().with_watermarks(SM2, 8, 8);
    // 64 bytes replayed: SM2 keys A, B, A.
    let filler = PoolFiller::spawn(pool, Replay::chacha_block(0x21_0002, 64)).unwrap();
    assert!(!filler.wait_until_full(Duration::from_secs(60)));
    assert!(wait_for(Duration::from_secs(5), || matches!(
        filler.status(),
        FillerStatus::Stopped { .. }
    )));
    assert_eq!(
        filler.status(),
        FillerStatus::Stopped {
            last_error: FillError::Health(HealthTestFailure::DuplicateKey { spec: SM2 })
        }
    );
    let keys = drain(&filler, SM2);
    let distinct: BTreeSet<_> = keys.iter().map(|k| k.public_key().to_der()).collect();
    assert_eq!((keys.len(), distinct.len()), (2, 2));
}

#[test]
fn two_fillers_seeded_alike_never_hand_out_the_same_key() {
    let spawn = || {
        let pool = WrappingKeyPool::new().with_watermarks(SM2, 6, 6);
        PoolFiller::spawn(pool, chacha(0x21_0003)).unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let settled =
        |f: &PoolFiller| f.len(SM2) == 6 || matches!(f.status(), FillerStatus::Stopped { .. });
    assert!(wait_for(Duration::from_secs(60), || settled(&a) && settled(&b)));
    let mut seen = BTreeSet::new();
    for filler in [&a, &b] {
        // Only the keys ready now: the full one refills as soon as keys are taken.
        let ready = filler.len(SM2);
        for key in (0..ready).filter_map(|_| filler.take(SM2)) {
            assert!(
                seen.insert(key.public_key().to_der()),
                "a key was handed out twice"
            );
        }
    }
    // The second filler to generate the first key fails the process-wide duplicate test.
    let duplicate = FillerStatus::Stopped {
        last_error: FillError::Health(HealthTestFailure::DuplicateKey { spec: SM2 }),
    };
    let statuses = [a.status(), b.status()];
    assert_eq!(
        statuses.iter().filter(|s| **s == duplicate).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(seen.len(), 6);
}
