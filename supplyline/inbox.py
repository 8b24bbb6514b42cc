"""Reading the inbox: list files safely, hash them, and parse new ones. Never writes to the inbox."""

from __future__ import annotations

import hashlib
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from supplyline.parsers import (
    MAX_UNPACKED_BYTES,
    TABLE_FORMATS,
    TEXT_FORMATS,
    ParsedDocument,
    ParsedTable,
    ParseError,
    parse_document,
    parse_table,
)

_CHUNK = 1 << 20


@dataclass
class InboxFile:
    """One entry of the inbox as found on disk."""

    path: str  # relative to the inbox, POSIX separators
    abs_path: str  # a plain string: building 100,000 Path objects costs a no-op night a second
    size_bytes: int
    sha256: str
    format: str | None
    kind: str | None  # text | table | None (not ingestible)
    skip_reason: str | None = None
    stamp: tuple[int, int, int, int] | None = None  # (size, mtime_ns, ctime_ns, inode) when hashed
    max_bytes: int = (
        MAX_UNPACKED_BYTES  # the scan's size limit, which what the file unpacks to must meet too
    )


@dataclass
class ParsedFile:
    """Outcome of parsing one new file: a document, tables, or an error."""

    file: InboxFile
    document: ParsedDocument | None = None
    tables: list[ParsedTable] = field(default_factory=list)
    error: str | None = None


def file_format(name: str) -> tuple[str | None, str | None]:
    """(format, kind) from the file name's extension; (None, None) when unsupported."""
    ext = os.path.splitext(name)[1].lower()
    if ext in TEXT_FORMATS:
        return TEXT_FORMATS[ext], "text"
    if ext in TABLE_FORMATS:
        return TABLE_FORMATS[ext], "table"
    return None, None


def sha256_of(path: Path | str) -> tuple[str, int]:
    """Content hash and size, read in chunks so large files never sit in memory."""
    digest, size = hashlib.sha256(), 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return digest.hexdigest(), size


# A file whose stamp (size, mtime, ctime, inode) is unchanged since it was hashed keeps its
# hash: a no-op night then stats the archive instead of reading it. ctime cannot be set from
# user space, so rewriting a file in place (even with its mtime put back) changes the stamp.
HashCache = dict[str, tuple[tuple[int, int, int, int], str]]
_CACHE_SCHEMA = {
    "path": pl.String,
    "size": pl.Int64,
    "mtime_ns": pl.Int64,
    "ctime_ns": pl.Int64,
    "inode": pl.Int64,
    "sha256": pl.String,
}
# Like git's "racily clean" entries: a file changed within this many ns of the scan could be
# changed again inside the clock's granularity without a new stamp, so it is not cached.
_RACY_NS = 2_000_000_000


def scan_inbox(inbox: Path, max_bytes: int, known: HashCache | None = None) -> list[InboxFile]:
    """Every file under the inbox, sorted by path; links and odd entries are listed as skipped.

    ``known`` (from ``load_hash_cache``) lets files whose stamp has not changed skip hashing.
    """
    inbox = Path(inbox)
    if not inbox.is_dir():
        raise FileNotFoundError(f"inbox folder not found: {inbox}")
    if not os.access(inbox, os.R_OK | os.X_OK):  # listing it would find nothing, silently
        raise PermissionError(f"inbox folder is not readable: {inbox}")
    known = known or {}
    found = []
    for path, rel, info in _walk(str(inbox), ""):
        name = display_name(rel)
        found.append(_inspect(path, name, max_bytes, info, known.get(name)))
    return sorted(found, key=lambda f: f.path)


# Errors that the same scan would meet again a second later: retrying them only delays the
# failure (a missing inbox took 23 s and three tracebacks to report).
PERMANENT_SCAN_ERRORS = (FileNotFoundError, NotADirectoryError, PermissionError)


def retry_can_help(task, task_run, state) -> bool:
    """Prefect ``retry_condition_fn`` for the scan: retry a passing read error, not an inbox
    that is missing, not a folder or not readable."""
    return not isinstance(state.data, PERMANENT_SCAN_ERRORS)


def _walk(folder: str, prefix: str) -> Iterator[tuple[str, str, os.stat_result | None]]:
    """(path, inbox-relative path, lstat or None) of every entry under ``folder``, skipping
    hidden folders. Links to folders are listed like files and never followed."""
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if not entry.name.startswith("."):
                yield from _walk(entry.path, f"{prefix}{entry.name}/")
            continue
        try:
            info = entry.stat(follow_symlinks=False)
        except OSError:  # gone since the listing
            info = None
        yield entry.path, f"{prefix}{entry.name}", info


