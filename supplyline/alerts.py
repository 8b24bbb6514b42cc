"""Data-quality alert emails: render a run's problems and deliver them via an outbox + SMTP.

One data model (``AlertReport``, turned into one view by ``_view``) is rendered by two Jinja2
templates in ``supplyline/templates``: ``alert.txt.j2`` and ``alert.html.j2`` (autoescaped).

Every alert is first written as an ``.eml`` file in ``settings.outbox``; delivery then sends
whatever waits there (oldest first), so an alert from a run when SMTP was down goes out with
the next run. SMTP problems never raise to the caller; they come back in ``DeliveryResult``.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import smtplib
import ssl
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import format_datetime, make_msgid
from functools import cache
from pathlib import Path
from typing import Any, Literal

import jinja2
from pydantic import SecretStr

from schemas.checks import CheckResult
from supplyline.reconciliations import Verdicts
from supplyline.settings import Settings

logger = logging.getLogger(__name__)

MAX_SAMPLE_ROWS = 5
MAX_FILE_ROWS = 100  # held-back rows listed per file before "… and N more rows"
MAX_VALUE_CHARS = 200
MAX_SAMPLE_COLUMNS = 12  # a wide row would make the email unreadable anyway
MAX_LISTED = 200  # checks / files / tables listed before "… and N more"
MAX_ERROR_CHARS = 240

# C0/C1 control characters plus Unicode line/paragraph separators; all of them can break
# headers or terminals, none of them belong in a one-line field.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")
_UNSAFE_DOMAIN = re.compile(r"[^A-Za-z0-9.-]+")
_UNSAFE_RUN_ID = re.compile(r"[^A-Za-z0-9-]+")


# --------------------------------------------------------------------------- report model


@dataclass(frozen=True)
class RowNote:
    """One row of a file that was held back: where it is, the column and value, and the rule."""

    locator: str  # "row 7", "Sheet1:row 7", "chars 10-42"
    check: str  # the rule it broke
    reason: str
    column: str = ""
    value: str = ""


@dataclass(frozen=True)
class FileNote:
    """An input file the alert names: why it failed or was not (fully) read, its row counts
    (in, loaded, quarantined, skipped) and the rows it held back (``held`` of them in all)."""

    path: str
    reason: str
    rows: tuple[RowNote, ...] = ()
    counts: tuple[int, int, int, int] | None = None
    held: int = 0


@dataclass(frozen=True)
class AlertReport:
    """Everything an alert email says about one pipeline run."""

    run_id: str
    run_date: date
    flow_name: str  # e.g. "nightly"
    checks: Sequence[CheckResult]
    failed_files: Sequence[FileNote]
    loaded: Mapping[str, int]  # table -> rows loaded this run
    not_loaded: Mapping[str, str]  # table -> why it was not loaded (blocked by an error check)
    quarantined_rows: int
    warehouse_path: str
    data_docs_path: str | None
    skipped_files: Sequence[FileNote] = ()  # not read, or rows not used
    reconciliations: Sequence[Verdicts] = ()  # claims against tables, per declared check
    report_path: str | None = None  # the run's HTML report, when one was written
    row_files: Sequence[FileNote] = ()  # files that loaded with some rows quarantined
    failure: str | None = None  # the run broke in a stage: where, why, nothing published
    check_files: Sequence[FileNote] = ()  # files of the rows a mart-level check failed or warned

    @property
    def problem_checks(self) -> list[CheckResult]:
        """Checks that failed or warned, most serious first."""
        rank = {"fail": 0, "warn": 1}
        sev = {"error": 0, "warn": 1}
        bad = [c for c in self.checks if c.status in rank]
        return sorted(bad, key=lambda c: (rank[c.status], sev.get(c.severity, 3), -c.failing_count))

    def needs_alert(self) -> bool:
        """True when any check failed or warned, a file failed, or rows were quarantined."""
        return bool(
            self.failure
            or self.problem_checks
            or self.failed_files
            or self.skipped_files
            or self.quarantined_rows > 0
        )


# --------------------------------------------------------------------------- rendering


def _one_line(value: object, limit: int | None = None) -> str:
    """Text of ``value`` on one line with control characters removed, optionally truncated."""
    text = _CONTROL.sub(" ", str(value)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _subject(report: AlertReport) -> str:
    flow = _one_line(report.flow_name, 60) or "run"
    return f"[supplyline] {_one_line(report.run_date.isoformat(), 20)} {flow}: {headline(report)}"


def headline(report: AlertReport) -> str:
    """What went wrong, in the words of the subject line (the CLI prints the same words)."""
    if report.failure:
        return _one_line(report.failure, 1500)
    failed = sum(1 for c in report.checks if c.status == "fail")
    warned = sum(1 for c in report.checks if c.status == "warn")
    parts = []
    if failed:
        parts.append(f"{_plural(failed, 'check')} failed")
    if warned:
        parts.append(f"{_plural(warned, 'check')} warned")
    if report.quarantined_rows > 0:
        parts.append(f"{_plural(report.quarantined_rows, 'row')} quarantined")
    if report.failed_files:
        parts.append(f"{_plural(len(report.failed_files), 'file')} failed")
    if report.skipped_files:
        parts.append(f"{_plural(len(report.skipped_files), 'file')} not read")
    return ", ".join(parts) or "all checks passed"


def quarantine_sql(run_id: str) -> str:
    """SQL that lists the rows this run quarantined (run id quoted as a SQL literal)."""
    return f"select * from dq.quarantine where run_id = '{run_id.replace(chr(39), chr(39) * 2)}'"


def quarantine_command(run_id: str) -> str:
    """Shell command that runs :func:`quarantine_sql`, safe to paste even for odd run ids."""
    sql = quarantine_sql(_one_line(run_id))
    # Double quotes read best; fall back to shlex quoting when the shell would expand something.
    if not re.search(r'["$`\\!]', sql):
        return f'supplyline sql "{sql}"'
    return f"supplyline sql {shlex.quote(sql)}"


def _limited(items: Sequence[Any]) -> tuple[list[Any], int]:
    return list(items[:MAX_LISTED]), max(0, len(items) - MAX_LISTED)


def _sample_columns(rows: list[dict[str, Any]]) -> list[str]:
    cols: list[str] = []
    for row in rows:
        for key in row:
            if key not in cols:
                cols.append(key)
    return cols[:MAX_SAMPLE_COLUMNS]


def _view(report: AlertReport, settings: Settings) -> dict[str, Any]:
    """The one model both parts are rendered from: every value already on one line and cut to
    length; the HTML template escapes them, the text template prints them as they are."""
    checks, more_checks = _limited(report.problem_checks)
    samples = []
    for c in checks:
        rows = [
            dict(r) if isinstance(r, Mapping) else {"value": r} for r in c.sample[:MAX_SAMPLE_ROWS]
        ]
        if rows:
            cols = _sample_columns(rows)
            samples.append(
                {
                    "check": _one_line(c.check_name, 120),
                    "table": _one_line(c.table, 100),
                    "shown": f"{len(rows)} of {max(len(rows), c.failing_count)}",
                    "columns": [_one_line(k, 60) for k in cols],
                    "rows": [
                        [_one_line(r.get(k, ""), MAX_VALUE_CHARS) for k in cols] for r in rows
                    ],
                }
            )
    files = [
        _file_section(title, listed)
        for title, listed in (
            ("Files that could not be read", report.failed_files),
            ("Files or rows not read (skipped)", report.skipped_files),
            ("Rows quarantined, by file", report.row_files),
            ("Rows that failed or warned a check, by file", report.check_files),
        )
    ]
    docs = (
        _one_line(report.data_docs_path, 500)
        if report.data_docs_path
        else f"not built for this run (Data Docs live under {settings.data_docs_dir})"
    )
    verdicts = [
        [
            _one_line(r.check, 60),
            _one_line(r.table, 40),
            *map(str, (r.agree, r.disagree, r.no_overlap)),
        ]
        for r in _limited(report.reconciliations)[0]
    ]
    return {
        "failure": _one_line(report.failure, 1500) if report.failure else None,
        "flow": _one_line(report.flow_name, 60),
        "run_id": _one_line(report.run_id, 120),
        "run_date": report.run_date.isoformat(),
        "checks": [
            [
                _one_line(c.check_name, 120),
                _one_line(c.table, 100),
                c.severity,
                c.status,
                str(c.failing_count),
            ]
            for c in checks
        ],
        "n_checks": len(report.problem_checks),
        "more_checks": more_checks,
        "samples": samples,
        "file_sections": [f for f in files if f["count"]],
        "loaded": [
            [_one_line(t, 100), str(n)] for t, n in _limited(list(report.loaded.items()))[0]
        ],
        "not_loaded": [
            [_one_line(t, 100), _one_line(w, 500)]
            for t, w in _limited(list(report.not_loaded.items()))[0]
        ],
        "quarantined_rows": report.quarantined_rows,
        "quarantine_sql": quarantine_sql(_one_line(report.run_id)),
        "quarantine_command": quarantine_command(report.run_id),
        "warehouse": _one_line(report.warehouse_path, 500),
        "data_docs": docs,
        "reconciliations": verdicts,
        "report": _one_line(report.report_path, 500) if report.report_path else None,
        "report_url": Path(report.report_path).absolute().as_uri() if report.report_path else "",
    }


def _file_section(title: str, listed: Sequence[FileNote]) -> dict[str, Any]:
    """One section of files: each file's reason, row counts and held-back rows, on one line each."""
    shown, more = _limited(listed)
    return {
        "title": title,
        "count": len(listed),
        "more": more,
        "files": [_file_view(f) for f in shown],
    }


