"""The office's writes: programmes, their cohorts, instructors and sessions, and the
record of an exported report. Only the officers of the programme's ward (the lead ward or
a ward running it jointly) may write here; every write is checked, validated and audited.

A larger capacity moves the waitlist up at once, through the participant side's
``services.applications.waitlist_promote``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from machikoba.accounts.choices import WardRole
from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, WARD_OFFICER, municipality_ids_for
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.core.exports import table_file
from machikoba.programs.choices import ApplicationStatus, ParticipantRole, ProgramKind
from machikoba.programs.error_codes import ProgramErrorCode
from machikoba.programs.models import Cohort, Program, Session
from machikoba.programs.services import applications
from machikoba.wards.models import Municipality

PROGRAM_FIELDS = [
    "municipality",
    "kind",
    "name",
    "description",
    "participant_role",
    "wards_only",
    "max_per_company",
    "min_sessions_attended",
    "requires_plan_accepted",
]
COHORT_FIELDS = [
    "program",
    "fiscal_year",
    "name",
    "capacity",
    "applications_open_at",
    "applications_close_at",
]
SESSION_FIELDS = [
    "cohort",
    "number",
    "title",
    "starts_at",
    "ends_at",
    "place",
    "online_url",
    "instructor",
]
# A fiscal year the office may plan for (anything else is a typing slip).
FISCAL_YEAR_RANGE = (2000, 2100)
# The most sessions a cohort's numbering goes to, and the most seats.
MAX_SESSION_NUMBER = 50
MAX_CAPACITY = 500
CHECKIN_CODE_BYTES = 16
REPORTS = ("funnel", "attendance_grid", "overdue")


def _not_allowed() -> PermissionRefused:
    return PermissionRefused(
        ProgramErrorCode.OFFICE_NOT_ALLOWED,
        _("このプログラムを管理できるのは、実施する区の職員だけです。"),
    )


def _require_officer_of(actor: User, municipality: Municipality) -> None:
    if municipality.pk not in municipality_ids_for(actor, WARD_OFFICER):
        raise _not_allowed()


def _require_program(actor: User, program: Program) -> None:
    if not Program.objects.for_user(actor, CHANGE).filter(pk=program.pk).exists():
        raise _not_allowed()


def _require_cohort(actor: User, cohort: Cohort) -> None:
    if not Cohort.objects.for_user(actor, CHANGE).filter(pk=cohort.pk).exists():
        raise _not_allowed()


def _invalid(code: ProgramErrorCode, **fields: Any) -> ApplicationError:
    return ApplicationError(
        code,
        _("入力内容を確認してください。"),
        fields={name: [message] for name, message in fields.items()},
    )


# --- programmes -------------------------------------------------------------------------


def _check_program_rules(
    *, kind: str, participant_role: str, max_per_company: int, min_sessions_attended: int
) -> None:
    errors: dict[str, str] = {}
    if kind not in ProgramKind.values:
        errors["kind"] = _("種類を選んでください。")
    if participant_role not in ParticipantRole.values:
        errors["participant_role"] = _("受講する人を選んでください。")
    if not 1 <= max_per_company <= 50:
        errors["max_per_company"] = _("1社あたりの上限は 1〜50 人にしてください。")
    if not 0 <= min_sessions_attended <= MAX_SESSION_NUMBER:
        errors["min_sessions_attended"] = _("修了に必要な出席回数は 0〜50 回にしてください。")
    if errors:
        raise _invalid(ProgramErrorCode.OFFICE_PROGRAM_INVALID, **errors)


def _partners(municipality: Municipality, partner_wards: Iterable[Municipality]) -> list[int]:
    return sorted({w.pk for w in partner_wards if w.pk != municipality.pk})


@transaction.atomic
def program_create(
    *,
    actor: User,
    municipality: Municipality,
    kind: str,
    name: str,
    description: str,
    participant_role: str,
    wards_only: bool,
    max_per_company: int,
    min_sessions_attended: int,
    requires_plan_accepted: bool,
    partner_wards: Sequence[Municipality] = (),
) -> Program:
    """A new programme of ``municipality``, run by it (and jointly by ``partner_wards``);
    only an officer serving ``municipality`` creates one."""
    _require_officer_of(actor, municipality)
    _check_program_rules(
        kind=kind,
        participant_role=participant_role,
        max_per_company=max_per_company,
        min_sessions_attended=min_sessions_attended,
    )
    program = Program(
        municipality=municipality,
        kind=kind,
        name=name.strip(),
        description=description.strip(),
        participant_role=participant_role,
        wards_only=wards_only,
        max_per_company=max_per_company,
        min_sessions_attended=min_sessions_attended,
        requires_plan_accepted=requires_plan_accepted,
        created_by=actor,
    )
    full_clean_or_raise(program, code=ProgramErrorCode.OFFICE_PROGRAM_INVALID)
    program.save()
    partners = _partners(municipality, partner_wards)
    program.partner_wards.set(partners)
    audit_record(
        actor=actor,
        verb="programs.program.create",
        target=program,
        after={**snapshot(program, PROGRAM_FIELDS), "partner_wards": partners},
    )
    return program


@transaction.atomic
def program_update(
    *,
    actor: User,
    program: Program,
    kind: str,
    name: str,
    description: str,
    participant_role: str,
    wards_only: bool,
    max_per_company: int,
    min_sessions_attended: int,
    requires_plan_accepted: bool,
    partner_wards: Sequence[Municipality] = (),
) -> Program:
    """Change a programme's name and rules (its lead ward stays)."""
    _require_program(actor, program)
    program = Program.objects.select_for_update().get(pk=program.pk)
    _check_program_rules(
        kind=kind,
        participant_role=participant_role,
        max_per_company=max_per_company,
        min_sessions_attended=min_sessions_attended,
    )
    before = {
        **snapshot(program, PROGRAM_FIELDS),
        "partner_wards": sorted(program.partner_wards.values_list("pk", flat=True)),
    }
    program.kind = kind
    program.name = name.strip()
    program.description = description.strip()
    program.participant_role = participant_role
    program.wards_only = wards_only
    program.max_per_company = max_per_company
    program.min_sessions_attended = min_sessions_attended
    program.requires_plan_accepted = requires_plan_accepted
    full_clean_or_raise(program, code=ProgramErrorCode.OFFICE_PROGRAM_INVALID)
    program.save()
    partners = _partners(program.municipality, partner_wards)
    program.partner_wards.set(partners)
    audit_record(
        actor=actor,
        verb="programs.program.update",
        target=program,
        before=before,
        after={**snapshot(program, PROGRAM_FIELDS), "partner_wards": partners},
    )
    return program


