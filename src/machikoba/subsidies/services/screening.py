"""Writes of screening: the officer's eligibility check and 差戻し, reviewers assigned and
their conflict-of-interest declarations, and their scores. Bonus points claimed and
verified are in ``bonus_claims``; the confirmation of a stage's selection in
``selection``.

The ward's officers act through ``MANAGE`` on the application; a reviewer acts on their
own assignment (``CHANGE``: theirs, while their reviewer grant for the ward is in force).
Every application's status moves through ``services.internal.application_transition`` on
the row locked by ``lock_application``. A write that changes what a stage's ranking reads
(an application entering screening, a reviewer assigned or taken off) locks the stage's
row first and is refused once the stage's selection is confirmed (the lock order of
``selection.selection_confirm``: call → stage → application).
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, invalid_input
from machikoba.core.notifications import notify_company, notify_users
from machikoba.programs.selectors.graduates import is_graduate
from machikoba.subsidies.choices import ApplicationStatus, AssignmentStatus, BonusClaimStatus
from machikoba.subsidies.error_codes_screening import ScreeningErrorCode
from machikoba.subsidies.models import Application, RubricCriterion
from machikoba.subsidies.models_screening import BonusClaim, ReviewerAssignment, Score
from machikoba.subsidies.selectors.screening import (
    dojo_criteria,
    reviewer_grant_in_force,
    reviewer_ties,
)
from machikoba.subsidies.services._screening_checks import (
    COMMENT_MAX_LENGTH,
    NOTE_MAX_LENGTH,
    REASON_MAX_LENGTH,
    _bounded_text,
    _lock_open_stage,
    _names,
    _require_officer,
    _required_text,
    application_path,
)
from machikoba.subsidies.services.internal import application_transition, lock_application

SCORE_COMMENT_MAX_LENGTH = 1000
# Links a later change leaves as they are (the officer's account may have been deleted).
KEPT = ["assigned_by"]

# An input score per criterion id: (score or None for "not yet", comment).
ScoreInput = Mapping[int, tuple[int | None, str]]


def _require_screening(application: Application, message: str) -> None:
    if application.status != ApplicationStatus.SCREENING:
        raise ApplicationError(
            ScreeningErrorCode.APPLICATION_NOT_IN_SCREENING,
            message % {"status": application.get_status_display()},
            status_code=409,
        )


# --- eligibility and 差戻し ----------------------------------------------------------------


def _verify_dojo_bonus(actor: User, application: Application) -> BonusClaim | None:
    """The bonus "DX道場修了", verified from the programmes' records when the call has
    one and the company has a graduation of the dojo."""
    criteria = dojo_criteria(application.stage.call_id)
    if not criteria or not is_graduate(application.company):
        return None
    claim = None
    for criterion in criteria:
        claim = BonusClaim.objects.filter(application=application, criterion=criterion).first()
        claim = claim or BonusClaim(application=application, criterion=criterion)
        claim.status = BonusClaimStatus.VERIFIED
        claim.automatic = True
        claim.evidence_note = _("DX道場修了 (講座の修了記録から自動で確認)")
        claim.verified_by = None
        claim.verified_at = timezone.now()
        claim.full_clean()
        claim.save()
        audit_record(
            actor=actor,
            verb="subsidy_bonus.auto_verify",
            target=claim,
            company=application.company,
            after={"criterion": criterion.name, "points": criterion.points},
        )
    return claim


@transaction.atomic
def eligibility_pass(*, actor: User, application: Application, comment: str = "") -> Application:
    """The officer finds a submitted application eligible: it goes to screening, and a
    dojo graduate's bonus is verified from the records at once. Refused once the stage's
    selection is confirmed (it would never be ranked)."""
    _require_officer(actor, application)
    _lock_open_stage(
        application.stage,
        _(
            "このステージの採択は %(when)s に確定しているため、この申請は審査へ進められません。"
            "差し戻すか、要件を満たさない申請としてください。"
        ),
    )
    locked = lock_application(application.pk)
    comment = _bounded_text(comment, field="comment", max_length=COMMENT_MAX_LENGTH)
    application_transition(
        application=locked, to=ApplicationStatus.SCREENING, actor=actor, comment=comment
    )
    _verify_dojo_bonus(actor, locked)
    return locked


@transaction.atomic
def eligibility_fail(*, actor: User, application: Application, reason: str) -> Application:
    """The officer finds a submitted application ineligible, with the reason the company
    is told."""
    _require_officer(actor, application)
    reason = _required_text(
        reason,
        field="reason",
        max_length=REASON_MAX_LENGTH,
        required=_("要件を満たさない理由を入力してください。申請した企業にそのまま伝わります。"),
    )
    locked = lock_application(application.pk)
    locked.decision_reason = reason
    application_transition(
        application=locked, to=ApplicationStatus.INELIGIBLE, actor=actor, comment=reason
    )
    notify_company(
        company=locked.company,
        kind="subsidy_ineligible",
        params={**_names(locked), "reason": reason},
        path=application_path(locked),
    )
    return locked


@transaction.atomic
def application_return(*, actor: User, application: Application, comments: str) -> Application:
    """差戻し: the officer returns a submitted application with what to correct; the
    applicant corrects it and submits again."""
    _require_officer(actor, application)
    comments = _required_text(
        comments,
        field="comments",
        max_length=COMMENT_MAX_LENGTH,
        required=_("差戻しの理由 (直してほしいこと) を入力してください。"),
    )
    locked = lock_application(application.pk)
    application_transition(
        application=locked, to=ApplicationStatus.RETURNED, actor=actor, comment=comments
    )
    notify_company(
        company=locked.company,
        kind="subsidy_returned",
        params={**_names(locked), "comment": comments},
        path=application_path(locked),
    )
    return locked


# --- reviewers ------------------------------------------------------------------------------


@transaction.atomic
def reviewer_assign(*, actor: User, application: Application, reviewer: User) -> ReviewerAssignment:
    """The officer assigns a reviewer of the ward to an application in screening. Refused
    for a reviewer tied to the company in the platform's records (``reviewer_ties``: an
    officer of the ward too), and once the stage's selection is confirmed."""
    _require_officer(actor, application)
    _lock_open_stage(
        application.stage,
        _("このステージの採択は %(when)s に確定しているため、審査員は割り当てられません。"),
    )
    locked = lock_application(application.pk)
    _require_screening(
        locked, _("この申請は「%(status)s」です。審査員は審査中の申請にだけ割り当てられます。")
    )
    name = reviewer.get_full_name() or reviewer.email
    if not reviewer.is_active or not reviewer_grant_in_force(reviewer, locked):
        raise ApplicationError(
            ScreeningErrorCode.REVIEWER_NOT_GRANTED,
            _("%(name)s さんは、この区の審査員として登録されていません (または期限切れです)。")
            % {"name": name},
            fields={"reviewer": [_("この区の審査員を選んでください。")]},
        )
    ties = reviewer_ties(reviewer, locked)
    if ties:
        message = _("%(name)s さんはこの申請の審査員にできません: %(ties)s。") % {
            "name": name,
            "ties": "、".join(ties),
        }
        raise ApplicationError(
            ScreeningErrorCode.REVIEWER_TIED, message, fields={"reviewer": [message]}
        )
    if ReviewerAssignment.objects.filter(application=locked, reviewer=reviewer).exists():
        message = _("%(name)s さんはこの申請にすでに割り当てられています。") % {"name": name}
        raise ApplicationError(
            ScreeningErrorCode.REVIEWER_ALREADY_ASSIGNED, message, fields={"reviewer": [message]}
        )
    assignment = ReviewerAssignment(application=locked, reviewer=reviewer, assigned_by=actor)
    assignment.full_clean()
    assignment.save()
    audit_record(
        actor=actor,
        verb="subsidy_reviewer.assign",
        target=assignment,
        company=locked.company,
        after={"application": locked.pk, "reviewer": reviewer.pk},
    )
    notify_users(
        users=[reviewer],
        kind="subsidy_review_assigned",
        params={"call": locked.stage.call.name, "reference": locked.reference or locked.pk},
        path=reverse("subsidies:review_assignment", args=[assignment.pk]),
    )
    return assignment