def _file_view(f: FileNote) -> dict[str, Any]:
    counts = (
        "rows in {}, loaded {}, quarantined {}, skipped {}".format(*f.counts) if f.counts else ""
    )
    return {
        "path": _one_line(f.path, 300),
        "reason": _one_line(f.reason, 500),
        "counts": counts,
        "rows": [_row_view(r) for r in f.rows[:MAX_FILE_ROWS]],
        "more_rows": max(0, max(f.held, len(f.rows)) - min(len(f.rows), MAX_FILE_ROWS)),
    }


def _row_view(r: RowNote) -> dict[str, str]:
    """A held-back row: where it is, the column, the value it had, the rule and the reason."""
    return {
        "locator": _one_line(r.locator, 60),
        "column": _one_line(r.column, 80),
        "value": _one_line(r.value, MAX_VALUE_CHARS),
        "rule": _one_line(r.check, 120),
        "reason": _one_line(r.reason, 300),
    }


def _text_table(header: list[str], rows: list[list[str]], indent: str = "  ") -> list[str]:
    """A plain-text table: columns padded to their widest cell (at most 60)."""
    widths = [min(60, max([len(h), *(len(r[i]) for r in rows)])) for i, h in enumerate(header)]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [indent + fmt.format(*header).rstrip(), indent + "  ".join("-" * w for w in widths)]
    return lines + [indent + fmt.format(*r).rstrip() for r in rows]


