"""The yearly company survey: a ward's round, sent to its registered companies, answered
by each company, reminded and closed.

- ``survey_round_create`` / ``survey_round_update``: an officer prepares the round of a
  fiscal year (this one or up to five back), with the 付加価値額 method, a due date and a
  message; one round per ward and year.
- ``survey_round_send``: one request per registered company of the ward (active,
  verified, not a lab partner); sending again asks only the companies registered since.
- ``survey_response_submit``: the company's owner or staff answers (or corrects the answer
  until the round closes); a changed DX stage joins the company's DX-stage history.
- ``survey_round_remind`` (the officer's button) and ``survey_remind_due`` (the scheduler,
  ``kpi.tasks.kpi_survey_reminders``): unanswered requests are reminded; the scheduler
  reminds those due within 14 days or overdue, at most once a week.
- ``survey_round_close``: no answers after that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company, DXStageAssessment
from machikoba.companies.services import dx_stage_record
from machikoba.core.access import (
    EDITOR_ROLES,
    SUPPORT,
    require_role,
)
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.dates import format_date
from machikoba.core.errors import (
    ApplicationError,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.fiscal import fiscal_year as fiscal_year_of
from machikoba.core.fiscal import fiscal_year_label
from machikoba.core.notifications import notify_company
from machikoba.kpi.choices import (
    DxEngagement,
    ExpectedSupport,
    ResponseStatus,
    RoundStatus,
    ValueAddedMethod,
)
from machikoba.kpi.error_codes import KpiErrorCode
from machikoba.kpi.models import SurveyResponse, SurveyRound
from machikoba.kpi.registered import registered_q
from machikoba.kpi.services.officers import require_ward_officer

# The typo guards of the subsidy's value-added report: the same figures, the same limits.
from machikoba.subsidies.services.value_added import MAX_EMPLOYEES, MAX_YEN
from machikoba.wards.models import Municipality

# A round may be conducted in this fiscal year or up to this many years back (a ward
# catching up on earlier years).
YEARS_BACK = 5
# The due date lies at most this far ahead.
LONGEST_DUE = dt.timedelta(days=366)
# The scheduler reminds from this long before the due day, at most this often.
REMIND_BEFORE = dt.timedelta(days=14)
REMIND_EVERY = dt.timedelta(days=7)
# The officer's "remind now" skips a company told (asked or reminded) within this time.
REMIND_AGAIN_AFTER = dt.timedelta(hours=24)
# The notice a company gets for a request and each reminder.
NOTICE_KIND = "kpi_survey_requested"

ROUND_FIELDS = ["fiscal_year", "method", "status", "due_on", "message"]
DX_FIELDS = ["dx_engagement", "dx_stage", "dx_needed", "expected_support"]
# The figures each method asks for, in the order of the form.
DEDUCTION_FIGURES = ("sales", "external_costs", "employees")
ADDITION_FIGURES = (
    "operating_profit",
    "personnel_costs",
    "depreciation",
    "rent",
    "interest",
    "taxes",
    "employees",
)
ALL_FIGURES = tuple(dict.fromkeys((*DEDUCTION_FIGURES, *ADDITION_FIGURES)))
ANSWER_FIELDS = ["status", *DX_FIELDS, *ALL_FIGURES]
# The one figure that may be negative.
SIGNED_FIGURES = frozenset({"operating_profit"})


def figure_names(method: str) -> tuple[str, ...]:
    """The figures a round of ``method`` asks for."""
    return ADDITION_FIGURES if method == ValueAddedMethod.ADDITION else DEDUCTION_FIGURES


def figure_labels() -> dict[str, str]:
    """Each figure's name on the form and in refusals."""
    return {
        "sales": _("売上高"),
        "external_costs": _("外部購入費用"),
        "operating_profit": _("営業利益"),
        "personnel_costs": _("人件費"),
        "depreciation": _("減価償却費"),
        "rent": _("賃借料"),
        "interest": _("支払利息"),
        "taxes": _("租税公課"),
        "employees": _("従業員数"),
    }


