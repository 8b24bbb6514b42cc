"""Rendering of data-quality alert emails: subject, MIME structure, escaping, no secrets."""

from __future__ import annotations

from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from html.parser import HTMLParser
from pathlib import Path

import pytest

from schemas.checks import CheckResult
from supplyline.alerts import (
    AlertReport,
    FileNote,
    quarantine_command,
    render_alert,
)
from supplyline.reconciliations import Verdicts
from supplyline.settings import Settings

PASSWORD = "hunter2-Very-Secret"
EVIL_FILE = "<script>alert(1)</script>.txt"
EVIL_REASON = "bad <b>header</b> & more"


def settings(tmp_path: Path, **kw: object) -> Settings:
    base: dict[str, object] = {
        "data_dir": tmp_path,
        "alert_from": "supplyline@example.org",
        "alert_to": "ops@example.org, analyst@example.org",
        "smtp_host": "127.0.0.1",
        "smtp_user": "alerts",
        "smtp_password": PASSWORD,
    }
    base.update(kw)
    return Settings(**base)


def check(name: str = "not_null_qty", status: str = "fail", **kw: object) -> CheckResult:
    """A check result; ``status`` says what the severity and count must add up to."""
    fields: dict[str, object] = {
        "name": name,
        "table": "shipments",
        "tool": "dbt",
        "severity": "error",
        "failing_count": 0 if status == "pass" else 4,
        "sample": [{"id": 1, "qty": None}],
    }
    fields.update(kw)
    fields["sample"] = tuple(fields["sample"])  # type: ignore[arg-type]
    result = CheckResult(**fields)  # type: ignore[arg-type]
    assert result.status == status
    return result


def report(**kw: object) -> AlertReport:
    fields: dict[str, object] = {
        "run_id": "run-2026-11-29-a1b2",
        "run_date": date(2026, 11, 29),
        "flow_name": "nightly",
        "checks": [
            check("not_null_qty"),
            check("unique_id", failing_count=2),
            check("valid_unit", table="depots", failing_count=6),
            check("row_count", status="pass", failing_count=0, sample=[]),
        ],
        "failed_files": [],
        "loaded": {"depots": 40, "routes": 1200},
        "not_loaded": {"shipments": "blocked by error check not_null_qty"},
        "quarantined_rows": 12,
        "warehouse_path": "/srv/data/warehouse.duckdb",
        "data_docs_path": "/srv/data/data_docs/run-2026-11-29-a1b2/index.html",
    }
    fields.update(kw)
    return AlertReport(**fields)  # type: ignore[arg-type]


def roundtrip(msg: EmailMessage) -> EmailMessage:
    """Serialize and parse again, as a mail client would see it."""
    parsed = BytesParser(policy=policy.default).parsebytes(msg.as_bytes())
    assert isinstance(parsed, EmailMessage)
    return parsed


