"""A small client for headless Chromium over the DevTools protocol (loopback only).

It opens a page, records console errors, uncaught exceptions and every network request, runs
JavaScript in the page and takes a full-page screenshot. Used by the report's browser test and
by ``scripts/report_screenshot.py``.
"""

from __future__ import annotations

import base64
import itertools
import json
import shutil
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

from websockets.sync.client import connect

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--mute-audio",
    "--hide-scrollbars",
]


def chromium_path() -> str | None:
    """The first Chromium on PATH (Debian's ``chromium`` first)."""
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


class Browser:
    """One headless Chromium process with one page, driven over its DevTools websocket."""

    def __init__(self, executable: str | None = None, width: int = 1280, height: int = 900) -> None:
        executable = executable or chromium_path()
        if not executable:
            raise RuntimeError("no Chromium on PATH")
        self._profile = tempfile.TemporaryDirectory(prefix="chromium-")
        self._proc = subprocess.Popen(
            [
                executable,
                *CHROMIUM_FLAGS,
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                f"--user-data-dir={self._profile.name}",
                f"--window-size={width},{height}",
                "about:blank",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        port = self._wait_for_port()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            pages = [t for t in json.load(resp) if t["type"] == "page"]
        self._ws = connect(pages[0]["webSocketDebuggerUrl"], max_size=None, open_timeout=10)
        self._ids = itertools.count(1)
        self.events: list[dict] = []
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable")

    def _wait_for_port(self, timeout: float = 30.0) -> int:
        marker = Path(self._profile.name) / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if marker.exists() and marker.read_text().strip():
                return int(marker.read_text().split()[0])
            if self._proc.poll() is not None:
                raise RuntimeError(f"Chromium exited with code {self._proc.returncode}")
            time.sleep(0.05)
        raise TimeoutError("Chromium did not open its DevTools port")

    def call(self, method: str, timeout: float = 30.0, **params) -> dict:
        """Send one command and wait for its answer, keeping the events that arrive meanwhile."""
        msg_id = next(self._ids)
        self._ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(self._ws.recv(timeout=max(0.01, deadline - time.monotonic())))
            if msg.get("id") == msg_id:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.events.append(msg)

    def open(self, url: str, ready: str, timeout: float = 60.0) -> None:
        """Navigate and wait until the JavaScript expression ``ready`` is truthy."""
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + timeout
        while not self.evaluate(ready):
            if time.monotonic() > deadline:
                raise TimeoutError(f"page not ready: {ready}")
            time.sleep(0.1)

    def evaluate(self, expression: str):
        """The value of a JavaScript expression in the page (JSON-serialisable)."""
        result = self.call(
            "Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"page script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, path: Path) -> tuple[int, int]:
        """A PNG of the whole page; returns its CSS width and height."""
        metrics = self.call("Page.getLayoutMetrics")["cssContentSize"]
        width, height = int(metrics["width"]), int(metrics["height"])
        shot = self.call(
            "Page.captureScreenshot",
            format="png",
            captureBeyondViewport=True,
            clip={"x": 0, "y": 0, "width": width, "height": height, "scale": 1},
        )
        path.write_bytes(base64.b64decode(shot["data"]))
        return width, height

    def console_errors(self) -> list[str]:
        """Console errors, uncaught exceptions and error log entries seen so far."""
        errors = []
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert"):
                errors.append(
                    " ".join(
                        str(a.get("value", a.get("description", ""))) for a in p.get("args", [])
                    )
                )
            elif method == "Runtime.exceptionThrown":
                errors.append(p["exceptionDetails"].get("text", "exception"))
            elif method == "Log.entryAdded" and p["entry"].get("level") == "error":
                errors.append(p["entry"].get("text", ""))
        return errors

    def requests(self) -> list[str]:
        """The URL of every request the page made."""
        return [
            e["params"]["request"]["url"]
            for e in self.events
            if e.get("method") == "Network.requestWillBeSent"
        ]

    def close(self) -> None:
        try:
            self._ws.close()
        finally:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._profile.cleanup()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# Per chart container: its SVG and canvas elements, the data-mark groups Vega drew (class
# role-mark; axes, legends and titles have other roles) and the marks in them that are drawn
# (a path with a non-empty outline, or text with content).
CHART_MARKS_JS = """
Array.from(document.querySelectorAll('div.chart')).map((div) => {
  const drawn = (el) => el.tagName === 'path' ? (el.getAttribute('d') || '').length > 0
                      : el.tagName === 'text' ? el.textContent.trim().length > 0 : true;
  const groups = Array.from(div.querySelectorAll('svg g.role-mark'));
  return {id: div.id, caption: div.dataset.caption, svg: div.querySelectorAll('svg').length,
          canvas: div.querySelectorAll('canvas').length, markGroups: groups.length,
          marks: groups.map((g) => Array.from(g.querySelectorAll('path, text, line, rect, circle'))
                                    .filter(drawn).length).reduce((a, b) => a + b, 0)};
})
"""
