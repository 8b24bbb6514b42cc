"""Progress events: what stage a run is in and how far along it is.

The flow calls ``emit(stage, done, total, unit)`` as it goes; whoever listens decides how to
show it. The CLI shows a live display per stage on a terminal and plain lines otherwise. With
no listener (a deployment's worker) an event costs one empty loop. A listener that fails is
dropped with a warning: progress must never break a run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProgressEvent:
    """One step forward in one stage: ``done`` of ``total`` (None: not known in advance)."""

    stage: str
    done: int
    total: int | None = None
    unit: str = ""
    at: float = field(default_factory=time.monotonic)

    @property
    def finished(self) -> bool:
        return self.total is not None and self.done >= self.total

    def describe(self) -> str:
        """'ingest: 3/9 groups' or 'extract: 1,200 documents'."""
        count = f"{self.done:,}/{self.total:,}" if self.total is not None else f"{self.done:,}"
        return f"{self.stage}: {count} {self.unit}".rstrip()


Listener = Callable[[ProgressEvent], None]
_listeners: list[Listener] = []
_lock = threading.Lock()


def emit(stage: str, done: int, total: int | None = None, unit: str = "") -> None:
    """Tell every listener where the run is."""
    event = ProgressEvent(stage, int(done), None if total is None else int(total), unit)
    with _lock:
        listeners = list(_listeners)
    for listener in listeners:
        try:
            listener(event)
        except Exception:
            log.warning("progress listener failed and was removed", exc_info=True)
            unsubscribe(listener)


def subscribe(listener: Listener) -> None:
    with _lock:
        _listeners.append(listener)


def unsubscribe(listener: Listener) -> None:
    with _lock:
        if listener in _listeners:
            _listeners.remove(listener)


@contextmanager
def listening(listener: Listener) -> Iterator[Listener]:
    """Subscribe ``listener`` for the duration of a block."""
    subscribe(listener)
    try:
        yield listener
    finally:
        unsubscribe(listener)
