"""Writing spreadsheets people open in Excel: cells that would run as formulas are escaped.

Every CSV or Excel file the platform hands out goes through ``csv_safe`` (the CSV writer
below, or each text cell of an .xlsx). A company name, a person's name or an error text is
typed by someone else; Excel (and LibreOffice, Google Sheets) treats a cell starting with
``= + - @`` (or a tab / carriage return before one) as a formula, so
``=HYPERLINK("http://evil", "x")`` would become a live link in an officer's spreadsheet
("CSV injection", OWASP). A single quote in front makes Excel show the text as it is; our
importer drops the quote again (``companies.importing.reading``).

Only text is escaped: a number written as a number (an ``int``, ``-3``) stays a number.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import Any, Protocol

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: Any) -> Any:
    """``value`` as a spreadsheet shows it verbatim: text that Excel would read as a
    formula gets a leading ``'``; anything else (numbers, empty cells) is unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


class _Writable(Protocol):
    def write(self, s: str, /) -> Any: ...


class SafeCsvWriter:
    """``csv.writer`` (RFC 4180 quoting, CRLF line ends, as Excel expects) whose every
    cell has gone through ``csv_safe``."""

    def __init__(self, out: _Writable) -> None:
        self._writer = csv.writer(out)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([csv_safe(value) for value in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(out: _Writable) -> SafeCsvWriter:
    """The CSV writer every export uses (never ``csv.writer`` directly)."""
    return SafeCsvWriter(out)


SPREADSHEET_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def table_file(
    file_format: str, *, sheet: str, header: Iterable[Any], rows: Iterable[Iterable[Any]]
) -> tuple[bytes, str]:
    """A table as a CSV (UTF-8 with a BOM, so Excel reads it) or an .xlsx file, and its
    content type. Text cells go through ``csv_safe`` in both; numbers stay numbers."""
    if file_format == "csv":
        import io

        out = io.StringIO()
        writer = csv_writer(out)
        writer.writerow(header)
        writer.writerows(rows)
        return ("\ufeff" + out.getvalue()).encode("utf-8"), SPREADSHEET_TYPES["csv"]
    if file_format == "xlsx":
        import io

        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell

        workbook = Workbook(write_only=True)
        worksheet = workbook.create_sheet(sheet[:31])
        worksheet.freeze_panes = "A2"
        for line in (header, *rows):
            cells = []
            for value in line:
                cell = WriteOnlyCell(worksheet, value=csv_safe(value))
                if isinstance(value, str):
                    cell.data_type = "s"  # stored as text: never reinterpreted
                cells.append(cell)
            worksheet.append(cells)
        out_bytes = io.BytesIO()
        workbook.save(out_bytes)
        return out_bytes.getvalue(), SPREADSHEET_TYPES["xlsx"]
    raise ValueError(f"unknown spreadsheet format {file_format!r}")