def round_years(today: dt.date | None = None) -> list[int]:
    """The fiscal years a round may be created for: this one first, then back."""
    this_year = fiscal_year_of(today or timezone.localdate())
    return [this_year - n for n in range(YEARS_BACK + 1)]


def survey_path(response: SurveyResponse) -> str:
    """The company's page of one request (the link in its notices)."""
    return reverse("kpi:my_survey", args=[response.pk])


def _require_officer(actor: User, municipality_id: int) -> None:
    require_ward_officer(actor, municipality_id, _("企業調査を扱えるのは、この区の職員だけです。"))


def _notify(response: SurveyResponse) -> None:
    survey = response.round
    notify_company(
        company=response.company,
        kind=NOTICE_KIND,
        params={
            "ward": survey.municipality.name,
            "fiscal_year": fiscal_year_label(survey.fiscal_year),
            "due": format_date(survey.due_on),
        },
        path=survey_path(response),
    )


def _due_problem(due_on: dt.date | None, today: dt.date) -> str | None:
    if due_on is None:
        return _("回答期限を入力してください。")
    if due_on < today:
        return _("回答期限に過去の日付は指定できません。")
    if due_on > today + LONGEST_DUE:
        return _("回答期限は1年以内の日付にしてください。")
    return None


# --- the round ------------------------------------------------------------------------------


@transaction.atomic
def survey_round_create(
    *,
    actor: User,
    municipality: Municipality,
    fiscal_year: int,
    method: str = ValueAddedMethod.DEDUCTION,
    due_on: dt.date | None,
    message: str = "",
) -> SurveyRound:
    """Prepare the ward's survey round of ``fiscal_year`` (a draft: nothing is sent yet).
    Refused: a year outside this fiscal year and the five before, a year the ward already
    has a round for, a due date in the past (or more than a year ahead), an unknown method."""
    _require_officer(actor, municipality.pk)
    today = timezone.localdate()
    years = round_years(today)
    problems: dict[str, str] = {}
    if fiscal_year not in years:
        problems["fiscal_year"] = _(
            "調査の年度は %(first)s から %(last)s までの中から選んでください。"
        ) % {"first": fiscal_year_label(years[-1]), "last": fiscal_year_label(years[0])}
    if method not in ValueAddedMethod.values:
        problems["method"] = _("付加価値額の計算方法を選んでください。")
    due_problem = _due_problem(due_on, today)
    if due_problem:
        problems["due_on"] = due_problem
    if problems or due_on is None:  # no due date is a problem too
        raise invalid_input(KpiErrorCode.SURVEY_ROUND_INVALID, **problems)
    # Two officers creating the same year at once are serialised on the ward's row.
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    if SurveyRound.objects.filter(municipality=municipality, fiscal_year=fiscal_year).exists():
        exists = invalid_input(
            KpiErrorCode.SURVEY_ROUND_EXISTS,
            fiscal_year=_("%(fiscal_year)sの企業調査はもうあります。一覧から開いてください。")
            % {"fiscal_year": fiscal_year_label(fiscal_year)},
        )
        exists.status_code = 409  # the year's round exists: the state, not the input's form
        raise exists
    survey = SurveyRound(
        municipality=municipality,
        fiscal_year=fiscal_year,
        method=method,
        due_on=due_on,
        message=message.strip(),
    )
    full_clean_or_raise(survey, code=KpiErrorCode.SURVEY_ROUND_INVALID)
    survey.save()
    audit_record(
        actor=actor,
        verb="kpi.survey_round.create",
        target=survey,
        after=snapshot(survey, ROUND_FIELDS),
    )
    return survey


