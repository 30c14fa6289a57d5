//! Byte-rate quotas for copy and fetch (`remote.log.manager.{copy,fetch}.max.bytes.per.second`,
//! KIP-956): a token bucket holding at most one second of bytes.

use std::time::{Duration, Instant};

use parking_lot::Mutex;

/// A token bucket over bytes. `acquire(n)` waits until `n` bytes fit in the rate; a request
/// larger than one second's allowance goes into debt, so it waits proportionally afterwards.
/// Thread-safety: `Send + Sync`; waiters sleep without holding the lock.
#[derive(Debug)]
pub(crate) struct ByteRateQuota {
    bytes_per_second: u64,
    state: Mutex<QuotaState>,
}

#[derive(Debug)]
struct QuotaState {
    /// Bytes available now; negative while in debt.
    available: f64,
    refilled_at: Instant,
}

impl ByteRateQuota {
    pub(crate) fn new(bytes_per_second: u64) -> Self {
        Self {
            bytes_per_second: bytes_per_second.max(1),
            state: Mutex::new(QuotaState {
                available: bytes_per_second as f64,
                refilled_at: Instant::now(),
            }),
        }
    }

    fn unlimited(&self) -> bool {
        self.bytes_per_second >= i64::MAX as u64
    }

    /// Takes `bytes` from the bucket, sleeping first while it is in debt.
    pub(crate) async fn acquire(&self, bytes: u64) {
        if self.unlimited() || bytes == 0 {
            return;
        }
        let wait = {
            let mut state = self.state.lock();
            let now = Instant::now();
            let rate = self.bytes_per_second as f64;
            let elapsed = now.duration_since(state.refilled_at).as_secs_f64();
            state.available = (state.available + elapsed * rate).min(rate);
            state.refilled_at = now;
            state.available -= bytes as f64;
            if state.available < 0.0 {
                Duration::from_secs_f64(-state.available / rate)
            } else {
                Duration::ZERO
            }
        };
        if !wait.is_zero() {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn acquiring_beyond_the_rate_waits() {
        let quota = ByteRateQuota::new(1_000_000);
        let start = Instant::now();
        quota.acquire(1_000_000).await;
        assert!(
            start.elapsed() < Duration::from_millis(100),
            "first second is free"
        );
        quota.acquire(200_000).await;
        assert!(
            start.elapsed() >= Duration::from_millis(150),
            "debt makes it wait"
        );
    }
}
