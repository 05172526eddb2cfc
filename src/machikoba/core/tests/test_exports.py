"""Every spreadsheet export escapes text Excel would run as a formula (core.exports)."""

import csv
import io

import pytest

from machikoba.core.exports import csv_safe, csv_writer


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("http://evil.example","x")',
        "+1+1",
        "-2+3",
        "@SUM(A1:A2)",
        "\t=1+1",
        "\r=1+1",
    ],
)
def test_text_starting_a_formula_gets_a_quote(text):
    assert csv_safe(text) == "'" + text


@pytest.mark.parametrize("value", ["蒲田精機株式会社", "", "1+1", "a=b", "'=already"])
def test_ordinary_text_is_unchanged(value):
    assert csv_safe(value) == value


@pytest.mark.parametrize("value", [-3, 0, 12, -2.5, None])
def test_numbers_stay_numbers(value):
    assert csv_safe(value) is value


def test_the_writer_escapes_every_cell_and_keeps_negative_numbers():
    out = io.StringIO()
    writer = csv_writer(out)
    writer.writerow(["=1+1", -3, "普通の名前"])
    writer.writerows([["@x", 5]])
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["'=1+1", "-3", "普通の名前"],
        ["'@x", "5"],
    ]
