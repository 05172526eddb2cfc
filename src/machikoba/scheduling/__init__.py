"""Production scheduling engine (issue 7): flexible job shop with OR-Tools CP-SAT.

Plain Python, no Django: the web layer turns its models into a :class:`Problem`, calls
:func:`solve` (in a background task, with a progress callback), and stores the
:class:`SolveResult`. See :mod:`.solver` for the method and :mod:`.model` for the rules.
"""

from .calendars import working_windows
from .compiled import check_size
from .errors import InvalidScheduleError, SchedulingError, SchedulingInputError
from .model import (
    Alternative,
    Assignment,
    FrozenOperation,
    Job,
    Operation,
    Problem,
    Progress,
    Resource,
    SolveResult,
    Status,
    TransportTimes,
)
from .solver import solve
from .validator import check_schedule, schedule_faults

__all__ = [
    "Alternative",
    "Assignment",
    "FrozenOperation",
    "InvalidScheduleError",
    "Job",
    "Operation",
    "Problem",
    "Progress",
    "Resource",
    "SchedulingError",
    "SchedulingInputError",
    "SolveResult",
    "Status",
    "TransportTimes",
    "check_schedule",
    "check_size",
    "schedule_faults",
    "solve",
    "working_windows",
]
