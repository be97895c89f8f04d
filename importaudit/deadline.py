"""A wall-clock budget for one run: past it, the walk and the parse stop early and say what they skipped.

Nothing in importaudit is meant to run long (every reader is bounded), but a CI job on an
unexpectedly huge tree is better served by a partial report that names what it did not read than
by a runner killed at its timeout with nothing to show. IMPORTAUDIT_TIME_LIMIT sets the budget in
seconds (default 600).
"""

from __future__ import annotations

import os
import time

ENV = "IMPORTAUDIT_TIME_LIMIT"
DEFAULT_SECONDS = 600.0


class _Budget:
    def __init__(self) -> None:
        self.seconds = DEFAULT_SECONDS
        self.started = time.monotonic()
        self.ran_out = False

    def start(self) -> None:
        """Start the clock for one run, reading the limit from the environment."""
        try:
            self.seconds = float(os.environ.get(ENV, DEFAULT_SECONDS))
        except ValueError:
            self.seconds = DEFAULT_SECONDS
        self.started = time.monotonic()
        self.ran_out = False

    def expired(self) -> bool:
        """Whether the budget is spent; once it has said so, the run is marked incomplete."""
        if time.monotonic() - self.started > self.seconds:
            self.ran_out = True
        return self.ran_out

    def reason(self) -> str:
        return f"importaudit's time limit of {self.seconds:g} s ran out ({ENV} raises it)"


budget = _Budget()
