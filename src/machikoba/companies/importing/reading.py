"""Reading an uploaded CSV or .xlsx into a table, refusing what is unsafe or too large."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.models_io import (
    ImportFormat,
)
from machikoba.core.errors import ApplicationError
from machikoba.core.exports import FORMULA_PREFIXES

MAX_UPLOAD_BYTES = 10_000_000
# Declared uncompressed size of all members of an .xlsx (zip). zipfile never inflates a
# member beyond its declared size (it fails the CRC instead), so checking the
# declarations bounds the work openpyxl can be made to do.
MAX_XLSX_UNCOMPRESSED_BYTES = 100_000_000
MAX_ROWS = 20_000
# Lines read at most, blank ones included (a sheet can declare a million empty rows).
MAX_LINES = 100_000
MAX_COLUMNS = 100

OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc) format
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    """A file's first non-blank row (the header) and its non-blank data rows."""

    header: list[str] = field(default_factory=list)
    rows: list[tuple[int, list[Any]]] = field(default_factory=list)  # (line, cells)


def _refuse(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, fields={"file": [message]})


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def column_label(header: list[str], index: int) -> str:
    """The column's header, or ``F列`` for a column without one."""
    text = header[index] if 0 <= index < len(header) else ""
    return text or _("%(letter)s列") % {"letter": _column_letter(index)}


def column_choice(header: list[str], index: int) -> str:
    """How a column is offered in the mapping form: ``企業名 (A列)``."""
    letter = _column_letter(index)
    text = header[index] if 0 <= index < len(header) else ""
    if not text:
        return _("%(letter)s列 (見出しなし)") % {"letter": letter}
    return _("%(header)s (%(letter)s列)") % {"header": text, "letter": letter}


def file_format_of(name: str, head: bytes) -> str:
    """The format to read ``name`` as, judged by its extension and confirmed by content."""
    suffix = name.lower().rpartition(".")[2] if "." in name else ""
    if suffix == "xls" or head.startswith(OLE2_MAGIC):
        raise _refuse(
            CompaniesErrorCode.IMPORT_OLD_EXCEL,
            _(
                "古い Excel 形式 (.xls) には対応していません。"
                "Excel の「名前を付けて保存」で「Excel ブック (.xlsx)」を選んで"
                "保存し直してください。"
            ),
        )
    if suffix == "xlsx":
        if not head.startswith(ZIP_MAGIC):
            raise _refuse(CompaniesErrorCode.IMPORT_NOT_XLSX, _not_xlsx_message())
        return ImportFormat.XLSX
    if suffix in ("csv", "txt"):
        return ImportFormat.CSV
    raise _refuse(
        CompaniesErrorCode.IMPORT_UNSUPPORTED_TYPE,
        _("CSV ファイル (.csv) か Excel ファイル (.xlsx) を選んでください。"),
    )


def _not_xlsx_message() -> str:
    return _(
        "Excel ファイル (.xlsx) として読み込めませんでした。"
        "ファイルが壊れていないか、拡張子が正しいか確認してください。"
    )


