"""Permission matrix of the KPI API's downloads and its public page.

The downloads (every indicator as CSV or Excel, the wards side by side, the annual report
PDF, the records behind one indicator) are the dashboard's readers', exactly as the pages'
(``test_permissions_exports``): 大田区's officer, 墨田区's officer and the metro viewer;
anyone else signed in finds nothing (404), an anonymous caller is 401. A ward is read only
by those who serve it (墨田区's officer asking for 大田区 finds nothing), every ward
together by every reader. A year that has not begun by next year has no figures yet (409,
readers only); an unknown ward is not found.

The public page of a ward that publishes it is everyone's, anonymous callers included
(and says nothing of a company: ``test_api_exports``); a ward that does not publish has
none, for anyone."""

from __future__ import annotations

import pytest
from django.urls import reverse

from machikoba.core.testing.factories import OTA, SUMIDA
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    METRO_VIEWER,
    OFFICER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
)
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.tests.test_public_page import publish

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

A = {ANONYMOUS: 401}
READERS = expect(404, **A, **{OFFICER: 200, OTHER_WARD_OFFICER: 200, METRO_VIEWER: 200})
OTA_READERS = expect(404, **A, **{OFFICER: 200, METRO_VIEWER: 200})
SUMIDA_READERS = expect(404, **A, **{OTHER_WARD_OFFICER: 200, METRO_VIEWER: 200})
NOT_BEGUN = expect(404, **A, **{OFFICER: 409, OTHER_WARD_OFFICER: 409, METRO_VIEWER: 409})
NO_SUCH_WARD = expect(404, **A)
EVERYONE = expect(200)
NOBODY = expect(404)


def _url(name: str, *args: str, **params: object):
    def build(_world) -> str:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return reverse(f"api:{name}", args=list(args)) + (f"?{query}" if query else "")

    return build


def _later_year() -> int:
    return this_fiscal_year() + 2


def _published(code: str, *, enabled: bool = True):
    def build(_world) -> str:
        publish(code, enabled=enabled)
        return reverse("api:kpi_public", args=[code])

    return build


MATRIX = [
    Case("api:kpi_export", _url("kpi_export"), READERS, note="all wards"),
    Case("api:kpi_export", _url("kpi_export", ward="all", format="xlsx"), READERS, note="xlsx"),
    Case("api:kpi_export", _url("kpi_export", ward=OTA), OTA_READERS, note="大田区"),
    Case("api:kpi_export", _url("kpi_export", ward=SUMIDA), SUMIDA_READERS, note="墨田区"),
    Case(
        "api:kpi_export",
        lambda w: _url("kpi_export", fy=_later_year())(w),
        NOT_BEGUN,
        note="not begun",
    ),
    Case("api:kpi_export", _url("kpi_export", ward="131999"), NO_SUCH_WARD, note="ward=?"),
    Case("api:kpi_export_wards", _url("kpi_export_wards"), READERS),
    Case("api:kpi_export_wards", _url("kpi_export_wards", format="xlsx"), READERS, note="xlsx"),
    Case(
        "api:kpi_export_wards",
        lambda w: _url("kpi_export_wards", fy=_later_year())(w),
        NOT_BEGUN,
        note="not begun",
    ),
    Case("api:kpi_report_pdf", _url("kpi_report_pdf", ward=OTA), OTA_READERS, note="大田区"),
    Case("api:kpi_report_pdf", _url("kpi_report_pdf", ward=SUMIDA), SUMIDA_READERS, note="墨田区"),
    Case("api:kpi_report_pdf", _url("kpi_report_pdf", ward="131999"), NO_SUCH_WARD, note="?"),
    Case(
        "api:kpi_indicator_records_csv",
        _url("kpi_indicator_records_csv", "M1.KSI"),
        READERS,
        note="own ward",
    ),
    Case(
        "api:kpi_indicator_records_csv",
        _url("kpi_indicator_records_csv", "M1.KSI", ward=OTA),
        OTA_READERS,
        note="大田区",
    ),
    Case(
        "api:kpi_indicator_records_csv",
        _url("kpi_indicator_records_csv", "M9.NONE"),
        NO_SUCH_WARD,
        note="unknown indicator",
    ),
    Case("api:kpi_public", _published(OTA), EVERYONE, note="published"),
    Case("api:kpi_public", _published(OTA, enabled=False), NOBODY, note="withdrawn"),
    Case("api:kpi_public", _url("kpi_public", SUMIDA), NOBODY, note="never published"),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)