@transaction.atomic
def reviewer_unassign(*, actor: User, assignment: ReviewerAssignment) -> None:
    """The officer takes a reviewer off an application before they submit their scores
    (their draft scores go with the assignment). A declared tie and submitted scores stay
    on record. Refused once the stage's selection is confirmed."""
    application = assignment.application
    _require_officer(actor, application)
    _lock_open_stage(
        application.stage,
        _("このステージの採択は %(when)s に確定しているため、審査員の割り当ては変えられません。"),
    )
    locked = lock_application(application.pk)
    current = ReviewerAssignment.objects.select_for_update().get(pk=assignment.pk)
    _require_screening(
        locked, _("この申請は「%(status)s」のため、審査員の割り当ては変えられません。")
    )
    if current.status not in (AssignmentStatus.ASSIGNED, AssignmentStatus.CLEARED):
        raise ApplicationError(
            ScreeningErrorCode.ASSIGNMENT_NOT_REMOVABLE,
            _("この割り当ては「%(status)s」のため、外せません。")
            % {"status": current.get_status_display()},
            status_code=409,
        )
    audit_record(
        actor=actor,
        verb="subsidy_reviewer.unassign",
        target=current,
        company=locked.company,
        before=snapshot(current, ["application", "reviewer", "status"]),
    )
    current.delete()


