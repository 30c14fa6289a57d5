//! A `strata serve` child process owned by one test.
//!
//! The process listens on two free loopback ports (client listener and controller listener),
//! keeps its data in a private temporary directory, and writes its stdout and stderr to a log
//! file outside that directory (so the log never appears inside `log.dirs`). It can be stopped
//! gracefully (SIGTERM), crashed (SIGKILL), and started again on the same directory and ports.
//! Dropping it kills the child, so a failing test never leaks a broker.

use std::fs::File;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use tempfile::TempDir;

use crate::binary::strata_binary;
use crate::ports::free_port;
use crate::raw_client::RawClient;
use crate::requests::api_versions;

/// How long a start may take before the test fails (override: `STRATA_START_TIMEOUT_SECS`).
pub const START_TIMEOUT_DEFAULT: Duration = Duration::from_secs(60);
/// How long a SIGTERM may take to end the process before it counts as a hang.
pub const TERMINATE_TIMEOUT: Duration = Duration::from_secs(30);
/// Lines of the broker's log included in error messages.
const LOG_TAIL_LINES: usize = 40;

/// Configures a [`StrataProcess`] before it starts.
#[derive(Debug, Default)]
pub struct StrataProcessBuilder {
    overrides: Vec<(String, String)>,
    data_dir: Option<PathBuf>,
    extra_args: Vec<String>,
}

impl StrataProcessBuilder {
    /// Adds `--override key=value` (after the harness's own, so it wins).
    pub fn with_override(mut self, key: &str, value: &str) -> Self {
        self.overrides.push((key.to_owned(), value.to_owned()));
        self
    }

    /// Uses `dir` as `log.dirs` instead of a fresh temporary directory (the caller owns it).
    pub fn with_data_dir(mut self, dir: &Path) -> Self {
        self.data_dir = Some(dir.to_path_buf());
        self
    }

    /// Appends raw arguments after `serve` (e.g. `--config <file>`).
    pub fn with_arg(mut self, arg: &str) -> Self {
        self.extra_args.push(arg.to_owned());
        self
    }

    /// Starts the process and waits until it answers ApiVersions.
    pub fn start(self) -> Result<StrataProcess> {
        let mut process = self.prepare()?;
        process.spawn()?;
        process.wait_ready(start_timeout())?;
        Ok(process)
    }

