"""Importing the ward's existing company list from CSV or Excel (.xlsx).

1. ``import_job_create``: the upload is checked (size, type, a zip bomb, rows) and
   kept with an ``ImportJob``; nothing is stored for a file that is refused.
2. The officer maps the file's columns to profile fields (``suggest_mapping`` picks
   them by header) and sees a preview (``preview_rows``).
3. ``import_job_start`` queues ``companies.tasks.run_import_job``, which calls
   ``import_job_run``: a validation pass over every row with the services' own
   normalisation and checks, then one all-or-nothing transaction that creates or
   updates every company through ``company_create`` / ``company_update``.

Rows are numbered as a spreadsheet shows them: the header is line 1.
"""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.accounts.rules import is_ward_officer
from machikoba.companies import services
from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.exporting import EXPORT_COLUMNS, FORMULA_PREFIXES
from machikoba.companies.models import Company
from machikoba.companies.models_io import (
    MAX_REPORTED_ERRORS,
    ImportFormat,
    ImportJob,
    ImportStatus,
)
from machikoba.companies.validators import normalize_corporate_number, normalize_invoice_number
from machikoba.core.access import VIEW
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.core.queueing import enqueue_on_commit

MAX_UPLOAD_BYTES = 10_000_000
# Declared uncompressed size of all members of an .xlsx (zip). zipfile never inflates a
# member beyond its declared size (it fails the CRC instead), so checking the
# declarations bounds the work openpyxl can be made to do.
MAX_XLSX_UNCOMPRESSED_BYTES = 100_000_000
MAX_ROWS = 20_000
# Lines read at most, blank ones included (a sheet can declare a million empty rows).
MAX_LINES = 100_000
MAX_COLUMNS = 100
PREVIEW_ROWS = 10
PROGRESS_EVERY = 200

UNEXPECTED_FAILURE = gettext_lazy(
    "取り込み中に予期しないエラーが起きました。時間をおいて、もう一度取り込んでください。"
)
CONCURRENT_CHANGE = gettext_lazy(
    "同時に行われた別の変更と重なったため、登録できませんでした。もう一度取り込んでください。"
)


OLE2_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .doc) format
ZIP_MAGIC = b"PK\x03\x04"


# --- the fields an import fills, and the headers that name them ----------------------


@dataclass(frozen=True)
class ImportField:
    name: str
    kind: str  # "text", "integer", "year", "postal_code", "url", "number"
    synonyms: tuple[str, ...]

    @property
    def label(self) -> str:
        return str(Company._meta.get_field(self.name).verbose_name)


IMPORT_FIELDS = [
    ImportField(
        "name",
        "text",
        ("企業名", "会社名", "事業者名", "事業所名", "法人名", "商号", "名称", "社名"),
    ),
    ImportField(
        "name_kana",
        "text",
        ("フリガナ", "ふりがな", "カナ", "企業名カナ", "企業名フリガナ", "会社名カナ", "よみがな"),
    ),
    ImportField("name_en", "text", ("企業名英語", "英語名", "英文社名", "会社名英語")),
    ImportField("corporate_number", "number", ("法人番号",)),
    ImportField(
        "invoice_number",
        "number",
        ("登録番号", "インボイス番号", "インボイス登録番号", "適格請求書発行事業者登録番号"),
    ),
    ImportField("postal_code", "postal_code", ("郵便番号", "〒")),
    ImportField("prefecture", "text", ("都道府県",)),
    ImportField("municipality", "text", ("市区町村", "市区町村名")),
    ImportField(
        "address_line", "text", ("住所", "所在地", "町名番地", "町名番地建物", "番地", "住所2")
    ),
    ImportField("employees", "integer", ("従業員数", "従業員", "社員数", "従業者数")),
    ImportField("founded_year", "year", ("創業", "創業年", "設立年", "設立", "創業年西暦")),
    ImportField("representative_title", "text", ("代表者役職", "役職")),
    ImportField("representative_name", "text", ("代表者", "代表者名", "代表者氏名")),
    ImportField("website", "url", ("url", "ホームページ", "ウェブサイト", "webサイト", "hp")),
    ImportField("pr_text", "text", ("pr", "事業内容", "pr文", "自社pr", "特徴")),
]
FIELDS_BY_NAME = {f.name: f for f in IMPORT_FIELDS}


