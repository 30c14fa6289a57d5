"""pytest fixtures: a real `strata serve` node on free ports with a private data dir."""
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts" / "lib"))
import kafka_ready  # noqa: E402  (stdlib-only readiness probe shared with the shell scripts)

START_TIMEOUT_S = 60


def strata_binary() -> Path:
    if os.environ.get("STRATA_BIN"):
        return Path(os.environ["STRATA_BIN"])
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    return target / "debug" / "strata"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StrataNode:
    def __init__(self):
        binary = strata_binary()
        if not binary.is_file():
            raise RuntimeError(f"strata binary not found at {binary}; cargo build -p strata-tools or set STRATA_BIN")
        self.kafka_port = free_port()
        self.controller_port = free_port()
        while self.controller_port == self.kafka_port:
            self.controller_port = free_port()
        self.data_dir = tempfile.mkdtemp(prefix="strata-py-")
        self.log_path = self.data_dir + ".log"
        args = [
            str(binary), "serve",
            "--override", "node.id=1",
            "--override", "process.roles=broker,controller",
            "--override", "controller.listener.names=CONTROLLER",
            "--override", f"listeners=PLAINTEXT://127.0.0.1:{self.kafka_port},CONTROLLER://127.0.0.1:{self.controller_port}",
            "--override", f"controller.quorum.voters=1@127.0.0.1:{self.controller_port}",
            "--override", f"log.dirs={self.data_dir}",
        ]
        self.args = args
        self.log = open(self.log_path, "wb")
        self._spawn()

    def _spawn(self):
        self.process = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL)
        deadline = time.monotonic() + START_TIMEOUT_S
        while not kafka_ready.answers("127.0.0.1", self.kafka_port):
            if self.process.poll() is not None:
                raise RuntimeError(f"strata exited with {self.process.returncode}:\n{self.log_tail()}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"strata did not answer within {START_TIMEOUT_S}s:\n{self.log_tail()}")
            time.sleep(0.1)

    def kill_and_restart(self):
        """kill -9 the node, then start it again on the same ports and data directory."""
        self.process.kill()
        self.process.wait()
        self._spawn()

    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.kafka_port}"

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(Path(self.log_path).read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
        shutil.rmtree(self.data_dir, ignore_errors=True)
        try:
            os.unlink(self.log_path)
        except OSError:
            pass


@pytest.fixture(scope="module")
def strata():
    node = StrataNode()
    yield node
    node.stop()


@pytest.fixture
def topic_name(request):
    """A unique topic name per test."""
    safe = "".join(c if c.isalnum() else "-" for c in request.node.name)[:60]
    return f"py-{safe}-{uuid.uuid4().hex[:8]}"