def bodies(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(preferencelist=("plain",))
    htm = msg.get_body(preferencelist=("html",))
    assert text is not None and htm is not None
    return text.get_content(), htm.get_content()


class TagCollector(HTMLParser):
    """Collects every tag name and attribute the HTML part really contains."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()
        self.attrs: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(a for a, _ in attrs)


# ------------------------------------------------------------------------- subject


def test_subject_counts_failed_checks_and_quarantined_rows(tmp_path: Path) -> None:
    msg = render_alert(report(), settings(tmp_path))
    assert msg["Subject"] == "[supplyline] 2026-11-29 nightly: 3 checks failed, 12 rows quarantined"


def test_subject_mentions_failed_files_and_warnings_with_singulars(tmp_path: Path) -> None:
    r = report(
        checks=[check(), check("soft_range", status="warn", severity="warn")],
        failed_files=[FileNote("a.csv", "bad"), FileNote("b.pdf", "encrypted")],
        quarantined_rows=1,
    )
    assert render_alert(r, settings(tmp_path))["Subject"] == (
        "[supplyline] 2026-11-29 nightly: 1 check failed, 1 check warned, "
        "1 row quarantined, 2 files failed"
    )


def test_subject_all_passed(tmp_path: Path) -> None:
    r = report(checks=[check(status="pass", failing_count=0)], quarantined_rows=0, not_loaded={})
    msg = render_alert(r, settings(tmp_path, alert_always=True))
    assert msg["Subject"] == "[supplyline] 2026-11-29 nightly: all checks passed"
    text, _ = bodies(msg)
    assert "All checks passed." in text


# ------------------------------------------------------------------------- needs_alert


def test_needs_alert_false_when_everything_passed() -> None:
    r = report(checks=[check(status="pass", failing_count=0)], quarantined_rows=0)
    assert r.needs_alert() is False


@pytest.mark.parametrize(
    "change",
    [
        {"checks": [check(status="warn", severity="warn")]},
        {"failed_files": [FileNote("x.csv", "empty")]},
        {"quarantined_rows": 1},
    ],
)
def test_needs_alert_true_for_each_kind_of_problem(change: dict[str, object]) -> None:
    base: dict[str, object] = {"checks": [check(status="pass")], "quarantined_rows": 0}
    base.update(change)
    assert report(**base).needs_alert() is True


# ------------------------------------------------------------------------- structure


def test_multipart_alternative_with_text_and_html(tmp_path: Path) -> None:
    msg = roundtrip(render_alert(report(), settings(tmp_path)))
    assert msg.get_content_type() == "multipart/alternative"
    types = [p.get_content_type() for p in msg.iter_parts()]
    assert types == ["text/plain", "text/html"]
    assert msg["From"] == "supplyline@example.org"
    assert [a.addr_spec for a in msg["To"].addresses] == ["ops@example.org", "analyst@example.org"]
    assert msg["Message-ID"] and msg["Date"]


def test_body_lists_checks_loads_quarantine_sql_and_docs(tmp_path: Path) -> None:
    text, htm = bodies(roundtrip(render_alert(report(), settings(tmp_path))))
    for body in (text, htm):
        for name in ("not_null_qty", "unique_id", "valid_unit", "shipments", "depots"):
            assert name in body
        assert "row_count" not in body  # passing checks are not listed
        assert "1200" in body and "blocked by error check not_null_qty" in body
        assert "/srv/data/data_docs/run-2026-11-29-a1b2/index.html" in body
        assert "/srv/data/warehouse.duckdb" in body
    sql = "select * from dq.quarantine where run_id = 'run-2026-11-29-a1b2'"
    assert sql in text
    assert f'supplyline sql "{sql}"' in text
    assert "select * from dq.quarantine where run_id = &#39;run-2026-11-29-a1b2&#39;" in htm
    # Failing checks are ordered by count within the same status and severity.
    assert text.index("valid_unit") < text.index("not_null_qty") < text.index("unique_id")


def test_missing_data_docs_points_at_docs_dir(tmp_path: Path) -> None:
    s = settings(tmp_path)
    text, _ = bodies(render_alert(report(data_docs_path=None), s))
    assert str(s.data_docs_dir) in text


def test_samples_capped_at_five_rows_and_values_truncated(tmp_path: Path) -> None:
    rows = [{"id": f"row-{i}", "note": "x" * 1000} for i in range(8)]
    r = report(checks=[check(sample=rows)])
    text, htm = bodies(render_alert(r, settings(tmp_path)))
    for body in (text, htm):
        assert "row-4" in body and "row-5" not in body
        assert "x" * 199 in body and "x" * 201 not in body


def test_run_id_with_quotes_is_safe_in_sql_and_shell() -> None:
    cmd = quarantine_command("it's $(rm -rf ~)")
    assert (
        cmd
        == "supplyline sql 'select * from dq.quarantine where run_id = '\"'\"'it'\"'\"''\"'\"'s $(rm -rf ~)'\"'\"''"
    )


# ------------------------------------------------------------------------- escaping / injection


def test_html_part_escapes_every_input_value(tmp_path: Path) -> None:
    r = report(
        checks=[
            check(
                name='<img src=x onerror="alert(2)">',
                table="t&<i>",
                sample=[{"<th>col": "<a href='javascript:x'>v</a>", "n": "1 & 2"}],
            )
        ],
        failed_files=[FileNote(EVIL_FILE, EVIL_REASON)],
        loaded={"<u>tbl</u>": 3},
        not_loaded={"shipments": "<em>blocked</em>"},
        flow_name="<marquee>nightly",
        run_id="<s>run",
        warehouse_path="<pre>w.duckdb",
        data_docs_path='"><script>x</script>',
    )
    text, htm = bodies(roundtrip(render_alert(r, settings(tmp_path))))

    collector = TagCollector()
    collector.feed(htm)
    allowed = {"html", "head", "meta", "body", "h2", "h3", "h4", "table", "tr", "th", "td"}
    allowed |= {"code", "p", "pre", "br"}
    assert collector.tags <= allowed
    assert collector.attrs <= {"charset", "style"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.txt" in htm
    assert "bad &lt;b&gt;header&lt;/b&gt; &amp; more" in htm
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in htm
    assert "&lt;a href=&#39;javascript:x&#39;&gt;v&lt;/a&gt;" in htm
    assert "1 &amp; 2" in htm
    # The plain-text part shows the names as they are.
    assert EVIL_FILE in text and EVIL_REASON in text


def test_control_characters_cannot_inject_headers(tmp_path: Path) -> None:
    injection = "\r\nBcc: evil@x\r\n"
    r = report(
        flow_name=f"nightly{injection}X-Evil: 1",
        run_id=f"r1{injection}",
        checks=[check(name=f"chk{injection}", table=f"t{injection}")],
        failed_files=[FileNote(f"f{injection}.csv", f"why{injection}")],
    )
    msg = render_alert(r, settings(tmp_path))
    raw = msg.as_bytes()
    parsed = roundtrip(msg)
    assert parsed["Bcc"] is None and parsed["X-Evil"] is None
    assert b"\nBcc:" not in raw and b"\nX-Evil:" not in raw
    subject = parsed["Subject"]
    assert "\r" not in subject and "\n" not in subject
    assert subject.startswith("[supplyline] 2026-11-29 nightly Bcc: evil@x X-Evil: 1: ")
    assert set(parsed.keys()) == {
        "Subject",
        "From",
        "To",
        "Date",
        "Message-ID",
        "X-Supplyline-Run-Id",
        "Auto-Submitted",
        "Content-Type",
        "MIME-Version",
    }
    for part in parsed.iter_parts():
        assert part["Bcc"] is None


def test_password_never_in_rendered_message(tmp_path: Path) -> None:
    r = report(failed_files=[FileNote("a.csv", "bad")])
    raw = render_alert(r, settings(tmp_path)).as_bytes()
    assert PASSWORD.encode() not in raw


def test_claims_against_tables_are_counted_per_check_and_escaped(tmp_path: Path) -> None:
    r = report(
        reconciliations=[
            Verdicts("kn23_launches_vs_strike_log", "strike_events", 3, 1, 2),
            Verdicts("<b>odd</b>", "deliveries", 0, 0, 0),
        ]
    )
    text, htm = bodies(roundtrip(render_alert(r, settings(tmp_path))))
    assert "Claims against tables" in text
    line = next(x for x in text.splitlines() if x.strip().startswith("kn23_launches_vs_strike_log"))
    assert line.split() == ["kn23_launches_vs_strike_log", "strike_events", "3", "1", "2"]
    cell = '<td style="border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top">'
    assert f"{cell}3</td>" in htm
    assert "&lt;b&gt;odd&lt;/b&gt;" in htm and "<b>odd</b>" not in htm
    # Without declared checks there is no such section.
    assert (
        "Claims against tables"
        not in bodies(roundtrip(render_alert(report(), settings(tmp_path))))[0]
    )


def test_the_run_report_is_linked(tmp_path: Path) -> None:
    page = tmp_path / "reports" / "run-1.html"
    text, htm = bodies(roundtrip(render_alert(report(report_path=str(page)), settings(tmp_path))))
    assert f"Run report: {page}" in text
    assert f'<a href="{page.as_uri()}"><code>{page}</code></a>' in htm
    # A run that wrote no report (it published nothing) links none.
    assert "Run report" not in bodies(roundtrip(render_alert(report(), settings(tmp_path))))[0]