@cache
def _templates() -> tuple[jinja2.Template, jinja2.Template]:
    """The text and HTML templates (supplyline/templates); only the HTML one escapes."""
    loader = jinja2.FileSystemLoader(Path(__file__).parent / "templates")
    text = jinja2.Environment(
        loader=loader,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    text.globals["text_table"] = _text_table
    html_env = jinja2.Environment(
        loader=loader,
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
    )
    return text.get_template("alert.txt.j2"), html_env.get_template("alert.html.j2")


def render_alert(report: AlertReport, settings: Settings) -> EmailMessage:
    """Build the multipart/alternative (text + HTML) alert email for ``report``."""
    view = _view(report, settings)
    text, html_part = (t.render(**view) for t in _templates())
    msg = EmailMessage(policy=policy.default)
    msg["Subject"] = _subject(report)
    msg["From"] = _one_line(settings.alert_from)
    recipients = [_one_line(r) for r in settings.alert_recipients]
    if recipients:
        msg["To"] = ", ".join(recipients)
    msg["Date"] = format_datetime(datetime.now(UTC))
    # An explicit domain avoids make_msgid's slow getfqdn() lookup.
    domain = _one_line(settings.alert_from).rpartition("@")[2].strip("<> ") or "supplyline"
    msg["Message-ID"] = make_msgid("supplyline", domain=_UNSAFE_DOMAIN.sub("", domain) or None)
    msg["X-Supplyline-Run-Id"] = _one_line(report.run_id, 120)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation auto-replies
    # Quoted-printable keeps non-ASCII place names 7-bit clean for servers without 8BITMIME.
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html_part, subtype="html", cte="quoted-printable")
    return msg


# --------------------------------------------------------------------------- delivery


