"""Exporting the company directory to CSV (UTF-8 with BOM, for Excel) and Excel (.xlsx).

An officer exports the companies of the wards they serve (what ``Company.for_user(…,
SUPPORT)`` gives), each with its ward. The column headers are the ones
``importing.suggest_mapping`` recognises, so an exported file can be edited and imported
again as its ward's list (companies are matched on 法人番号; the ward column is not read).
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from machikoba.companies.models import Capability, Company, CompanyCertification
from machikoba.core.access import SUPPORT, VIEW
from machikoba.core.audit import audit_record
from machikoba.core.exports import csv_safe, csv_writer

LIST_SEPARATOR = ", "


@dataclass(frozen=True)
class ExportColumn:
    label: Any  # a lazy translation: the header in the exporting user's language
    field: str  # a Company field, or "processes" / "certifications" / "ward"


EXPORT_COLUMNS = [
    ExportColumn(_("企業名"), "name"),
    ExportColumn(_("企業名カナ"), "name_kana"),
    ExportColumn(_("企業名(英語)"), "name_en"),
    ExportColumn(_("法人番号"), "corporate_number"),
    ExportColumn(_("登録番号"), "invoice_number"),
    ExportColumn(_("郵便番号"), "postal_code"),
    ExportColumn(_("都道府県"), "prefecture"),
    ExportColumn(_("市区町村"), "municipality"),
    ExportColumn(_("町名・番地"), "address_line"),
    ExportColumn(_("従業員数"), "employees"),
    ExportColumn(_("創業年"), "founded_year"),
    ExportColumn(_("代表者"), "representative_name"),
    ExportColumn(_("ウェブサイト"), "website"),
    ExportColumn(_("工程"), "processes"),
    ExportColumn(_("認証"), "certifications"),
    ExportColumn(_("所管の自治体"), "ward"),
]


def export_companies(*, user):
    """Every active company of the wards ``user`` serves as an officer, with what the
    export lists of each. (Every profile is public in the directory; the list of a ward's
    companies is that ward's.)

    Three queries whatever the number of companies: companies with their ward,
    capabilities with their processes, certifications with their kinds.
    """
    return (
        Company.objects.for_user(user, SUPPORT)
        .filter(is_active=True)
        .select_related("ward")
        .order_by("name_kana", "name", "pk")
        .prefetch_related(
            Prefetch(
                "capabilities",
                queryset=Capability.objects.for_user(user, VIEW)
                .select_related("process")
                .order_by("process__sort_order", "process__code"),
            ),
            Prefetch(
                "certifications",
                queryset=CompanyCertification.objects.for_user(user, VIEW)
                .select_related("kind")
                .order_by("kind__sort_order", "kind__code"),
            ),
        )
    )


def export_header() -> list[str]:
    return [str(column.label) for column in EXPORT_COLUMNS]


def export_rows(*, user) -> Iterator[list[Any]]:
    for company in export_companies(user=user):
        row: list[Any] = []
        for column in EXPORT_COLUMNS:
            if column.field == "processes":
                value = LIST_SEPARATOR.join(c.process.name for c in company.capabilities.all())
            elif column.field == "certifications":
                value = LIST_SEPARATOR.join(c.kind.name for c in company.certifications.all())
            elif column.field == "ward":
                value = company.ward.display_name if company.ward else ""
            else:
                value = getattr(company, column.field)
            row.append("" if value is None else value)
        yield row


def export_filename(file_format: str) -> str:
    return f"machikoba-directory-{timezone.localdate():%Y%m%d}.{file_format}"


def export_csv(*, user) -> bytes:
    out = io.StringIO()
    # Profile text is written by each company: formulas are escaped (core.exports).
    writer = csv_writer(out)
    writer.writerow(export_header())
    writer.writerows(export_rows(user=user))
    # The BOM makes Excel read the file as UTF-8 instead of Shift_JIS.
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def export_xlsx(*, user) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(str(_("企業一覧")))
    sheet.freeze_panes = "A2"
    for index, width in enumerate((28, 24, 28, 16, 17, 10, 10, 12, 28, 10, 8, 16, 32, 40, 32, 12)):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width
    sheet.append(export_header())
    for row in export_rows(user=user):
        cells = []
        for value in row:
            # Escaped like the CSV, so a cell edited in Excel does not turn into a formula.
            cell = WriteOnlyCell(sheet, value=csv_safe(value))
            if isinstance(value, str):
                # Stored as text, so neither "=…" nor a 13-digit 法人番号 is reinterpreted.
                cell.data_type = "s"
            cells.append(cell)
        sheet.append(cells)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


EXPORT_FORMATS = {
    "csv": (export_csv, "text/csv; charset=utf-8"),
    "xlsx": (export_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
}


@transaction.atomic
def directory_export(*, actor, file_format: str) -> tuple[bytes, str]:
    """The directory as a file and its content type; who exported it is recorded in
    the audit trail, since the file lists representatives by name."""
    build, content_type = EXPORT_FORMATS[file_format]
    content = build(user=actor)
    audit_record(actor=actor, verb="directory.export", after={"format": file_format})
    return content, content_type