# --- cohorts ----------------------------------------------------------------------------


def _check_cohort(
    *,
    fiscal_year: int,
    capacity: int,
    applications_open_at: dt.datetime,
    applications_close_at: dt.datetime,
) -> None:
    errors: dict[str, str] = {}
    low, high = FISCAL_YEAR_RANGE
    if not low <= fiscal_year <= high:
        errors["fiscal_year"] = _("年度は西暦の4桁で入力してください (例: 2026)。")
    if not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = _("定員は 1〜500 人にしてください。")
    if applications_close_at <= applications_open_at:
        errors["applications_close_at"] = _("申込の締切は、受付の開始より後にしてください。")
    if errors:
        raise _invalid(ProgramErrorCode.OFFICE_COHORT_INVALID, **errors)


def _save_cohort(cohort: Cohort) -> None:
    full_clean_or_raise(
        cohort,
        code=ProgramErrorCode.OFFICE_COHORT_INVALID,
        duplicate_code=ProgramErrorCode.OFFICE_COHORT_NAME_TAKEN,
        duplicate_message=_("この年度には同じ名前の期がすでにあります。別の名前にしてください。"),
    )
    cohort.save()


@transaction.atomic
def cohort_create(
    *,
    actor: User,
    program: Program,
    fiscal_year: int,
    name: str,
    capacity: int,
    applications_open_at: dt.datetime,
    applications_close_at: dt.datetime,
) -> Cohort:
    """A new cohort of ``program`` for ``fiscal_year``, with its seats and window."""
    _require_program(actor, program)
    _check_cohort(
        fiscal_year=fiscal_year,
        capacity=capacity,
        applications_open_at=applications_open_at,
        applications_close_at=applications_close_at,
    )
    cohort = Cohort(
        program=program,
        fiscal_year=fiscal_year,
        name=name.strip(),
        capacity=capacity,
        applications_open_at=applications_open_at,
        applications_close_at=applications_close_at,
    )
    _save_cohort(cohort)
    audit_record(
        actor=actor,
        verb="programs.cohort.create",
        target=cohort,
        after=snapshot(cohort, COHORT_FIELDS),
    )
    return cohort