@dataclass(frozen=True)
class DeliveryResult:
    """What happened to alert emails in one delivery attempt."""

    sent: int  # messages the server accepted in this call
    queued: int  # messages still waiting in the outbox afterwards
    written_to_outbox: list[Path]  # new .eml files written in this call
    error: str | None  # short, secret-free reason why something could not be sent
    recipients: int = 0  # envelope recipients per sent message
    smtp_configured: bool = True

    def summary(self) -> str:
        """One line for the run summary."""
        wait = (
            f"{_plural(self.queued, 'alert')} {'waits' if self.queued == 1 else 'wait'} in outbox"
        )
        if self.error:
            sent = f"; {_plural(self.sent, 'alert')} sent" if self.sent else ""
            return f"{self.error}{sent}; {wait}"
        if not self.smtp_configured:
            if self.written_to_outbox:
                first = self.written_to_outbox[0]
                extra = f"; {wait}" if self.queued > len(self.written_to_outbox) else ""
                return f"alert written to outbox {first} (no SMTP configured){extra}"
            return f"no SMTP configured; {wait}" if self.queued else "no alert to send"
        if self.sent:
            what = "alert" if self.sent == 1 else f"{self.sent} alerts"
            return f"{what} sent to {_plural(self.recipients, 'recipient')}"
        return "no alert to send"


@dataclass(frozen=True)
class _SmtpConfig:
    host: str
    port: int
    tls: Literal["none", "starttls", "ssl"]
    user: str | None
    password: SecretStr | None = field(repr=False)
    timeout: float
    verify: bool = True

    def secrets(self) -> list[str]:
        pw = self.password.get_secret_value() if self.password else ""
        return [pw] if pw else []


class _ConfigError(Exception):
    """SMTP settings could not be resolved; the message is safe to show."""


def _scrub(text: str, secrets: Iterable[str]) -> str:
    """Short one-line message with every secret replaced, safe for logs and results."""
    for s in secrets:
        if s:
            text = text.replace(s, "***")
    return _one_line(text, MAX_ERROR_CHARS)


def _smtp_config(settings: Settings) -> _SmtpConfig | None:
    """SMTP connection details from a Prefect block or the plain settings; None if unset."""
    block_name = settings.smtp_credentials_block
    if block_name:
        return _config_from_block(block_name, settings)
    if not settings.smtp_host:
        return None
    return _SmtpConfig(
        host=settings.smtp_host,
        port=settings.smtp_port,
        tls=settings.smtp_tls,
        user=settings.smtp_user or None,
        password=settings.smtp_password,
        timeout=settings.smtp_timeout,
    )


def _config_from_block(name: str, settings: Settings) -> _SmtpConfig:
    # Imported lazily: loading prefect_email pulls in Prefect, and the block needs its API.
    try:
        from prefect_email import EmailServerCredentials
        from prefect_email.credentials import SMTPServer, SMTPType

        block = EmailServerCredentials.load(name)
    except Exception as exc:  # any failure here (no API, no block) means "cannot send now"
        pw = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        msg = _scrub(f"{type(exc).__name__}: {exc}", [pw])
        raise _ConfigError(f"cannot load Prefect block {_one_line(name, 80)!r} ({msg})") from None
    server = block.smtp_server
    host = server.value if isinstance(server, SMTPServer) else str(server)
    smtp_type = block.smtp_type
    if not isinstance(smtp_type, SMTPType):
        smtp_type = SMTPType[str(smtp_type).upper()]
    tls: Literal["none", "starttls", "ssl"] = {  # type: ignore[assignment]
        SMTPType.SSL: "ssl",
        SMTPType.STARTTLS: "starttls",
        SMTPType.INSECURE: "none",
    }[smtp_type]
    password = block.password if block.password.get_secret_value() else None
    return _SmtpConfig(
        host=host,
        port=block.smtp_port or smtp_type.value,  # the block's default port follows its type
        tls=tls,
        user=block.username or None,
        password=password,
        timeout=settings.smtp_timeout,
        verify=block.verify is not False,
    )


def _tls_context(cfg: _SmtpConfig) -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    if not cfg.verify:  # only ever from a block that explicitly disabled verification
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


