"""Hand-built records for the indicator tests: one fixed day, two wards (大田区 and
墨田区) and small builders that write the rows each computation reads, with every date
given explicitly.

The tests freeze the clock at ``NOW`` (``frozen_clock``), so ``timezone.now()`` (the
factories, ``auto_now_add``, "events held") agrees with the ``today`` they pass to
``scope_for``: the outcome never depends on the real date. Fiscal year 2026 runs from
2026-04-01 to 2027-03-31 (365 days); 2026-11-16 is its 230th day.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from machikoba.advisory.choices import EngagementStatus, RequestStatus
from machikoba.advisory.models import Engagement
from machikoba.board.choices import TeamStatus
from machikoba.board.models import Request, Team, TeamMember
from machikoba.companies.choices import CompanyKind
from machikoba.companies.models import Company, ProcessCategory
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    UserFactory,
    make_capability,
    ward,
)
from machikoba.core.testing.factories_lab import make_item, make_lab
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    ProgramFactory,
    SupportRequestFactory,
)
from machikoba.core.testing.factories_subsidies import make_application, make_paper_call
from machikoba.kpi.choices import ResponseStatus, ValueAddedMethod
from machikoba.kpi.evaluation import Result, evaluate, scope_for
from machikoba.kpi.models import Definition, SurveyResponse, SurveyRound
from machikoba.lab.choices import (
    BookingStatus,
    EntryKind,
    EntryMethod,
    EventKind,
    EventStatus,
    MatchingAgreement,
    MatchingSource,
    MatchingStatus,
    PartnerKind,
    ProjectStatus,
)
from machikoba.lab.models import Lab
from machikoba.lab.models_bookings import Booking
from machikoba.lab.models_ecosystem import Matching, Partner, Project, ProjectParticipant
from machikoba.lab.models_events import Event
from machikoba.lab.models_visits import EntryEvent
from machikoba.network.models import BusinessMatch, Job, Order, Rfq, RfqRecipient
from machikoba.network.services import business_match_record
from machikoba.programs.choices import ProgramKind
from machikoba.programs.models import FollowUp, Graduation, Program
from machikoba.subsidies.choices import ApplicationStatus, ReportStatus
from machikoba.subsidies.models import Application, ApplicationSnapshot, Call
from machikoba.subsidies.models_after import CompletionReport
from machikoba.wards.models import Municipality

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = dt.datetime(2026, 11, 16, 12, 0, tzinfo=TOKYO)
TODAY = NOW.date()
YEAR = 2026
KATSUSHIKA = "131229"

_numbers = count(1)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(when: str | dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """An aware moment in Tokyo: ``at("2026-05-01")`` is 10:00 JST that day."""
    date = day(when) if isinstance(when, str) else when
    return dt.datetime.combine(date, dt.time(hour, minute), tzinfo=TOKYO)


def wards() -> tuple[Municipality, Municipality]:
    return ward(), ward(SUMIDA)


def definition(code: str) -> Definition:
    """The newest version of an indicator's definition."""
    return Definition.objects.filter(indicator__code=code).order_by("-version").first()


def result(
    code: str,
    municipality: Municipality | None,
    *,
    year: int = YEAR,
    today: dt.date = TODAY,
    **filters: Any,
) -> Result:
    """``code`` evaluated for one ward (or every ward, ``None``) as of ``today``."""
    scope_wards = None if municipality is None else (municipality.pk,)
    return evaluate(definition(code), scope_for(year, scope_wards, today=today, **filters))


def figures(result_: Result) -> tuple[Decimal | None, Decimal | None, Decimal | None]:
    return result_.figure.numerator, result_.figure.denominator, result_.value


# --- companies ----------------------------------------------------------------------------


def shop(
    municipality: Municipality | None,
    *,
    employees: int = 12,
    process: str | None = None,
    **fields: Any,
) -> Company:
    """A registered shop of ``municipality`` (verified, active), optionally with one
    capability of ``process`` (a process category code)."""
    company = CompanyFactory(ward=municipality, employees=employees, **fields)
    if process is not None:
        make_capability(company, ProcessCategory.objects.get(code=process))
    return company


def vendor(municipality: Municipality) -> Company:
    return CompanyFactory(ward=municipality, kind=CompanyKind.VENDOR)


# --- programmes (measure ①) -----------------------------------------------------------


def programme(municipality: Municipality, kind: str = ProgramKind.DOJO) -> Program:
    return ProgramFactory(municipality=municipality, kind=kind)


