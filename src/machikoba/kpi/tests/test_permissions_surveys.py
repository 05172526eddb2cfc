"""Permission matrix of the yearly company survey. The officers of the company's ward (大田区)
list, create, send, remind and close its rounds; an officer of another ward does not find
them (404) and anyone who is not a ward officer gets a 403 on the office's pages. The
company's owner and staff answer its request; a floor worker, another company, the
officers (of any ward), the metro viewer and everyone else do not find it (404). A visitor
is sent to sign in. The lists show each actor only what is theirs (tested below)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.core.fiscal import fiscal_year
from machikoba.core.testing.factories import ward
from machikoba.core.testing.matrix import (
    ACTORS,
    ANONYMOUS,
    DONE,
    LOGIN,
    MEMBER,
    OFFICER,
    OTHER_WARD_OFFICER,
    STAFF,
    Case,
    assert_case,
    expect,
)
from machikoba.kpi.models import SurveyResponse, SurveyRound
from machikoba.kpi.services import surveys as services

# The office's pages: officers only; another ward's round is not found.
OFFICE_PAGE = expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 404})
OFFICE_BUTTON = expect(403, **{ANONYMOUS: LOGIN, OFFICER: DONE, OTHER_WARD_OFFICER: 404})
# The company's request: its owner and staff, nobody else (the officers neither).
COMPANY_PAGE = expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200})
COMPANY_BUTTON = expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE})


def _round(w, *, send: bool = True) -> SurveyRound:
    survey = services.survey_round_create(
        actor=w.users[OFFICER],
        municipality=ward(),
        fiscal_year=fiscal_year(timezone.localdate()),
        due_on=timezone.localdate() + dt.timedelta(days=30),
    )
    if send:
        services.survey_round_send(actor=w.users[OFFICER], survey=survey)
        # Asked two days ago: the officer's "remind now" reaches them.
        SurveyResponse.objects.filter(round=survey).update(
            requested_at=timezone.now() - dt.timedelta(days=2)
        )
    w.survey = survey
    return survey


def _round_url(name: str, *, send: bool = True):
    return lambda w: reverse(f"kpi:{name}", args=[_round(w, send=send).pk])


def _response_url(w) -> str:
    survey = _round(w)
    response = SurveyResponse.objects.get(round=survey, company=w.company)
    return reverse("kpi:my_survey", args=[response.pk])


def _create_data(w) -> dict:
    return {
        "municipality": str(ward().pk),
        "fiscal_year": str(fiscal_year(timezone.localdate())),
        "method": "deduction",
        "due_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        "message": "",
    }


def _answer(w) -> dict:
    return {
        "dx_engagement": "done",
        "dx_stage": "1",
        "dx_needed": "yes",
        "expected_support": ["training"],
        "sales": "30,000,000",
        "external_costs": "12,000,000",
        "employees": "6",
    }


def _statuses(w):
    return SurveyRound.objects.values_list("status", flat=True)


MATRIX = [
    Case(
        "kpi:survey_rounds",
        lambda w: reverse("kpi:survey_rounds"),
        # Another ward's officer has a list of its own (nothing of 大田区: tested below).
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: 200, OTHER_WARD_OFFICER: 200}),
    ),
    Case(
        "kpi:survey_round_create",
        lambda w: reverse("kpi:survey_round_create"),
        # Another ward's officer may not choose 大田区: the form says so (200).
        expect(403, **{ANONYMOUS: LOGIN, OFFICER: DONE, OTHER_WARD_OFFICER: 200}),
        method="POST",
        data=_create_data,
        effect=lambda w: SurveyRound.objects.count(),
    ),
    Case("kpi:survey_round", _round_url("survey_round"), OFFICE_PAGE),
    Case("kpi:survey_round_edit", _round_url("survey_round_edit"), OFFICE_PAGE),
    Case(
        "kpi:survey_round_edit",
        _round_url("survey_round_edit"),
        OFFICE_BUTTON,
        method="POST",
        data=lambda w: {
            "due_on": (timezone.localdate() + dt.timedelta(days=45)).isoformat(),
            "message": "期限を延ばしました。",
        },
        effect=lambda w: SurveyRound.objects.values_list("due_on", flat=True),
        note="save",
    ),
    Case(
        "kpi:survey_round_send",
        _round_url("survey_round_send", send=False),
        OFFICE_BUTTON,
        method="POST",
        effect=lambda w: SurveyResponse.objects.count(),
    ),
    Case(
        "kpi:survey_round_remind",
        _round_url("survey_round_remind"),
        OFFICE_BUTTON,
        method="POST",
        effect=lambda w: SurveyResponse.objects.values_list("reminders_sent", flat=True),
    ),
    Case(
        "kpi:survey_round_close",
        _round_url("survey_round_close"),
        OFFICE_BUTTON,
        method="POST",
        data=lambda w: {"confirm": "on"},
        effect=_statuses,
    ),
    # Everyone signed in has the list; it shows only their own company's requests.
    Case("kpi:my_surveys", lambda w: reverse("kpi:my_surveys"), expect(200, **{ANONYMOUS: LOGIN})),
    Case("kpi:my_survey", _response_url, COMPANY_PAGE),
    Case(
        "kpi:my_survey",
        _response_url,
        COMPANY_BUTTON,
        method="POST",
        data=_answer,
        effect=lambda w: SurveyResponse.objects.values_list("status", flat=True),
        note="answer",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


@pytest.mark.django_db
def test_the_lists_show_each_actor_only_their_own(world):
    survey = _round(world)
    name = world.company.name
    request_link = reverse(
        "kpi:my_survey", args=[SurveyResponse.objects.get(round=survey, company=world.company).pk]
    )
    round_link = reverse("kpi:survey_round", args=[survey.pk])
    for actor in ACTORS:
        if actor == ANONYMOUS:
            continue
        client = world.client_for(actor)
        mine = client.get(reverse("kpi:my_surveys")).content.decode()
        assert (request_link in mine) == (actor in (MEMBER, STAFF)), actor
        office = client.get(reverse("kpi:survey_rounds"))
        if office.status_code == 200:
            text = office.content.decode()
            assert (round_link in text) == (actor == OFFICER), actor
            assert name not in text
