"""Scheduling engine on generated instances shaped like a ward's shop network (issue 7).

The academic sets are small and uniform; the product plans shops with a handful of
machine kinds, parts that visit three to seven processes, some steps done at partner
shops (no capacity limit, days long), transport between shops and due dates. This script
generates such instances from a seed (nothing here was tuned on them) and prints, per
instance, the dispatch-rule makespan, ours, our lower bound, the gap to that bound, the
weighted tardiness when due dates are the objective, and the seconds used.

    .venv/bin/python bench/shop_networks.py                        # 15, 30, 60, 120 jobs, 30 s
    .venv/bin/python bench/shop_networks.py --jobs 120 --time-limit 60 --seed 4
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from machikoba.scheduling import (
    Alternative,
    Job,
    Operation,
    Problem,
    Resource,
    TransportTimes,
    solve,
)
from machikoba.scheduling.compiled import check_objectives, compile_problem
from machikoba.scheduling.heuristic import construct
from machikoba.scheduling.solution import objective_value

# Process kinds, how many machines of each a shop may have, and minutes per operation.
KINDS = {
    "nc_lathe": (1, 3, (60, 480)),
    "machining_centre": (1, 2, (90, 540)),
    "manual_lathe": (1, 1, (30, 240)),
    "grinding": (1, 1, (60, 300)),
    "inspection": (1, 1, (20, 90)),
}
# Done by partner shops: any amount at once, one to three working days (of 480 minutes).
PARTNER_KINDS = ("heat_treatment", "plating")


def generate(jobs: int, seed: int) -> Problem:
    rng = random.Random(seed)
    shops = [f"shop{index}" for index in range(3)]
    machines: dict[str, list[str]] = {kind: [] for kind in KINDS}
    resources = []
    for shop in shops:
        for kind, (low, high, _minutes) in KINDS.items():
            for unit in range(rng.randint(0, high) if shop != shops[0] else rng.randint(low, high)):
                machine = f"{shop}:{kind}:{unit}"
                machines[kind].append(machine)
                resources.append(Resource(machine))
    partners = {kind: [f"partner:{kind}:{i}" for i in range(2)] for kind in PARTNER_KINDS}
    resources += [Resource(p, capacity=None) for names in partners.values() for p in names]
    routes = []
    for index in range(jobs):
        length = rng.randint(3, 7)
        operations = []
        for _position in range(length):
            if rng.random() < 0.15:
                kind = rng.choice(PARTNER_KINDS)
                days = rng.randint(1, 3)
                operations.append(
                    Operation(
                        tuple(
                            Alternative(p, days * 480 + rng.randint(-60, 60))
                            for p in partners[kind]
                        )
                    )
                )
                continue
            kind = rng.choice([k for k in KINDS if machines[k]])
            base = rng.randint(*KINDS[kind][2])
            eligible = rng.sample(machines[kind], k=min(len(machines[kind]), rng.randint(1, 4)))
            operations.append(
                Operation(
                    tuple(
                        Alternative(m, max(5, int(base * rng.uniform(0.8, 1.3)))) for m in eligible
                    )
                )
            )
        work = sum(min(a.duration for a in op.alternatives) for op in operations)
        release = rng.randint(0, 3 * 480)
        routes.append(
            Job(
                f"j{index}",
                tuple(operations),
                release=release,
                due=release + int(work * rng.uniform(1.5, 4.0)),
                weight=rng.choice((1, 1, 2, 3)),
            )
        )
    between = {}
    places = [r.id for r in resources]
    for source in places:
        for target in places:
            if source.split(":")[0] != target.split(":")[0]:
                between[(source, target)] = rng.choice((60, 120, 240))
    return Problem(
        jobs=tuple(routes),
        resources=tuple(resources),
        transport=TransportTimes(default=0, between=between),
        name=f"shops-{jobs}-{seed}",
    )


def dispatch(problem: Problem, objective: list[str]) -> int:
    compiled = compile_problem(problem)
    objectives = check_objectives(objective)
    best = construct(compiled, objectives, seed=0, time_budget=2.0)
    return objective_value(compiled, best, objectives[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", default="15,30,60,120")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time-limit", type=float, default=30.0)
    parser.add_argument("--workers", type=int, default=2)
    arguments = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.2f}", flush=True)
    header = f"{'instance':<16}{'ops':>5}{'objective':>11}{'dispatch':>10}{'ours':>9}"
    print(f"{header}{'bound':>9}{'gap %':>8}{'s':>7}", flush=True)
    for jobs in (int(value) for value in arguments.jobs.split(",")):
        problem = generate(jobs, arguments.seed)
        for objective in (["makespan"], ["tardiness", "makespan"]):
            started = time.monotonic()
            result = solve(
                problem,
                objective=objective,
                time_limit=arguments.time_limit,
                workers=arguments.workers,
                seed=0,
            )
            seconds = time.monotonic() - started
            ours = result.objectives[objective[0]]
            bound = result.lower_bound if objective == ["makespan"] else None
            gap = f"{100 * (ours - bound) / bound:.2f}" if bound else "—"
            print(
                f"{problem.name:<16}{problem.operation_count():>5}{objective[0]:>11}"
                f"{dispatch(problem, objective):>10}{ours:>9}{bound if bound else '—':>9}"
                f"{gap:>8}{seconds:>7.1f}",
                flush=True,
            )
    print(f"load average after: {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
