"""Reads of graduation, certificates and the one-year follow-up.

- ``graduation_candidates(cohort)``: the programme's rule applied to each seat of a
  cohort (the preview page and ``services.graduation.graduation_run`` share it).
- ``is_graduate`` / ``graduations_of``: the "dojo graduate" fact other apps read (a
  subsidy's bonus points). **Trusted reads**: they check no user, so a service that
  calls them must already hold the company through the access layer (or act for the
  platform itself, e.g. scoring an application the ward screens).
- ``certificate_lookup(code)``: the public verification page; it shows only what a
  certificate states.
- ``follow_up_page``, ``graduation_page``: the pages, through ``for_user``.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import CHANGE, MANAGE, VIEW, can
from machikoba.programs.access import instructor_cohort_ids
from machikoba.programs.choices import (
    ATTENDED_STATUSES,
    ApplicationStatus,
    PlanStatus,
    ProgramKind,
)
from machikoba.programs.models import Application, Cohort, FollowUp, Graduation

# A certificate code as printed: 16 hex digits in groups of four (``secrets.token_hex(8)``).
CERTIFICATE_CODE = re.compile(r"^[0-9A-F]{16}$")


def may_run_graduation(user: object, cohort: Cohort) -> bool:
    """The officers of the programme's ward(s) and the cohort's instructors decide who
    graduates."""
    if not isinstance(user, User) or not user.is_active:
        return False
    if can(user, MANAGE, cohort):
        return True
    return Cohort.objects.filter(pk=cohort.pk, pk__in=instructor_cohort_ids(user)).exists()


@dataclass(frozen=True)
class Candidate:
    """One seat of a cohort against the programme's graduation rule."""

    application: Application
    attended: int
    total: int
    plan_accepted: bool
    graduation: Graduation | None
    missing_sessions: int
    needs_plan: bool

    @property
    def meets_rule(self) -> bool:
        return self.missing_sessions == 0 and not self.needs_plan

    @property
    def already_graduated(self) -> bool:
        return self.graduation is not None

    @property
    def reasons(self) -> list[str]:
        reasons = []
        if self.missing_sessions:
            reasons.append(
                _("出席があと %(n)s 回足りません (%(attended)s / %(total)s 回)")
                % {"n": self.missing_sessions, "attended": self.attended, "total": self.total}
            )
        if self.needs_plan:
            reasons.append(_("DX計画書がまだ承認されていません"))
        return reasons


def graduation_candidates(cohort: Cohort) -> list[Candidate]:
    """Every accepted seat of ``cohort`` with its attended sessions (present or late),
    whether its plan is accepted, and what it lacks for the programme's rule
    (``Program.min_sessions_attended``, ``Program.requires_plan_accepted``). The caller
    has read ``cohort`` through the access layer."""
    program = cohort.program
    total = cohort.sessions.count()
    applications = (
        Application.objects.filter(cohort=cohort, status=ApplicationStatus.ACCEPTED)
        .select_related("company", "participant", "dx_plan", "graduation")
        .annotate(
            attended=Count(
                "attendances", filter=Q(attendances__status__in=ATTENDED_STATUSES), distinct=True
            )
        )
        .order_by("company__name", "pk")
    )
    candidates = []
    for application in applications:
        attended: int = application.attended
        plan = getattr(application, "dx_plan", None)
        accepted = plan is not None and plan.status == PlanStatus.ACCEPTED
        candidates.append(
            Candidate(
                application=application,
                attended=attended,
                total=total,
                plan_accepted=accepted,
                graduation=getattr(application, "graduation", None),
                missing_sessions=max(program.min_sessions_attended - attended, 0),
                needs_plan=program.requires_plan_accepted and not accepted,
            )
        )
    return candidates


def cohort_finished(cohort: Cohort, now: dt.datetime | None = None) -> bool:
    """Whether the cohort's last session has ended (graduation is decided after it)."""
    last = cohort.sessions.order_by("-ends_at").values_list("ends_at", flat=True).first()
    return last is not None and last <= (now or timezone.now())


@dataclass(frozen=True)
class GraduationPreview:
    cohort: Cohort
    candidates: list[Candidate]
    finished: bool
    may_run: bool

    @property
    def meeting(self) -> list[Candidate]:
        return [c for c in self.candidates if c.meets_rule and not c.already_graduated]

    @property
    def graduated(self) -> list[Candidate]:
        return [c for c in self.candidates if c.already_graduated]

    @property
    def not_meeting(self) -> list[Candidate]:
        return [c for c in self.candidates if not c.meets_rule and not c.already_graduated]