def graduate(
    program: Program,
    company: Company,
    on: str,
    *,
    invested: bool | None = None,
    invested_on: str | None = None,
) -> Graduation:
    """A graduation of one person of ``company`` from ``program`` on ``on`` (a cohort of
    its own), with its follow-up: unanswered unless ``invested`` is given."""
    cohort = CohortFactory(program=program, fiscal_year=YEAR)
    application = ApplicationFactory(cohort=cohort, company=company)
    graduated_on = day(on)
    graduation = Graduation.objects.create(
        application=application,
        company=company,
        program_kind=program.kind,
        graduated_on=graduated_on,
        sessions_attended=5,
        sessions_total=5,
        certificate_code=secrets.token_hex(8),
    )
    answer: dict[str, Any] = {}
    if invested is not None:
        answer = {
            "answered_at": at(graduated_on + dt.timedelta(days=300)),
            "invested": invested,
            "invested_on": day(invested_on) if invested_on else None,
        }
    FollowUp.objects.create(
        graduation=graduation, due_on=graduated_on + dt.timedelta(days=365), **answer
    )
    return graduation


def engagement(
    municipality: Municipality,
    company: Company,
    starts_on: str,
    *,
    status: str = EngagementStatus.ACTIVE,
) -> Engagement:
    request = SupportRequestFactory(
        company=company, municipality=municipality, status=RequestStatus.ASSIGNED
    )
    starts = day(starts_on)
    return Engagement.objects.create(
        request=request,
        municipality=municipality,
        company=company,
        status=status,
        starts_on=starts,
        ends_on=starts + dt.timedelta(days=182),
    )


# --- the subsidy (measure ②) ------------------------------------------------------------


def call(municipality: Municipality, fiscal_year: int = YEAR) -> Call:
    """A call of the paper's three stages (its window does not matter to the figures)."""
    return make_paper_call(municipality=municipality, fiscal_year=fiscal_year)


def applied(
    call_: Call,
    company: Company,
    *,
    stage: int = 1,
    status: str = ApplicationStatus.SUBMITTED,
    submitted: dt.datetime | None = None,
    first_submitted: dt.datetime | None = None,
    decided: dt.datetime | None = None,
) -> Application:
    """An application to ``stage`` of ``call_``. ``submitted`` is its last submission;
    ``first_submitted`` an earlier one (a resubmission after 差戻し: both are kept as
    snapshots, as the service keeps them); ``decided`` the 交付決定."""
    fields: dict[str, Any] = {"requested_amount": 500_000}
    if submitted is not None:
        fields["submitted_at"] = submitted
    if decided is not None:
        fields.update(decided_at=decided, decided_amount=500_000)
    application = make_application(call_.stages.get(number=stage), company, status=status, **fields)
    moments = [m for m in (first_submitted, submitted) if m is not None]
    for version, moment in enumerate(moments, start=1):
        ApplicationSnapshot.objects.create(
            application=application, version=version, data={}, submitted_at=moment
        )
    return application


def completion(
    application: Application,
    *,
    submitted: dt.datetime | None,
    status: str = ReportStatus.SUBMITTED,
    **felt: Any,
) -> CompletionReport:
    """A 実績報告 with the outcome answers ``felt`` (felt_efficiency=True …)."""
    return CompletionReport.objects.create(
        application=application, status=status, submitted_at=submitted, **felt
    )


# --- the yearly company survey ----------------------------------------------------------


def survey(
    municipality: Municipality,
    fiscal_year: int,
    *,
    method: str = ValueAddedMethod.DEDUCTION,
    sent: bool = True,
) -> SurveyRound:
    return SurveyRound.objects.create(
        municipality=municipality,
        fiscal_year=fiscal_year,
        method=method,
        status="open" if sent else "draft",
        due_on=dt.date(fiscal_year, 7, 31),
        sent_at=at(dt.date(fiscal_year, 6, 1)) if sent else None,
    )


def answer(
    round_: SurveyRound,
    company: Company,
    *,
    dx: str = "",
    value_added: tuple[int, int] | None = None,
    employees: int | None = None,
    submitted: bool = True,
    **fields: Any,
) -> SurveyResponse:
    """A company's answer; ``value_added`` as (sales, external costs) in millions of yen
    for the deduction method (the addition method's parts go in ``fields``)."""
    if value_added is not None:
        sales, costs = value_added
        fields.update(sales=sales * 1_000_000, external_costs=costs * 1_000_000)
    requested = at(dt.date(round_.fiscal_year, 6, 1))
    return SurveyResponse.objects.create(
        round=round_,
        company=company,
        status=ResponseStatus.SUBMITTED if submitted else ResponseStatus.REQUESTED,
        dx_engagement=dx,
        employees=employees,
        requested_at=requested,
        submitted_at=requested + dt.timedelta(days=10) if submitted else None,
        **fields,
    )


# --- the lab and the consortium (measure ③) ---------------------------------------------


def lab(municipality: Municipality) -> Lab:
    return make_lab(municipality.code, name=f"{municipality.name} 町工場DXラボ")


def entry(
    lab_: Lab,
    moment: dt.datetime,
    *,
    user=None,
    visitor=None,
    company: Company | None = None,
    kind: str = EntryKind.ENTERED,
) -> EntryEvent:
    return EntryEvent.objects.create(
        lab=lab_,
        kind=kind,
        method=EntryMethod.DESK,
        at=moment,
        user=user,
        visitor=visitor,
        company=company,
    )