@transaction.atomic
def survey_round_update(
    *,
    actor: User,
    survey: SurveyRound,
    due_on: dt.date | None,
    message: str = "",
    method: str | None = None,
) -> SurveyRound:
    """Change a round's due date and message (and, before it is sent, its method). A
    closed round changes no more; the due date may not be moved into the past."""
    _require_officer(actor, survey.municipality_id)
    survey = SurveyRound.objects.select_for_update().get(pk=survey.pk)
    if survey.status == RoundStatus.CLOSED:
        raise ApplicationError(
            KpiErrorCode.SURVEY_ROUND_STATE,
            _("締め切った企業調査は変更できません。"),
            status_code=409,
        )
    problems: dict[str, str] = {}
    if method is not None and method != survey.method:
        if survey.status != RoundStatus.DRAFT:
            problems["method"] = _("送ったあとの企業調査の計算方法は変えられません。")
        elif method not in ValueAddedMethod.values:
            problems["method"] = _("付加価値額の計算方法を選んでください。")
    due_problem = _due_problem(due_on, timezone.localdate())
    if due_problem:
        problems["due_on"] = due_problem
    if problems or due_on is None:  # no due date is a problem too
        raise invalid_input(KpiErrorCode.SURVEY_ROUND_INVALID, **problems)
    before = snapshot(survey, ROUND_FIELDS)
    survey.due_on = due_on
    survey.message = message.strip()
    if method is not None:
        survey.method = method
    full_clean_or_raise(survey, code=KpiErrorCode.SURVEY_ROUND_INVALID)
    survey.save()
    audit_record(
        actor=actor,
        verb="kpi.survey_round.update",
        target=survey,
        before=before,
        after=snapshot(survey, ROUND_FIELDS),
    )
    return survey


def survey_recipients(actor: User, survey: SurveyRound) -> QuerySet[Company]:
    """The ward's registered companies not asked in this round yet: active, verified, not
    a partner of the lab (vendors, banks), read through the office's scope."""
    asked = SurveyResponse.objects.filter(round=survey).values("company")
    return (
        Company.objects.for_user(actor, SUPPORT)
        .filter(registered_q(), ward_id=survey.municipality_id)
        .exclude(pk__in=asked)
        .order_by("pk")
    )


@transaction.atomic
def survey_round_send(*, actor: User, survey: SurveyRound) -> list[SurveyResponse]:
    """Send the round: one request per registered company of the ward (see
    ``survey_recipients``), each company notified. Idempotent: sending again asks only the
    companies registered since. The new requests."""
    _require_officer(actor, survey.municipality_id)
    survey = (
        SurveyRound.objects.select_for_update().select_related("municipality").get(pk=survey.pk)
    )
    if survey.status == RoundStatus.CLOSED:
        raise ApplicationError(
            KpiErrorCode.SURVEY_ROUND_STATE,
            _("締め切った企業調査は送れません。"),
            status_code=409,
        )
    if survey.due_on < timezone.localdate():
        raise ApplicationError(
            KpiErrorCode.SURVEY_DUE_PASSED,
            _("回答期限 (%(due)s) が過ぎています。期限を延ばしてから送ってください。")
            % {"due": format_date(survey.due_on)},
        )
    now = timezone.now()
    before = snapshot(survey, ROUND_FIELDS)
    created = []
    for company in survey_recipients(actor, survey):
        response = SurveyResponse(
            round=survey, company=company, status=ResponseStatus.REQUESTED, requested_at=now
        )
        full_clean_or_raise(response, code=KpiErrorCode.SURVEY_ROUND_STATE)
        response.save()
        created.append(response)
    if survey.status == RoundStatus.DRAFT:
        survey.status = RoundStatus.OPEN
        survey.sent_at = now
        survey.sent_by = actor
        survey.save(update_fields=["status", "sent_at", "sent_by", "updated_at"])
    audit_record(
        actor=actor,
        verb="kpi.survey_round.send",
        target=survey,
        before=before,
        after={**snapshot(survey, ROUND_FIELDS), "sent": len(created)},
    )
    for response in created:
        _notify(response)
    return created


def _remind(responses: Iterable[SurveyResponse], *, actor: User | None, now: dt.datetime) -> int:
    count = 0
    for response in responses:
        response.last_reminded_at = now
        response.reminders_sent += 1
        response.save(update_fields=["last_reminded_at", "reminders_sent"])
        audit_record(
            actor=actor,
            verb="kpi.survey_response.remind",
            target=response,
            company=response.company,
            after={
                "reminders_sent": response.reminders_sent,
                "due_on": str(response.round.due_on),
            },
        )
        _notify(response)
        count += 1
    return count


