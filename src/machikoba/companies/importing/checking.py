"""Checking rows before anything is written: unreadable cells, a 法人番号 repeated in the
file, whatever the company services would refuse, and a row that is not a company of the
job's ward (``placing``); the preview of the first rows."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from machikoba.companies import services
from machikoba.companies.importing.fields import FIELDS_BY_NAME, IMPORT_FIELDS
from machikoba.companies.importing.placing import WardCheck
from machikoba.companies.importing.reading import column_label, read_table
from machikoba.companies.importing.rows import ImportRow, _error, _job_error, build_row
from machikoba.companies.models import Company
from machikoba.companies.models_io import (
    ImportJob,
)
from machikoba.companies.validators import normalize_corporate_number, normalize_invoice_number
from machikoba.core.access import VIEW
from machikoba.core.errors import ApplicationError

PREVIEW_ROWS = 10


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
        # Every registered company, whichever its ward: one of another ward is matched so
        # that its row is refused (``placing``), not registered a second time.
        companies = Company.objects.for_user(actor, VIEW).select_related("ward")
        for company in companies.filter(corporate_number__in=chunk):
            found[company.corporate_number] = company
    return found


def _number_of(row: ImportRow) -> str:
    return normalize_corporate_number(str(row.values.get("corporate_number") or ""))


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
    earlier row of the file, whatever the services would refuse, then whether the row
    is a company of the job's ward."""

    def __init__(
        self, *, mapping: Mapping[str, int], header: list[str], existing, ward_check: WardCheck
    ) -> None:
        self.mapping = mapping
        self.header = header
        self.existing = existing
        self.ward_check = ward_check
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
        existing = self.existing.get(number) if number else None
        try:
            _check(row, existing)
            self.ward_check.check(row, existing)
        except ApplicationError as error:
            return _errors_from(error, row, mapping=self.mapping, header=self.header)
        return []


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
    checker = RowChecker(
        mapping=mapping, header=job.header, existing=existing, ward_check=WardCheck(job.ward)
    )
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
