"""Command line: ``python -m machikoba.scheduling solve FILE.fjs [options]``.

Prints one JSON object (instance, makespan, lower bound, status, seconds, assignments
with 1-based job, operation and machine numbers as in the file). Bad options and
malformed files are reported on stderr with exit code 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import SchedulingInputError
from .fjs import FjsFormatError, read_fjs
from .model import SolveResult
from .options import MAX_TIME_LIMIT, MAX_WORKERS, MIN_TIME_LIMIT
from .solver import solve

USAGE_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    arguments = parser.parse_args(argv)
    if arguments.command != "solve":
        parser.error("choose a command: solve")
    try:
        problem = read_fjs(arguments.file)
        result = solve(
            problem,
            time_limit=arguments.time_limit,
            workers=arguments.workers,
            seed=arguments.seed,
        )
    except OSError as error:
        return _fail(f"cannot read {arguments.file}: {error.strerror or error}")
    except (FjsFormatError, SchedulingInputError) as error:
        return _fail(str(error))
    print(json.dumps(result_as_json(Path(arguments.file).stem, result)))
    return 0


def result_as_json(instance: str, result: SolveResult) -> dict[str, Any]:
    assignments = sorted(
        (
            {
                "job": int(a.job),
                "operation": a.operation + 1,
                "machine": int(a.resource),
                "start": a.start,
                "end": a.end,
            }
            for a in result.assignments
        ),
        key=lambda a: (a["job"], a["operation"]),
    )
    return {
        "instance": instance,
        "makespan": result.makespan,
        "lower_bound": result.lower_bound,
        "status": result.status.value,
        "seconds": round(result.seconds, 3),
        "assignments": assignments,
    }


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return USAGE_ERROR


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m machikoba.scheduling",
        description="Flexible job-shop scheduling with OR-Tools CP-SAT.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    solve_command = commands.add_parser("solve", help="solve one .fjs instance")
    solve_command.add_argument("file", help="instance in the flexible job-shop text format")
    solve_command.add_argument(
        "--time-limit",
        type=_bounded(float, MIN_TIME_LIMIT, MAX_TIME_LIMIT, "seconds"),
        default=30.0,
        help=f"wall-clock seconds, in [{MIN_TIME_LIMIT}, {MAX_TIME_LIMIT:.0f}] (default 30)",
    )
    solve_command.add_argument(
        "--workers",
        type=_bounded(int, 1, MAX_WORKERS, "threads"),
        default=2,
        help="solver threads (default 2)",
    )
    solve_command.add_argument(
        "--seed", type=_bounded(int, 0, 2**31 - 1, "seed"), default=0, help="random seed"
    )
    return parser


def _bounded(
    kind: type[int] | type[float], lowest: float, highest: float, unit: str
) -> Callable[[str], float]:
    def parse(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a valid number") from None
        if value != value or not lowest <= value <= highest:  # value != value: NaN
            raise argparse.ArgumentTypeError(
                f"{text} is out of range: use {lowest:g} to {highest:g} {unit}"
            )
        return value

    return parse