def load_hash_cache(path: Path) -> HashCache:
    """Hashes remembered by an earlier scan; an unreadable cache is an empty one (it is only
    a shortcut: every hash in it can be computed again)."""
    try:
        frame = pl.read_parquet(path, schema=_CACHE_SCHEMA) if path.exists() else None
    except (OSError, pl.exceptions.PolarsError):
        return {}
    if frame is None:
        return {}
    return {p: ((size, mt, ct, ino), sha) for p, size, mt, ct, ino, sha in frame.iter_rows()}


def save_hash_cache(
    path: Path, files: list[InboxFile], scanned_at_ns: int, known: HashCache | None = None
) -> int:
    """Remember the hashes of this scan (written atomically, and only when they differ from
    ``known``, the cache the scan used); returns how many are kept."""
    rows = [
        (f.path, *f.stamp, f.sha256)
        for f in files
        if f.stamp is not None and scanned_at_ns - max(f.stamp[1], f.stamp[2]) > _RACY_NS
    ]
    if (
        known is not None
        and len(known) == len(rows)
        and all(known.get(r[0]) == (r[1:5], r[5]) for r in rows)
    ):
        return len(rows)
    frame = pl.DataFrame(rows, schema=_CACHE_SCHEMA, orient="row")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    frame.write_parquet(tmp)
    os.replace(tmp, path)
    return frame.height


def now_ns() -> int:
    """Wall clock in ns, the clock file stamps use."""
    return time.time_ns()


def display_name(rel: str) -> str:
    """The inbox-relative name as valid Unicode text.

    Names that are not valid UTF-8 on disk come from os.walk with lone surrogates, which no
    database, email or JSON encoder accepts; such bytes are shown as ``\\xNN`` escapes. The
    file itself is still read through its real path.
    """
    return rel.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _not_a_file_to_read(abs_path: str, name: str, info: os.stat_result | None) -> str | None:
    """Why an entry is listed but never read (gone, a link, hidden, not a regular file)."""
    if info is None:
        return "cannot read file: gone while listing"
    if stat.S_ISLNK(info.st_mode):
        target = display_name(os.path.realpath(abs_path))
        return f"symbolic link to {target} (links are never followed)"
    if name.startswith("."):
        return "hidden file"
    if not stat.S_ISREG(info.st_mode):
        return "not a regular file"
    return None


def _inspect(
    abs_path: str,
    rel: str,
    max_bytes: int,
    info: os.stat_result | None,
    cached: tuple[tuple[int, int, int, int], str] | None = None,
) -> InboxFile:
    name = os.path.basename(abs_path)
    fmt, kind = file_format(name)
    if (why := _not_a_file_to_read(abs_path, name, info)) or info is None:
        return InboxFile(rel, abs_path, 0, _name_hash(rel), fmt, None, why)
    stamp: tuple[int, int, int, int] | None = (
        info.st_size,
        info.st_mtime_ns,
        info.st_ctime_ns,
        info.st_ino,
    )
    if cached is not None and cached[0] == stamp:
        sha, size = cached[1], info.st_size
    else:
        try:
            sha, size = sha256_of(abs_path)
        except OSError as exc:  # unreadable (permissions) or gone since the listing
            return InboxFile(
                rel,
                abs_path,
                0,
                _name_hash(rel),
                fmt,
                None,
                f"cannot read file: {exc.strerror or exc}",
            )
        if size != info.st_size:  # written to while we read it: do not remember this hash
            stamp = None
    if fmt is None:
        return InboxFile(
            rel,
            abs_path,
            size,
            sha,
            None,
            None,
            f"unsupported file type {os.path.splitext(rel)[1] or '(no extension)'!r}",
            stamp,
        )
    if size > max_bytes:
        return InboxFile(
            rel,
            abs_path,
            size,
            sha,
            fmt,
            None,
            f"file too large ({size} bytes > limit {max_bytes})",
            stamp,
        )
    return InboxFile(rel, abs_path, size, sha, fmt, kind, stamp=stamp, max_bytes=max_bytes)


def _name_hash(rel: str) -> str:
    # Entries we do not read still need a stable ledger key; hash the name, not the content.
    return "name:" + hashlib.sha256(rel.encode("utf-8", "surrogateescape")).hexdigest()


def parse_file(file: InboxFile) -> ParsedFile:
    """Read and parse one file; a parse failure is returned as its reason, never raised."""
    try:
        with open(file.abs_path, "rb") as handle:
            data = handle.read()
        if file.kind == "text":
            return ParsedFile(file, document=parse_document(data, file.format or "txt", file.path))
        return ParsedFile(file, tables=parse_table(data, file.format or "csv", file.max_bytes))
    except ParseError as exc:
        return ParsedFile(file, error=str(exc))
    except OSError as exc:
        return ParsedFile(file, error=f"cannot read file: {exc.strerror or exc}")
