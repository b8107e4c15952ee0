"""Slow clients against the real front door of `lab up`: 80 connections that trickle in
their request headers one byte every 2 s must not keep /healthz or /livez from answering
within a second (a threaded server would give each of them a thread to wait in)."""

from __future__ import annotations

import socket
import threading
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.docker
SLOW_CLIENTS = 80
DRIP_SECONDS = 2.0
# A header that is never finished while the test runs: one byte per drip.
TRICKLE = b"GET /livez HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + b"x" * 4096


def timed_get(url: str, timeout: float = 8.0) -> tuple[int | None, float]:
    """(status or None when it never answered, seconds)."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError:
        status = None
    return status, time.monotonic() - started


class Drip:
    """SLOW_CLIENTS connections, each sent one more byte of TRICKLE every DRIP_SECONDS."""

    def __init__(self, port: int) -> None:
        self.socks = [socket.create_connection(("127.0.0.1", port), timeout=5)
                      for _ in range(SLOW_CLIENTS)]
        self.sent = 0
        self.closed: set[int] = set()
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while not self.stop.is_set() and self.sent < len(TRICKLE):
            for n, sock in enumerate(self.socks):
                if n not in self.closed:
                    try:
                        sock.sendall(TRICKLE[self.sent:self.sent + 1])
                    except OSError:
                        self.closed.add(n)
            self.sent += 1
            self.stop.wait(DRIP_SECONDS)

    def still_open(self) -> int:
        """Connections the server has neither closed nor answered."""
        count = 0
        for n, sock in enumerate(self.socks):
            if n in self.closed:
                continue
            sock.setblocking(False)
            try:
                sock.recv(1)  # any byte (an answer) or b"" (closed): not waiting any more
            except BlockingIOError:
                count += 1
            except OSError:
                pass
            finally:
                sock.setblocking(True)
        return count

    def close(self) -> None:
        self.stop.set()
        self.thread.join(5)
        for sock in self.socks:
            sock.close()


def test_slow_clients_do_not_block_health_checks(quick_sweep_lab):
    lab = quick_sweep_lab
    drip = Drip(lab.port)
    timings: list[tuple[str, int | None, float]] = []
    try:
        time.sleep(DRIP_SECONDS + 0.5)  # every connection has sent a byte or two
        for _ in range(3):
            for path in ("/healthz", "/livez"):
                status, took = timed_get(f"{lab.url}{path}")
                timings.append((path, status, took))
            time.sleep(0.5)
        open_at_end = drip.still_open()
    finally:
        drip.close()
    print("under", SLOW_CLIENTS, "slow clients:",
          ", ".join(f"{path} {status} in {took:.3f} s" for path, status, took in timings))
    assert open_at_end >= SLOW_CLIENTS - 2, f"only {open_at_end} slow clients were still waiting"
    assert all(status == 200 and took < 1.0 for _, status, took in timings), timings
    # Once they are gone, the lab answers as before.
    status, took = timed_get(f"{lab.url}/healthz")
    assert status == 200 and took < 1.0, (status, took)