def graduation_preview(user: User, cohort: Cohort) -> GraduationPreview:
    return GraduationPreview(
        cohort=cohort,
        candidates=graduation_candidates(cohort),
        finished=cohort_finished(cohort),
        may_run=may_run_graduation(user, cohort),
    )


# --- the "graduate" fact other apps read ------------------------------------------------


def is_graduate(
    company: Company, kind: str = ProgramKind.DOJO, *, on: dt.date | None = None
) -> bool:
    """Whether someone of ``company`` graduated from a programme of ``kind`` on or before
    ``on`` (today by default). Trusted read: see the module's docstring."""
    day = on or timezone.localdate()
    return Graduation.objects.filter(
        company=company, program_kind=kind, graduated_on__lte=day
    ).exists()


def graduations_of(company: Company) -> list[Graduation]:
    """Every graduation of ``company``, newest first, with its programme and cohort.
    Trusted read: see the module's docstring."""
    return list(
        Graduation.objects.filter(company=company)
        .select_related("application__cohort__program", "application__participant")
        .order_by("-graduated_on", "-pk")
    )


# --- certificates -----------------------------------------------------------------------


def normalise_certificate_code(code: str) -> str:
    """``abcd-1234 ef56 7890`` → ``ABCD1234EF567890``; what a person types may differ from
    the printed form in case, dashes and spaces."""
    return re.sub(r"[\s\-‐－ー]", "", (code or "")).upper()


def format_certificate_code(raw: str) -> str:
    """``ABCD1234EF567890`` → ``ABCD-1234-EF56-7890`` (how it is stored and printed)."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


@dataclass(frozen=True)
class VerifiedCertificate:
    """What the public verification page shows of a certificate, and nothing more."""

    code: str
    program: str
    cohort: str
    participant: str
    graduated_on: dt.date
    ward: str


def certificate_lookup(code: str) -> VerifiedCertificate | None:
    """The certificate ``code`` names, or None. Public: the code is the credential, and
    only the certificate's own statements come back (no company, no figures)."""
    raw = normalise_certificate_code(code)
    if not CERTIFICATE_CODE.match(raw):
        return None
    graduation = (
        Graduation.objects.select_related(
            "application__cohort__program__municipality", "application__participant"
        )
        .filter(certificate_code=format_certificate_code(raw))
        .first()
    )
    if graduation is None:
        return None
    cohort = graduation.application.cohort
    return VerifiedCertificate(
        code=graduation.certificate_code,
        program=cohort.program.name,
        cohort=f"{cohort.fiscal_year}年度 {cohort.name}",
        participant=graduation.application.participant.get_full_name(),
        graduated_on=graduation.graduated_on,
        ward=cohort.program.municipality.name,
    )


def graduation_for_certificate(graduation: Graduation) -> Graduation:
    """The graduation with what its certificate prints (programme, cohort, ward, company,
    participant) in one query; ``graduation`` was read through the access layer."""
    return Graduation.objects.select_related(
        "application__cohort__program__municipality", "application__participant", "company"
    ).get(pk=graduation.pk)


# --- follow-up ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FollowUpPage:
    follow_up: FollowUp
    graduation: Graduation
    can_answer: bool
    answered: bool
    window_start: dt.date
    today: dt.date


def follow_up_page(user: User, follow_up: FollowUp) -> FollowUpPage:
    graduation = graduation_for_certificate(follow_up.graduation)
    return FollowUpPage(
        follow_up=follow_up,
        graduation=graduation,
        can_answer=can(user, CHANGE, follow_up),
        answered=follow_up.answered_at is not None,
        window_start=graduation.graduated_on,
        today=timezone.localdate(),
    )


def follow_ups_waiting(user: User) -> list[FollowUp]:
    """Follow-ups ``user`` may answer that are due and unanswered (for a home page)."""
    return list(
        FollowUp.objects.for_user(user, CHANGE)
        .filter(answered_at__isnull=True, due_on__lte=timezone.localdate())
        .select_related("graduation__application__cohort__program")
        .order_by("due_on", "pk")
    )


def graduation_rows(user: User, cohort: Cohort) -> list[Graduation]:
    return list(
        Graduation.objects.for_user(user, VIEW)
        .filter(application__cohort=cohort)
        .select_related("company", "application__participant")
        .order_by("company__name", "pk")
    )