def normalize_header(text: Any) -> str:
    """``企業名（英語）`` and ``企業名 (英語)`` and ``企業名(英語)`` all read ``企業名英語``."""
    text = unicodedata.normalize("NFKC", str(text or "")).lower()
    return re.sub(r"[\s()\[\]【】「」・:：_\-‐－/]+", "", text)


def _synonyms() -> dict[str, set[str]]:
    """Each field's synonyms, plus the export's own header in every UI language (so an
    exported file always maps back, whatever language it was exported in)."""
    result = {f.name: {normalize_header(s) for s in f.synonyms} for f in IMPORT_FIELDS}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            for column in EXPORT_COLUMNS:
                if column.field in result:
                    result[column.field].add(normalize_header(str(column.label)))
    return result


def suggest_mapping(header: list[str]) -> dict[str, int]:
    """Field → column index, guessed from the header row: exact names first, then a
    header that contains a synonym (``会社名（漢字）``; not ``pr`` inside ``prefecture``).
    A column serves one field."""
    synonyms = _synonyms()
    normalized = [normalize_header(h) for h in header]
    mapping: dict[str, int] = {}
    used: set[int] = set()
    for import_field in IMPORT_FIELDS:
        for index, text in enumerate(normalized):
            if index not in used and text and text in synonyms[import_field.name]:
                mapping[import_field.name] = index
                used.add(index)
                break
    for import_field in IMPORT_FIELDS:
        if import_field.name in mapping:
            continue
        candidates = sorted(synonyms[import_field.name], key=len, reverse=True)
        for index, text in enumerate(normalized):
            if index in used or not text:
                continue
            if any(s in text for s in candidates if len(s) >= (3 if s.isascii() else 2)):
                mapping[import_field.name] = index
                used.add(index)
                break
    return mapping


NAME_NOT_MAPPED = gettext_lazy(
    "「企業名」に当たる列が選ばれていません。"
    "企業名が入っている列を選んでください (企業名は必須です)。"
)


def clean_mapping(mapping: Mapping[str, Any], *, column_count: int) -> dict[str, int]:
    """Validate a field → column mapping chosen by the officer."""
    result: dict[str, int] = {}
    problems: dict[str, list[str]] = {}
    for name, index in mapping.items():
        if name not in FIELDS_BY_NAME:
            raise ValueError(f"not an import field: {name}")
        if index is None or index == "":
            continue
        try:
            index = int(index)
        except (TypeError, ValueError):
            index = -1
        if not 0 <= index < column_count:
            problems[name] = [_("ファイルにない列が選ばれています。")]
            continue
        result[name] = index
    if "name" not in result and "name" not in problems:
        problems["name"] = [str(NAME_NOT_MAPPED)]
    owners: dict[int, str] = {}
    for import_field in IMPORT_FIELDS:
        index = result.get(import_field.name)
        if index is None:
            continue
        if index in owners:
            problems.setdefault(import_field.name, []).append(
                _(
                    "この列は「%(other)s」にも選ばれています。1つの列は1つの項目にだけ選んでください。"
                )
                % {"other": FIELDS_BY_NAME[owners[index]].label}
            )
        else:
            owners[index] = import_field.name
    if problems:
        raise ApplicationError(
            CompaniesErrorCode.IMPORT_MAPPING_INVALID,
            _("列の対応づけを確認してください。"),
            fields=problems,
        )
    return result


# --- reading files -------------------------------------------------------------------


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


