"""Cells to values: one file row to a checked ImportRow, and the preview of the first rows."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from machikoba.companies.importing.fields import FIELDS_BY_NAME, ImportField
from machikoba.companies.importing.reading import _cell_text, column_label


class CellError(Exception):
    pass


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
    if import_field.kind == "email":
        return _nfkc(text).lower()
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
