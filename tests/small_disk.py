"""A real small disk for the fault tests: a size-limited tmpfs mounted on a temporary folder.

Mounting needs root (the test machines run as root). Where the kernel refuses, the tests that
need a full disk are skipped with that reason: there is no stand-in for a real ENOSPC here.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


@contextmanager
def small_disk(folder: Path, size: str) -> Iterator[Path]:
    """Mount a tmpfs of ``size`` (e.g. "64m") on ``folder``; unmount it afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)],
        capture_output=True,
        text=True,
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def resize(folder: Path, size: str | int) -> None:
    """Grow or shrink the tmpfs on ``folder`` (bytes, or a size like "64m")."""
    subprocess.run(["mount", "-o", f"remount,size={size}", str(folder)], check=True)


def used_bytes(folder: Path) -> int:
    usage = shutil.disk_usage(folder)
    return usage.total - usage.free


def fill(folder: Path) -> Path:
    """Take every free byte of the disk under ``folder`` with one file."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_APPEND)
    try:
        for chunk in (1 << 20, 1 << 12, 1):  # big writes, then the last pages
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, b"\0" * chunk)
    finally:
        os.close(fd)
    assert os.statvfs(folder).f_bavail == 0
    return filler