def inspect_upload(upload) -> tuple[str, bytes, Table]:
    """Everything refused before a byte is stored: size, type, zip bomb, rows."""
    if upload.size > MAX_UPLOAD_BYTES:
        raise _refuse(
            CompaniesErrorCode.IMPORT_TOO_LARGE,
            _("ファイルが大きすぎます (%(size)s MB)。%(limit)s MB 以下のファイルを選んでください。")
            % {
                "size": round(upload.size / 1_000_000, 1),
                "limit": MAX_UPLOAD_BYTES // 1_000_000,
            },
        )
    upload.seek(0)
    data = upload.read(MAX_UPLOAD_BYTES + 1)
    if not data:
        raise _refuse(
            CompaniesErrorCode.IMPORT_EMPTY,
            _("ファイルが空です。企業の一覧が入った CSV か Excel のファイルを選んでください。"),
        )
    file_format = file_format_of(upload.name or "", data[:8])
    return file_format, data, read_table(data, file_format)


# --- cells to values ------------------------------------------------------------------


class CellError(Exception):
    pass


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


def convert_cell(import_field: ImportField, value: Any) -> Any:
    """A cell as the service expects the field; ``None`` for an empty cell (not given)."""
    if import_field.kind == "year" and isinstance(value, dt.date):
        return value.year
    if import_field.kind in ("integer", "year") and isinstance(value, int | float):
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise CellError(_integer_message(import_field, value))
        return int(value)
    text = _cell_text(value)
    if not text:
        return None
    if import_field.kind == "integer":
        digits = unicodedata.normalize("NFKC", text).replace(",", "").strip()
        digits = re.sub(r"\s*[人名]$", "", digits)
        if not re.fullmatch(r"\d{1,9}", digits):
            raise CellError(_integer_message(import_field, text))
        return int(digits)
    if import_field.kind == "year":
        found = re.fullmatch(r"(\d{4})(?:\s*年.*|[/\-.]\d{1,2}(?:[/\-.]\d{1,2})?)?", _nfkc(text))
        if not found:
            raise CellError(
                _("%(field)sは西暦4桁 (例: 1968) で入力してください (「%(value)s」)。")
                % {"field": import_field.label, "value": text}
            )
        return int(found.group(1))
    if import_field.kind == "postal_code" and isinstance(value, int | float):
        return f"{int(value):07d}"  # a number cell lost the leading zero of 060-0001
    if (
        import_field.kind == "url"
        and "://" not in text
        and re.fullmatch(r"[\w.-]+\.\w+(/\S*)?", text)
    ):
        return f"https://{text}"
    return text


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _integer_message(import_field: ImportField, value: Any) -> str:
    return _("%(field)sは0以上の整数で入力してください (「%(value)s」)。") % {
        "field": import_field.label,
        "value": value,
    }


@dataclass
class ImportRow:
    line: int
    values: dict[str, Any]
    errors: list[dict[str, Any]]


def _job_error(message: Any, *, line: int = 0) -> dict[str, Any]:
    """An error about the whole import (no column; ``row`` 0 when no row is to blame)."""
    return _error(line, "", "", message)


def _error(line: int, column: str, field_name: str, message: Any) -> dict[str, Any]:
    return {"row": line, "column": column, "field": field_name, "message": str(message)}


def build_row(
    line: int, cells: list[Any], *, mapping: Mapping[str, int], header: list[str]
) -> ImportRow:
    row = ImportRow(line=line, values={}, errors=[])
    for name, index in mapping.items():
        import_field = FIELDS_BY_NAME[name]
        raw = cells[index] if index < len(cells) else None
        try:
            value = convert_cell(import_field, raw)
        except CellError as error:
            row.errors.append(_error(line, column_label(header, index), name, error))
            continue
        if value is not None:
            row.values[name] = value
    return row


