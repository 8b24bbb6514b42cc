"""Screenshot a run report in headless Chromium (the README's picture: docs/report.png).

.venv/bin/python scripts/report_screenshot.py [--warehouse data/warehouse.duckdb] [--out docs/report.png]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from supplyline.desk.report import write_run_report  # noqa: E402
from tests.browser import CHART_MARKS_JS, Browser  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, default=REPO / "data" / "warehouse.duckdb")
    parser.add_argument("--run", default=None, help="run id (default: the latest)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "report.png")
    parser.add_argument("--width", type=int, default=1280)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = write_run_report(args.warehouse, args.run, Path(tmp) / "report.html")
        with Browser(width=args.width) as browser:
            browser.open(page.as_uri(), "document.body && document.body.dataset.charts")
            charts = browser.evaluate(CHART_MARKS_JS)
            width, height = browser.screenshot(args.out)
            errors = browser.console_errors()
    _shrink(args.out)
    print(
        f"{args.out}: {width}x{height}, {len(charts)} charts, "
        f"{sum(c['marks'] for c in charts)} marks, console errors: {len(errors)}"
    )
    return 1 if errors else 0


def _shrink(png: Path) -> None:
    """A palette PNG: a tenth of the size for a page of flat colours."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(png) as image:
        small = image.convert("RGB").quantize(colors=128, method=Image.Quantize.MEDIANCUT)
    small.save(png, optimize=True)


if __name__ == "__main__":
    sys.exit(main())
