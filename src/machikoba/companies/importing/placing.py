"""The job's ward: an import is one ward's company list, and every row must be a company
of that ward.

A row's postal code places it (``services_wards.ward_of_address``): in the job's ward it
is imported; in another registered municipality, or outside them all, it is refused. A
row without a postal code is placed in the job's ward. A registered company (matched on
法人番号) of another ward is refused whatever the row says: its profile is kept by that
ward's office. Both passes of the import run these checks (the commit pass inside its
transaction, on the companies as they are then).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from machikoba.companies.error_codes import CompaniesErrorCode
from machikoba.companies.postal import PostalAddress, lookup_postal_code, normalize_postal_code
from machikoba.companies.services_wards import ward_of_address
from machikoba.core.errors import ApplicationError
from machikoba.wards.models import Municipality

if TYPE_CHECKING:
    from machikoba.companies.importing.rows import ImportRow
    from machikoba.companies.models import Company


class WardCheck:
    """Refuses the rows that are not the job's ward's companies. Postal codes are looked
    up once per import (a ward's list repeats a few hundred codes)."""

    def __init__(self, ward: Municipality) -> None:
        self.ward = ward
        self._places: dict[str, tuple[PostalAddress | None, Municipality | None]] = {}

    def check(self, row: ImportRow, existing: Company | None) -> None:
        """Raise ``ApplicationError`` (naming ``corporate_number`` or ``postal_code``) for
        a row that is not a company of the job's ward."""
        if existing is not None and existing.ward_id not in (None, self.ward.pk):
            raise self._refuse(
                CompaniesErrorCode.IMPORT_COMPANY_OF_OTHER_WARD,
                "corporate_number",
                _(
                    "法人番号 %(number)s の企業は%(other)sの企業です。"
                    "企業情報は%(other)sの担当が管理しているため、"
                    "%(ward)sの一覧からは更新できません。"
                )
                % {"number": existing.corporate_number, "other": existing.ward, "ward": self.ward},
            )
        given = normalize_postal_code(str(row.values.get("postal_code") or ""))
        kept = normalize_postal_code(existing.postal_code) if existing is not None else ""
        postal = given or kept
        if not postal:
            return  # no address to go by: the company is placed in the job's ward
        if existing is not None and existing.ward_id == self.ward.pk and postal == kept:
            # The ward's own company where it was: an officer of this ward may have
            # confirmed it here although its postal code names a neighbour.
            return
        found, ward = self._place(postal)
        if ward is not None and ward.pk == self.ward.pk:
            return
        if ward is not None:
            raise self._refuse(
                CompaniesErrorCode.IMPORT_ROW_OTHER_WARD,
                "postal_code",
                _("この企業の住所は%(other)sです。%(ward)sの一覧には取り込めません。")
                % {"other": ward, "ward": self.ward},
            )
        place = f"{found.prefecture}{found.municipality}" if found is not None else ""
        raise self._refuse(
            CompaniesErrorCode.IMPORT_ROW_OUTSIDE_WARDS,
            "postal_code",
            _(
                "この住所は%(ward)sではありません (郵便番号 %(code)s は%(place)s)。"
                "%(ward)sの一覧には取り込めません。"
            )
            % {"ward": self.ward, "code": f"{postal[:3]}-{postal[3:]}", "place": place or "—"},
        )

    def _place(self, postal: str) -> tuple[PostalAddress | None, Municipality | None]:
        if postal not in self._places:
            found = lookup_postal_code(postal)
            self._places[postal] = (found, ward_of_address(found))
        return self._places[postal]

    @staticmethod
    def _refuse(code: CompaniesErrorCode, field_name: str, message: str) -> ApplicationError:
        return ApplicationError(code, message, fields={field_name: [message]})