def _decode_csv(data: bytes) -> str:
    # Excel for Windows in Japan saves "CSV (コンマ区切り)" as Shift_JIS (cp932, with
    # NEC/IBM extensions such as ①); "CSV UTF-8" and most other tools write UTF-8.
    for encoding in ("utf-8-sig", "cp932"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text
    raise _refuse(
        CompaniesErrorCode.IMPORT_ENCODING,
        _(
            "CSV ファイルの文字を読み取れませんでした。"
            "UTF-8 か Shift_JIS の CSV (Excel の「CSV (コンマ区切り)」) で保存してください。"
        ),
    )


def _csv_records(data: bytes) -> Iterator[list[Any]]:
    text = _decode_csv(data)
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        yield from reader
    except csv.Error:
        raise _refuse(
            CompaniesErrorCode.IMPORT_BAD_CSV,
            _(
                "CSV ファイルの %(line)s 行目を読み取れませんでした。"
                '引用符 (") の閉じ忘れがないか確認してください。'
            )
            % {"line": reader.line_num},
        ) from None


def _check_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError):
        raise _refuse(CompaniesErrorCode.IMPORT_NOT_XLSX, _not_xlsx_message()) from None
    declared = sum(member.file_size for member in members)
    if declared > MAX_XLSX_UNCOMPRESSED_BYTES:
        raise _refuse(
            CompaniesErrorCode.IMPORT_XLSX_TOO_LARGE,
            _(
                "Excel ファイルの中身が大きすぎます (展開すると %(size)s MB)。"
                "%(limit)s MB 以下にしてください。"
            )
            % {"size": declared // 1_000_000, "limit": MAX_XLSX_UNCOMPRESSED_BYTES // 1_000_000},
        )
    if "xl/workbook.xml" not in {member.filename for member in members}:
        raise _refuse(CompaniesErrorCode.IMPORT_NOT_XLSX, _not_xlsx_message())


def _xlsx_records(data: bytes) -> Iterator[list[Any]]:
    import openpyxl

    _check_zip(data)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl fails in many ways on a damaged file: all are the file's
        raise _refuse(CompaniesErrorCode.IMPORT_NOT_XLSX, _not_xlsx_message()) from None
    try:
        if not workbook.worksheets:
            raise _refuse(CompaniesErrorCode.IMPORT_NOT_XLSX, _not_xlsx_message())
        # The first sheet is the list; later sheets (notes, lookups) are not read.
        rows = workbook.worksheets[0].iter_rows(max_col=MAX_COLUMNS, values_only=True)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except Exception:  # a broken sheet XML or a member failing its CRC
                raise _refuse(CompaniesErrorCode.IMPORT_NOT_XLSX, _not_xlsx_message()) from None
            yield list(row)
    finally:
        workbook.close()


def _is_blank(cells: Iterable[Any]) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def _too_many_rows() -> ApplicationError:
    return _refuse(
        CompaniesErrorCode.IMPORT_TOO_MANY_ROWS,
        _(
            "行が多すぎます。1回に取り込めるのは %(limit)s 行までです。"
            "ファイルを分けて取り込んでください。"
        )
        % {"limit": f"{MAX_ROWS:,}"},
    )


def read_table(data: bytes, file_format: str, *, limit: int | None = None) -> Table:
    """Parse a whole file (or its first ``limit`` data rows) into a ``Table``.

    Raises ``ApplicationError`` (on the ``file`` field) for anything unreadable.
    """
    records = _xlsx_records(data) if file_format == ImportFormat.XLSX else _csv_records(data)
    table = Table()
    width = 0
    found_header = False
    for line, cells in enumerate(records, start=1):
        if line > MAX_LINES:
            raise _too_many_rows()
        if _is_blank(cells):
            continue
        if not found_header:
            labels = [_cell_text(cell) for cell in cells[:MAX_COLUMNS]]
            while labels and not labels[-1]:
                labels.pop()
            table.header = labels
            width = len(labels)
            found_header = True
            continue
        if len(table.rows) >= MAX_ROWS:
            raise _too_many_rows()
        table.rows.append((line, list(cells[:width])))
        if limit is not None and len(table.rows) >= limit:
            break
    if not found_header:
        raise _refuse(
            CompaniesErrorCode.IMPORT_EMPTY,
            _("ファイルが空です。企業の一覧が入った CSV か Excel のファイルを選んでください。"),
        )
    if not table.rows:
        raise _refuse(
            CompaniesErrorCode.IMPORT_NO_ROWS,
            _("見出しの行しかありません。見出しの下に1社1行で企業を入力してください。"),
        )
    return table


def max_upload_bytes() -> int:
    return MAX_UPLOAD_BYTES


def too_large_message(size: int) -> str:
    """The refusal of a file of ``size`` bytes (or a request body of that size, when the
    upload was stopped while it streamed in: ``core.uploads``)."""
    return _(
        "ファイルが大きすぎます (%(size)s MB)。%(limit)s MB 以下のファイルを選んでください。"
    ) % {
        "size": round(size / 1_000_000, 1),
        "limit": MAX_UPLOAD_BYTES // 1_000_000,
    }


def inspect_upload(upload) -> tuple[str, bytes, Table]:
    """Everything refused before a byte is stored: size, type, zip bomb, rows."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise _refuse(CompaniesErrorCode.IMPORT_TOO_LARGE, too_large_message(upload.size))
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if not data:
        raise _refuse(
            CompaniesErrorCode.IMPORT_EMPTY,
            _("ファイルが空です。企業の一覧が入った CSV か Excel のファイルを選んでください。"),
        )
    file_format = file_format_of(upload.name or "", data[:8])
    return file_format, data, read_table(data, file_format)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    text = str(value).strip()
    # Our export (and careful users) put a ' before text Excel would run as a formula.
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_PREFIXES):
        text = text[1:]
    return text