@transaction.atomic
def cohort_update(
    *,
    actor: User,
    cohort: Cohort,
    fiscal_year: int,
    name: str,
    capacity: int,
    applications_open_at: dt.datetime,
    applications_close_at: dt.datetime,
) -> Cohort:
    """Change a cohort. Its capacity may not drop below the seats already given; a higher
    capacity gives the new seats to the head of the waitlist at once (under this lock)."""
    _require_cohort(actor, cohort)
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    _check_cohort(
        fiscal_year=fiscal_year,
        capacity=capacity,
        applications_open_at=applications_open_at,
        applications_close_at=applications_close_at,
    )
    accepted = cohort.applications.filter(status=ApplicationStatus.ACCEPTED).count()
    if capacity < accepted:
        message = _(
            "定員を、すでに受講が決まった人数 (%(accepted)d 人) より少なくはできません。"
        ) % {"accepted": accepted}
        raise ApplicationError(
            ProgramErrorCode.OFFICE_CAPACITY_BELOW_ACCEPTED,
            message,
            fields={"capacity": [message]},
        )
    before = snapshot(cohort, COHORT_FIELDS)
    cohort.fiscal_year = fiscal_year
    cohort.name = name.strip()
    cohort.capacity = capacity
    cohort.applications_open_at = applications_open_at
    cohort.applications_close_at = applications_close_at
    _save_cohort(cohort)
    audit_record(
        actor=actor,
        verb="programs.cohort.update",
        target=cohort,
        before=before,
        after=snapshot(cohort, COHORT_FIELDS),
    )
    applications.waitlist_promote(actor=actor, cohort=cohort)
    return cohort


def instructor_ward_ids(program: Program) -> list[int]:
    """The wards whose instructors may teach ``program``: its lead ward and partners."""
    return [program.municipality_id, *program.partner_wards.values_list("pk", flat=True)]


def _teaches_for(user: User, program: Program) -> bool:
    return bool(
        set(municipality_ids_for(user, WardRole.INSTRUCTOR)) & set(instructor_ward_ids(program))
    )


def _refuse_instructor(field: str) -> ApplicationError:
    message = _("講師には、この区で「講師」の役割を持つ人だけを選べます。")
    return ApplicationError(
        ProgramErrorCode.OFFICE_INSTRUCTOR_NOT_ALLOWED, message, fields={field: [message]}
    )


@transaction.atomic
def cohort_instructors_set(*, actor: User, cohort: Cohort, instructors: list[User]) -> Cohort:
    """Name the cohort's instructors (replacing the previous list). Each must hold the
    instructor role for the programme's ward."""
    _require_cohort(actor, cohort)
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    if any(not _teaches_for(user, cohort.program) for user in instructors):
        raise _refuse_instructor("instructors")
    before = sorted(cohort.instructors.values_list("pk", flat=True))
    after = sorted({user.pk for user in instructors})
    cohort.instructors.set(after)
    audit_record(
        actor=actor,
        verb="programs.cohort.instructors",
        target=cohort,
        before={"instructors": before},
        after={"instructors": after},
    )
    return cohort


# --- sessions ---------------------------------------------------------------------------