def _waiting(survey_q: dict[str, object]) -> QuerySet[SurveyResponse]:
    return (
        SurveyResponse.objects.select_for_update(of=("self",))
        .filter(status=ResponseStatus.REQUESTED, round__status=RoundStatus.OPEN, **survey_q)
        .select_related("company", "round__municipality")
        .order_by("round__due_on", "pk")
    )


@transaction.atomic
def survey_round_remind(*, actor: User, survey: SurveyRound, now: dt.datetime | None = None) -> int:
    """The officer's "remind now": notify every company of the round that has not
    answered, except one asked or reminded within the last 24 hours. The number reminded."""
    _require_officer(actor, survey.municipality_id)
    survey = SurveyRound.objects.select_for_update().get(pk=survey.pk)
    if survey.status != RoundStatus.OPEN:
        raise ApplicationError(
            KpiErrorCode.SURVEY_ROUND_STATE,
            _("催促できるのは、回答受付中の企業調査だけです。"),
            status_code=409,
        )
    now = now or timezone.now()
    due = [
        response
        for response in _waiting({"round": survey})
        if (response.last_reminded_at or response.requested_at) + REMIND_AGAIN_AFTER <= now
    ]
    return _remind(due, actor=actor, now=now)


@transaction.atomic
def survey_remind_due(*, now: dt.datetime | None = None) -> int:
    """The scheduler's reminders: every unanswered request of an open round due within 14
    days, or overdue, at most once a week (counting from the request or the last
    reminder). The number reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = [
        response
        for response in _waiting({"round__due_on__lte": today + REMIND_BEFORE})
        if timezone.localdate(response.last_reminded_at or response.requested_at) + REMIND_EVERY
        <= today
    ]
    return _remind(due, actor=None, now=now)


@transaction.atomic
def survey_round_close(*, actor: User, survey: SurveyRound) -> SurveyRound:
    """Close an open round: the companies can no longer answer or correct."""
    _require_officer(actor, survey.municipality_id)
    survey = SurveyRound.objects.select_for_update().get(pk=survey.pk)
    if survey.status != RoundStatus.OPEN:
        raise ApplicationError(
            KpiErrorCode.SURVEY_ROUND_STATE,
            _("締め切れるのは、回答受付中の企業調査だけです。"),
            status_code=409,
        )
    before = snapshot(survey, ROUND_FIELDS)
    survey.status = RoundStatus.CLOSED
    survey.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=actor,
        verb="kpi.survey_round.close",
        target=survey,
        before=before,
        after=snapshot(survey, ROUND_FIELDS),
    )
    return survey


# --- the company's answer -------------------------------------------------------------------


def _figure_problem(name: str, value: object) -> str | None:
    label = figure_labels()[name]
    if value is None or value == "":
        return _("%(label)sを入力してください。") % {"label": label}
    if isinstance(value, bool) or not isinstance(value, int):
        return _("%(label)sは整数で入力してください。") % {"label": label}
    if name == "employees":
        if value < 1:
            return _("従業員数は1以上で入力してください (社長おひとりの会社は 1 です)。")
        if value > MAX_EMPLOYEES:
            return _("従業員数が大きすぎます。人数を確かめてください。")
        return None
    if value < 0 and name not in SIGNED_FIGURES:
        return _("%(label)sにマイナスは入力できません (0 以上で入力してください)。") % {
            "label": label
        }
    if abs(value) > MAX_YEN:
        return _("%(label)sが大きすぎます。単位 (円) を確かめてください。") % {"label": label}
    return None


def _dx_problems(
    dx_engagement: str, dx_stage: int | None, dx_needed: bool | None, support: list[str]
) -> dict[str, str]:
    problems: dict[str, str] = {}
    if dx_engagement not in DxEngagement.values:
        problems["dx_engagement"] = _("DXへの取り組みを選んでください。")
    if isinstance(dx_stage, bool) or not isinstance(dx_stage, int) or not 0 <= dx_stage <= 4:
        problems["dx_stage"] = _("DXの段階を 0〜4 から選んでください。")
    if not isinstance(dx_needed, bool):
        problems["dx_needed"] = _("DXの必要性を感じるかどうかを選んでください。")
    if any(value not in ExpectedSupport.values for value in support):
        problems["expected_support"] = _("期待する支援は一覧の中から選んでください。")
    return problems


def _latest_stage(company: Company) -> int | None:
    latest = (
        DXStageAssessment.objects.filter(company=company).order_by("-assessed_on", "-id").first()
    )
    return latest.stage if latest is not None else None


@transaction.atomic
def survey_response_submit(
    *,
    actor: User,
    response: SurveyResponse,
    dx_engagement: str,
    dx_stage: int | None,
    dx_needed: bool | None,
    expected_support: Iterable[str] = (),
    sales: int | None = None,
    external_costs: int | None = None,
    operating_profit: int | None = None,
    personnel_costs: int | None = None,
    depreciation: int | None = None,
    rent: int | None = None,
    interest: int | None = None,
    taxes: int | None = None,
    employees: int | None = None,
) -> SurveyResponse:
    """The company's owner or staff answers its request, or corrects the answer while the
    round is open. Every question is required except the expected support; the figures are
    those of the round's method (the others are cleared), whole yen up to 1 trillion (only
    the operating profit may be negative) and 1 to 1,000,000 employees. External costs above
    sales are an answer too (a negative value added). A DX stage other than the company's
    latest self-assessment is added to its DX-stage history. Bad input writes nothing."""
    require_role(
        actor,
        response.company,
        EDITOR_ROLES,
        KpiErrorCode.NOT_SURVEY_COMPANY,
        _("企業調査に回答できるのは、この企業の経営者・スタッフだけです。"),
    )
    response = (
        SurveyResponse.objects.select_for_update(of=("self",))
        .select_related("round", "company")
        .get(pk=response.pk)
    )
    survey = response.round
    if survey.status != RoundStatus.OPEN:
        raise ApplicationError(
            KpiErrorCode.SURVEY_CLOSED,
            _("この企業調査は締め切られました。回答はもう変えられません。"),
            status_code=409,
        )
    support = list(expected_support)
    problems = _dx_problems(dx_engagement, dx_stage, dx_needed, support)
    given: dict[str, int | None] = {
        "sales": sales,
        "external_costs": external_costs,
        "operating_profit": operating_profit,
        "personnel_costs": personnel_costs,
        "depreciation": depreciation,
        "rent": rent,
        "interest": interest,
        "taxes": taxes,
        "employees": employees,
    }
    asked = figure_names(survey.method)
    for name in asked:
        problem = _figure_problem(name, given[name])
        if problem:
            problems[name] = problem
    if problems:
        raise invalid_input(KpiErrorCode.SURVEY_ANSWER_INVALID, **problems)
    first = response.status != ResponseStatus.SUBMITTED
    before = None if first else snapshot(response, ANSWER_FIELDS)
    response.dx_engagement = dx_engagement
    response.dx_stage = dx_stage
    response.dx_needed = dx_needed
    response.expected_support = [value for value in ExpectedSupport.values if value in support]
    for name in ALL_FIGURES:
        setattr(response, name, given[name] if name in asked else None)
    response.status = ResponseStatus.SUBMITTED
    response.submitted_at = timezone.now()
    response.submitted_by = actor
    full_clean_or_raise(response, code=KpiErrorCode.SURVEY_ANSWER_INVALID)
    response.save()
    audit_record(
        actor=actor,
        verb="kpi.survey_response.submit" if first else "kpi.survey_response.correct",
        target=response,
        company=response.company,
        before=before,
        after=snapshot(response, ANSWER_FIELDS),
    )
    if dx_stage is not None and _latest_stage(response.company) != dx_stage:
        dx_stage_record(
            actor=actor,
            company=response.company,
            stage=dx_stage,
            note=_("企業調査 (%(fiscal_year)s) の回答")
            % {"fiscal_year": fiscal_year_label(survey.fiscal_year)},
        )
    return response
