"""The programs API gives what the pages give: checking a certificate states what the
public page states and nothing more (no company), as typed by a person, under the page's
rate limit; the certificate PDF is the page's; the office's reports download as the
pages' files (the same rows, recorded in the audit trail); the check-in page's reads;
the instructors an officer may choose."""

from __future__ import annotations

import csv
import io

import pypdfium2
import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from machikoba.accounts.choices import WardRole
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    UserFactory,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
    ward,
)
from machikoba.core.testing.factories_programs import (
    make_graduate,
    make_instructor,
    session_now,
)
from machikoba.core.testing.matrix import INSTRUCTOR, MEMBER, OFFICER, STAFF
from machikoba.programs.models import Attendance, Graduation
from machikoba.programs.tests.test_programs_office import _grid_cohort

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

CODE = "C0DE-1234-ABCD-5678"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def certificate(world):
    participant = world.application.participant
    participant.name = "修了 太郎"
    participant.save(update_fields=["name"])
    graduation = make_graduate(world.application)
    Graduation.objects.filter(pk=graduation.pk).update(certificate_code=CODE)
    graduation.refresh_from_db()
    return graduation


def _verify(client: Client, code: str):
    return client.get(reverse("api:programs_certificate_verify", args=[code]))


def _officer_client(code: str | None = None) -> Client:
    grant = (
        WardRoleFactory(role=WardRole.OFFICER, municipality=ward(code))
        if code
        else WardRoleFactory(role=WardRole.OFFICER)
    )
    give_totp(grant.user)
    client = Client()
    force_login_with_mfa(client, grant.user)
    return client


def _csv(content: bytes) -> list[list[str]]:
    assert content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def _sheet(content: bytes) -> list[tuple]:
    return [tuple(r) for r in load_workbook(io.BytesIO(content)).active.iter_rows(values_only=True)]


# --- checking a certificate ------------------------------------------------------------------


def test_checking_a_certificate_states_what_the_page_states_and_nothing_more(world, certificate):
    response = _verify(Client(), CODE)
    assert response.status_code == 200
    body = response.json()
    cohort = world.application.cohort
    assert body == {
        "code": CODE,
        "program": cohort.program.name,
        "cohort": f"{cohort.fiscal_year}年度 {cohort.name}",
        "participant": "修了 太郎",
        "graduated_on": certificate.graduated_on.isoformat(),
        "ward": "大田区",
    }
    page = Client().get(reverse("programs:certificate_verify", args=[CODE])).content.decode()
    for value in body.values():
        assert str(value) in page or value == body["graduated_on"]
    assert world.company.name not in response.content.decode()
    assert "company" not in body
    # What a person types: lower case, spaces instead of dashes.
    assert _verify(Client(), "c0de 1234 abcd 5678").json() == body


def test_an_unknown_or_malformed_number_is_not_found(certificate):
    unknown = _verify(Client(), "0000-0000-0000-0000")
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "not_found"
    assert "修了 太郎" not in unknown.content.decode()
    assert _verify(Client(), "' OR 1=1 --").status_code == 404
    assert _verify(Client(), "A" * 65).status_code == 422  # longer than any printed number


def test_checking_shares_the_pages_rate_limit(certificate):
    client = Client()
    page_url = reverse("programs:certificate_verify", args=["0000-0000-0000-0000"])
    assert [client.get(page_url).status_code for _ in range(20)] == [404] * 20
    statuses = [_verify(client, "0000-0000-0000-0000").status_code for _ in range(11)]
    assert statuses == [404] * 10 + [429]
    refused = _verify(client, CODE)
    assert refused.status_code == 429
    assert refused.json()["code"] == "rate_limited"
    assert "多すぎます" in refused.json()["message"]
    assert "修了 太郎" not in refused.content.decode()


def test_the_certificate_pdf_is_the_pages(world, certificate):
    for actor in (MEMBER, STAFF, OFFICER, INSTRUCTOR):
        client = world.client_for(actor)
        api = client.get(reverse("api:programs_certificate", args=[certificate.pk]))
        assert api.status_code == 200, actor
        assert api["Content-Type"] == "application/pdf"
        assert api.content.startswith(b"%PDF")
        page = client.get(reverse("programs:certificate", args=[certificate.pk]))
        assert api["Content-Disposition"] == page["Content-Disposition"]
        texts = [
            pypdfium2.PdfDocument(content)[0].get_textpage().get_text_range()
            for content in (api.content, page.content)
        ]
        assert texts[0] == texts[1]
        assert "修了 太郎" in texts[0]
        assert CODE in texts[0]


# --- the office's reports ---------------------------------------------------------------------