def _check_session(
    *,
    cohort: Cohort,
    number: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str,
    online_url: str,
    instructor: User | None,
) -> None:
    errors: dict[str, str] = {}
    if not 1 <= number <= MAX_SESSION_NUMBER:
        errors["number"] = _("回は 1〜50 の数にしてください。")
    if ends_at <= starts_at:
        errors["ends_at"] = _("終了は開始より後にしてください。")
    if not place.strip() and not online_url.strip():
        errors["place"] = _("会場か、オンライン参加のURLのどちらかを入力してください。")
    if errors:
        raise _invalid(ProgramErrorCode.OFFICE_SESSION_INVALID, **errors)
    if instructor is not None and not _teaches_for(instructor, cohort.program):
        raise _refuse_instructor("instructor")


def _save_session(session: Session) -> None:
    if (
        Session.objects.filter(cohort=session.cohort, number=session.number)
        .exclude(pk=session.pk)
        .exists()
    ):
        message = _("この期には第%(number)d回がすでにあります。別の回の番号にしてください。") % {
            "number": session.number
        }
        raise ApplicationError(
            ProgramErrorCode.OFFICE_SESSION_NUMBER_TAKEN, message, fields={"number": [message]}
        )
    full_clean_or_raise(session, code=ProgramErrorCode.OFFICE_SESSION_INVALID)
    session.save()


@transaction.atomic
def session_create(
    *,
    actor: User,
    cohort: Cohort,
    number: int,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    online_url: str = "",
    instructor: User | None = None,
) -> Session:
    """A session of ``cohort``, with a fresh random check-in code."""
    _require_cohort(actor, cohort)
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    _check_session(
        cohort=cohort,
        number=number,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        instructor=instructor,
    )
    session = Session(
        cohort=cohort,
        number=number,
        title=title.strip(),
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip(),
        online_url=online_url.strip(),
        instructor=instructor,
        checkin_code=secrets.token_urlsafe(CHECKIN_CODE_BYTES),
    )
    _save_session(session)
    audit_record(
        actor=actor,
        verb="programs.session.create",
        target=session,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


@transaction.atomic
def session_update(
    *,
    actor: User,
    session: Session,
    number: int,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    place: str = "",
    online_url: str = "",
    instructor: User | None = None,
) -> Session:
    """Change a session's number, theme, time, place and instructor (its check-in code
    stays)."""
    _require_cohort(actor, session.cohort)
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=session.cohort_id)
    session = Session.objects.select_for_update().get(pk=session.pk)
    _check_session(
        cohort=cohort,
        number=number,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place,
        online_url=online_url,
        instructor=instructor,
    )
    before = snapshot(session, SESSION_FIELDS)
    session.number = number
    session.title = title.strip()
    session.starts_at = starts_at
    session.ends_at = ends_at
    session.place = place.strip()
    session.online_url = online_url.strip()
    session.instructor = instructor
    _save_session(session)
    audit_record(
        actor=actor,
        verb="programs.session.update",
        target=session,
        before=before,
        after=snapshot(session, SESSION_FIELDS),
    )
    return session


# --- reports ----------------------------------------------------------------------------


@transaction.atomic
def report_export(
    *,
    actor: User,
    report: str,
    file_format: str,
    sheet: str,
    header: Sequence[Any],
    rows: Iterable[Sequence[Any]],
    target: Cohort | None = None,
    fiscal_year: int | None = None,
) -> tuple[bytes, str]:
    """One of the office's reports (``REPORTS``) as a CSV or .xlsx file, recorded in the
    audit trail (who took which report, when). The rows come from ``selectors.office``,
    already limited to the actor's wards."""
    if report not in REPORTS:
        raise ValueError(f"unknown report {report!r}")
    content, content_type = table_file(file_format, sheet=sheet, header=header, rows=rows)
    audit_record(
        actor=actor,
        verb="programs.report.export",
        target=target,
        after={"report": report, "format": file_format, "fiscal_year": fiscal_year},
    )
    return content, content_type
