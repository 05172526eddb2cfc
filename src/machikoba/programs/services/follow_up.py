"""The one-year follow-up of graduates: did the company invest in DX? It feeds the KPI
「修了後1年以内にDX投資を行った割合」.

``follow_ups_remind`` (run by the scheduler, ``programs.tasks.remind_follow_ups``) asks
each graduate's company on the follow-up's due day, then reminds it every 14 days until
someone answers, never twice on one day. ``follow_up_answer`` records the answer; a
company may correct it later (the follow-up page shows the answer again), and each answer
is audited with what it replaced.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.core.access import CHANGE, can
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import PermissionRefused, full_clean_or_raise, invalid_input
from machikoba.core.notifications import notify_company
from machikoba.programs.choices import InvestmentKind
from machikoba.programs.error_codes_homework import HomeworkErrorCode
from machikoba.programs.models import FollowUp

REMIND_EVERY = dt.timedelta(days=14)
ANSWER_FIELDS = [
    "invested",
    "invested_on",
    "amount",
    "investment_kind",
    "description",
    "subsidy_reference",
]
# The largest amount anyone types for a shop's DX investment (a typo guard: 10 billion yen).
MAX_AMOUNT = 10_000_000_000


@transaction.atomic
def follow_up_answer(
    *,
    actor: User,
    follow_up: FollowUp,
    invested: bool,
    invested_on: dt.date | None = None,
    amount: int | None = None,
    investment_kind: str = "",
    description: str = "",
    subsidy_reference: str = "",
) -> FollowUp:
    """The company's owner or staff, or the participant, answer: invested or not; when
    invested, the amount (yen, more than 0), the kind and the date (between graduating
    and today) are required. Answering again replaces the answer (audited)."""
    if not can(actor, CHANGE, follow_up):
        raise PermissionRefused(
            HomeworkErrorCode.FOLLOW_UP_NOT_ALLOWED,
            _("回答できるのは、修了した企業の経営者・スタッフと受講者本人だけです。"),
        )
    follow_up = (
        FollowUp.objects.select_for_update()
        .select_related("graduation__company")
        .get(pk=follow_up.pk)
    )
    graduation = follow_up.graduation
    today = timezone.localdate()
    problems: dict[str, str] = {}
    if invested is None:
        problems["invested"] = _("DXへの投資をしたかどうか選んでください。")
    elif invested:
        if amount is None or isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
            problems["amount"] = _("投資した金額を 1 円以上で入力してください。")
        elif amount > MAX_AMOUNT:
            problems["amount"] = _("金額が大きすぎます。円単位で入力してください。")
        if investment_kind not in InvestmentKind.values:
            problems["investment_kind"] = _("投資の種類を選んでください。")
        if invested_on is None:
            problems["invested_on"] = _("投資した日 (おおよそで構いません) を入力してください。")
        elif not graduation.graduated_on <= invested_on <= today:
            problems["invested_on"] = _(
                "投資した日は、修了した日 (%(start)s) から今日までの日付にしてください。"
            ) % {"start": f"{graduation.graduated_on:%Y/%m/%d}"}
    if problems:
        raise invalid_input(HomeworkErrorCode.FOLLOW_UP_INVALID, **problems)
    first = follow_up.answered_at is None
    before = None if first else snapshot(follow_up, ANSWER_FIELDS)
    follow_up.invested = bool(invested)
    if invested:
        follow_up.invested_on = invested_on
        follow_up.amount = amount
        follow_up.investment_kind = investment_kind
    else:
        follow_up.invested_on = None
        follow_up.amount = None
        follow_up.investment_kind = ""
    follow_up.description = (description or "").strip()
    follow_up.subsidy_reference = (subsidy_reference or "").strip()
    follow_up.answered_at = timezone.now()
    follow_up.answered_by = actor
    full_clean_or_raise(follow_up, code=HomeworkErrorCode.FOLLOW_UP_INVALID)
    follow_up.save()
    audit_record(
        actor=actor,
        verb="programs.follow_up.answer" if first else "programs.follow_up.update",
        target=follow_up,
        company=graduation.company,
        before=before,
        after=snapshot(follow_up, ANSWER_FIELDS),
    )
    return follow_up


def _ask(follow_up: FollowUp) -> None:
    application = follow_up.graduation.application
    notify_company(
        company=follow_up.graduation.company,
        kind="follow_up_due",
        params={"program": application.cohort.program.name},
        path=reverse("programs:follow_up", args=[follow_up.pk]),
    )


@transaction.atomic
def follow_ups_remind(*, now: dt.datetime | None = None) -> int:
    """Ask every graduate whose follow-up is due and not yet asked; remind those asked
    (or last reminded) 14 days ago or more and still silent. One notice per follow-up
    per day at most, however often this runs. Returns the number of notices queued."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    due = (
        FollowUp.objects.select_for_update()
        .filter(answered_at__isnull=True, due_on__lte=today)
        .select_related("graduation__company", "graduation__application__cohort__program")
        .order_by("due_on", "pk")
    )
    sent = 0
    for follow_up in due:
        if follow_up.asked_at is None:
            follow_up.asked_at = now
            follow_up.save(update_fields=["asked_at", "updated_at"])
            verb = "programs.follow_up.ask"
        else:
            last = follow_up.last_reminded_at or follow_up.asked_at
            if timezone.localdate(last) + REMIND_EVERY > today:
                continue
            follow_up.reminders_sent += 1
            follow_up.last_reminded_at = now
            follow_up.save(update_fields=["reminders_sent", "last_reminded_at", "updated_at"])
            verb = "programs.follow_up.remind"
        _ask(follow_up)
        audit_record(
            actor=None,
            verb=verb,
            target=follow_up,
            company=follow_up.graduation.company,
            after={"reminders_sent": follow_up.reminders_sent},
        )
        sent += 1
    return sent
