"""Reads of the yearly company survey: the office's rounds with their response rates, one
round's companies, and a company's own requests with the answer form's pre-filled values.

Response rate = answered ÷ asked (requests sent), shown with one decimal; "—" while
nothing has been sent.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.models import Company, DXStageAssessment
from machikoba.core.access import (
    EDITOR_ROLES,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    get_for_user_or_404,
    municipality_ids_for,
)
from machikoba.kpi.choices import ExpectedSupport, ResponseStatus, RoundStatus
from machikoba.kpi.models import SurveyResponse, SurveyRound
from machikoba.kpi.services.surveys import (
    DX_FIELDS,
    figure_labels,
    figure_names,
    round_years,
    survey_recipients,
)
from machikoba.wards.models import Municipality

# Where the answer form's first values came from.
FROM_LAST_YEAR = "last_year"
FROM_PROFILE = "profile"


def rate(submitted: int, sent: int) -> Decimal | None:
    """The response rate in percent, one decimal (None while nothing was sent)."""
    if not sent:
        return None
    return (Decimal(submitted * 100) / sent).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def officer_wards(user: User) -> list[Municipality]:
    """The wards the officer serves (where a round may be created)."""
    return list(
        Municipality.objects.filter(pk__in=municipality_ids_for(user, WARD_OFFICER)).order_by(
            "code"
        )
    )


# --- the office -----------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundRow:
    survey: SurveyRound
    sent: int
    submitted: int

    @property
    def waiting(self) -> int:
        return self.sent - self.submitted

    @property
    def rate(self) -> Decimal | None:
        return rate(self.submitted, self.sent)

    @property
    def overdue(self) -> bool:
        return (
            self.survey.status == RoundStatus.OPEN
            and self.waiting > 0
            and self.survey.due_on < timezone.localdate()
        )


def survey_rounds(user: User) -> list[RoundRow]:
    """The rounds of the officer's wards, newest fiscal year first, with their counts."""
    rounds = (
        SurveyRound.objects.for_user(user, VIEW)
        .select_related("municipality")
        .annotate(
            sent=Count("responses"),
            submitted=Count("responses", filter=Q(responses__status=ResponseStatus.SUBMITTED)),
        )
        .order_by("-fiscal_year", "municipality__code")
    )
    return [RoundRow(survey=r, sent=r.sent, submitted=r.submitted) for r in rounds]


def free_years(user: User, wards: list[Municipality]) -> list[int]:
    """The fiscal years a new round may take in at least one of ``wards``."""
    taken = set(
        SurveyRound.objects.for_user(user, VIEW)
        .filter(municipality__in=wards)
        .values_list("municipality_id", "fiscal_year")
    )
    return [year for year in round_years() if any((ward.pk, year) not in taken for ward in wards)]


def survey_round_for(user: User, pk: int, action: str = VIEW) -> SurveyRound:
    """One round of the officer's wards; another ward's is a 404."""
    return get_for_user_or_404(
        SurveyRound.objects.select_related("municipality", "sent_by"), user, action, pk=pk
    )


@dataclass(frozen=True)
class ResponseRow:
    response: SurveyResponse
    method: str

    @property
    def value_added(self) -> int | None:
        return self.response.value_added(self.method)

    @property
    def productivity(self) -> int | None:
        value = self.response.productivity(self.method)
        return int(value.to_integral_value(rounding=ROUND_HALF_UP)) if value is not None else None

    @property
    def answered(self) -> bool:
        return self.response.status == ResponseStatus.SUBMITTED


@dataclass(frozen=True)
class RoundPage:
    survey: SurveyRound
    rows: list[ResponseRow]
    new_companies: int  # registered companies not asked yet

    @property
    def sent(self) -> int:
        return len(self.rows)

    @property
    def submitted(self) -> int:
        return sum(1 for row in self.rows if row.answered)

    @property
    def waiting(self) -> int:
        return self.sent - self.submitted

    @property
    def rate(self) -> Decimal | None:
        return rate(self.submitted, self.sent)

    @property
    def overdue(self) -> bool:
        return self.survey.status == RoundStatus.OPEN and self.survey.due_on < timezone.localdate()

    @property
    def can_send(self) -> bool:
        return self.survey.status != RoundStatus.CLOSED and (
            self.survey.status == RoundStatus.DRAFT or self.new_companies > 0
        )

    @property
    def can_remind(self) -> bool:
        return self.survey.status == RoundStatus.OPEN and self.waiting > 0

    @property
    def can_close(self) -> bool:
        return self.survey.status == RoundStatus.OPEN

    @property
    def can_edit(self) -> bool:
        return self.survey.status != RoundStatus.CLOSED


def survey_round_page(user: User, survey: SurveyRound) -> RoundPage:
    """One round: every asked company (unanswered first), and how many registered
    companies of the ward have not been asked yet."""
    responses = (
        SurveyResponse.objects.for_user(user, VIEW)
        .filter(round=survey)
        .select_related("company")
        .order_by("status", "company__name_kana", "company__name", "pk")
    )
    # "requested" sorts before "submitted": the unanswered come first.
    rows = [ResponseRow(response=r, method=survey.method) for r in responses]
    new = 0 if survey.status == RoundStatus.CLOSED else survey_recipients(user, survey).count()
    return RoundPage(survey=survey, rows=rows, new_companies=new)


