"""Scan: list and hash every file under the inbox."""

from __future__ import annotations

from pathlib import Path

from supplyline.inbox import InboxFile, load_hash_cache, now_ns, save_hash_cache, scan_inbox


def scan(inbox: Path, max_bytes: int, hash_cache: Path | None) -> tuple[InboxFile, ...]:
    """The inbox's files with their hashes, reusing the hash of a file whose stamps (size,
    mtime, ctime, inode) are those recorded in ``hash_cache`` (None: hash every file)."""
    started = now_ns()
    known = load_hash_cache(hash_cache) if hash_cache else None
    files = scan_inbox(inbox, max_bytes, known)
    if hash_cache:
        save_hash_cache(hash_cache, files, started, known)
    return tuple(files)
