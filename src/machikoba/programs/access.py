"""Who sees what of the ward's programmes.

- Officers act on the programmes of the wards they serve (the lead ward and the wards
  running it jointly), through ``municipality_ids_for``: never another ward's.
- Instructors see the cohorts that name them, their sessions, participants and homework,
  and comment on homework; nothing else.
- A company's owner and staff see their own applications, attendance, homework,
  graduations and follow-ups, and change them where the services allow; the participant
  (a staff member on the leader course) sees their own too. Members of a company read the
  programmes open to it (its ward's, or every ward's when a programme is not limited).
- Nobody else anything: not another company, not an advisor, not the metro viewer (it
  reads aggregates through selectors), not an anonymous visitor.

Models are read through ``apps.get_model``: ``models.py`` imports this module.
"""

from __future__ import annotations

from django.apps import apps
from django.db.models import Q, QuerySet

from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    INSTRUCTOR,
    MANAGE,
    MEMBER_ROLES,
    NOTHING,
    VIEW,
    WARD_OFFICER,
    company_ids_for,
    municipality_ids_for,
)


def _model(name: str):
    return apps.get_model("programs", name)


def officer_program_ids(user) -> QuerySet:
    """The programmes of the wards ``user`` serves as an officer (lead or joint)."""
    wards = municipality_ids_for(user, WARD_OFFICER)
    if not wards:
        return _model("Program").objects.none().values("pk")
    return (
        _model("Program")
        .objects.filter(Q(municipality__in=wards) | Q(partner_wards__in=wards))
        .values("pk")
    )


def instructor_cohort_ids(user) -> QuerySet:
    """The cohorts that name ``user`` as an instructor (of the cohort or of a session), of
    programmes in a ward where their instructor grant is in force: an ended grant ends
    their access to the cohorts' participants and homework at once."""
    cohort = _model("Cohort")
    wards = municipality_ids_for(user, INSTRUCTOR)
    if not wards:
        return cohort.objects.none().values("pk")
    return (
        cohort.objects.filter(Q(instructors=user) | Q(sessions__instructor=user))
        .filter(Q(program__municipality__in=wards) | Q(program__partner_wards__in=wards))
        .values("pk")
    )


def _open_program_ids(user) -> QuerySet:
    """Programmes a member's companies may read: those of their wards, and those open to
    every ward."""
    company = apps.get_model("companies", "Company")
    wards = company.objects.filter(pk__in=company_ids_for(user, MEMBER_ROLES, VIEW)).values("ward")
    return (
        _model("Program")
        .objects.filter(
            Q(wards_only=False) | Q(municipality__in=wards) | Q(partner_wards__in=wards)
        )
        .values("pk")
    )


def _signed_in(user) -> bool:
    return user is not None and user.is_authenticated and user.is_active


def program_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    if action == VIEW:
        mine = company_ids_for(user, MEMBER_ROLES, VIEW)
        q = Q(pk__in=officer_program_ids(user)) | Q(
            pk__in=_model("Cohort")
            .objects.filter(pk__in=instructor_cohort_ids(user))
            .values("program")
        )
        return q | Q(pk__in=_open_program_ids(user)) if mine else q
    if action in (CHANGE, MANAGE):
        return Q(pk__in=officer_program_ids(user))
    return NOTHING


def cohort_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    if action == VIEW:
        q = Q(program__in=officer_program_ids(user)) | Q(pk__in=instructor_cohort_ids(user))
        if company_ids_for(user, MEMBER_ROLES, VIEW):
            q |= Q(program__in=_open_program_ids(user))
        return q
    if action in (CHANGE, MANAGE):
        return Q(program__in=officer_program_ids(user))
    return NOTHING


def _participating_cohort_ids(user, action: str) -> QuerySet:
    """Cohorts where one of the user's companies (or the user) holds an accepted seat."""
    return (
        _model("Application")
        .objects.filter(status="accepted")
        .filter(Q(company__in=company_ids_for(user, EDITOR_ROLES, action)) | Q(participant=user))
        .values("cohort")
    )


def session_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    if action == VIEW:
        return (
            Q(cohort__program__in=officer_program_ids(user))
            | Q(cohort__in=instructor_cohort_ids(user))
            | Q(cohort__in=_participating_cohort_ids(user, VIEW))
        )
    if action in (CHANGE, MANAGE):
        # Instructors run their sessions (show the check-in code, take the roll).
        return Q(cohort__program__in=officer_program_ids(user)) | Q(
            cohort__in=instructor_cohort_ids(user)
        )
    return NOTHING


def material_scope(user, action: str) -> Q:
    if not _signed_in(user):
        return NOTHING
    if action == VIEW:
        return Q(session__in=_model("Session").objects.filter(session_scope(user, VIEW)))
    if action in (CHANGE, MANAGE, "delete"):
        return Q(session__in=_model("Session").objects.filter(session_scope(user, CHANGE)))
    return NOTHING


def _application_q(user, action: str, prefix: str = "") -> Q:
    """Applications ``user`` may act on in ``action``: their companies' (owner, staff),
    their own as a participant, their ward's (officers), their cohorts' (instructors,
    reading and commenting)."""
    if not _signed_in(user):
        return NOTHING
    office = Q(**{f"{prefix}cohort__program__in": officer_program_ids(user)})
    teaching = Q(**{f"{prefix}cohort__in": instructor_cohort_ids(user)})
    company = Q(**{f"{prefix}company__in": company_ids_for(user, EDITOR_ROLES, action)})
    own = Q(**{f"{prefix}participant": user})
    if action == VIEW:
        return office | teaching | company | own
    if action == CHANGE:
        return office | company | own
    if action == MANAGE:  # decide: decline, take the roll, accept a plan, graduate
        return office | teaching
    return NOTHING


def application_scope(user, action: str) -> Q:
    return _application_q(user, action)


def attendance_scope(user, action: str) -> Q:
    if action == VIEW:
        return _application_q(user, VIEW, "application__")
    if action in (CHANGE, MANAGE):
        return _application_q(user, MANAGE, "application__")
    return NOTHING


def homework_scope(user, action: str) -> Q:
    """Worksheet, ROI estimate, DX plan and comments: rows with an ``application``."""
    if action in (VIEW, CHANGE, MANAGE):
        return _application_q(user, action, "application__")
    return NOTHING


def worksheet_item_scope(user, action: str) -> Q:
    if action in (VIEW, CHANGE, MANAGE):
        return _application_q(user, action, "worksheet__application__")
    return NOTHING


def graduation_scope(user, action: str) -> Q:
    if action == VIEW:
        return _application_q(user, VIEW, "application__")
    return NOTHING


def follow_up_scope(user, action: str) -> Q:
    if action == VIEW:  # the office and the company; not the instructors
        if not _signed_in(user):
            return NOTHING
        return (
            Q(graduation__application__cohort__program__in=officer_program_ids(user))
            | Q(graduation__company__in=company_ids_for(user, EDITOR_ROLES, VIEW))
            | Q(graduation__application__participant=user)
        )
    if action == CHANGE:  # the company answers
        if not _signed_in(user):
            return NOTHING
        return Q(graduation__company__in=company_ids_for(user, EDITOR_ROLES, CHANGE)) | Q(
            graduation__application__participant=user
        )
    return NOTHING
