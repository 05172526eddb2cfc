"""Engagements: the office assigns a team to an open request (advisors who serve the
company's ward, are dispatched and have room), which creates the engagement of about six
months and its five phases with due dates spread over it; the team moves phases on in
order, writes notes and files evidence; the office or the lead advisor closes it with a
summary once the last phase is done, or the office cancels it with a reason."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.advisory.choices import (
    PHASE_ORDER,
    EngagementStatus,
    PhaseStatus,
    RequestStatus,
)
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import (
    Advisor,
    Engagement,
    EngagementMember,
    Phase,
    PhaseEvidence,
    SupportRequest,
)
from machikoba.advisory.services._common import (
    company_path,
    engagement_path,
    is_office,
    lock_engagement,
    not_on_team,
    require_active,
    require_officer_of,
    require_team_or_office,
    team_advisor,
)
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.dates import format_date
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.fiscal import add_months
from machikoba.core.notifications import notify_company, notify_users
from machikoba.drawings.uploads import describe_upload, store_upload

ENGAGEMENT_MONTHS = 6
MAX_ENGAGEMENT_DAYS = 2 * 366
EVIDENCE_KINDS = ("pdf", "png", "jpeg")
EVIDENCE_MAX_PAGES = 200
# Links a later change leaves as they are (a person's account may have been deleted).
KEPT = ["assigned_by"]


def evidence_max_bytes() -> int:
    return int(getattr(settings, "MACHIKOBA_EVIDENCE_MAX_BYTES", 20 * 1024 * 1024))


def phase_due_dates(starts_on: dt.date, ends_on: dt.date) -> list[dt.date]:
    """The due dates of the five phases: equal steps from the start, the last on the
    end date."""
    span = (ends_on - starts_on).days
    count = len(PHASE_ORDER)
    return [starts_on + dt.timedelta(days=round(span * n / count)) for n in range(1, count + 1)]


def advisor_load(advisor: Advisor) -> int:
    """The engagements the advisor is on now."""
    return EngagementMember.objects.filter(
        advisor=advisor, engagement__status=EngagementStatus.ACTIVE
    ).count()


def _check_dates(starts_on: dt.date, ends_on: dt.date) -> None:
    if ends_on <= starts_on:
        raise invalid_input(
            AdvisoryErrorCode.ENGAGEMENT_INVALID,
            ends_on=_("終了予定日は開始日より後にしてください。"),
        )
    if (ends_on - starts_on).days > MAX_ENGAGEMENT_DAYS:
        raise invalid_input(
            AdvisoryErrorCode.ENGAGEMENT_INVALID,
            ends_on=_("派遣の期間は2年以内にしてください。"),
        )


def _check_team(request: SupportRequest, advisors: Sequence[Advisor]) -> list[Advisor]:
    if not advisors:
        raise invalid_input(
            AdvisoryErrorCode.TEAM_EMPTY, advisors=_("アドバイザーを1人以上選んでください。")
        )
    ids = list(dict.fromkeys(a.pk for a in advisors))
    # Locked (in id order) so that two assignments at once cannot both take an advisor's
    # last place. PostgreSQL refuses FOR UPDATE with GROUP BY: the wards are asked apart.
    locked = {
        a.pk: a
        for a in Advisor.objects.select_for_update()
        .filter(pk__in=ids)
        .select_related("user")
        .order_by("pk")
    }
    serving = set(
        Advisor.objects.filter(pk__in=ids, wards=request.municipality_id).values_list(
            "pk", flat=True
        )
    )
    team: list[Advisor] = []
    for pk in ids:
        advisor = locked[pk]
        name = advisor.user.get_full_name()
        if not advisor.active or pk not in serving:
            raise ApplicationError(
                AdvisoryErrorCode.ADVISOR_UNAVAILABLE,
                _("%(person)s さんは、いま%(ward)sに派遣できるアドバイザーではありません。")
                % {"person": name, "ward": request.municipality.name},
            )
        load = advisor_load(advisor)
        if load >= advisor.capacity:
            raise ApplicationError(
                AdvisoryErrorCode.ADVISOR_OVER_CAPACITY,
                _(
                    "%(person)s さんはすでに %(load)s 社を担当していて、"
                    "これ以上担当できません (上限 %(capacity)s 社)。"
                )
                % {"person": name, "load": load, "capacity": advisor.capacity},
            )
        team.append(advisor)
    return team


@transaction.atomic
def engagement_assign(
    *,
    actor: User,
    request: SupportRequest,
    advisors: Sequence[Advisor],
    lead: Advisor | None = None,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
) -> Engagement:
    """The office assigns a team to an open request: the engagement starts (about six
    months unless ``ends_on`` says otherwise) with its five phases; the company and each
    advisor are told."""
    request = (
        SupportRequest.objects.select_for_update()
        .select_related("company", "municipality")
        .get(pk=request.pk)
    )
    require_officer_of(actor, request.municipality_id)
    if request.status != RequestStatus.OPEN:
        raise ApplicationError(
            AdvisoryErrorCode.REQUEST_STATE,
            _("この申込はいま「%(status)s」なので、担当を割り当てられません。")
            % {"status": request.get_status_display()},
        )
    starts_on = starts_on or timezone.localdate()
    ends_on = ends_on or add_months(starts_on, ENGAGEMENT_MONTHS)
    _check_dates(starts_on, ends_on)
    team = _check_team(request, advisors)
    if lead is not None and lead.pk not in {a.pk for a in team}:
        raise invalid_input(
            AdvisoryErrorCode.ENGAGEMENT_INVALID, lead=_("主担当はチームの中から選んでください。")
        )
    lead_pk = lead.pk if lead is not None else team[0].pk
    engagement = Engagement(
        request=request,
        municipality_id=request.municipality_id,
        company=request.company,
        starts_on=starts_on,
        ends_on=ends_on,
        assigned_by=actor,
    )
    full_clean_or_raise(engagement, code=AdvisoryErrorCode.ENGAGEMENT_INVALID, exclude=KEPT)
    engagement.save()
    for advisor in team:
        EngagementMember.objects.create(
            engagement=engagement, advisor=advisor, lead=advisor.pk == lead_pk
        )
    for order, (kind, due_on) in enumerate(
        zip(PHASE_ORDER, phase_due_dates(starts_on, ends_on), strict=True), start=1
    ):
        Phase.objects.create(engagement=engagement, kind=kind, order=order, due_on=due_on)
    request.status = RequestStatus.ASSIGNED
    request.decided_at = timezone.now()
    request.decided_by = actor
    request.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    audit_record(
        actor=actor,
        verb="engagement.assign",
        target=engagement,
        company=request.company,
        after={
            "advisors": [a.pk for a in team],
            "lead": lead_pk,
            "starts_on": str(starts_on),
            "ends_on": str(ends_on),
        },
    )
    params = {
        "company": request.company.name,
        "advisors": "、".join(a.user.get_full_name() for a in team),
        "period": f"{format_date(starts_on)}〜{format_date(ends_on)}",
    }
    notify_company(
        company=request.company, kind="engagement_assigned", params=params, path=company_path()
    )
    notify_users(
        users=[a.user for a in team],
        kind="engagement_assigned",
        params=params,
        path=engagement_path(engagement),
    )
    return engagement


@transaction.atomic
def engagement_dates_update(
    *, actor: User, engagement: Engagement, starts_on: dt.date, ends_on: dt.date
) -> Engagement:
    """The office moves the period; the phases not done yet get their due dates spread
    over the new period again."""
    engagement = lock_engagement(engagement)
    require_officer_of(actor, engagement.municipality_id)
    require_active(engagement)
    _check_dates(starts_on, ends_on)
    before = snapshot(engagement, ["starts_on", "ends_on"])
    engagement.starts_on, engagement.ends_on = starts_on, ends_on
    full_clean_or_raise(engagement, code=AdvisoryErrorCode.ENGAGEMENT_INVALID, exclude=KEPT)
    engagement.save(update_fields=["starts_on", "ends_on", "updated_at"])
    dues = phase_due_dates(starts_on, ends_on)
    for phase in engagement.phases.exclude(status=PhaseStatus.DONE):
        phase.due_on = dues[phase.order - 1]
        phase.save(update_fields=["due_on"])
    audit_record(
        actor=actor,
        verb="engagement.dates",
        target=engagement,
        company=engagement.company,
        before=before,
        after=snapshot(engagement, ["starts_on", "ends_on"]),
    )
    return engagement


@transaction.atomic
def engagement_close(*, actor: User, engagement: Engagement, summary: str) -> Engagement:
    """The office or the lead advisor closes the engagement with a summary, once every
    phase (the last, 効果測定, included) is done."""
    engagement = lock_engagement(engagement)
    advisor = team_advisor(actor, engagement)
    is_lead = advisor is not None and engagement.members.filter(advisor=advisor, lead=True).exists()
    if not is_office(actor, engagement) and not is_lead:
        if advisor is None:
            raise not_on_team()
        raise PermissionRefused(
            AdvisoryErrorCode.NOT_ON_TEAM,
            _("派遣を完了にできるのは、主担当のアドバイザーと区の職員だけです。"),
        )
    require_active(engagement)
    open_phases = engagement.phases.exclude(status=PhaseStatus.DONE).order_by("order")
    if open_phases.exists():
        raise ApplicationError(
            AdvisoryErrorCode.PHASES_NOT_DONE,
            _(
                "まだ完了していないフェーズがあります (%(phases)s)。"
                "すべて完了してから閉じてください。"
            )
            % {"phases": "、".join(str(p.get_kind_display()) for p in open_phases)},
        )
    summary = summary.strip()
    if not summary:
        raise invalid_input(
            AdvisoryErrorCode.ENGAGEMENT_INVALID, summary=_("支援のまとめを書いてください。")
        )
    engagement.status = EngagementStatus.CLOSED
    engagement.closed_at = timezone.now()
    engagement.closing_summary = summary
    full_clean_or_raise(engagement, code=AdvisoryErrorCode.ENGAGEMENT_INVALID, exclude=KEPT)
    engagement.save()
    audit_record(
        actor=actor,
        verb="engagement.close",
        target=engagement,
        company=engagement.company,
        before={"status": EngagementStatus.ACTIVE},
        after={"status": engagement.status},
    )
    return engagement


@transaction.atomic
def engagement_cancel(*, actor: User, engagement: Engagement, reason: str) -> Engagement:
    """The office stops the engagement early; the reason is kept as its summary."""
    engagement = lock_engagement(engagement)
    require_officer_of(actor, engagement.municipality_id)
    require_active(engagement)
    reason = reason.strip()
    if not reason:
        raise invalid_input(
            AdvisoryErrorCode.REASON_REQUIRED, reason=_("中止する理由を書いてください。")
        )
    engagement.status = EngagementStatus.CANCELLED
    engagement.closed_at = timezone.now()
    engagement.closing_summary = _("中止の理由: %(reason)s") % {"reason": reason}
    full_clean_or_raise(engagement, code=AdvisoryErrorCode.ENGAGEMENT_INVALID, exclude=KEPT)
    engagement.save()
    audit_record(
        actor=actor,
        verb="engagement.cancel",
        target=engagement,
        company=engagement.company,
        before={"status": EngagementStatus.ACTIVE},
        after={"status": engagement.status, "reason": reason},
    )
    return engagement


# --- phases ------------------------------------------------------------------------------


def _lock_phase(actor: User, phase: Phase) -> Phase:
    engagement = lock_engagement(phase.engagement)
    require_team_or_office(actor, engagement)
    require_active(engagement)
    locked = Phase.objects.select_for_update().get(pk=phase.pk)
    locked.engagement = engagement
    return locked


def _phase_state_error(phase: Phase) -> ApplicationError:
    return ApplicationError(
        AdvisoryErrorCode.PHASE_STATE,
        _("「%(phase)s」はいま「%(status)s」です。")
        % {"phase": phase.get_kind_display(), "status": phase.get_status_display()},
    )


@transaction.atomic
def phase_start(*, actor: User, phase: Phase) -> Phase:
    phase = _lock_phase(actor, phase)
    if phase.status != PhaseStatus.NOT_STARTED:
        raise _phase_state_error(phase)
    phase.status = PhaseStatus.IN_PROGRESS
    phase.started_at = timezone.now()
    phase.save(update_fields=["status", "started_at"])
    audit_record(
        actor=actor,
        verb="phase.start",
        target=phase,
        company=phase.engagement.company,
        after={"kind": phase.kind, "status": phase.status},
    )
    return phase


@transaction.atomic
def phase_complete(*, actor: User, phase: Phase) -> Phase:
    """A phase in progress is done; never before the phase before it."""
    phase = _lock_phase(actor, phase)
    if phase.status != PhaseStatus.IN_PROGRESS:
        raise _phase_state_error(phase)
    earlier = (
        Phase.objects.filter(engagement=phase.engagement, order__lt=phase.order)
        .exclude(status=PhaseStatus.DONE)
        .order_by("order")
        .first()
    )
    if earlier is not None:
        raise ApplicationError(
            AdvisoryErrorCode.PHASE_OUT_OF_ORDER,
            _("先に「%(earlier)s」を完了してください。「%(phase)s」はその後に完了できます。")
            % {"earlier": earlier.get_kind_display(), "phase": phase.get_kind_display()},
        )
    phase.status = PhaseStatus.DONE
    phase.completed_at = timezone.now()
    phase.save(update_fields=["status", "completed_at"])
    audit_record(
        actor=actor,
        verb="phase.complete",
        target=phase,
        company=phase.engagement.company,
        after={"kind": phase.kind, "status": phase.status},
    )
    return phase


@transaction.atomic
def phase_note_update(*, actor: User, phase: Phase, note: str) -> Phase:
    phase = _lock_phase(actor, phase)
    phase.note = note.strip()
    full_clean_or_raise(phase, code=AdvisoryErrorCode.PHASE_STATE)
    phase.save(update_fields=["note"])
    audit_record(actor=actor, verb="phase.note", target=phase, company=phase.engagement.company)
    return phase


@transaction.atomic
def evidence_add(*, actor: User, phase: Phase, title: str, upload: File[bytes]) -> PhaseEvidence:
    """A PDF or an image that shows the phase's work. The file's type comes from its
    content; a refused file stores nothing, and a failure after the file was written
    removes it again."""
    phase = _lock_phase(actor, phase)
    title = title.strip()
    if not title:
        raise invalid_input(AdvisoryErrorCode.EVIDENCE_INVALID, title=_("件名を書いてください。"))
    evidence = PhaseEvidence(phase=phase, title=title)
    name = describe_upload(
        evidence,
        upload,
        actor=actor,
        kinds=EVIDENCE_KINDS,
        max_bytes=evidence_max_bytes(),
        max_pages=EVIDENCE_MAX_PAGES,
        code=AdvisoryErrorCode.EVIDENCE_INVALID,
        type_message=_("証跡は PDF・PNG・JPEG のファイルにしてください。"),
    )
    full_clean_or_raise(evidence, code=AdvisoryErrorCode.EVIDENCE_INVALID, exclude=["file"])
    store_upload(
        evidence,
        upload,
        name,
        record=lambda: audit_record(
            actor=actor,
            verb="evidence.add",
            target=evidence,
            company=phase.engagement.company,
            after={"phase": phase.kind, "name": name, "sha256": evidence.sha256},
        ),
    )
    return evidence