@contextmanager
def _connect(cfg: _SmtpConfig) -> Iterator[smtplib.SMTP]:
    """Open, secure and log in to the SMTP server; always closes the connection."""
    smtp: smtplib.SMTP
    if cfg.tls == "ssl":
        smtp = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout, context=_tls_context(cfg))
    else:
        smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
    try:
        if cfg.tls == "starttls":
            smtp.starttls(context=_tls_context(cfg))
        if cfg.user:
            pw = cfg.password.get_secret_value() if cfg.password else ""
            smtp.login(cfg.user, pw)
        yield smtp
    finally:
        with suppress(smtplib.SMTPException, OSError):
            smtp.quit()
        smtp.close()


def _outbox_name(run_id: str, now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%dT%H%M%S%fZ")
    # Dots go too, so no "..", no hidden file and no second extension can come from a run id.
    safe = _UNSAFE_RUN_ID.sub("_", run_id).strip("_")[:80] or "run"
    return f"{stamp}-{safe}.eml"


def write_to_outbox(msg: EmailMessage, settings: Settings, run_id: str | None = None) -> Path:
    """Atomically write ``msg`` as ``<UTC timestamp>-<run_id>.eml`` in the outbox."""
    outbox = settings.outbox
    outbox.mkdir(parents=True, exist_ok=True)
    run_id = run_id or str(msg.get("X-Supplyline-Run-Id", "") or "run")
    target = outbox / _outbox_name(run_id)
    n = 1
    while target.exists():  # same microsecond and run id: keep both
        target = outbox / f"{target.stem.rsplit('~', 1)[0]}~{n}.eml"
        n += 1
    # Temp file in the same folder so os.replace is atomic; the dot prefix and .tmp suffix
    # keep a half-written file out of the "*.eml" glob that the sender uses.
    fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=outbox)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(msg.as_bytes(policy=policy.default))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    except BaseException:
        with suppress(OSError):
            os.unlink(tmp)
        raise
    logger.info("alert written to outbox %s", target)
    return target


def pending_alerts(settings: Settings) -> list[Path]:
    """``.eml`` files waiting in the outbox, oldest first (names start with a UTC timestamp)."""
    if not settings.outbox.is_dir():
        return []
    return sorted(p for p in settings.outbox.glob("*.eml") if p.is_file())


def _mark_sent(path: Path) -> None:
    """Move an accepted message to ``outbox/sent/`` so it is never sent twice; on a disk too
    full for even that, remove it: a lost copy is better than a second email."""
    sent_dir = path.parent / "sent"
    try:
        sent_dir.mkdir(exist_ok=True)
        os.replace(path, sent_dir / path.name)
    except FileNotFoundError:  # a concurrent run moved it first
        pass
    except OSError as exc:
        logger.warning("cannot move sent alert %s to %s (%s); removing it", path, sent_dir, exc)
        with suppress(FileNotFoundError):
            path.unlink()


def deliver_alerts(settings: Settings, new: EmailMessage | None) -> DeliveryResult:
    """Queue ``new`` (if any) in the outbox, then send everything waiting there.

    Never raises for SMTP problems: unsent files stay in the outbox and ``error`` says why.
    """
    written, direct = _queue(new, settings)
    unqueued = "" if direct is None else "the alert could not be written to the outbox; "
    try:
        cfg = _smtp_config(settings)
    except _ConfigError as exc:
        logger.warning("alert not sent: %s", exc)
        return DeliveryResult(0, len(pending_alerts(settings)), written, unqueued + str(exc))
    if cfg is None:
        queued = len(pending_alerts(settings))
        if queued:
            logger.info("no SMTP configured; %d alert(s) wait in %s", queued, settings.outbox)
        error = f"{unqueued}no SMTP configured" if unqueued else None
        return DeliveryResult(0, queued, written, error, smtp_configured=False)

    pending: list[Path | EmailMessage] = [*pending_alerts(settings)]
    if direct is not None:
        pending.append(direct)
    if not pending:
        return DeliveryResult(0, 0, written, None)
    recipients = [_one_line(r) for r in settings.alert_recipients]
    if not recipients:
        error = "no recipients (SUPPLYLINE_ALERT_TO)"
        logger.warning("alert not sent: %s; %d alert(s) wait in outbox", error, len(pending))
        return DeliveryResult(0, len(pending), written, error)

    sent, failure = _send_pending(cfg, pending, _one_line(settings.alert_from), recipients)
    if failure and direct is not None:
        failure = unqueued + failure
    queued = len(pending_alerts(settings))
    if failure:
        logger.warning("%s; %d alert(s) wait in outbox", failure, queued)
    return DeliveryResult(sent, queued, written, failure, recipients=len(recipients))


