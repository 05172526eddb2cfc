"""The .fjs reader's error messages and the command line (run as a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import machikoba
from machikoba.scheduling import check_size
from machikoba.scheduling.errors import SchedulingInputError
from machikoba.scheduling.fjs import (
    FjsFormatError,
    parse_fjs,
    read_fjs,
    shared_benchmark_folder,
)

BENCHMARKS = shared_benchmark_folder()
# Kacem, Hammadi & Borne (2002), the 4 × 5 instance: kept here so the CLI test needs
# nothing outside the repository.
KACEM_1_TEXT = """4 5 5
3  5 1 2 2 5 3 4 4 1 5 2 5 1 5 2 4 3 5 4 7 5 5 5 1 4 2 5 3 5 4 4 5 5
3  5 1 2 2 5 3 4 4 7 5 8 5 1 5 2 6 3 9 4 8 5 5 5 1 4 2 5 3 4 4 54 5 5
4  5 1 9 2 8 3 6 4 7 5 9 5 1 6 2 1 3 2 4 5 5 4 5 1 2 2 5 3 4 4 2 5 4 5 1 4 2 5 3 2 4 1 5 5
2  5 1 1 2 5 3 2 4 4 5 12 5 1 5 2 1 3 2 4 1 5 2
"""
SOURCE_ROOT = Path(machikoba.__file__).resolve().parents[1]


def run_cli(*arguments: str) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(SOURCE_ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "machikoba.scheduling", *arguments],
        capture_output=True,
        text=True,
        timeout=60,
        env=environment,
        check=False,
    )


def test_a_well_formed_instance_is_read():
    problem = parse_fjs("2 3 1.5\n2 1 1 5 2 2 4 3 6\n1 1 3 2\n")
    assert len(problem.jobs) == 2
    assert len(problem.resources) == 3
    first = problem.jobs[0].operations[1].alternatives
    assert [(a.resource, a.duration) for a in first] == [("2", 4), ("3", 6)]


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", ":1: the file is empty"),
        ("x 2\n", ":1: token 1 'x': the number of jobs must be an integer"),
        ("1 2 abc\n1 1 1 5\n", ":1: token 3 'abc': the average number"),
        ("2 2\n1 1 1 5\n", "announces 2 jobs but only 1 follow"),
        ("1 2\n1 1 1 5\n1 1 1 5\n", ":3: token 1 '1': more job lines"),
        ("1 2\n1 1 x 5\n", ":2: token 3 'x': a machine number must be an integer"),
        ("1 2\n1 1 3 5\n", ":2: token 3 '3': a machine number must be in [1, 2]"),
        ("1 2\n1 1 1 -5\n", ":2: token 4 '-5': a duration must be >= 0"),
        ("1 2\n2 1 1 5\n", ":2: line ends where the number of alternatives was expected"),
        ("1 2\n1 1 1 5 7\n", ":2: token 5 '7': unexpected after the last operation"),
        ("1 2\n1 2 1 5 1 6\n", ":2: token 5 '1': machine 1 listed twice"),
        ("1 2\n\n\n1 0\n", ":4: token 2 '0': the number of alternatives must be in [1, 2]"),
    ],
)
def test_malformed_files_name_the_line_and_token(text, where):
    with pytest.raises(FjsFormatError) as caught:
        parse_fjs(text, source="bad.fjs")
    assert where in str(caught.value)
    assert str(caught.value).startswith("bad.fjs:")


def test_every_shared_benchmark_file_reads():
    files = sorted(BENCHMARKS.glob("*/*.fjs"))
    if not files:
        message = f"no benchmark files under {BENCHMARKS}"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    for path in files:
        assert read_fjs(path).jobs


def test_size_guard():
    problem = parse_fjs("2 1\n2 1 1 5 1 1 5\n1 1 1 5\n")
    check_size(problem, max_operations=3)
    with pytest.raises(SchedulingInputError, match="3 operations; the limit is 2"):
        check_size(problem, max_operations=2)


def test_cli_prints_one_json_object_for_kacem_1(tmp_path):
    kacem_1 = tmp_path / "Kacem1.fjs"
    kacem_1.write_text(KACEM_1_TEXT)
    completed = run_cli("solve", str(kacem_1), "--time-limit", "2", "--workers", "1")
    assert completed.returncode == 0, completed.stderr
    answer = json.loads(completed.stdout)
    assert set(answer) == {
        "instance",
        "makespan",
        "lower_bound",
        "status",
        "seconds",
        "assignments",
    }
    assert answer["instance"] == "Kacem1"
    assert answer["makespan"] == 11  # the known optimum of this 4 × 5 instance
    assert answer["status"] in ("optimal", "feasible")
    assert answer["lower_bound"] <= answer["makespan"]
    problem = read_fjs(kacem_1)
    assert len(answer["assignments"]) == problem.operation_count()
    first = answer["assignments"][0]
    assert set(first) == {"job", "operation", "machine", "start", "end"}
    assert (first["job"], first["operation"]) == (1, 1)  # 1-based, as in the file
    assert all(1 <= a["machine"] <= len(problem.resources) for a in answer["assignments"])
    assert max(a["end"] for a in answer["assignments"]) == answer["makespan"]


def test_cli_rejects_a_malformed_file_with_exit_code_2(tmp_path):
    bad = tmp_path / "bad.fjs"
    bad.write_text("1 2\n1 1 1 five\n")
    completed = run_cli("solve", str(bad), "--time-limit", "1")
    assert completed.returncode == 2
    assert "bad.fjs:2: token 4 'five'" in completed.stderr
    assert completed.stdout == ""


@pytest.mark.parametrize("value", ["0", "-3", "1000000", "nan", "soon"])
def test_cli_rejects_bad_time_limits_with_exit_code_2(tmp_path, value):
    good = tmp_path / "good.fjs"
    good.write_text("1 1\n1 1 1 5\n")
    completed = run_cli("solve", str(good), "--time-limit", value)
    assert completed.returncode == 2
    assert "--time-limit" in completed.stderr


def test_cli_reports_a_missing_file_with_exit_code_2(tmp_path):
    completed = run_cli("solve", str(tmp_path / "missing.fjs"))
    assert completed.returncode == 2
    assert "cannot read" in completed.stderr
