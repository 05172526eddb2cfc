"""Graduation: the programme's rule, held as data on ``Program`` (sessions attended,
present or late; the DX plan accepted), applied to a cohort's seats by one service.

``graduation_run`` is idempotent: each seat graduates once (``Graduation`` is one-to-one
with its application, and the cohort's row is locked for the run), so a second run
creates nothing and says so. Each graduate gets a certificate code to verify the
certificate by, and a follow-up due one year later.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass, field

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.core.notifications import notify_company
from machikoba.programs.error_codes_homework import HomeworkErrorCode
from machikoba.programs.models import Cohort, FollowUp, Graduation
from machikoba.programs.selectors.graduates import (
    Candidate,
    cohort_finished,
    format_certificate_code,
    graduation_candidates,
    may_run_graduation,
)

FOLLOW_UP_AFTER = dt.timedelta(days=365)


def new_certificate_code() -> str:
    """64 random bits, printed as ``ABCD-1234-EF56-7890``: unguessable, easy to read out."""
    return format_certificate_code(secrets.token_hex(8).upper())


@dataclass(frozen=True)
class GraduationResult:
    """What a run did: who graduated now, who had already, who did not and why."""

    cohort: Cohort
    graduated: list[Graduation] = field(default_factory=list)
    already: list[Candidate] = field(default_factory=list)
    not_met: list[Candidate] = field(default_factory=list)

    @property
    def created_nothing(self) -> bool:
        return not self.graduated

    def summary(self) -> str:
        if self.graduated:
            return _(
                "%(n)s 人が修了しました。修了証を発行し、1年後のフォローアップを予定しました。"
            ) % {"n": len(self.graduated)}
        if self.already:
            return _("新たに修了した人はいません (すでに修了した人が %(n)s 人います)。") % {
                "n": len(self.already)
            }
        return _("修了の条件を満たした人はいません。")


def _create_graduation(*, actor: User, candidate: Candidate, today: dt.date) -> Graduation:
    application = candidate.application
    cohort = application.cohort
    graduation = Graduation(
        application=application,
        company=application.company,
        program_kind=cohort.program.kind,
        graduated_on=today,
        sessions_attended=candidate.attended,
        sessions_total=candidate.total,
        certificate_code=new_certificate_code(),
        decided_by=actor,
    )
    full_clean_or_raise(graduation, code=HomeworkErrorCode.GRADUATION_NOT_ALLOWED)
    graduation.save()
    follow_up = FollowUp(graduation=graduation, due_on=today + FOLLOW_UP_AFTER)
    full_clean_or_raise(follow_up, code=HomeworkErrorCode.GRADUATION_NOT_ALLOWED)
    follow_up.save()
    audit_record(
        actor=actor,
        verb="programs.graduation.create",
        target=graduation,
        company=application.company,
        after={
            "application": application.pk,
            "graduated_on": today.isoformat(),
            "sessions": f"{candidate.attended}/{candidate.total}",
            "follow_up_due_on": follow_up.due_on.isoformat(),
        },
    )
    notify_company(
        company=application.company,
        kind="graduated",
        params={
            "person": application.participant.get_full_name(),
            "program": cohort.program.name,
            "cohort": cohort.name,
        },
        path=reverse("programs:certificate", args=[graduation.pk]),
    )
    return graduation


@transaction.atomic
def graduation_run(
    *, actor: User, cohort: Cohort, today: dt.date | None = None
) -> GraduationResult:
    """Apply the programme's graduation rule to every accepted seat of ``cohort`` (after
    its last session): each seat that meets it and has not graduated yet graduates on
    ``today``. An officer of the programme's ward or an instructor of the cohort runs it;
    running it again graduates only those who meet the rule since."""
    if not may_run_graduation(actor, cohort):
        raise PermissionRefused(
            HomeworkErrorCode.GRADUATION_NOT_ALLOWED,
            _("修了の判定ができるのは、この期の講師と区の担当職員だけです。"),
        )
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    if not cohort_finished(cohort):
        raise ApplicationError(
            HomeworkErrorCode.GRADUATION_TOO_EARLY,
            _("最後の講義が終わってから修了を判定してください。"),
        )
    today = today or timezone.localdate()
    graduated, already, not_met = [], [], []
    for candidate in graduation_candidates(cohort):
        if candidate.already_graduated:
            already.append(candidate)
        elif candidate.meets_rule:
            graduated.append(_create_graduation(actor=actor, candidate=candidate, today=today))
        else:
            not_met.append(candidate)
    audit_record(
        actor=actor,
        verb="programs.graduation.run",
        target=cohort,
        after={
            "graduated": [g.application_id for g in graduated],
            "already": [c.application.pk for c in already],
            "not_met": [c.application.pk for c in not_met],
        },
    )
    return GraduationResult(cohort=cohort, graduated=graduated, already=already, not_met=not_met)