def _queue(new: EmailMessage | None, settings: Settings) -> tuple[list[Path], EmailMessage | None]:
    """Write ``new`` to the outbox; a message the outbox cannot take (a full disk) comes back
    to be sent straight away instead."""
    if new is None:
        return [], None
    try:
        return [write_to_outbox(new, settings)], None
    except OSError as exc:
        logger.warning(
            "alert not written to outbox %s (%s); sending it directly", settings.outbox, exc
        )
        return [], new


def _send_pending(
    cfg: _SmtpConfig, pending: list[Path | EmailMessage], sender: str, recipients: list[str]
) -> tuple[int, str | None]:
    """Send the waiting alerts over one connection; returns how many went and the last error."""
    sent, error = 0, None
    secrets = cfg.secrets()
    where = f"{cfg.host}:{cfg.port}"
    try:
        with _connect(cfg) as smtp:
            for path in pending:
                outcome = _send_one(smtp, path, sender, recipients, secrets)
                if outcome is None:
                    sent += 1
                elif outcome:
                    error = outcome
    except smtplib.SMTPAuthenticationError as exc:
        error = "SMTP login failed (" + _scrub(_describe(exc), secrets) + ")"
    except smtplib.SMTPServerDisconnected as exc:  # dropped or let time out: as unreachable
        error = f"SMTP unreachable ({_scrub(f'{where}: {_describe(exc)}', secrets)})"
    except smtplib.SMTPException as exc:
        # Protocol trouble: no STARTTLS support, HELO refused, ... (an OSError too, so first)
        error = f"SMTP error ({_scrub(f'{where}: {_describe(exc)}', secrets)})"
    except OSError as exc:  # refused connections, timeouts, DNS failures and TLS errors
        error = f"SMTP unreachable ({_scrub(f'{where}: {_describe(exc)}', secrets)})"
    return sent, error


def _send_one(
    smtp: smtplib.SMTP,
    path: Path | EmailMessage,
    sender: str,
    recipients: list[str],
    secrets: list[str],
) -> str | None:
    """Send one queued alert (or one the outbox could not take): None when sent, "" when it
    was gone already, else why not."""
    try:
        raw = (
            path.as_bytes(policy=policy.default)
            if isinstance(path, EmailMessage)
            else path.read_bytes()
        )
    except FileNotFoundError:  # a concurrent run already sent it
        return ""
    name = "unqueued alert" if isinstance(path, EmailMessage) else path.name
    try:
        msg = BytesParser(policy=policy.default).parsebytes(raw)
        # The queued copy may predate a change of SUPPLYLINE_ALERT_TO: use today's list.
        del msg["To"]
        msg["To"] = ", ".join(recipients)
        refused = smtp.send_message(msg, from_addr=sender, to_addrs=recipients)
    except (ValueError, LookupError) as exc:
        # A damaged .eml must not block the queue; keep it for a human to look at.
        error = "cannot send queued alert " + _scrub(
            f"{name}: {type(exc).__name__}: {exc}", secrets
        )
        logger.warning("%s", error)
        return error
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
        # The server rejected this message; keep it and try the rest.
        error = "SMTP refused alert " + _scrub(f"{name}: {_describe(exc)}", secrets)
        logger.warning("%s", error)
        return error
    if refused:
        logger.warning("SMTP refused some recipients: %s", ", ".join(refused))
    if isinstance(path, Path):
        _mark_sent(path)
    logger.info("alert %s sent to %d recipient(s)", name, len(recipients))
    return None


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        text = (
            exc.smtp_error.decode("utf-8", "replace")
            if isinstance(exc.smtp_error, bytes)
            else str(exc.smtp_error)
        )
        return f"{exc.smtp_code} {text}"
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "all recipients refused: " + ", ".join(
            f"{r} {code}" for r, (code, _m) in exc.recipients.items()
        )
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def send_run_alert(report: AlertReport, settings: Settings) -> DeliveryResult:
    """Render and deliver the alert for a run if it needs one (or ``alert_always`` is set).

    Even without a new alert, anything left in the outbox from earlier runs is retried.
    """
    new = render_alert(report, settings) if report.needs_alert() or settings.alert_always else None
    return deliver_alerts(settings, new)
