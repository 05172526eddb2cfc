"""A ward's public KPI page with tiny numbers: figures of 1 and 2 companies show "—"
with the reason to everyone (a visitor, a signed-in company, the ward's own officer), no
company's name is anywhere on the page, and nothing links to the records. A figure of 3
companies, and a count of records of no company (events), are shown. A ward that does
not publish its page has none (404).

The figures are last fiscal year's (the page's 前年度 column): nothing depends on today's
date within the year."""

from __future__ import annotations

import datetime as dt
import secrets

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.core.fiscal import fiscal_year_bounds
from machikoba.core.testing.factories import OTA, SUMIDA, CompanyFactory, ward
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    ProgramFactory,
)
from machikoba.core.testing.factories_subsidies import make_application, make_paper_call
from machikoba.core.testing.matrix import MEMBER, OFFICER
from machikoba.kpi.choices import Reason
from machikoba.kpi.evaluation import this_fiscal_year
from machikoba.kpi.models import Publication
from machikoba.kpi.selectors.public import PUBLIC_CODES, public_page
from machikoba.programs.choices import ProgramKind
from machikoba.programs.models import Graduation
from machikoba.subsidies.choices import ApplicationStatus

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

FEW = str(Reason.FEW_COMPANIES.label)


# Read when a test runs, not at import: the clock may have moved since.
def last_year() -> int:
    return this_fiscal_year() - 1


def first_day() -> dt.date:
    return fiscal_year_bounds(last_year())[0]


def publish(code: str = OTA, *, enabled: bool = True) -> Publication:
    row, _ = Publication.objects.update_or_create(
        municipality=ward(code), defaults={"enabled": enabled, "introduction": "区の取り組み"}
    )
    return row


def graduations(kind: str, companies: list, *, per_company: int = 1) -> None:
    cohort = CohortFactory(
        program=ProgramFactory(municipality=ward(OTA), kind=kind), fiscal_year=last_year()
    )
    for company in companies:
        for n in range(per_company):
            application = ApplicationFactory(cohort=cohort, company=company)
            Graduation.objects.create(
                application=application,
                company=company,
                program_kind=kind,
                graduated_on=first_day() + dt.timedelta(days=40 + n),
                sessions_attended=4,
                sessions_total=5,
                certificate_code=secrets.token_hex(8),
            )


@pytest.fixture
def tiny():
    """大田区 last year: 2 dojo graduations of one company (M1.P1), leader graduations of
    2 companies (M1.P2), one subsidy application (M2.KSI), and 3 advisor-less companies
    graduating nowhere. 3 companies' graduations would be shown: see the last test."""
    lone = CompanyFactory(name="一社だけ精機株式会社")
    pair = [CompanyFactory(name="二社目甲工業株式会社"), CompanyFactory(name="二社目乙製作所")]
    graduations(ProgramKind.DOJO, [lone], per_company=2)
    graduations(ProgramKind.LEADER, pair)
    stage = make_paper_call(municipality=ward(OTA)).stages.get(number=1)
    applicant = CompanyFactory(name="申請だけ鍍金株式会社")
    make_application(
        stage,
        applicant,
        status=ApplicationStatus.SCREENING,
        submitted_at=dt.datetime.combine(
            first_day() + dt.timedelta(days=50), dt.time(10), tzinfo=dt.UTC
        ),
    )
    publish()
    return [lone, *pair, applicant]


def _page_text(client: Client) -> str:
    response = client.get(reverse("kpi:public", args=[OTA]))
    assert response.status_code == 200
    return response.content.decode()


def test_tiny_numbers_show_a_dash_and_no_name(tiny, world):
    page = public_page(OTA, today=timezone.localdate())
    figures = {f.code: f for s in page.sections for f in s.figures}
    assert set(figures) == set(PUBLIC_CODES)
    for code in ("M1.P1", "M1.P2", "M2.KSI"):
        before = figures[code].before
        assert before.hidden, code
        assert (before.text, before.reason_text) == ("—", FEW), code
        assert before.value is None
        assert before.numerator is None
    visitor = Client()
    for client in (visitor, world.client_for(MEMBER), world.client_for(OFFICER)):
        text = _page_text(client)
        for company in tiny:
            assert company.name not in text
        assert "/kpi/M" not in text  # no link to an indicator's records
        assert FEW in text
        assert 'data-testid="public-M1.P1"' in text


def test_the_page_shows_counts_of_three_companies(world):
    three = [CompanyFactory(name=f"修了{n}精工株式会社") for n in "ABC"]
    graduations(ProgramKind.DOJO, three)
    publish()
    page = public_page(OTA, today=timezone.localdate())
    figures = {f.code: f for s in page.sections for f in s.figures}
    assert figures["M1.P1"].before.text == "3"
    assert not figures["M1.P1"].before.hidden
    assert [s.label[0] for s in page.sections] == ["③", "①", "②"]
    text = _page_text(Client())
    for company in three:
        assert company.name not in text
    assert "区の取り組み" in text


def test_a_ward_that_does_not_publish_has_no_page(world):
    visitor = Client()
    assert visitor.get(reverse("kpi:public", args=[OTA])).status_code == 404
    publish(enabled=False)
    assert visitor.get(reverse("kpi:public", args=[OTA])).status_code == 404
    assert world.client_for(OFFICER).get(reverse("kpi:public", args=[OTA])).status_code == 404
    publish(SUMIDA)
    assert visitor.get(reverse("kpi:public", args=[SUMIDA])).status_code == 200
    assert visitor.get(reverse("kpi:public", args=["abc"])).status_code == 404
    assert visitor.get(reverse("kpi:public", args=["9" * 40])).status_code == 404