def test_the_reports_download_as_the_pages_files(world):
    cohort = _grid_cohort()
    client = _officer_client()
    grid = client.get(
        reverse("api:programs_attendance_grid_export", args=[cohort.pk]), {"format": "csv"}
    )
    assert grid.status_code == 200
    assert grid["Content-Type"].startswith("text/csv")
    page = client.get(reverse("programs:attendance_grid", args=[cohort.pk]), {"format": "csv"})
    assert grid.content == page.content
    assert grid["Content-Disposition"] == page["Content-Disposition"]
    rows = _csv(grid.content)
    assert rows[0] == ["企業", "受講者", "第1回", "第2回", "出席回数", "修了の出席要件"]
    assert rows[1][0].startswith("'=HYPERLINK")  # a formula stays text
    assert rows[1][1:4] == ["蒲田 太郎", "出", "遅"]
    year = {"year": cohort.fiscal_year}
    funnel = client.get(reverse("api:programs_funnel_export"), {**year, "format": "xlsx"})
    assert funnel["Content-Type"] == XLSX
    page = client.get(reverse("programs:funnel"), {**year, "format": "xlsx"})
    assert _sheet(funnel.content) == _sheet(page.content)
    assert _sheet(funnel.content)[0][:4] == ("プログラム", "年度", "申込", "受講決定")
    overdue = client.get(reverse("api:programs_overdue_export"))
    assert overdue.status_code == 200
    assert _csv(overdue.content)[0][0] == "種類"
    events = AuditEvent.objects.filter(verb="programs.report.export")
    reports = [(e.after["report"], e.after["format"]) for e in events.order_by("pk")]
    # The API's downloads are recorded as the pages' are (each page download beside one).
    assert reports == [
        ("attendance_grid", "csv"),
        ("attendance_grid", "csv"),
        ("funnel", "xlsx"),
        ("funnel", "xlsx"),
        ("overdue", "csv"),
    ]


def test_a_report_is_refused_to_others_and_another_wards_cohort_is_not_found(world):
    cohort = _grid_cohort()
    url = reverse("api:programs_attendance_grid_export", args=[cohort.pk])
    other = _officer_client(SUMIDA).get(url)
    assert other.status_code == 404
    assert "蒲田" not in other.content.decode()
    member = world.client_for(MEMBER).get(reverse("api:programs_funnel_export"))
    assert member.status_code == 403
    assert member.json()["code"] == "forbidden"
    assert _officer_client().get(url, {"format": "pdf"}).status_code == 422
    assert not AuditEvent.objects.filter(verb="programs.report.export").exists()


# --- check-in and instructors ------------------------------------------------------------------


def test_the_check_in_page_and_the_check_in(world):
    session = session_now(world.application.cohort, number=9)
    owner = world.client_for(MEMBER)
    url = reverse("api:programs_checkin_page")
    page = owner.get(url, {"code": session.checkin_code})
    assert page.status_code == 200
    body = page.json()
    assert body["session"]["id"] == session.pk
    assert body["session"]["program_name"] == world.application.cohort.program.name
    assert body["is_open"] is True
    assert body["application_id"] == world.application.pk
    assert (body["attendance"], body["refusal"]) == (None, None)
    done = owner.post(
        reverse("api:programs_checkin"),
        {"code": session.checkin_code},
        content_type="application/json",
    )
    assert done.status_code == 200
    again = owner.get(url, {"code": session.checkin_code}).json()
    assert again["attendance"]["status"] == done.json()["status"]
    staff = world.client_for(STAFF).get(url, {"code": session.checkin_code})
    assert staff.status_code == 403
    assert staff.json()["code"] == "checkin_not_participant"
    assert Attendance.objects.filter(session=session).count() == 1


def test_the_instructors_an_officer_may_choose(world):
    cohort = world.application.cohort
    spare = make_instructor(name="予備 講師")
    UserFactory(name="講師ではない人")
    client = _officer_client()
    response = client.get(reverse("api:programs_instructor_candidates", args=[cohort.pk]))
    assert response.status_code == 200
    rows = {row["id"]: row for row in response.json()}
    assert rows[world.users[INSTRUCTOR].pk]["current"] is True
    assert rows[spare.pk] == {"id": spare.pk, "name": "予備 講師", "current": False}
    assert "講師ではない人" not in response.content.decode()
    chosen = client.put(
        reverse("api:programs_cohort_instructors", args=[cohort.pk]),
        {"instructor_ids": [spare.pk]},
        content_type="application/json",
    )
    assert chosen.status_code == 200
    assert chosen.json()["instructor_ids"] == [spare.pk]
