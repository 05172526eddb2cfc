"""Exceptions raised by the scheduling engine.

Both derive from ``SchedulingError`` so a caller (the web layer, the CLI) can catch the
engine's own failures in one place without swallowing programming errors.
"""

from __future__ import annotations

from collections.abc import Sequence


class SchedulingError(Exception):
    """Base class of every error the scheduling engine raises on purpose."""


class SchedulingInputError(SchedulingError, ValueError):
    """The problem or the solve options are unusable; the message says what and where."""


class InvalidScheduleError(SchedulingError):
    """A schedule broke a rule of its problem (raised by the validator, listing the faults)."""

    def __init__(self, faults: Sequence[str]) -> None:
        self.faults = faults
        shown = "\n".join(f"  - {fault}" for fault in faults[:20])
        more = f"\n  … and {len(faults) - 20} more" if len(faults) > 20 else ""
        super().__init__(f"invalid schedule ({len(faults)} faults):\n{shown}{more}")