    /// Starts the process expecting it to refuse to run: returns its exit status and its output.
    /// Fails if it is still serving after `timeout`.
    pub fn start_expecting_exit(self, timeout: Duration) -> Result<(ExitStatus, String)> {
        let mut process = self.prepare()?;
        process.spawn()?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = process.try_wait()? {
                return Ok((status, process.log_contents()));
            }
            if Instant::now() >= deadline {
                bail!(
                    "expected strata to exit, but it is still running after {timeout:?}; log:\n{}",
                    process.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn prepare(self) -> Result<StrataProcess> {
        let binary = strata_binary()?;
        let (data_dir, owned_dir) = match self.data_dir {
            Some(dir) => (dir, None),
            None => {
                let dir = tempfile::Builder::new()
                    .prefix("strata-data-")
                    .tempdir()
                    .context("creating data dir")?;
                (dir.path().to_path_buf(), Some(dir))
            }
        };
        let scratch = tempfile::Builder::new()
            .prefix("strata-test-")
            .tempdir()
            .context("creating scratch dir")?;
        Ok(StrataProcess {
            binary,
            data_dir,
            _owned_data_dir: owned_dir,
            log_path: scratch.path().join("strata.log"),
            _scratch: scratch,
            kafka_port: free_port()?,
            controller_port: free_port()?,
            overrides: self.overrides,
            extra_args: self.extra_args,
            child: None,
            starts: 0,
        })
    }
}

/// A running (or stopped, restartable) `strata serve` process.
pub struct StrataProcess {
    binary: PathBuf,
    data_dir: PathBuf,
    _owned_data_dir: Option<TempDir>,
    log_path: PathBuf,
    _scratch: TempDir,
    kafka_port: u16,
    controller_port: u16,
    overrides: Vec<(String, String)>,
    extra_args: Vec<String>,
    child: Option<Child>,
    starts: u32,
}

impl StrataProcess {
    /// A builder with no extra configuration.
    pub fn builder() -> StrataProcessBuilder {
        StrataProcessBuilder::default()
    }

    /// Starts a node with default configuration on a fresh directory.
    pub fn start() -> Result<Self> {
        Self::builder().start()
    }

    /// `127.0.0.1:<port>` of the client listener.
    pub fn bootstrap(&self) -> String {
        format!("127.0.0.1:{}", self.kafka_port)
    }

    /// The client listener port.
    pub fn kafka_port(&self) -> u16 {
        self.kafka_port
    }

    /// The node's `log.dirs`.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// The child's pid while it runs.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// A new raw connection to the client listener.
    pub fn connect(&self) -> Result<RawClient> {
        RawClient::connect(self.bootstrap())
    }

    /// The arguments passed to the binary: `serve`, then one `--override` per setting.
    pub fn command_args(&self) -> Vec<String> {
        let mut args = vec!["serve".to_owned()];
        args.extend(self.extra_args.iter().cloned());
        let base = [
            ("node.id", "1".to_owned()),
            ("process.roles", "broker,controller".to_owned()),
            ("controller.listener.names", "CONTROLLER".to_owned()),
            (
                "listeners",
                format!(
                    "PLAINTEXT://127.0.0.1:{},CONTROLLER://127.0.0.1:{}",
                    self.kafka_port, self.controller_port
                ),
            ),
            (
                "controller.quorum.voters",
                format!("1@127.0.0.1:{}", self.controller_port),
            ),
            ("log.dirs", self.data_dir.display().to_string()),
        ];
        for (key, value) in base
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .chain(self.overrides.iter().cloned())
        {
            args.push("--override".to_owned());
            args.push(format!("{key}={value}"));
        }
        args
    }

    fn spawn(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("strata is already running (pid {:?})", self.pid());
        }
        let log = File::options()
            .create(true)
            .append(true)
            .open(&self.log_path)
            .context("opening broker log file")?;
        let log_err = log.try_clone().context("cloning broker log handle")?;
        self.starts += 1;
        let child = Command::new(&self.binary)
            .args(self.command_args())
            .env(
                "RUST_LOG",
                std::env::var("STRATA_TEST_LOG").unwrap_or_else(|_| "info".to_owned()),
            )
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .process_group(0)
            .spawn()
            .with_context(|| format!("spawning {}", self.binary.display()))?;
        self.child = Some(child);
        Ok(())
    }

    /// Waits until the client listener answers ApiVersions with no error.
    pub fn wait_ready(&mut self, timeout: Duration) -> Result<()> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait()? {
                bail!(
                    "strata exited with {status} before answering; log:\n{}",
                    self.log_tail()
                );
            }
            let last_error = match self.probe() {
                Ok(()) => return Ok(()),
                Err(e) => format!("{e:#}"),
            };
            if Instant::now() >= deadline {
                bail!(
                    "strata did not answer ApiVersions on {} within {timeout:?} (last: {last_error}); log:\n{}",
                    self.bootstrap(),
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn probe(&self) -> Result<()> {
        let mut client = self.connect()?;
        let response = api_versions(&mut client)?;
        if response.error_code != 0 {
            bail!("ApiVersions error {}", response.error_code);
        }
        Ok(())
    }

    /// Polls the child without blocking; `Some(status)` once it has exited (then forgets it).
    pub fn try_wait(&mut self) -> Result<Option<ExitStatus>> {
        let Some(child) = self.child.as_mut() else {
            return Ok(None);
        };
        let status = child.try_wait().context("polling strata")?;
        if status.is_some() {
            self.child = None;
        }
        Ok(status)
    }

    fn signal(&self, signal: libc::c_int) -> Result<()> {
        let pid = self.pid().ok_or_else(|| anyhow!("strata is not running"))?;
        let pid = libc::pid_t::try_from(pid).context("pid out of range")?;
        // SAFETY: kill(2) with a pid we spawned and still own (not yet reaped) cannot touch
        // another process; it has no memory-safety preconditions.
        #[allow(unsafe_code)]
        let rc = unsafe { libc::kill(pid, signal) };
        if rc != 0 {
            return Err(std::io::Error::last_os_error()).context("sending signal to strata");
        }
        Ok(())
    }

    /// Sends SIGTERM and waits for a clean exit; returns the exit status. A process that does
    /// not exit within [`TERMINATE_TIMEOUT`] is killed and reported as an error.
    pub fn terminate(&mut self) -> Result<ExitStatus> {
        self.signal(libc::SIGTERM)?;
        let deadline = Instant::now() + TERMINATE_TIMEOUT;
        loop {
            if let Some(status) = self.try_wait()? {
                return Ok(status);
            }
            if Instant::now() >= deadline {
                let tail = self.log_tail();
                self.kill()?;
                bail!("strata ignored SIGTERM for {TERMINATE_TIMEOUT:?}; log:\n{tail}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends SIGKILL (a crash: no flush, no shutdown hooks) and reaps the child.
    pub fn kill(&mut self) -> Result<()> {
        if self.child.is_none() {
            return Ok(());
        }
        self.signal(libc::SIGKILL)?;
        if let Some(mut child) = self.child.take() {
            child.wait().context("reaping killed strata")?;
        }
        Ok(())
    }

    /// Starts the process again on the same data directory and ports, and waits until ready.
    pub fn restart(&mut self) -> Result<()> {
        if self.child.is_some() {
            bail!("restart called while strata is running; terminate or kill it first");
        }
        self.spawn()?;
        self.wait_ready(start_timeout())
    }

    /// Starts again on the same directory and ports expecting the process to refuse: returns
    /// its exit status and the output of this attempt only.
    pub fn restart_expecting_exit(&mut self, timeout: Duration) -> Result<(ExitStatus, String)> {
        let before = self.log_contents().len();
        self.spawn()?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) = self.try_wait()? {
                let all = self.log_contents();
                return Ok((status, all.get(before..).unwrap_or_default().to_owned()));
            }
            if Instant::now() >= deadline {
                bail!(
                    "expected strata to exit, but it is still running after {timeout:?}; log:\n{}",
                    self.log_tail()
                );
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// How many times the process has been spawned.
    pub fn starts(&self) -> u32 {
        self.starts
    }

    /// Everything the process (all its runs) wrote to stdout and stderr.
    pub fn log_contents(&self) -> String {
        std::fs::read(&self.log_path)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }

    /// The last lines of the log, for error messages.
    pub fn log_tail(&self) -> String {
        let all = self.log_contents();
        let lines: Vec<&str> = all.lines().collect();
        lines[lines.len().saturating_sub(LOG_TAIL_LINES)..].join("\n")
    }

    /// Peak resident set size (`VmHWM`) of the running process, in KiB.
    pub fn peak_rss_kib(&self) -> Result<u64> {
        let pid = self.pid().ok_or_else(|| anyhow!("strata is not running"))?;
        let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
        status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or_else(|| anyhow!("no VmHWM in /proc/{pid}/status"))
    }
}

impl Drop for StrataProcess {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if std::thread::panicking() && std::env::var_os("STRATA_TEST_SHOW_LOG").is_some() {
            eprintln!("---- strata log ----\n{}", self.log_contents());
        }
    }
}

fn start_timeout() -> Duration {
    std::env::var("STRATA_START_TIMEOUT_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .map(Duration::from_secs)
        .unwrap_or(START_TIMEOUT_DEFAULT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unstarted() -> StrataProcess {
        StrataProcess {
            binary: PathBuf::from("/nonexistent/strata"),
            data_dir: PathBuf::from("/data"),
            _owned_data_dir: None,
            log_path: PathBuf::from("/nonexistent/log"),
            _scratch: tempfile::tempdir().expect("tempdir"),
            kafka_port: 9100,
            controller_port: 9101,
            overrides: vec![("num.partitions".into(), "4".into())],
            extra_args: vec![],
            child: None,
            starts: 0,
        }
    }

    #[test]
    fn command_line_names_both_listeners_voters_and_data_dir() {
        let args = unstarted().command_args();
        assert_eq!(args[0], "serve");
        let joined = args.join(" ");
        assert!(joined.contains(
            "--override listeners=PLAINTEXT://127.0.0.1:9100,CONTROLLER://127.0.0.1:9101"
        ));
        assert!(joined.contains("--override controller.quorum.voters=1@127.0.0.1:9101"));
        assert!(joined.contains("--override log.dirs=/data"));
    }

    #[test]
    fn caller_overrides_come_after_the_defaults_so_they_win() {
        let args = unstarted().command_args();
        assert_eq!(args.last().map(String::as_str), Some("num.partitions=4"));
    }

    #[test]
    fn signalling_a_process_that_is_not_running_is_an_error() {
        let mut process = unstarted();
        assert!(process.terminate().is_err());
        assert!(process.kill().is_ok(), "killing nothing is a no-op");
    }
}