def booking(
    lab_: Lab, user, company: Company, starts: dt.datetime, status: str = BookingStatus.COMPLETED
) -> Booking:
    return Booking.objects.create(
        lab=lab_,
        item=make_item(lab_),
        company=company,
        user=user,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=1),
        status=status,
    )


def event(lab_: Lab, starts: dt.datetime, status: str = EventStatus.PUBLISHED) -> Event:
    return Event.objects.create(
        lab=lab_,
        kind=EventKind.SEMINAR,
        title=f"IoT入門セミナー {next(_numbers)}",
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=2),
        capacity=20,
        status=status,
    )


def lab_matching(
    lab_: Lab, a: Company, b: Company, on: str, *, status: str = MatchingStatus.CONFIRMED
) -> Matching:
    """A matching recorded at ``lab_`` (at one of its items), stored as the services store
    it: the smaller company id first."""
    low, high = sorted((a, b), key=lambda c: c.pk)
    agreed = day(on)
    return Matching.objects.create(
        municipality=lab_.municipality,
        source=MatchingSource.LAB_VISIT,
        item=make_item(lab_),
        party_a=low,
        party_b=high,
        agreement=MatchingAgreement.TRIAL,
        agreed_on=agreed,
        status=status,
        follow_up_due_on=agreed + dt.timedelta(days=90),
    )


def university(municipality: Municipality) -> Partner:
    return Partner.objects.create(
        municipality=municipality,
        kind=PartnerKind.UNIVERSITY,
        name=f"東京テスト大学 {next(_numbers)}",
    )


def project(
    municipality: Municipality,
    kind: str,
    starts_on: str,
    ends_on: str,
    *,
    status: str = ProjectStatus.RUNNING,
    companies: tuple[Company, ...] = (),
    partners: tuple[Partner, ...] = (),
) -> Project:
    made = Project.objects.create(
        municipality=municipality,
        kind=kind,
        title=f"プロジェクト {next(_numbers)}",
        starts_on=day(starts_on),
        ends_on=day(ends_on),
        status=status,
    )
    for company in companies:
        ProjectParticipant.objects.create(project=made, company=company)
    for partner in partners:
        ProjectParticipant.objects.create(project=made, partner=partner)
    return made


# --- the network and the board ------------------------------------------------------------


def backdate(row: Any, moment: dt.datetime) -> Any:
    """Set ``created_at`` (``auto_now_add``) to ``moment``."""
    type(row).objects.filter(pk=row.pk).update(created_at=moment)
    row.refresh_from_db()
    return row


def job(company: Company, moment: dt.datetime) -> Job:
    made = Job.objects.create(
        company=company, part_name="段付きシャフト", quantity=10, due_date=moment.date()
    )
    return backdate(made, moment)


def rfq_to(recipient: Company, buyer: Company, moment: dt.datetime) -> RfqRecipient:
    rfq = Rfq.objects.create(job=job(buyer, moment), deadline=moment + dt.timedelta(days=3))
    return backdate(RfqRecipient.objects.create(rfq=rfq, company=recipient), moment)


def order(buyer: Company, supplier: Company, moment: dt.datetime) -> Order:
    """An order (注文書) of ``buyer`` to ``supplier`` issued at ``moment``."""
    delivery = moment.date() + dt.timedelta(days=20)
    made = Order.objects.create(
        number=f"PO-{next(_numbers):05d}",
        job=job(buyer, moment),
        buyer=buyer,
        supplier=supplier,
        ordered_on=moment.date(),
        work_content="旋削加工",
        quantity=10,
        price=120_000,
        delivery_date=delivery,
        delivery_place="本社工場",
        inspection_date=delivery,
        payment_date=delivery + dt.timedelta(days=30),
    )
    return backdate(made, moment)


def award(buyer: Company, supplier: Company, moment: dt.datetime) -> BusinessMatch | None:
    """An award through the network at ``moment``: the order, then the network's own
    rule (``business_match_record``: a first award between two companies, in either
    direction, is a new match; a later one is not). The new match, or None."""
    return business_match_record(order=order(buyer, supplier, moment))


def team(
    lead: Company,
    *,
    awarded: dt.datetime | None,
    companies_at_award: int = 2,
    status: str = TeamStatus.AWARDED,
    members: tuple[Company, ...] = (),
) -> Team:
    """A joint-order team led by ``lead`` on a request of a buyer outside the wards."""
    buyer = CompanyFactory(kind=CompanyKind.BUYER, ward=None)
    request = Request.objects.create(
        company=buyer,
        part_name="油圧シリンダ用ロッド",
        quantity=40,
        due_date=TODAY + dt.timedelta(days=60),
        answer_by=TODAY + dt.timedelta(days=10),
    )
    made = Team.objects.create(
        request=request,
        lead=lead,
        status=status,
        awarded_at=awarded,
        companies_at_award=companies_at_award,
    )
    for member in members:
        TeamMember.objects.create(team=made, company=member)
    return made


def person():
    return UserFactory()