@dataclass
class PreviewRow:
    line: int
    cells: list[tuple[Any, bool]]  # (value as it will be imported, whether it is refused)
    problems: list[str]  # every refusal of the row, each named by its field
    updates: bool  # the 法人番号 is registered: the row updates that company


def preview_rows(job: ImportJob, mapping: Mapping[str, int], *, user) -> list[PreviewRow]:
    """The first rows of the file as the import would read and check them with
    ``mapping`` (read-only: the same checks as the validation pass)."""
    with job.file.open("rb") as handle:
        table = read_table(handle.read(), job.file_format, limit=PREVIEW_ROWS)
    rows = [build_row(n, cells, mapping=mapping, header=job.header) for n, cells in table.rows]
    existing = _existing_companies(user, rows)
    checker = RowChecker(mapping=mapping, header=job.header, existing=existing)
    shown = [f.name for f in IMPORT_FIELDS if f.name in mapping]
    result = []
    for row in rows:
        errors = checker.errors(row)
        refused = {error["field"] for error in errors}
        problems = []
        for error in errors:
            import_field = FIELDS_BY_NAME.get(error["field"])
            label = error["column"] or (import_field.label if import_field else "")
            problems.append(f"{label}: {error['message']}" if label else error["message"])
        cells = []
        for name in shown:
            value = row.values.get(name)
            if name == "corporate_number" and value is not None:
                value = normalize_corporate_number(str(value))
            elif name == "invoice_number" and value is not None:
                value = normalize_invoice_number(str(value))
            cells.append(("" if value is None else value, name in refused))
        result.append(
            PreviewRow(
                line=row.line, cells=cells, problems=problems, updates=_number_of(row) in existing
            )
        )
    return result


# --- services ------------------------------------------------------------------------


def _require_officer(actor) -> None:
    if actor is None or not is_ward_officer(actor):
        raise PermissionRefused(
            CompaniesErrorCode.NOT_WARD_OFFICER, _("企業リストを取り込めるのは区の担当者だけです。")
        )


def import_job_create(*, actor, upload) -> ImportJob:
    """Check an uploaded company list and keep it with a new job (status ``uploaded``).

    A refused file leaves nothing behind: no job, no file in storage. The file is read
    before the transaction opens (parsing 10 MB takes seconds; no lock is held meanwhile).
    """
    _require_officer(actor)
    file_format, data, table = inspect_upload(upload)
    with transaction.atomic():
        job = ImportJob(
            created_by=actor,
            original_name=(upload.name or "")[-255:],
            file_format=file_format,
            header=table.header,
            total_rows=len(table.rows),
        )
        job.file.save(f"upload.{file_format}", ContentFile(data), save=False)
        # A failure after the file was written must not leave it behind.
        try:
            full_clean_or_raise(job, code=CompaniesErrorCode.IMPORT_INVALID)
            job.save()
            audit_record(
                actor=actor,
                verb="import.create",
                target=job,
                after={"file": job.original_name, "rows": job.total_rows},
            )
        except Exception:
            job.file.storage.delete(job.file.name)
            raise
    return job


@transaction.atomic
def import_job_start(*, actor, job: ImportJob, mapping: Mapping[str, Any]) -> ImportJob:
    """Fix the column mapping and queue the import (``uploaded`` → ``queued``)."""
    _require_officer(actor)
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if job.status != ImportStatus.UPLOADED:
        raise ApplicationError(
            CompaniesErrorCode.IMPORT_ALREADY_STARTED, _("この取り込みはすでに始まっています。")
        )
    job.mapping = clean_mapping(mapping, column_count=len(job.header))
    job.status = ImportStatus.QUEUED
    job.started_by = actor
    job.processed_rows = 0
    job.save(update_fields=["mapping", "status", "started_by", "processed_rows", "updated_at"])
    audit_record(
        actor=actor,
        verb="import.start",
        target=job,
        after={"mapping": {name: column_label(job.header, i) for name, i in job.mapping.items()}},
    )
    enqueue_on_commit("machikoba.companies.tasks.run_import_job", job.pk)
    return job