def _own_assignment(actor: User, assignment: ReviewerAssignment) -> ReviewerAssignment:
    """The assignment, locked with its application, when it is ``actor``'s own and their
    reviewer grant for the ward is in force."""
    if not ReviewerAssignment.objects.for_user(actor, CHANGE).filter(pk=assignment.pk).exists():
        raise PermissionRefused(
            ScreeningErrorCode.NOT_REVIEWER,
            _("この審査を行えるのは、割り当てられた審査員だけです。"),
        )
    application = lock_application(assignment.application_id)
    current = ReviewerAssignment.objects.select_for_update().get(pk=assignment.pk)
    current.application = application
    return current


def _refuse_tied(actor: User, application: Application, what_to_do: str) -> None:
    """Refused when the platform's records tie ``actor`` to the application's company
    (``reviewer_ties``), saying what to do."""
    ties = reviewer_ties(actor, application)
    if ties:
        raise ApplicationError(
            ScreeningErrorCode.REVIEWER_TIED,
            _("記録上、あなたはこの申請を審査できません: %(ties)s。") % {"ties": "、".join(ties)}
            + what_to_do,
            status_code=409,
        )


@transaction.atomic
def conflict_declare(
    *, actor: User, assignment: ReviewerAssignment, tied: bool, note: str = ""
) -> ReviewerAssignment:
    """The reviewer declares whether they have a conflict of interest with the company.
    No conflict opens the application to them (``CLEARED``); a tie, with a note, closes
    it (``CONFLICTED``) and the officer assigns someone else. A reviewer the platform's
    records tie to the company cannot declare no conflict."""
    current = _own_assignment(actor, assignment)
    application = current.application
    _require_screening(application, _("この申請は「%(status)s」のため、審査は終わっています。"))
    if current.status != AssignmentStatus.ASSIGNED:
        raise ApplicationError(
            ScreeningErrorCode.CONFLICT_ALREADY_DECLARED,
            _("利害関係はすでに申告済みです (「%(status)s」)。")
            % {"status": current.get_status_display()},
            status_code=409,
        )
    if tied:
        note = _required_text(
            note,
            field="note",
            max_length=NOTE_MAX_LENGTH,
            required=_("どのような関係があるかを入力してください。"),
        )
        current.status = AssignmentStatus.CONFLICTED
        current.conflict_note = note
    else:
        _refuse_tied(actor, application, _("「利害関係があります」を選んでください。"))
        current.status = AssignmentStatus.CLEARED
        current.conflict_note = ""
    current.declared_at = timezone.now()
    current.full_clean(exclude=KEPT)
    current.save()
    audit_record(
        actor=actor,
        verb="subsidy_conflict.declare",
        target=current,
        company=application.company,
        after={"status": current.status, "note": current.conflict_note},
    )
    return current


# --- scores ---------------------------------------------------------------------------------


def _scorable(actor: User, assignment: ReviewerAssignment) -> ReviewerAssignment:
    """The reviewer's own assignment, locked, when they may score it now."""
    current = _own_assignment(actor, assignment)
    application = current.application
    _require_screening(application, _("この申請は「%(status)s」のため、採点できません。"))
    refusals = {
        AssignmentStatus.ASSIGNED: _("採点の前に、申請企業との利害関係の有無を申告してください。"),
        AssignmentStatus.CONFLICTED: _(
            "この申請企業と利害関係があると申告したため、この申請は採点できません。"
        ),
        AssignmentStatus.SUBMITTED: _("採点はすでに提出しました。提出後は変更できません。"),
    }
    if current.status in refusals:
        raise ApplicationError(
            ScreeningErrorCode.CONFLICT_NOT_CLEARED,
            refusals[AssignmentStatus(current.status)],
            status_code=409,
        )
    _refuse_tied(
        actor,
        application,
        _("採点はできません。区の職員に連絡して、割り当てを外してもらってください。"),
    )
    return current


