//! The warm wrapping-key pool: the core's `PoolFiller` (a background thread that refills a
//! `WrappingKeyPool` between watermarks), one per core so that RSA key generation uses every
//! core. `GetParametersForImport` takes a key from the pool and generates one itself only when
//! the pool of that spec is empty.

use std::collections::BTreeMap;

use kms_import::{Partition, PoolFiller, WrappingKeyPool, WrappingKeySpec, WrappingPrivateKey};

use crate::rng::os_rng;

/// Keys kept per wrapping key spec (`--pool RSA_4096=8,RSA_2048=8,...`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolSizes(BTreeMap<WrappingKeySpec, usize>);

impl Default for PoolSizes {
    /// RSA_2048=8, RSA_3072=4, RSA_4096=4, SM2=8 (SM2 only in aws-cn, where it is used).
    fn default() -> Self {
        PoolSizes(BTreeMap::from([
            (WrappingKeySpec::Rsa2048, 8),
            (WrappingKeySpec::Rsa3072, 4),
            (WrappingKeySpec::Rsa4096, 4),
            (WrappingKeySpec::Sm2, 8),
        ]))
    }
}

/// Parses `SPEC=N,SPEC=N`; specs not named keep their default size.
pub fn parse_sizes(text: &str) -> Result<PoolSizes, String> {
    let mut sizes = PoolSizes::default();
    for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let (spec, n) = item
            .split_once('=')
            .ok_or_else(|| format!("'{item}' is not SPEC=N"))?;
        let spec: WrappingKeySpec = spec.trim().parse().map_err(|e| format!("{e}"))?;
        let n: usize = n
            .trim()
            .parse()
            .ok()
            .filter(|n| *n <= 1024)
            .ok_or_else(|| format!("'{item}': N must be a number from 0 to 1024"))?;
        sizes.0.insert(spec, n);
    }
    Ok(sizes)
}

/// One filler per core, each keeping its share of every spec's keys.
pub struct Pool {
    fillers: Vec<PoolFiller>,
    next: std::sync::atomic::AtomicUsize,
}

impl Pool {
    /// Starts the fillers. SM2 keys are kept only in aws-cn (the only partition that has SM2).
    pub fn start(sizes: &PoolSizes, partition: Partition) -> Result<Self, String> {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let mut fillers = Vec::with_capacity(cores);
        for i in 0..cores {
            let mut pool = WrappingKeyPool::new();
            for (&spec, &total) in &sizes.0 {
                if spec == WrappingKeySpec::Sm2 && partition != Partition::AwsCn {
                    continue;
                }
                // This filler's share: total split over the cores, the remainder to the first.
                let share = total / cores + usize::from(i < total % cores);
                if share > 0 {
                    pool = pool.with_watermarks(spec, share.div_ceil(2), share);
                }
            }
            fillers.push(
                PoolFiller::spawn(pool, os_rng())
                    .map_err(|e| format!("cannot start the pool filler: {e}"))?,
            );
        }
        Ok(Pool {
            fillers,
            next: std::sync::atomic::AtomicUsize::new(0),
        })
    }

    /// A pooled key of `spec`, if any filler has one (asked round-robin).
    pub fn take(&self, spec: WrappingKeySpec) -> Option<WrappingPrivateKey> {
        let n = self.fillers.len();
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (0..n).find_map(|i| self.fillers[(start + i) % n].take(spec))
    }

    /// Waits until every filler holds its high watermark of every spec; `false` on timeout.
    pub fn wait_until_full(&self, timeout: std::time::Duration) -> bool {
        let deadline = std::time::Instant::now() + timeout;
        self.fillers.iter().all(|f| {
            f.wait_until_full(deadline.saturating_duration_since(std::time::Instant::now()))
        })
    }

    /// Keys of `spec` ready now.
    #[allow(dead_code)]
    pub fn len(&self, spec: WrappingKeySpec) -> usize {
        self.fillers.iter().map(|f| f.len(spec)).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pool_sizes_parse() {
        let s = parse_sizes("RSA_4096=2, SM2=0").unwrap();
        assert_eq!(s.0[&WrappingKeySpec::Rsa4096], 2);
        assert_eq!(s.0[&WrappingKeySpec::Sm2], 0);
        assert_eq!(s.0[&WrappingKeySpec::Rsa2048], 8);
        assert!(parse_sizes("RSA_1024=1").is_err());
        assert!(parse_sizes("RSA_2048").is_err());
        assert!(parse_sizes("RSA_2048=x").is_err());
    }
}
