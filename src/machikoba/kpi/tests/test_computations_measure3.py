"""Measure ③ on hand-built records, against values worked out by hand: joint orders and
co-development (M3.KGI, five fiscal years), lab visits (M3.KSI), business matchings once
per pair at the first (M3.OUT), events held (M3.P1), companies active in the network
(M3.P2) and projects with a university (M3.P3), each for one ward, the other ward and
every ward together.

Fiscal year 2026 (2026-04-01 … 2027-03-31) as of 2026-11-16 12:00 JST (``kpi_data.NOW``,
the frozen clock: an event later today has not been held yet)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from machikoba.board.choices import TeamStatus
from machikoba.core.testing.factories import ward
from machikoba.core.testing.factories_lab_visits import make_visitor
from machikoba.kpi.selectors.figures import suppressed
from machikoba.kpi.tests.kpi_data import (
    KATSUSHIKA,
    NOW,
    at,
    award,
    booking,
    entry,
    event,
    figures,
    job,
    lab,
    lab_matching,
    order,
    person,
    project,
    result,
    rfq_to,
    shop,
    team,
    university,
    vendor,
    wards,
)
from machikoba.lab.choices import (
    BookingStatus,
    EntryKind,
    EventStatus,
    MatchingStatus,
    ProjectKind,
    ProjectStatus,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    frozen_clock.move_to(NOW)


# --- M3.KGI: joint orders and co-development, five fiscal years -------------------------


def test_joint_orders_and_co_development_over_five_years():
    ota, sumida = wards()
    lead, other_lead, x, y, z = (shop(ota) for _ in range(5))
    team(lead, awarded=at("2026-05-01"), companies_at_award=3)  # counts
    team(other_lead, awarded=at("2022-04-01", 0, 10))  # FY2022, the window's first day
    team(lead, awarded=at("2022-03-31", 23))  # FY2021: outside the five years
    team(lead, awarded=at("2026-06-01"), companies_at_award=1)  # the lead alone: not joint
    team(lead, awarded=None, status=TeamStatus.QUOTED)  # not awarded
    team(shop(sumida), awarded=at("2025-01-01"))
    partner = university(ota)
    co = ProjectKind.CO_DEVELOPMENT
    project(ota, co, "2024-06-01", "2025-03-31", companies=(x, y, z))  # counts once
    project(ota, co, "2025-06-01", "2026-03-31", status=ProjectStatus.COMPLETED,
            companies=(x,), partners=(partner,))  # fmt: skip  # one company: no
    project(ota, co, "2026-06-01", "2026-12-31", status=ProjectStatus.PLANNED, companies=(x, y))
    project(ota, co, "2026-06-01", "2026-12-31", status=ProjectStatus.CANCELLED,
            companies=(x, y))  # fmt: skip
    project(ota, ProjectKind.PBL, "2026-06-01", "2026-12-31", companies=(x, y))  # not co-dev
    # 大田区: two teams and one project = 3 (FY2022–FY2026); 墨田区 1; all wards 4.
    ota_result = result("M3.KGI", ota)
    assert figures(ota_result) == (D(3), None, D(3))
    assert ota_result.figure.detail == {"first_year": 2022}
    assert result("M3.KGI", sumida).value == 1
    assert result("M3.KGI", None).value == 4
    # FY2021's window (FY2017–FY2021) holds the team of 2022-03-31 only.
    assert result("M3.KGI", ota, year=2021).value == 1


def test_a_co_development_figure_comes_from_every_company_in_the_project():
    """One co-development project of three companies is a figure from three companies,
    not from the first of them only: shown, not "—"."""
    ota, _sumida = wards()
    x, y, z = (shop(ota) for _ in range(3))
    project(ota, ProjectKind.CO_DEVELOPMENT, "2026-06-01", "2026-12-31", companies=(x, y, z))
    outcome = result("M3.KGI", ota)
    assert outcome.value == 1
    assert outcome.figure.companies == {x.pk, y.pk, z.pk}
    assert suppressed(outcome) is False


# --- M3.KSI: lab visits --------------------------------------------------------------------


def test_lab_visits_count_every_entry_and_used_bookings_without_one():
    ota, sumida = wards()
    ota_lab, sumida_lab = lab(ota), lab(sumida)
    company = shop(ota)
    u1, u2, u3 = person(), person(), person()
    entry(ota_lab, at("2026-05-01", 10), user=u1, company=company)
    entry(ota_lab, at("2026-05-01", 15), user=u1, company=company)  # again that day: counts
    entry(ota_lab, at("2026-06-01"), visitor=make_visitor(ota_lab))
    entry(ota_lab, at("2026-06-01", 12), user=u1, kind=EntryKind.LEFT)  # leaving: no
    entry(ota_lab, at("2026-06-02"), user=u3, kind=EntryKind.REFUSED)  # refused: no
    entry(ota_lab, at("2026-03-31", 23), user=u1)  # FY2025
    booking(ota_lab, u1, company, at("2026-05-01", 11))  # u1 entered that day: no extra
    booking(ota_lab, u2, company, at("2026-05-02", 10))  # used, no entry: +1
    booking(ota_lab, u2, company, at("2026-05-02", 14), BookingStatus.IN_USE)  # same day: no
    booking(ota_lab, u3, company, at("2026-05-03"), BookingStatus.CANCELLED)
    booking(ota_lab, u3, company, at("2026-05-04"), BookingStatus.BOOKED)
    booking(ota_lab, u3, company, at("2026-05-05"), BookingStatus.NO_SHOW)
    entry(sumida_lab, at("2026-07-01"), user=u2)
    # 大田区: 3 entries + 1 booking = 4; 墨田区 1; all wards 5.
    ota_result = result("M3.KSI", ota)
    assert figures(ota_result) == (D(4), None, D(4))
    assert sorted(r.kind for r in ota_result.figure.records) == ["booking", "entry", "entry",
                                                                  "entry"]  # fmt: skip
    assert result("M3.KSI", sumida).value == 1
    assert result("M3.KSI", None).value == 5
    assert result("M3.KSI", ota, year=2025).value == 1


# --- M3.OUT: business matchings, once per pair at the first --------------------------------


def test_matchings_count_once_per_pair_at_the_first_award():
    ota, sumida = wards()
    ota_lab, sumida_lab = lab(ota), lab(sumida)
    a1, a2, a3 = shop(ota), shop(ota), shop(ota)
    s1, s2 = shop(sumida), shop(sumida)
    assert award(a1, a2, at("2026-05-01")) is not None  # a new pair
    assert award(a2, a1, at("2026-06-01")) is None  # the same pair, the other way round
    assert award(a1, a3, at("2025-06-01")) is not None  # FY2025
    assert award(a3, a1, at("2026-06-01")) is None  # again in a later year: not new
    assert award(a1, s1, at("2026-07-01")) is not None  # across the ward border
    lab_matching(ota_lab, a2, a3, "2026-08-01")  # a lab matching of a new pair
    lab_matching(ota_lab, a1, a2, "2026-09-01")  # the pair matched in May: not again
    lab_matching(sumida_lab, s1, s2, "2026-09-15", status=MatchingStatus.PROPOSED)
    lab_matching(sumida_lab, s1, s2, "2026-09-16", status=MatchingStatus.DECLINED)
    lab_matching(sumida_lab, s1, s2, "2026-10-01")  # confirmed: counts in 墨田区
    lab_matching(ota_lab, a3, s2, "2026-10-10")  # recorded at 大田区's lab: 大田区's
    # 大田区: A1–A2, A1–S1, A2–A3, A3–S2 = 4. 墨田区: A1–S1 (either company's ward), S1–S2
    # = 2. All wards: A1–A2, A1–S1, A2–A3, S1–S2, A3–S2 = 5 (A1–S1 once).
    ota_result = result("M3.OUT", ota)
    assert figures(ota_result) == (D(4), None, D(4))
    kinds = [r.kind for r in ota_result.figure.records if r.counted]
    assert kinds == ["network", "network", "lab", "lab"]
    assert result("M3.OUT", sumida).value == 2
    assert result("M3.OUT", None).value == 5
    assert result("M3.OUT", ota, year=2025).value == 1  # A1–A3


def test_a_matching_figure_comes_from_both_companies_of_each_pair():
    """KPI.md: "a figure derived from fewer than 3 companies is shown as —". Three new
    pairs of A with B, C and D come from four companies: the figure is shown, and its
    companies are the four (the export's ``companies`` says 4)."""
    ota, _sumida = wards()
    a, b, c, d = (shop(ota) for _ in range(4))  # A has the smallest id: first of each pair
    award(a, b, at("2026-05-01"))
    award(a, c, at("2026-06-01"))
    award(d, a, at("2026-07-01"))
    outcome = result("M3.OUT", ota)
    assert outcome.value == 3
    assert outcome.figure.companies == {a.pk, b.pk, c.pk, d.pk}
    assert suppressed(outcome) is False


# --- M3.P1: events held ----------------------------------------------------------------


def test_events_held_this_year_not_cancelled_nor_still_to_come():
    ota, sumida = wards()
    ota_lab = lab(ota)
    event(ota_lab, at("2026-04-01", 0, 30))  # the year's first half hour
    event(ota_lab, at("2026-05-01"), EventStatus.CANCELLED)
    event(ota_lab, at("2026-06-01"), EventStatus.DRAFT)
    event(ota_lab, at("2026-11-16", 10))  # began at 10:00 today (now 12:00): held
    event(ota_lab, at("2026-11-16", 14))  # 14:00 today: not yet
    event(ota_lab, at("2026-12-01"))  # to come
    event(ota_lab, at("2026-03-31", 18))  # FY2025
    event(lab(sumida), at("2026-09-01"))
    assert timezone.now() == NOW
    # 大田区: 2; 墨田区 1; all wards 3. A filter on companies does not apply to events.
    ota_result = result("M3.P1", ota)
    assert figures(ota_result) == (D(2), None, D(2))
    assert ota_result.figure.filters_apply is False
    assert result("M3.P1", ota, size="1-9").value == 2
    assert result("M3.P1", sumida).value == 1
    assert result("M3.P1", None).value == 3
    assert result("M3.P1", ota, year=2025).value == 1


# --- M3.P2: registered companies active in the network ----------------------------------


def test_companies_active_in_the_network_this_year():
    ota, sumida = wards()
    n1, n2, n3, n4, n5 = (shop(ota) for _ in range(5))
    unverified = shop(ota, verified_at=None)
    closed = shop(ota, is_active=False)
    it_vendor = vendor(ota)
    outside_buyer = shop(None)  # a buyer with no ward on the platform
    job(n1, at("2026-05-01"))  # posted a job
    rfq_to(n2, outside_buyer, at("2026-06-01"))  # asked for a quote
    order(n1, n3, at("2026-07-01"))  # received an order
    team(n4, awarded=None, status=TeamStatus.FORMING, members=(n4,))  # joined a team today
    job(n5, at("2026-03-31", 23))  # FY2025 only
    job(unverified, at("2026-05-01"))  # not registered
    job(closed, at("2026-05-01"))  # deactivated
    order(n1, it_vendor, at("2026-07-01"))  # a vendor is a partner, not a shop
    s1 = shop(sumida)
    job(s1, at("2026-09-01"))
    # 大田区: N1, N2, N3, N4 = 4; 墨田区 S1 = 1; all wards 5 (the buyer has no ward).
    ota_result = result("M3.P2", ota)
    assert figures(ota_result) == (D(4), None, D(4))
    assert ota_result.figure.companies == {n1.pk, n2.pk, n3.pk, n4.pk}
    assert {r.detail for r in ota_result.figure.records} == {"job", "rfq", "order", "board"}
    assert result("M3.P2", sumida).value == 1
    assert result("M3.P2", None).value == 5
    assert result("M3.P2", ota, year=2025).value == 1  # N5


# --- M3.P3: projects with a university ------------------------------------------------------


def test_projects_with_a_university_running_in_the_year():
    ota, sumida = wards()
    x, y = shop(ota), shop(ota)
    first, second = university(ota), university(ota)
    pbl, internship = ProjectKind.PBL, ProjectKind.INTERNSHIP
    project(ota, pbl, "2026-01-01", "2026-06-30")  # runs into the year: counts
    project(ota, ProjectKind.CO_DEVELOPMENT, "2025-10-01", "2026-04-01",
            status=ProjectStatus.COMPLETED, companies=(x,), partners=(first,))  # fmt: skip
    project(ota, pbl, "2026-06-01", "2026-09-30", status=ProjectStatus.PLANNED)
    project(ota, pbl, "2026-06-01", "2026-09-30", status=ProjectStatus.CANCELLED)
    project(ota, internship, "2025-04-01", "2026-03-31", status=ProjectStatus.COMPLETED)
    project(ota, ProjectKind.CO_DEVELOPMENT, "2026-05-01", "2026-12-31", companies=(x, y))
    project(ota, ProjectKind.OTHER, "2026-11-16", "2027-02-01", partners=(first, second))
    project(sumida, internship, "2026-07-01", "2026-09-30")
    # 大田区: the PBL, the co-development with a university, the project with two
    # universities (once) = 3; 墨田区 1; all wards 4; FY2025: the first two and the
    # internship = 3.
    ota_result = result("M3.P3", ota)
    assert figures(ota_result) == (D(3), None, D(3))
    assert result("M3.P3", sumida).value == 1
    assert result("M3.P3", None).value == 4
    assert result("M3.P3", ota, year=2025).value == 3
    assert result("M3.P3", ward(KATSUSHIKA)).value == 0
