"""A program on a real pseudo-terminal, driven by what it prints (for interactive shells)."""

from __future__ import annotations

import contextlib
import os
import pty
import select
import subprocess
import time


class Terminal:
    """Runs ``argv`` with a pty as its terminal; ``expect`` reads until a text appears."""

    def __init__(self, argv: list[str], timeout: float = 60.0) -> None:
        self.timeout = timeout
        self._master, slave = pty.openpty()
        env = {**os.environ, "TERM": "xterm", "COLUMNS": "120", "LINES": "40"}
        self.proc = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, close_fds=True
        )
        os.close(slave)
        self.seen = b""

    def expect(self, text: str) -> None:
        """Wait until ``text`` has been printed since the last match; fail with what was seen."""
        wanted = text.encode()
        deadline = time.monotonic() + self.timeout
        while wanted not in self.seen:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{text!r} not seen; got {self.seen[-600:]!r}")
            ready, _, _ = select.select([self._master], [], [], 0.1)
            if not ready:
                continue
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # the program ended
                raise TimeoutError(
                    f"{text!r} not seen before exit; got {self.seen[-600:]!r}"
                ) from None
            if b"\x1b[6n" in chunk:  # a cursor-position query: answer as a terminal would
                os.write(self._master, b"\x1b[1;1R")
            self.seen += chunk
        self.seen = self.seen[self.seen.index(wanted) + len(wanted) :]

    def send(self, keys: str) -> None:
        os.write(self._master, keys.encode())

    def wait(self, timeout: float = 30.0) -> int:
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            select.select([self._master], [], [], 0.1)
            with contextlib.suppress(OSError):
                os.read(self._master, 65536)
        return self.proc.wait(timeout=1)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        os.close(self._master)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
