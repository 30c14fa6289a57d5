#!/usr/bin/env python3
"""Exit 0 when a Kafka listener answers ApiVersions v0 with error code 0, else 1.

Usage: kafka_ready.py HOST:PORT [TIMEOUT_SECONDS]
Standard library only, so it works before any client is installed.
"""
import socket
import struct
import sys
import time


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            client_id = b"ready-probe"
            body = struct.pack(">hhih", 18, 0, 1, len(client_id)) + client_id
            sock.sendall(struct.pack(">i", len(body)) + body)
            size = struct.unpack(">i", recv_exact(sock, 4))[0]
            frame = recv_exact(sock, size)
            correlation_id, error_code = struct.unpack(">ih", frame[:6])
            return correlation_id == 1 and error_code == 0
    except (OSError, struct.error, ConnectionError):
        return False


def recv_exact(sock: socket.socket, n: int) -> bytes:
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            raise ConnectionError("closed")
        buf += chunk
    return buf


def main() -> int:
    host, port = sys.argv[1].rsplit(":", 1)
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 0
    deadline = time.monotonic() + timeout
    while True:
        if answers(host, int(port)):
            return 0
        if time.monotonic() >= deadline:
            return 1
        time.sleep(0.1)


if __name__ == "__main__":
    sys.exit(main())
