//! Drop and stop: neither waits for an RNG that stalls, and a keygen in progress is abandoned.

use super::*;

/// Blocks in its first call until `release` is dropped (or a minute passes), telling
/// `entered` when it starts; tells `dropped` when it is dropped.
struct Stalling {
    entered: Option<mpsc::Sender<()>>,
    release: mpsc::Receiver<()>,
    dropped: mpsc::Sender<()>,
    inner: rand::rngs::ChaCha20Rng,
}

impl TryRng for Stalling {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        if let Some(entered) = self.entered.take() {
            let _ = entered.send(());
            let _ = self.release.recv_timeout(Duration::from_secs(60));
        }
        rand_core::Rng::fill_bytes(&mut self.inner, dst);
        Ok(())
    }
}
impl TryCryptoRng for Stalling {}

impl Drop for Stalling {
    fn drop(&mut self) {
        let _ = self.dropped.send(());
    }
}

/// A filler whose RNG is stalled inside its first call, the release handle, and the channel
/// that hears the RNG being dropped.
fn stalled_filler(seed: u64) -> (PoolFiller, mpsc::Sender<()>, mpsc::Receiver<()>) {
    let (entered, entered_rx) = mpsc::channel();
    let (release_tx, release) = mpsc::channel();
    let (dropped, dropped_rx) = mpsc::channel();
    let rng = Stalling {
        entered: Some(entered),
        release,
        dropped,
        inner: chacha(seed),
    };
    let pool = WrappingKeyPool::new().with_watermarks(SM2, 1, 1);
    let filler = PoolFiller::spawn(pool, rng).unwrap();
    entered_rx
        .recv_timeout(Duration::from_secs(30))
        .expect("the filler calls its RNG");
    (filler, release_tx, dropped_rx)
}

#[test]
fn drop_returns_at_once_while_the_rng_stalls() {
    let (filler, release, dropped) = stalled_filler(0x21_0009);
    let started = Instant::now();
    drop(filler); // before: joined the thread, so waited for the RNG (here up to 60 s)
    let took = started.elapsed();
    assert!(took < Duration::from_secs(1), "drop took {took:?}");
    // The detached thread exits on its own once the call returns, dropping its RNG.
    drop(release);
    dropped
        .recv_timeout(Duration::from_secs(30))
        .expect("the thread exits and drops its RNG");
}

#[test]
fn stop_waits_at_most_its_timeout() {
    let (filler, release, dropped) = stalled_filler(0x21_000a);
    let started = Instant::now();
    assert!(!filler.stop(Duration::from_millis(200)));
    let took = started.elapsed();
    assert!(
        took >= Duration::from_millis(200) && took < Duration::from_secs(2),
        "{took:?}"
    );
    drop(release);
    dropped
        .recv_timeout(Duration::from_secs(30))
        .expect("the thread exits and drops its RNG");
    // A healthy filler stops at once.
    let pool = WrappingKeyPool::new().with_watermarks(SM2, 1, 1);
    let filler = PoolFiller::spawn(pool, chacha(0x21_000b)).unwrap();
    assert!(filler.wait_until_full(Duration::from_secs(60)));
    assert!(filler.stop(Duration::from_secs(10)));
}

/// Sleeps `delay` in every call: an RSA-2048 keygen (hundreds of calls) takes many seconds.
struct Slow {
    delay: Duration,
    calls: StdArc<AtomicUsize>,
    inner: rand::rngs::ChaCha20Rng,
}

impl TryRng for Slow {
    type Error = core::convert::Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Self::Error> {
        let mut b = [0; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Self::Error> {
        let mut b = [0; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Self::Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        std::thread::sleep(self.delay);
        rand_core::Rng::fill_bytes(&mut self.inner, dst);
        Ok(())
    }
}
impl TryCryptoRng for Slow {}

#[test]
fn stop_abandons_a_keygen_in_progress() {
    let calls = StdArc::new(AtomicUsize::new(0));
    let rng = Slow {
        delay: Duration::from_millis(20),
        calls: StdArc::clone(&calls),
        inner: chacha(0x21_000c),
    };
    let pool = WrappingKeyPool::new().with_watermarks(RSA_2048, 1, 1);
    let filler = PoolFiller::spawn(pool, rng).unwrap();
    // The keygen has started (with `parallel` the RNG is called only for each prime search's
    // seed, and stop waits for the prime search in progress).
    let keygen_started = || calls.load(Ordering::SeqCst) >= 1;
    assert!(wait_for(Duration::from_secs(30), keygen_started));
    let started = Instant::now();
    assert!(filler.stop(Duration::from_secs(30)));
    let took = started.elapsed();
    // One thread: the keygen needed hundreds more calls (≥ 20 ms each, so seconds); it was
    // abandoned instead.
    let calls = calls.load(Ordering::SeqCst);
    assert!(calls < 100, "{calls} calls");
    assert!(took < Duration::from_secs(3), "stop took {took:?}");
}
