//! Where the `strata` binary under test lives.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

/// Environment variable that names the `strata` binary explicitly (wins over discovery).
pub const STRATA_BIN_ENV: &str = "STRATA_BIN";

/// Locates the built `strata` binary.
///
/// Order: `$STRATA_BIN`; else `<target dir>/debug/strata`, where the target dir is found from
/// the running test executable (`<target>/debug/deps/<test>-<hash>`), which respects any
/// `CARGO_TARGET_DIR`. The test crate cannot make cargo build another package's binary, so a
/// missing binary is an error that says how to build it, never a silent skip.
pub fn strata_binary() -> Result<PathBuf> {
    if let Some(explicit) = std::env::var_os(STRATA_BIN_ENV) {
        let path = PathBuf::from(explicit);
        if !path.is_file() {
            bail!("{STRATA_BIN_ENV}={} does not name a file", path.display());
        }
        return Ok(path);
    }
    let exe = std::env::current_exe().context("locating the running test executable")?;
    let candidates = candidate_paths(&exe);
    for candidate in &candidates {
        if candidate.is_file() {
            return Ok(candidate.clone());
        }
    }
    bail!(
        "strata binary not found (looked at {}); build it with `cargo build -p strata-tools` \
         or set {STRATA_BIN_ENV}",
        candidates
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Paths where the binary may sit, given the test executable's path: the profile directory
/// that contains `deps/` (usually `<target>/debug`), then its parent's `debug/`.
fn candidate_paths(test_exe: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let exe_dir = test_exe.parent();
    let profile_dir = match exe_dir {
        Some(dir) if dir.file_name().is_some_and(|n| n == "deps") => dir.parent(),
        other => other,
    };
    if let Some(profile_dir) = profile_dir {
        out.push(profile_dir.join("strata"));
        if let Some(target_dir) = profile_dir.parent() {
            let debug = target_dir.join("debug").join("strata");
            if !out.contains(&debug) {
                out.push(debug);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binary_is_looked_up_in_the_profile_dir_above_deps() {
        let found = candidate_paths(Path::new("/t/debug/deps/bad_input-0123"));
        assert_eq!(found[0], PathBuf::from("/t/debug/strata"));
    }

    #[test]
    fn release_test_executable_also_considers_the_debug_binary() {
        let found = candidate_paths(Path::new("/t/release/deps/x-1"));
        assert_eq!(
            found,
            vec![
                PathBuf::from("/t/release/strata"),
                PathBuf::from("/t/debug/strata")
            ]
        );
    }
}
