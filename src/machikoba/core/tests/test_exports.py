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


def test_a_table_as_csv_has_a_bom_the_header_and_escaped_text():
    from machikoba.core.exports import table_file

    content, content_type = table_file(
        "csv", sheet="一覧", header=["企業", "件数"], rows=[["=evil()", 3], ["蒲田精機", 0]]
    )
    assert content_type.startswith("text/csv")
    text = content.decode("utf-8")
    assert text.startswith("\ufeff")
    assert list(csv.reader(io.StringIO(text.lstrip("\ufeff")))) == [
        ["企業", "件数"],
        ["'=evil()", "3"],
        ["蒲田精機", "0"],
    ]


def test_a_table_as_xlsx_keeps_numbers_as_numbers_and_text_as_escaped_text():
    from openpyxl import load_workbook

    from machikoba.core.exports import table_file

    content, content_type = table_file(
        "xlsx", sheet="一覧", header=["企業", "件数"], rows=[["+1+1", 7]]
    )
    assert content_type.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "一覧"
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["企業", "件数"],
        ["'+1+1", 7],
    ]


def test_a_table_in_an_unknown_format_is_refused():
    from machikoba.core.exports import table_file

    with pytest.raises(ValueError, match="pdf"):
        table_file("pdf", sheet="x", header=[], rows=[])
