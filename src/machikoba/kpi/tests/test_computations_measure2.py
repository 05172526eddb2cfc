"""Measure ② on hand-built records, against values worked out by hand: the value-added
gap between subsidy recipients and the others (M2.KGI), applications (M2.KSI), the
completion reports' effect (M2.OUT) and grants per stage (M2.P1–P3), each for one ward,
the other ward and every ward together.

Fiscal year 2026 (2026-04-01 … 2027-03-31) as of 2026-11-16 (``kpi_data.NOW``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from machikoba.core.testing.factories import ward
from machikoba.kpi.choices import Reason
from machikoba.kpi.selectors.figures import suppressed
from machikoba.kpi.tests.kpi_data import (
    KATSUSHIKA,
    NOW,
    answer,
    applied,
    at,
    call,
    completion,
    day,
    figures,
    result,
    shop,
    survey,
    wards,
)
from machikoba.subsidies.choices import ApplicationStatus, ReportStatus

pytestmark = pytest.mark.django_db

D = Decimal
S = ApplicationStatus


@pytest.fixture(autouse=True)
def _clock(frozen_clock):
    frozen_clock.move_to(NOW)


# --- M2.KSI: applications submitted in the year --------------------------------------


def test_applications_count_in_the_year_of_their_first_submission():
    ota, sumida = wards()
    ota_call, sumida_call = call(ota), call(sumida)
    a1, a2, a3, a4, a5, a6 = (shop(ota) for _ in range(6))
    first = applied(ota_call, a1, submitted=at("2026-04-01", 0, 30))  # 00:30 JST on 1 April
    applied(ota_call, a2, submitted=at("2026-03-31", 23, 30))  # FY2025 in Tokyo
    # Returned and resubmitted: counted once, in the year of the first submission.
    applied(ota_call, a3, first_submitted=at("2026-03-20"), submitted=at("2026-05-01"))
    applied(ota_call, a4, first_submitted=at("2026-06-01"), submitted=at("2026-07-01"))
    applied(ota_call, a5, status=S.WITHDRAWN, submitted=at("2026-07-10"))  # withdrawn: counts
    applied(ota_call, a6, status=S.DRAFT)  # never submitted
    applied(sumida_call, shop(sumida), submitted=at("2026-09-01"))
    # 大田区 FY2026: a1, a4, a5 = 3; 墨田区 1; all wards 4. 大田区 FY2025: a2, a3 = 2.
    ota_result = result("M2.KSI", ota)
    assert figures(ota_result) == (D(3), None, D(3))
    assert [r.day for r in ota_result.figure.records] == [
        day("2026-04-01"),
        day("2026-06-01"),
        day("2026-07-10"),
    ]
    assert ota_result.figure.records[0].ref == first.pk
    assert result("M2.KSI", sumida).value == 1
    assert result("M2.KSI", None).value == 4
    assert result("M2.KSI", ota, year=2025).value == 2
    assert result("M2.KSI", ward(KATSUSHIKA)).value == 0  # a count of nothing is 0


# --- M2.P1–P3: grants decided, per stage ---------------------------------------------------


def test_grants_per_stage_without_withdrawn_ones():
    ota, sumida = wards()
    ota_call, sumida_call = call(ota), call(sumida)
    g1 = shop(ota, employees=5)
    g2, g3, g4, g5, g6, g7, g8 = (shop(ota) for _ in range(7))
    sent = at("2026-04-01", 0, 5)
    applied(ota_call, g1, status=S.GRANTED, submitted=sent, decided=at("2026-04-01", 0, 10))
    applied(ota_call, g2, status=S.PAID, submitted=sent, decided=at("2026-06-01"))
    # Granted on 2026-07-01, then withdrawn: no longer counts.
    applied(ota_call, g3, status=S.WITHDRAWN, submitted=sent, decided=at("2026-07-01"))
    applied(ota_call, g4, status=S.SELECTED, submitted=sent)  # 採択, not yet 交付決定
    applied(ota_call, g5, status=S.GRANTED, submitted=sent, decided=at("2026-03-31", 23))
    applied(ota_call, g6, stage=2, status=S.REPORTED, submitted=sent, decided=at("2026-08-01"))
    applied(ota_call, g8, stage=2, status=S.GRANTED, submitted=sent, decided=at("2026-01-05"))
    applied(ota_call, g7, stage=3, status=S.CONFIRMED, submitted=sent, decided=at("2026-09-01"))
    applied(sumida_call, shop(sumida), status=S.GRANTED, submitted=sent, decided=at("2026-10-01"))
    applied(sumida_call, shop(sumida), stage=3, status=S.PAID, submitted=sent,
            decided=at("2026-10-02"))  # fmt: skip
    # Stage 1: 大田区 g1, g2 = 2 (g3 withdrawn, g4 not decided, g5 FY2025); 墨田区 1; all 3.
    stage1 = result("M2.P1", ota)
    assert figures(stage1) == (D(2), None, D(2))
    assert stage1.figure.companies == {g1.pk, g2.pk}
    assert result("M2.P1", sumida).value == 1
    assert result("M2.P1", None).value == 3
    assert result("M2.P1", ota, year=2025).value == 1
    assert result("M2.P1", ota, size="1-9").value == 1  # g1 has 5 employees
    # Stage 2: 大田区 g6 = 1 (g8 was FY2025); 墨田区 0; all 1.
    assert figures(result("M2.P2", ota)) == (D(1), None, D(1))
    assert result("M2.P2", sumida).value == 0
    assert result("M2.P2", None).value == 1
    # Stage 3: 大田区 g7, 墨田区 1, all 2.
    assert figures(result("M2.P3", ota)) == (D(1), None, D(1))
    assert result("M2.P3", sumida).value == 1
    assert result("M2.P3", None).value == 2


# --- M2.OUT: completion reports that felt an effect -------------------------------------


def test_completion_reports_share_that_felt_an_effect():
    ota, sumida = wards()
    ota_call, sumida_call = call(ota), call(sumida)

    def granted(call_, company):
        return applied(call_, company, status=S.REPORTED, submitted=at("2026-01-10"),
                       decided=at("2026-02-01"))  # fmt: skip

    c = [granted(ota_call, shop(ota)) for _ in range(6)]
    completion(c[0], submitted=at("2026-06-01"), felt_efficiency=True)
    completion(c[1], submitted=at("2026-07-01"), status=ReportStatus.ACCEPTED,
               felt_other="在庫が減った")  # fmt: skip
    completion(c[2], submitted=at("2026-08-01"))  # felt nothing
    completion(c[3], submitted=None, status=ReportStatus.DRAFT, felt_productivity=True)
    completion(c[4], submitted=at("2026-09-01"), status=ReportStatus.RETURNED,
               felt_productivity=True)  # fmt: skip  # returned: not a report yet
    completion(c[5], submitted=at("2026-03-31", 23), felt_productivity=True)  # FY2025
    completion(granted(sumida_call, shop(sumida)), submitted=at("2026-10-01"),
               felt_cost_reduction=True)  # fmt: skip
    # 大田区: 2 of 3 = 66.6667 %; 墨田区 1 of 1; all wards 3 of 4 = 75 %.
    ota_result = result("M2.OUT", ota)
    assert figures(ota_result) == (D(2), D(3), D("66.6667"))
    assert [r.counted for r in ota_result.figure.records] == [True, True, False]
    assert figures(result("M2.OUT", sumida)) == (D(1), D(1), D("100.0000"))
    assert figures(result("M2.OUT", None)) == (D(3), D(4), D("75.0000"))
    assert figures(result("M2.OUT", ota, year=2025)) == (D(1), D(1), D("100.0000"))
    empty = result("M2.OUT", ward(KATSUSHIKA))
    assert (empty.value, empty.reason) == (None, Reason.NO_DATA)


# --- M2.KGI: recipients' value-added growth minus the others' -------------------------------


def test_value_added_growth_gap_between_recipients_and_the_others():
    ota, sumida = wards()
    ota_call = call(ota)
    last, this = survey(ota, 2025), survey(ota, 2026)
    r1, r2, r3, w, o1 = (shop(ota) for _ in range(5))
    sent = at("2025-04-10")
    applied(ota_call, r1, status=S.GRANTED, submitted=sent, decided=at("2026-06-01"))
    applied(ota_call, r2, status=S.PAID, submitted=sent, decided=at("2025-05-01"))
    # Decided after today (2026-12-01): not a recipient yet, but by the year's end.
    applied(ota_call, r3, status=S.GRANTED, submitted=sent, decided=at("2026-12-01"))
    applied(ota_call, w, status=S.WITHDRAWN, submitted=sent, decided=at("2026-05-01"))
    # Value added (sales − costs, millions): FY2025 → FY2026.
    for company, before, after in ((r1, 40, 50), (r2, 20, 22), (r3, 30, 30), (w, 10, 9),
                                   (o1, 50, 52)):  # fmt: skip
        answer(last, company, value_added=(before + 10, 10), employees=5)
        answer(this, company, value_added=(after + 10, 10), employees=5)
    s1 = shop(sumida)
    answer(survey(sumida, 2025), s1, value_added=(30, 10), employees=4)  # 20
    answer(survey(sumida, 2026), s1, value_added=(32, 10), employees=4)  # 22
    # 大田区 as of 2026-11-16: recipients R1, R2: 60 → 72, +20 %; the others R3, W
    # (withdrawn), O1: 90 → 91, +1.1111 %. The gap: 18.8889 points.
    ota_result = result("M2.KGI", ota)
    assert figures(ota_result) == (D("20.0000"), D("1.1111"), D("18.8889"))
    assert ota_result.figure.detail == {"recipients": 2, "others": 3, "smallest_group": 2}
    assert suppressed(ota_result) is True  # a group of 2 companies
    # Once the year is over, R3 (decided 2026-12-01) is a recipient: 90 → 102, +13.3333 %;
    # the others W, O1: 60 → 61, +1.6667 %. The gap: 11.6666.
    final = result("M2.KGI", ota, today=day("2027-04-10"))
    assert figures(final) == (D("13.3333"), D("1.6667"), D("11.6666"))
    # 墨田区 has no recipient: no comparison. All wards: recipients +20 %; others R3, W,
    # O1, S1: 110 → 113, +2.7273 %; the gap 17.2727.
    alone = result("M2.KGI", sumida)
    assert (alone.value, alone.reason, alone.figure.denominator) == (
        None,
        Reason.NO_COMPARISON,
        D("10.0000"),
    )
    assert figures(result("M2.KGI", None)) == (D("20.0000"), D("2.7273"), D("17.2727"))


def test_value_added_gap_without_this_years_survey():
    ota, _sumida = wards()
    answer(survey(ota, 2025), shop(ota), value_added=(30, 10), employees=4)
    outcome = result("M2.KGI", ota)
    assert (outcome.value, outcome.reason) == (None, Reason.NO_SURVEY)