# --- the company ----------------------------------------------------------------------------


@dataclass(frozen=True)
class MyRow:
    response: SurveyResponse

    @property
    def can_answer(self) -> bool:
        return self.response.round.status == RoundStatus.OPEN

    @property
    def overdue(self) -> bool:
        return (
            self.can_answer
            and self.response.status == ResponseStatus.REQUESTED
            and self.response.round.due_on < timezone.localdate()
        )


def my_surveys(user: User, company: Company | None) -> list[MyRow]:
    """The requests of ``company`` (the one the person works for now) when they are its
    owner or staff, newest first; nothing for anyone else."""
    if company is None or company.pk not in company_ids_for(user, EDITOR_ROLES, VIEW):
        return []
    responses = (
        SurveyResponse.objects.for_user(user, VIEW)
        .filter(company=company)
        .select_related("round__municipality")
        .order_by("-round__fiscal_year", "-pk")
    )
    return [MyRow(response=r) for r in responses]


def my_response_for(user: User, pk: int) -> SurveyResponse:
    """A request of a company the person is owner or staff of (reading is allowed during
    a deactivated company's grace period); anyone else gets a 404, ward officers
    included (they read answers on the round's page)."""
    mine = company_ids_for(user, EDITOR_ROLES, VIEW)
    return get_for_user_or_404(
        SurveyResponse.objects.filter(company__in=mine).select_related(
            "round__municipality", "company"
        ),
        user,
        VIEW,
        pk=pk,
    )


@dataclass(frozen=True)
class FigureRow:
    name: str
    label: str
    value: int | None

    @property
    def is_people(self) -> bool:
        return self.name == "employees"


@dataclass
class MyPage:
    response: SurveyResponse
    figures: tuple[str, ...]
    initial: dict[str, Any] = field(default_factory=dict)
    prefilled_from: str = ""  # FROM_LAST_YEAR, FROM_PROFILE or ""
    previous_year: int | None = None

    @property
    def survey(self) -> SurveyRound:
        return self.response.round

    @property
    def answered(self) -> bool:
        return self.response.status == ResponseStatus.SUBMITTED

    @property
    def can_answer(self) -> bool:
        return self.survey.status == RoundStatus.OPEN

    @property
    def overdue(self) -> bool:
        return self.can_answer and not self.answered and self.survey.due_on < timezone.localdate()

    @property
    def value_added(self) -> int | None:
        return self.response.value_added(self.survey.method) if self.answered else None

    @property
    def productivity(self) -> int | None:
        if not self.answered:
            return None
        value = self.response.productivity(self.survey.method)
        return int(value.to_integral_value(rounding=ROUND_HALF_UP)) if value is not None else None

    @property
    def negative(self) -> bool:
        return self.value_added is not None and self.value_added < 0

    @property
    def support_labels(self) -> list[str]:
        labels = dict(ExpectedSupport.choices)
        return [str(labels[v]) for v in self.response.expected_support if v in labels]

    @property
    def figure_rows(self) -> list[FigureRow]:
        """The answered figures, labelled, in the order of the form."""
        labels = figure_labels()
        return [
            FigureRow(name, labels[name], getattr(self.response, name)) for name in self.figures
        ]

    @property
    def due_soon(self) -> bool:
        return (
            self.can_answer
            and not self.answered
            and self.survey.due_on <= timezone.localdate() + dt.timedelta(days=14)
        )


def previous_answer(user: User, response: SurveyResponse) -> SurveyResponse | None:
    """The company's submitted answer in a round of the previous fiscal year (of any
    ward: a company that moved keeps its history)."""
    return (
        SurveyResponse.objects.for_user(user, VIEW)
        .filter(
            company_id=response.company_id,
            round__fiscal_year=response.round.fiscal_year - 1,
            status=ResponseStatus.SUBMITTED,
        )
        .order_by("-submitted_at", "-pk")
        .first()
    )


def _answer_values(response: SurveyResponse, names: tuple[str, ...]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in (*DX_FIELDS, *names):
        value = getattr(response, name)
        if value is None or value == "":
            continue
        values[name] = value
    if "dx_needed" in values:
        values["dx_needed"] = "yes" if values["dx_needed"] else "no"
    return values


def my_survey_page(user: User, response: SurveyResponse) -> MyPage:
    """The answer page: the round's figures, and the form's first values: the answer
    itself once given; else last year's answer (``FROM_LAST_YEAR``); else the company's
    profile (its employees) and its latest DX-stage self-assessment (``FROM_PROFILE``)."""
    names = figure_names(response.round.method)
    page = MyPage(response=response, figures=names)
    if response.status == ResponseStatus.SUBMITTED:
        page.initial = _answer_values(response, names)
        return page
    previous = previous_answer(user, response)
    if previous is not None:
        page.initial = _answer_values(previous, names)
        page.prefilled_from = FROM_LAST_YEAR
        page.previous_year = previous.round.fiscal_year
        return page
    company = response.company
    if company.employees:
        page.initial["employees"] = company.employees
    latest = (
        DXStageAssessment.objects.for_user(user, VIEW)
        .filter(company=company)
        .order_by("-assessed_on", "-id")
        .first()
    )
    if latest is not None:
        page.initial["dx_stage"] = latest.stage
    if page.initial:
        page.prefilled_from = FROM_PROFILE
    return page