def _move(job: ImportJob, status: str, *, allowed: tuple[str, ...], **changes: Any) -> None:
    """The one place the running import changes its status."""
    if job.status not in allowed:
        raise ValueError(f"import job {job.pk}: {job.status} → {status} is not allowed")
    job.status = status
    for name, value in changes.items():
        setattr(job, name, value)
    job.save(update_fields=["status", *changes, "updated_at"])


def _fail(job: ImportJob, errors: list[dict[str, Any]]) -> None:
    _move(
        job,
        ImportStatus.FAILED,
        allowed=(ImportStatus.QUEUED, ImportStatus.VALIDATING, ImportStatus.IMPORTING),
        errors=errors,
        finished_at=timezone.now(),
    )
    audit_record(
        actor=job.started_by, verb="import.fail", target=job, after={"errors": len(errors)}
    )


def _errors_from(
    error: ApplicationError, row: ImportRow, *, mapping: Mapping[str, int], header: list[str]
) -> list[dict]:
    if not error.fields:
        return [_job_error(error.message, line=row.line)]
    found = []
    for name, messages in error.fields.items():
        index = mapping.get(name)
        column = column_label(header, index) if index is not None else ""
        found += [_error(row.line, column, "" if name == "__all__" else name, m) for m in messages]
    return found


def _existing_companies(actor, rows: list[ImportRow]) -> dict[str, Company]:
    """Companies already registered under the rows' 法人番号 (matched, then updated)."""
    numbers = sorted(
        {
            normalize_corporate_number(str(row.values["corporate_number"]))
            for row in rows
            if row.values.get("corporate_number")
        }
    )
    found: dict[str, Company] = {}
    for start in range(0, len(numbers), 500):
        chunk = numbers[start : start + 500]
        for company in Company.objects.for_user(actor, VIEW).filter(corporate_number__in=chunk):
            found[company.corporate_number] = company
    return found


def _number_of(row: ImportRow) -> str:
    return normalize_corporate_number(str(row.values.get("corporate_number") or ""))


def _write(*, actor, row: ImportRow, existing: Company | None) -> bool:
    """Create or update one company through the services; True when created."""
    values = dict(row.values)
    if existing is not None:
        # company_update lets only a company's own owners/staff (or the system, None)
        # change its profile; an officer is neither. The ward's import is a system write
        # authorised by the officer who started it: that officer is on the job and in
        # its import.start / import.done audit events.
        services.company_update(actor=None, company=existing, **values)
        return False
    # Officers may register companies, so the company.create event names the officer.
    services.company_create(actor=actor, name=values.pop("name", ""), **values)
    return True


def _check(row: ImportRow, existing: Company | None) -> None:
    """Raise what ``company_create`` / ``company_update`` would raise for this row,
    without writing: the services' own normalisation and checks, in their order, on an
    unsaved (or copied) company. Writing and rolling back each row through the services
    costs twice as much (search index, audit, savepoint). The commit pass calls the
    services themselves, so anything this missed would still stop the whole import."""
    values = dict(row.values)
    if existing is None:
        values.setdefault("name", "")
        services.company_profile_check(company=Company(is_active=True), changes=values)
    else:
        # The check changes the object it is given: work on a copy.
        services.company_profile_check(company=copy.copy(existing), changes=values)


