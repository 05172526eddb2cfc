"""Reader for the flexible job-shop text format (Mastrolilli's ``.fjs``).

Line 1 is ``jobs machines [average-alternatives]``; then one line per job: its number of
operations, then per operation ``k`` followed by ``k`` pairs ``machine duration``.
Machines are 1-based. Blank lines are ignored. Any fault is reported with its line
number and the offending token, so a hand-edited file can be fixed quickly.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .model import Alternative, Job, Operation, Problem, Resource


class FjsFormatError(ValueError):
    def __init__(self, source: str, line: int, message: str) -> None:
        self.source = source
        self.line = line
        super().__init__(f"{source}:{line}: {message}")


@dataclass
class _Tokens:
    """The tokens of one line, with positions for error messages."""

    source: str
    line: int
    items: list[str]
    cursor: int = 0

    def integer(self, what: str, minimum: int, maximum: int | None = None) -> int:
        if self.cursor >= len(self.items):
            raise FjsFormatError(self.source, self.line, f"line ends where {what} was expected")
        token = self.items[self.cursor]
        position = self.cursor + 1
        self.cursor += 1
        try:
            value = int(token)
        except ValueError:
            raise FjsFormatError(
                self.source, self.line, f"token {position} {token!r}: {what} must be an integer"
            ) from None
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f">= {minimum}" if maximum is None else f"in [{minimum}, {maximum}]"
            raise FjsFormatError(
                self.source, self.line, f"token {position} {token!r}: {what} must be {bounds}"
            )
        return value

    def expect_end(self) -> None:
        if self.cursor < len(self.items):
            token = self.items[self.cursor]
            raise FjsFormatError(
                self.source,
                self.line,
                f"token {self.cursor + 1} {token!r}: unexpected after the last operation",
            )


def read_fjs(path: str | Path) -> Problem:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise FjsFormatError(str(path), 1, f"not a text file ({error.reason})") from None
    return parse_fjs(text, source=str(path), name=path.stem)


def parse_fjs(text: str, source: str = "<text>", name: str = "") -> Problem:
    lines = [(number, line.split()) for number, line in enumerate(text.splitlines(), 1)]
    lines = [(number, items) for number, items in lines if items]
    if not lines:
        raise FjsFormatError(source, 1, "the file is empty")
    header = _Tokens(source, lines[0][0], lines[0][1])
    job_count = header.integer("the number of jobs", 1)
    machine_count = header.integer("the number of machines", 1)
    if header.cursor < len(header.items):
        _check_average(header)
    job_lines = lines[1:]
    if len(job_lines) < job_count:
        last = lines[-1][0]
        raise FjsFormatError(
            source, last, f"the header announces {job_count} jobs but only {len(job_lines)} follow"
        )
    if len(job_lines) > job_count:
        number, items = job_lines[job_count]
        raise FjsFormatError(
            source, number, f"token 1 {items[0]!r}: more job lines than the {job_count} announced"
        )
    jobs = tuple(
        _parse_job(_Tokens(source, number, items), str(index), machine_count)
        for index, (number, items) in enumerate(job_lines, 1)
    )
    resources = tuple(Resource(str(machine)) for machine in range(1, machine_count + 1))
    return Problem(jobs=jobs, resources=resources, name=name)


def _check_average(header: _Tokens) -> None:
    token = header.items[header.cursor]
    try:
        float(token)
    except ValueError:
        raise FjsFormatError(
            header.source,
            header.line,
            f"token {header.cursor + 1} {token!r}: the average number of alternatives "
            "must be a number",
        ) from None
    header.cursor += 1
    header.expect_end()


def _parse_job(tokens: _Tokens, job_id: str, machine_count: int) -> Job:
    operation_count = tokens.integer("the number of operations", 1)
    operations = []
    for _ in range(operation_count):
        alternative_count = tokens.integer("the number of alternatives", 1, machine_count)
        alternatives = []
        seen: set[int] = set()
        for _ in range(alternative_count):
            machine = tokens.integer("a machine number", 1, machine_count)
            if machine in seen:
                raise FjsFormatError(
                    tokens.source,
                    tokens.line,
                    f"token {tokens.cursor} {tokens.items[tokens.cursor - 1]!r}: machine "
                    f"{machine} listed twice for one operation",
                )
            seen.add(machine)
            duration = tokens.integer("a duration", 0)
            alternatives.append(Alternative(str(machine), duration))
        operations.append(Operation(tuple(alternatives)))
    tokens.expect_end()
    return Job(id=job_id, operations=tuple(operations))


def shared_benchmark_folder() -> Path:
    """Where the academic instances are (for the benchmark and its tests): the folder
    named by ``MACHIKOBA_FJSP_BENCHMARKS``, else ``../shared/benchmarks/fjsp`` beside the
    checkout (the project's machines), else ``/work/shared/benchmarks/fjsp`` (so that a
    clone in a temporary folder finds them too). The first candidate when none exists."""
    import os

    candidates = [
        Path(__file__).resolve().parents[4] / "shared" / "benchmarks" / "fjsp",
        Path("/work/shared/benchmarks/fjsp"),
    ]
    if os.environ.get("MACHIKOBA_FJSP_BENCHMARKS"):
        candidates.insert(0, Path(os.environ["MACHIKOBA_FJSP_BENCHMARKS"]))
    return next((path for path in candidates if path.is_dir()), candidates[0])
