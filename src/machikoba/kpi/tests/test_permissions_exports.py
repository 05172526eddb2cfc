"""Permission matrix of the KPI downloads (CSV / Excel of every indicator, the wards side
by side, the annual report PDF): the dashboard's readers, 大田区's officer, 墨田区's officer
and the metro viewer, download them; everyone else signed in finds no such page (404),
the companies, the advisor, the instructor, the reviewer, the lab staff, the vendor, the
bank and the platform admin included; anonymous visitors are sent to sign in.

A ward is read only by those who serve it (墨田区's officer asking for 大田区 finds
nothing), every ward together by every reader. A year that is not a year is refused
(400) with a message, an unknown ward is not found (404): never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from machikoba.core.testing.factories import OTA, SUMIDA
from machikoba.core.testing.matrix import (
    ACTORS,
    ANONYMOUS,
    LOGIN,
    METRO_VIEWER,
    OFFICER,
    OTHER_WARD_OFFICER,
    Case,
    assert_case,
    expect,
)
from machikoba.kpi.evaluation import this_fiscal_year

pytestmark = pytest.mark.django_db

READERS = expect(
    404, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200, METRO_VIEWER: 200}
)
OTA_READERS = expect(404, **{ANONYMOUS: LOGIN, OFFICER: 200, METRO_VIEWER: 200})
SUMIDA_READERS = expect(404, **{ANONYMOUS: LOGIN, OTHER_WARD_OFFICER: 200, METRO_VIEWER: 200})
BAD_YEAR = expect(
    404, **{ANONYMOUS: LOGIN, OFFICER: 400, OTHER_WARD_OFFICER: 400, METRO_VIEWER: 400}
)
NO_SUCH_WARD = expect(404, **{ANONYMOUS: LOGIN})


def _url(route: str, **params: str | int) -> object:
    def build(_world) -> str:
        query = "&".join(f"{key}={value}" for key, value in params.items())
        return reverse(route) + (f"?{query}" if query else "")

    return build


def _last_year() -> int:
    return this_fiscal_year() - 1


MATRIX = [
    Case("kpi:export_csv", _url("kpi:export_csv"), READERS, note="all wards"),
    Case("kpi:export_csv", _url("kpi:export_csv", ward=OTA), OTA_READERS, note="大田区"),
    Case("kpi:export_csv", _url("kpi:export_csv", ward=SUMIDA), SUMIDA_READERS, note="墨田区"),
    Case("kpi:export_csv", _url("kpi:export_csv", fy="abc"), BAD_YEAR, note="fy=abc"),
    Case("kpi:export_csv", _url("kpi:export_csv", fy=99999), BAD_YEAR, note="fy=99999"),
    Case("kpi:export_csv", _url("kpi:export_csv", ward="unknown"), NO_SUCH_WARD, note="ward=?"),
    Case(
        "kpi:export_xlsx",
        lambda w: reverse("kpi:export_xlsx") + f"?fy={_last_year()}&ward={OTA}",
        OTA_READERS,
        note="大田区 last year",
    ),
    Case("kpi:export_xlsx", _url("kpi:export_xlsx"), READERS, note="all wards"),
    Case("kpi:export_xlsx", _url("kpi:export_xlsx", fy="abc"), BAD_YEAR, note="fy=abc"),
    Case("kpi:export_wards_csv", _url("kpi:export_wards_csv"), READERS),
    Case("kpi:export_wards_csv", _url("kpi:export_wards_csv", fy="x"), BAD_YEAR, note="fy=x"),
    Case("kpi:export_wards_xlsx", _url("kpi:export_wards_xlsx"), READERS),
    Case("kpi:report_pdf", _url("kpi:report_pdf", ward=OTA), OTA_READERS, note="大田区"),
    Case("kpi:report_pdf", _url("kpi:report_pdf", ward=SUMIDA), SUMIDA_READERS, note="墨田区"),
    Case("kpi:report_pdf", _url("kpi:report_pdf", fy="abc"), BAD_YEAR, note="fy=abc"),
    Case("kpi:report_pdf", _url("kpi:report_pdf", fy=99999), BAD_YEAR, note="fy=99999"),
    Case("kpi:report_pdf", _url("kpi:report_pdf", ward="1311"), NO_SUCH_WARD, note="ward=1311"),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_only_readers_get_the_figures(world):
    """The file's contents per actor: the indicators for a reader, nothing of them (a
    sign-in redirect or a 404 page) for anyone else."""
    url = reverse("kpi:export_csv")
    for actor in ACTORS:
        response = world.client_for(actor).get(url)
        body = response.content.decode("utf-8", "replace")
        if actor in (OFFICER, OTHER_WARD_OFFICER, METRO_VIEWER):
            assert "M1.KSI" in body, actor
        else:
            assert "M1.KSI" not in body, actor
            assert response.status_code in (302, 404), actor


def test_a_refusal_writes_nothing_and_says_why(world):
    from machikoba.core.models import AuditEvent

    before = AuditEvent.objects.count()
    response = world.client_for(OFFICER).get(reverse("kpi:report_pdf"), {"fy": "abc"})
    assert response.status_code == 400
    assert "年度は" in response.content.decode()
    assert AuditEvent.objects.count() == before