class RowChecker:
    """Checks rows in file order: unreadable cells, a 法人番号 already used by an
    earlier row of the file, then whatever the services would refuse."""

    def __init__(self, *, mapping: Mapping[str, int], header: list[str], existing) -> None:
        self.mapping = mapping
        self.header = header
        self.existing = existing
        self.first_line_of: dict[str, int] = {}

    def errors(self, row: ImportRow) -> list[dict[str, Any]]:
        if row.errors:
            return list(row.errors)
        number = _number_of(row)
        if number and number in self.first_line_of:
            column = column_label(self.header, self.mapping["corporate_number"])
            message = _("法人番号 %(number)s は %(line)s 行目と重複しています。") % {
                "number": number,
                "line": self.first_line_of[number],
            }
            return [_error(row.line, column, "corporate_number", message)]
        if number:
            self.first_line_of[number] = row.line
        try:
            _check(row, self.existing.get(number) if number else None)
        except ApplicationError as error:
            return _errors_from(error, row, mapping=self.mapping, header=self.header)
        return []


def _validate(job: ImportJob, rows: list[ImportRow], actor) -> list[dict[str, Any]]:
    """Check every row; progress is committed every ``PROGRESS_EVERY`` rows."""
    checker = RowChecker(
        mapping=job.mapping, header=job.header, existing=_existing_companies(actor, rows)
    )
    errors: list[dict[str, Any]] = []
    for done, row in enumerate(rows, start=1):
        errors += checker.errors(row)
        if done % PROGRESS_EVERY == 0 or done == len(rows):
            # Outside any transaction: committed at once, so the progress page sees it.
            ImportJob.objects.filter(pk=job.pk).update(
                processed_rows=done, updated_at=timezone.now()
            )
        if len(errors) >= MAX_REPORTED_ERRORS:
            break
    return errors[:MAX_REPORTED_ERRORS]


def import_job_run(*, job_id: int) -> ImportJob | None:
    """The background task's work: validate every row, then store all rows or none."""
    # Claim the job (queued → validating) in one conditional UPDATE, so a task delivered
    # twice runs once. The id comes from our own queue (import_job_start).
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, processed_rows=0, updated_at=timezone.now()
    )
    if not claimed:
        return None
    job = ImportJob.objects.select_related("started_by").get(pk=job_id)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            _run(job, job.started_by)
        except Exception:
            job.refresh_from_db()
            if not job.is_finished:
                _fail(job, [_job_error(UNEXPECTED_FAILURE)])
            raise
    return job


def _run(job: ImportJob, actor) -> None:
    if actor is None or not is_ward_officer(actor):
        message = _("取り込みを始めた人が区の担当者でなくなったため、取り込めません。")
        _fail(job, [_job_error(message)])
        return
    with job.file.open("rb") as handle:
        table = read_table(handle.read(), job.file_format)
    rows = [
        build_row(line, cells, mapping=job.mapping, header=job.header) for line, cells in table.rows
    ]
    if len(rows) != job.total_rows:
        ImportJob.objects.filter(pk=job.pk).update(total_rows=len(rows))
        job.total_rows = len(rows)
    errors = _validate(job, rows, actor)
    job.refresh_from_db(fields=["processed_rows"])
    if errors:
        _fail(job, errors)
        return
    _move(job, ImportStatus.IMPORTING, allowed=(ImportStatus.VALIDATING,))
    current: ImportRow | None = None
    try:
        with transaction.atomic():
            existing = _existing_companies(actor, rows)
            created = updated = 0
            for current in rows:
                number = _number_of(current)
                if _write(actor=actor, row=current, existing=existing.get(number)):
                    created += 1
                else:
                    updated += 1
            _move(
                job,
                ImportStatus.DONE,
                allowed=(ImportStatus.IMPORTING,),
                created_count=created,
                updated_count=updated,
                finished_at=timezone.now(),
            )
            audit_record(
                actor=actor,
                verb="import.done",
                target=job,
                after={"created": created, "updated": updated},
            )
    except ApplicationError as error:
        # Something changed between the two passes (e.g. a company registered meanwhile).
        job.refresh_from_db()
        _fail(job, _errors_from(error, current, mapping=job.mapping, header=job.header))
    except IntegrityError:
        job.refresh_from_db()
        _fail(job, [_job_error(CONCURRENT_CHANGE, line=current.line if current else 0)])
