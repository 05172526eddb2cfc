"""Business matchings that came out of the lab: a visit, an event, a vendor's demo or a
consultation.

- The ward's office (lab staff, officers) records a matching it has evidence of: it stands
  (``CONFIRMED``) at once.
- Lab staff propose one from an event survey answer (``SurveyResponse.met_partner``): it is
  ``PROPOSED`` until the owner or staff of each party confirm it on its page, and becomes
  ``CONFIRMED`` when both did; either party may decline it (``DECLINED``).
- The count rule: one matching per pair of companies per event or item it came from
  (whatever the order of the two); a declined proposal does not count.
- Three months after the agreement (``follow_up_due_on``) the periodic task asks both
  parties once whether it led to business; a party answers yes, in progress or no.

First awards in the network (``network.BusinessMatch``) are not recorded here: the list
reads them through the network's selectors."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.core.access import EDITOR_ROLES, company_ids_for
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.dates import format_date
from machikoba.core.errors import (
    ApplicationError,
    PermissionRefused,
    full_clean_or_raise,
    invalid_input,
)
from machikoba.core.fiscal import add_months
from machikoba.core.notifications import notify_company
from machikoba.lab.choices import FollowUpAnswer, MatchingSource, MatchingStatus
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode
from machikoba.lab.models import Item
from machikoba.lab.models_ecosystem import Matching
from machikoba.lab.models_events import Event, SurveyResponse
from machikoba.lab.services.partners import require_office

FOLLOW_UP_MONTHS = 3
# Links a later change leaves as they are (the person's account may have been deleted).
KEPT = ["recorded_by"]
FIELDS = [
    "source",
    "event",
    "item",
    "party_a",
    "party_b",
    "agreement",
    "agreed_on",
    "evidence",
    "status",
    "follow_up_due_on",
]
FOLLOW_UP_FIELDS = ["follow_up_answer", "follow_up_note", "follow_up_answered_at"]
# Sources the office may record (the network's first awards are recorded by the network).
RECORDABLE_SOURCES = tuple(s for s in MatchingSource if s != MatchingSource.NETWORK)


def matching_path(matching: Matching) -> str:
    return reverse("lab:matching_detail", args=[matching.pk])


def follow_up_due(agreed_on: dt.date) -> dt.date:
    return add_months(agreed_on, FOLLOW_UP_MONTHS)


def _event_day(event: Event) -> dt.date:
    return timezone.localdate(event.starts_at)


def _origin(source: str, event: Event | None, item: Item | None) -> tuple[int, Event | None]:
    """The ward the matching belongs to (its lab's), and the event it came from; an event
    for the source 「イベント」, an item of the lab for the others."""
    if source not in RECORDABLE_SOURCES:
        raise invalid_input(
            EcosystemErrorCode.MATCHING_SOURCE,
            source=_("きっかけを選んでください (デジタル仲間まわしの取引は自動で数えます)。"),
        )
    if source == MatchingSource.EVENT:
        if event is None:
            raise invalid_input(
                EcosystemErrorCode.MATCHING_SOURCE,
                event=_("きっかけになったイベントを選んでください。"),
            )
        return event.lab.municipality_id, event
    if item is None:
        raise invalid_input(
            EcosystemErrorCode.MATCHING_SOURCE,
            item=_("きっかけになった機器・展示品を選んでください。"),
        )
    return item.lab.municipality_id, None


def _pair(party_a: Company | None, party_b: Company | None) -> tuple[Company, Company]:
    """The two parties, the one with the smaller id first (the count rule's order)."""
    if party_a is None or party_b is None:
        raise invalid_input(
            EcosystemErrorCode.MATCHING_INVALID,
            party_b=_("当事者の2社を選んでください。"),
        )
    if party_a.pk == party_b.pk:
        raise invalid_input(
            EcosystemErrorCode.MATCHING_SAME_COMPANY,
            party_b=_("当事者には別々の2社を選んでください。"),
        )
    for party in (party_a, party_b):
        if not party.is_active:
            raise invalid_input(
                EcosystemErrorCode.MATCHING_INVALID,
                party_b=_("利用を停止している企業は当事者にできません。"),
            )
    return (party_a, party_b) if party_a.pk < party_b.pk else (party_b, party_a)


def _check_agreed_on(agreed_on: dt.date, event: Event | None) -> None:
    if agreed_on > timezone.localdate():
        raise invalid_input(
            EcosystemErrorCode.MATCHING_FUTURE_DATE,
            agreed_on=_("合意日に先の日付は入れられません。合意した日を入力してください。"),
        )
    if event is not None and agreed_on < _event_day(event):
        raise invalid_input(
            EcosystemErrorCode.MATCHING_INVALID,
            agreed_on=_("合意日はイベントの日 (%(day)s) 以降にしてください。")
            % {"day": format_date(_event_day(event))},
        )


def _duplicate() -> ApplicationError:
    return ApplicationError(
        EcosystemErrorCode.MATCHING_DUPLICATE,
        _(
            "この2社の、同じイベント・機器からのビジネスマッチングはすでに記録されています"
            " (1組につき1件と数えます)。"
        ),
    )


def _check_duplicate(low: Company, high: Company, event: Event | None, item: Item | None) -> None:
    pair = Q(party_a=low, party_b=high) | Q(party_a=high, party_b=low)
    same = Matching.objects.filter(pair).exclude(status=MatchingStatus.DECLINED)
    same = same.filter(event=event) if event else same.filter(event__isnull=True, item=item)
    if same.exists():
        raise _duplicate()


def _insert(actor: User, matching: Matching, *, verb: str) -> None:
    full_clean_or_raise(matching, code=EcosystemErrorCode.MATCHING_INVALID, exclude=KEPT)
    try:
        with transaction.atomic():  # a savepoint: the same pair recorded at the same moment
            matching.save()
    except IntegrityError:
        raise _duplicate() from None
    audit_record(
        actor=actor,
        verb=verb,
        target=matching,
        company=matching.party_a,
        after=snapshot(matching, FIELDS),
    )


@transaction.atomic
def matching_record(
    *,
    actor: User,
    source: str,
    event: Event | None = None,
    item: Item | None = None,
    party_a: Company | None,
    party_b: Company | None,
    agreement: str,
    agreed_on: dt.date,
    evidence: str,
) -> Matching:
    """The office records a matching it has evidence of (an order number, minutes): it
    stands at once."""
    municipality_id, event = _origin(source, event, item)
    require_office(actor, municipality_id)
    low, high = _pair(party_a, party_b)
    _check_agreed_on(agreed_on, event)
    evidence = evidence.strip()
    if not evidence:
        raise invalid_input(
            EcosystemErrorCode.MATCHING_INVALID,
            evidence=_("根拠 (注文書番号、議事録など) を書いてください。"),
        )
    item = None if event is not None else item
    _check_duplicate(low, high, event, item)
    matching = Matching(
        municipality_id=municipality_id,
        source=source,
        event=event,
        item=item,
        party_a=low,
        party_b=high,
        agreement=agreement,
        agreed_on=agreed_on,
        evidence=evidence,
        status=MatchingStatus.CONFIRMED,
        recorded_by=actor,
        follow_up_due_on=follow_up_due(agreed_on),
    )
    _insert(actor, matching, verb="lab.matching.record")
    return matching


@transaction.atomic
def matching_propose(
    *,
    actor: User,
    survey: SurveyResponse,
    partner: Company | None,
    agreement: str,
    agreed_on: dt.date,
) -> Matching:
    """Lab staff turn a survey answer ("I met someone to do business with") into a
    proposed matching between the respondent's company and ``partner``; both parties are
    asked to confirm it."""
    registration = survey.registration
    event = registration.event
    require_office(actor, event.lab.municipality_id)
    if not survey.met_partner.strip() or registration.company is None:
        raise ApplicationError(
            EcosystemErrorCode.MATCHING_SURVEY,
            _("この回答には、会社として出会った相手の記入がありません。"),
        )
    low, high = _pair(registration.company, partner)
    _check_agreed_on(agreed_on, event)
    _check_duplicate(low, high, event, None)
    matching = Matching(
        municipality_id=event.lab.municipality_id,
        source=MatchingSource.EVENT,
        event=event,
        survey=survey,
        party_a=low,
        party_b=high,
        agreement=agreement,
        agreed_on=agreed_on,
        evidence=_("アンケートの回答: %(answer)s") % {"answer": survey.met_partner.strip()},
        status=MatchingStatus.PROPOSED,
        recorded_by=actor,
        follow_up_due_on=follow_up_due(agreed_on),
    )
    _insert(actor, matching, verb="lab.matching.propose")
    for party, other in ((low, high), (high, low)):
        notify_company(
            company=party,
            kind="lab_matching_proposed",
            params={
                "event": event.title,
                "partner": other.name,
                "agreement": matching.get_agreement_display(),
            },
            path=matching_path(matching),
        )
    return matching


# --- the parties ---------------------------------------------------------------------------


def party_side(actor: User, matching: Matching, company: Company | None) -> str:
    """``"a"`` or ``"b"``: the side ``company`` is on, once ``actor`` may act for it (an
    owner or staff of an active party company)."""
    editable = company_ids_for(actor, EDITOR_ROLES)
    if company is not None and company.pk in editable:
        if company.pk == matching.party_a_id:
            return "a"
        if company.pk == matching.party_b_id:
            return "b"
    raise PermissionRefused(
        EcosystemErrorCode.MATCHING_NOT_PARTY,
        _("このビジネスマッチングの当事者の企業 (代表者・社員) だけが操作できます。"),
    )


def _lock(matching: Matching) -> Matching:
    return (
        Matching.objects.select_for_update(of=("self",))
        .select_related("party_a", "party_b", "event")
        .get(pk=matching.pk)
    )


@transaction.atomic
def matching_confirm(*, actor: User, matching: Matching, company: Company | None) -> Matching:
    """A party confirms a proposed matching; it stands once both have."""
    matching = _lock(matching)
    side = party_side(actor, matching, company)
    if matching.status != MatchingStatus.PROPOSED:
        raise ApplicationError(
            EcosystemErrorCode.MATCHING_STATE,
            _("このビジネスマッチングはもう確認を受け付けていません。"),
        )
    field = "confirmed_a_at" if side == "a" else "confirmed_b_at"
    if getattr(matching, field) is not None:
        raise ApplicationError(
            EcosystemErrorCode.MATCHING_STATE,
            _("御社はすでに確認済みです。相手の確認をお待ちください。"),
        )
    before = snapshot(matching, ["status", "confirmed_a_at", "confirmed_b_at"])
    setattr(matching, field, timezone.now())
    if matching.confirmed_a_at and matching.confirmed_b_at:
        matching.status = MatchingStatus.CONFIRMED
    full_clean_or_raise(matching, code=EcosystemErrorCode.MATCHING_INVALID, exclude=KEPT)
    matching.save()
    audit_record(
        actor=actor,
        verb="lab.matching.confirm",
        target=matching,
        company=company,
        before=before,
        after=snapshot(matching, ["status", "confirmed_a_at", "confirmed_b_at"]),
    )
    return matching


@transaction.atomic
def matching_decline(*, actor: User, matching: Matching, company: Company | None) -> Matching:
    """A party says the proposed matching did not happen: it no longer counts."""
    matching = _lock(matching)
    party_side(actor, matching, company)
    if matching.status != MatchingStatus.PROPOSED:
        raise ApplicationError(
            EcosystemErrorCode.MATCHING_STATE,
            _("確認待ちのビジネスマッチングだけを否認できます。"),
        )
    before = snapshot(matching, ["status"])
    matching.status = MatchingStatus.DECLINED
    full_clean_or_raise(matching, code=EcosystemErrorCode.MATCHING_INVALID, exclude=KEPT)
    matching.save()
    audit_record(
        actor=actor,
        verb="lab.matching.decline",
        target=matching,
        company=company,
        before=before,
        after=snapshot(matching, ["status"]),
    )
    return matching


@transaction.atomic
def matching_follow_up_answer(
    *, actor: User, matching: Matching, company: Company | None, answer: str, note: str = ""
) -> Matching:
    """A party answers the three-month question: did it lead to business? The latest
    answer of either party stands."""
    matching = _lock(matching)
    party_side(actor, matching, company)
    if matching.status != MatchingStatus.CONFIRMED:
        raise ApplicationError(
            EcosystemErrorCode.MATCHING_STATE,
            _("成立したビジネスマッチングだけに回答できます。"),
        )
    if matching.follow_up_asked_at is None and matching.follow_up_due_on > timezone.localdate():
        raise ApplicationError(
            EcosystemErrorCode.FOLLOW_UP_NOT_DUE,
            _("3か月後の確認は %(day)s からです。")
            % {"day": format_date(matching.follow_up_due_on)},
        )
    if answer not in FollowUpAnswer.values:
        raise invalid_input(
            EcosystemErrorCode.FOLLOW_UP_INVALID,
            answer=_("「つながった」「検討・交渉中」「つながらなかった」から選んでください。"),
        )
    before = snapshot(matching, FOLLOW_UP_FIELDS)
    matching.follow_up_answer = answer
    matching.follow_up_note = note.strip()
    matching.follow_up_answered_at = timezone.now()
    full_clean_or_raise(matching, code=EcosystemErrorCode.FOLLOW_UP_INVALID, exclude=KEPT)
    matching.save()
    audit_record(
        actor=actor,
        verb="lab.matching.follow_up.answer",
        target=matching,
        company=company,
        before=before,
        after=snapshot(matching, FOLLOW_UP_FIELDS),
    )
    return matching


@transaction.atomic
def matching_follow_ups_send(*, now: dt.datetime | None = None) -> int:
    """Ask both parties of every standing matching whose three months are up, once: "did
    it lead to business?". Run by the periodic task; returns the matchings asked."""
    now = now or timezone.now()
    due = (
        Matching.objects.select_for_update(of=("self",))
        .filter(
            status=MatchingStatus.CONFIRMED,
            follow_up_due_on__lte=timezone.localdate(now),
            follow_up_asked_at__isnull=True,
            follow_up_answer="",
        )
        .select_related("party_a", "party_b")
        .order_by("follow_up_due_on", "pk")
    )
    asked = 0
    for matching in due:
        matching.follow_up_asked_at = now
        matching.save(update_fields=["follow_up_asked_at", "updated_at"])
        for party, other in (
            (matching.party_a, matching.party_b),
            (matching.party_b, matching.party_a),
        ):
            notify_company(
                company=party,
                kind="lab_matching_follow_up",
                params={
                    "partner": other.name,
                    "agreed_on": format_date(matching.agreed_on),
                    "agreement": matching.get_agreement_display(),
                },
                path=matching_path(matching),
            )
        audit_record(
            actor=None,
            verb="lab.matching.follow_up.ask",
            target=matching,
            company=matching.party_a,
            after={"follow_up_asked_at": now.isoformat()},
        )
        asked += 1
    return asked