def _write_scores(
    actor: User, assignment: ReviewerAssignment, scores: ScoreInput, comment: str | None
) -> None:
    """Check every score first (0 to the criterion's maximum, comments within bounds),
    then write them all: a refusal writes nothing."""
    criteria = {
        c.pk: c
        for c in RubricCriterion.objects.filter(call_id=assignment.application.stage.call_id)
    }
    errors: dict[str, list[str]] = {}
    for criterion_id, (score, text) in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise invalid_input(
                ScreeningErrorCode.SCORES_INVALID,
                score=_("この公募の審査項目ではありません。"),
            )
        if score is not None and not 0 <= score <= criterion.max_score:
            errors[f"score_{criterion_id}"] = [
                _("「%(name)s」は 0 から %(max)s までの点数にしてください。")
                % {"name": criterion.name, "max": criterion.max_score}
            ]
        if len((text or "").strip()) > SCORE_COMMENT_MAX_LENGTH:
            errors[f"comment_{criterion_id}"] = [
                _("コメントは %(n)s 文字以内で入力してください。") % {"n": SCORE_COMMENT_MAX_LENGTH}
            ]
    if comment is not None and len(comment.strip()) > COMMENT_MAX_LENGTH:
        errors["comment"] = [
            _("総評は %(n)s 文字以内で入力してください。") % {"n": COMMENT_MAX_LENGTH}
        ]
    if errors:
        raise ApplicationError(
            ScreeningErrorCode.SCORES_INVALID,
            " ".join(str(m) for messages in errors.values() for m in messages),
            fields=errors,
        )
    for criterion_id, (score, text) in scores.items():
        existing = Score.objects.filter(assignment=assignment, criterion_id=criterion_id).first()
        if score is None:
            if existing is not None:
                existing.delete()
            continue
        row = existing or Score(assignment=assignment, criterion=criteria[criterion_id])
        row.score = score
        row.comment = (text or "").strip()
        row.full_clean()
        row.save()
    if comment is not None:
        assignment.comment = comment.strip()
        assignment.full_clean(exclude=KEPT)
        assignment.save(update_fields=["comment"])
    audit_record(
        actor=actor,
        verb="subsidy_scores.save",
        target=assignment,
        company=assignment.application.company,
        after={str(k): v[0] for k, v in scores.items()},
    )


@transaction.atomic
def scores_save(
    *,
    actor: User,
    assignment: ReviewerAssignment,
    scores: ScoreInput,
    comment: str | None = None,
) -> ReviewerAssignment:
    """The reviewer saves draft scores (0 to each criterion's maximum) with comments; a
    criterion left empty is not scored yet. Only after declaring no conflict, and until
    they submit."""
    current = _scorable(actor, assignment)
    _write_scores(actor, current, scores, comment)
    return current


@transaction.atomic
def scores_submit(
    *,
    actor: User,
    assignment: ReviewerAssignment,
    scores: ScoreInput | None = None,
    comment: str | None = None,
) -> ReviewerAssignment:
    """The reviewer submits their scores (saving ``scores`` first when given, both or
    neither): every criterion of the rubric must be scored. Submitted scores are frozen."""
    current = _scorable(actor, assignment)
    if scores is not None or comment is not None:
        _write_scores(actor, current, scores or {}, comment)
    rubric = list(RubricCriterion.objects.filter(call_id=current.application.stage.call_id))
    scored = set(Score.objects.filter(assignment=current).values_list("criterion_id", flat=True))
    missing = [c for c in rubric if c.pk not in scored]
    if not rubric or missing:
        message = _(
            "まだ採点していない項目があります: %(names)s。すべて採点してから提出してください。"
        ) % {"names": "、".join(c.name for c in missing) or "—"}
        raise ApplicationError(
            ScreeningErrorCode.SCORES_INCOMPLETE,
            message,
            fields={f"score_{c.pk}": [_("点数を入力してください。")] for c in missing},
        )
    current.status = AssignmentStatus.SUBMITTED
    current.submitted_at = timezone.now()
    current.full_clean(exclude=KEPT)
    current.save()
    audit_record(
        actor=actor,
        verb="subsidy_scores.submit",
        target=current,
        company=current.application.company,
        after={"status": current.status},
    )
    return current
