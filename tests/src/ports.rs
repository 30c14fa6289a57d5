//! Free TCP ports for test processes.

use std::collections::BTreeSet;
use std::net::TcpListener;
use std::sync::Mutex;

use anyhow::{Context, Result};

/// Ports already handed out by this process, so two tests running in parallel threads never
/// receive the same one even though the OS may offer it again once our probe socket closes.
static HANDED_OUT: Mutex<BTreeSet<u16>> = Mutex::new(BTreeSet::new());

/// Attempts before giving up on finding a port this process has not handed out yet.
const FREE_PORT_ATTEMPTS_MAX: usize = 64;

/// Returns a loopback port that was free a moment ago and that this process never returned
/// before. Another process can still take it in between: callers treat a bind failure of the
/// broker as a test failure, which is rare enough in practice.
pub fn free_port() -> Result<u16> {
    for _ in 0..FREE_PORT_ATTEMPTS_MAX {
        let listener = TcpListener::bind("127.0.0.1:0").context("binding a probe socket")?;
        let port = listener
            .local_addr()
            .context("reading probe address")?
            .port();
        let mut seen = HANDED_OUT.lock().unwrap_or_else(|e| e.into_inner());
        if seen.insert(port) {
            return Ok(port);
        }
    }
    anyhow::bail!("no fresh loopback port after {FREE_PORT_ATTEMPTS_MAX} attempts")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn free_port_never_repeats_within_one_process() {
        let mut ports = std::collections::HashSet::new();
        for _ in 0..20 {
            assert!(ports.insert(free_port().expect("port")));
        }
    }
}
