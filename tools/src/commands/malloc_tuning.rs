//! glibc malloc settings for the broker's buffer pattern.
//!
//! Every fetch allocates a response buffer of up to `fetch.max.bytes` (about 1 MiB) and frees it
//! a moment later. With glibc's defaults such buffers are served by fresh `mmap`s, or the freed
//! heap top is trimmed back to the kernel, so every fetch faults its buffer in page by page:
//! profiles of 1 GiB consumes of small batches showed ~20% of broker CPU in those faults, and
//! consume rose from 0.6 to 1.65 GB/s with the settings below. The cost is bounded: at most
//! `TRIM_THRESHOLD_BYTES` of freed memory stays with the process after a burst.

/// Freed memory at the top of the heap kept for reuse instead of being returned to the kernel.
const TRIM_THRESHOLD_BYTES: i32 = 128 << 20;
/// Allocations at least this large get their own `mmap`; fetch and produce buffers stay below it.
const MMAP_THRESHOLD_BYTES: i32 = 32 << 20;

/// Applies the settings; a no-op on platforms without glibc's `mallopt`.
pub(crate) fn tune_for_broker_buffers() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only adjusts allocator parameters; it is called once at start, before
        // the runtime spawns threads, with parameter ids and values glibc documents as valid.
        #[allow(unsafe_code)]
        let applied = unsafe {
            libc::mallopt(libc::M_TRIM_THRESHOLD, TRIM_THRESHOLD_BYTES) == 1
                && libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) == 1
        };
        if !applied {
            tracing::warn!("glibc mallopt refused the broker's buffer settings; using defaults");
        }
    }
}
