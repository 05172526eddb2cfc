#!/usr/bin/env python3
"""The kill rate of `make mutation`, per target and overall, from `mutmut results --all true`.

The targets are the rules that guard the product (the access layers, the step transitions,
the board's hand rules, the DX subsidy's arithmetic and application transitions).
``--names`` prints the mutant-name globs `make mutation` passes to `mutmut run`, so mutmut
runs exactly the mutants counted here.

Kill rate = killed / (every mutant that ran or had no tests): a mutant no test reaches counts
as not killed, and so does a timeout.
"""

from __future__ import annotations

import argparse
import fnmatch
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = ROOT / ".venv" / "bin" / "mutmut"

# (label, mutant-name globs). A name reads `<module>.x_<function>__mutmut_<n>`
# (`<module>.xǁ<Class>ǁ<method>__mutmut_<n>` for a method).
TARGETS: list[tuple[str, tuple[str, ...]]] = [
    ("core/access.py", ("machikoba.core.access.*",)),
    ("network/transitions.py", ("machikoba.network.transitions.*",)),
    ("network/services/progress.py", ("machikoba.network.services.progress.*",)),
    ("network/selectors/steps.py", ("machikoba.network.selectors.steps.*",)),
    ("drawings/access.py", ("machikoba.drawings.access.*",)),
    # The hands section of board/services.py, or board/services/hands.py once board's
    # services are a package (the second glob matches every function of that module).
    ("board hands", ("machikoba.board.services.x_*hand*", "machikoba.board.services.hands.*")),
    ("subsidies/arithmetic.py", ("machikoba.subsidies.arithmetic.*",)),
    ("subsidies/access.py", ("machikoba.subsidies.access.*",)),
    ("subsidies/transitions.py", ("machikoba.subsidies.transitions.*",)),
]

COLUMNS = ("killed", "survived", "no tests", "timeout", "other")
NOT_RUN = {"not checked", "skipped"}


def target_of(name: str) -> str | None:
    for label, patterns in TARGETS:
        if any(fnmatch.fnmatchcase(name, pattern) for pattern in patterns):
            return label
    return None


def read_results(lines: list[str]) -> dict[str, Counter]:
    """{target label: Counter of statuses} from the lines `mutmut results --all true` prints
    (`    <mutant name>: <status>`)."""
    counts: dict[str, Counter] = {label: Counter() for label, _ in TARGETS}
    for line in lines:
        name, sep, status = line.strip().rpartition(": ")
        if not sep:
            continue
        label = target_of(name)
        if label is None or status in NOT_RUN:
            continue
        column = status if status in COLUMNS else "other"
        counts[label][column] += 1
    return counts


def kill_rate(counter: Counter) -> float | None:
    total = sum(counter.values())
    return counter["killed"] / total if total else None


def table(counts: dict[str, Counter]) -> str:
    header = f"{'target':<30} {'mutants':>7} " + " ".join(f"{c:>8}" for c in COLUMNS)
    rows = [header + f" {'kill rate':>9}", "-" * (len(header) + 10)]
    overall: Counter = Counter()
    for label, counter in [*counts.items(), ("overall", None)]:
        if counter is None:
            counter = overall
        else:
            overall.update(counter)
        rate = kill_rate(counter)
        rows.append(
            f"{label:<30} {sum(counter.values()):>7} "
            + " ".join(f"{counter[c]:>8}" for c in COLUMNS)
            + f" {'—' if rate is None else f'{rate:.1%}':>9}"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--names", action="store_true", help="print the mutant-name globs")
    parser.add_argument("--survivors", action="store_true", help="also list the mutants not killed")
    args = parser.parse_args()
    if args.names:
        print(" ".join(pattern for _, patterns in TARGETS for pattern in patterns))
        return 0
    output = subprocess.run(
        [str(MUTMUT), "results", "--all", "true"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    counts = read_results(output)
    if not any(counts.values()):
        print("No mutation results: run `make mutation` first.", file=sys.stderr)
        return 1
    print(table(counts))
    if args.survivors:
        for line in output:
            name, _, status = line.strip().rpartition(": ")
            if target_of(name) and status not in NOT_RUN and status != "killed":
                print(f"  {status:<9} {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
