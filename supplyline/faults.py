"""Fault injection for the crash-safety tests and the soak script."""

from __future__ import annotations

import os
import signal


def crash_point(stage: str) -> None:
    """SIGKILL this process when SUPPLYLINE_CRASH_AT names ``stage``.

    A no-op otherwise. It exercises the same recovery path as a power cut or an OOM kill.
    """
    if os.environ.get("SUPPLYLINE_CRASH_AT") == stage:
        os.kill(os.getpid(), signal.SIGKILL)
