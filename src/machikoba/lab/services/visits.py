"""Writes of the entry log (入退館): check-in and check-out at the kiosk (the visitor's
personal code), on the visitor's phone (the lab's rotating code) and at the desk (by hand,
for desk visitors without an account and for people found by their e-mail), desk visitors'
registration, and the auto check-out after closing time.

Every scan is recorded as a typed ``EntryEvent``: ``entered``, ``left`` or ``refused``
with its reason, as long as the person is known (an unreadable or changed code names
nobody: it is shown, not recorded). The kiosk and the phone get an ``EntryOutcome`` back
(a refusal is an outcome, not an exception, so that its record is kept); the desk's
buttons are refused with an ``ApplicationError`` and record nothing.

The rules, the same everywhere:

- A person is in the lab on a day when their last entry or exit of that day is an entry.
  An entry of someone who is in is refused (``already_in``); so is an exit of someone
  who is not (``not_in``). The kiosk reads 入館 unless its staff chose 退館 for the next
  scan: a second scan never turns into a check-out by itself.
- Entering is refused outside the lab's hours (``closed``), except from 30 minutes before
  a published event of the lab to its end; leaving is always possible. The desk may record
  an entry at any time (the staff are there).
- A personal code expires after ``Lab.entry_code_seconds`` and is good once: the entry or
  exit it records keeps its nonce (unique), and a second use is refused (``code_used``).
  A refusal keeps no nonce, so the same code may be shown again after 退館 was chosen.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.companies.models import Company
from machikoba.companies.selectors import memberships_of
from machikoba.core.access import MANAGE, VIEW, can
from machikoba.core.audit import audit_record
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.lab.calendar import day_hours
from machikoba.lab.choices import EntryKind, EntryMethod, EventStatus, RefusalReason
from machikoba.lab.error_codes_visits import VisitErrorCode
from machikoba.lab.models import Lab
from machikoba.lab.models_events import Event
from machikoba.lab.models_visits import EntryEvent, Visitor
from machikoba.lab.selectors.visits import local_day_bounds, person_name, presences
from machikoba.lab.services.attendance import ATTENDANCE_LEAD, attendance_on_entry
from machikoba.lab.services.entry_codes import (
    LabCodeStatus,
    lab_code_check,
    personal_code_read,
)

DIRECTIONS = (EntryKind.ENTERED, EntryKind.LEFT)
# How far back the auto check-out looks for entries left open.
AUTO_CLOSE_DAYS = 7


def _refusal_messages() -> dict[str, tuple[VisitErrorCode, str]]:
    return {
        RefusalReason.CODE_INVALID: (
            VisitErrorCode.CODE_INVALID,
            _("QRコードを読み取れませんでした。入館用のQRコードを表示し直してください。"),
        ),
        RefusalReason.CODE_EXPIRED: (
            VisitErrorCode.CODE_EXPIRED,
            _("QRコードの有効期限が切れています。画面を更新して新しいコードを表示してください。"),
        ),
        RefusalReason.CODE_USED: (
            VisitErrorCode.CODE_USED,
            _("このQRコードは使用済みです。コピーや画面写真は使えません。"),
        ),
        RefusalReason.ACCOUNT_INACTIVE: (
            VisitErrorCode.ACCOUNT_INACTIVE,
            _("このアカウントは利用できません。受付にお声がけください。"),
        ),
        RefusalReason.ALREADY_IN: (
            VisitErrorCode.ALREADY_IN,
            _("すでに入館中です。退館するときは「退館」を選んでから読み取ってください。"),
        ),
        RefusalReason.NOT_IN: (
            VisitErrorCode.NOT_IN,
            _("本日の入館の記録がありません。入館するときは「入館」を選んでください。"),
        ),
        RefusalReason.CLOSED: (
            VisitErrorCode.CLOSED,
            _("ただいま閉館時間です。開館時間内にお越しください。"),
        ),
    }


def refusal_error(reason: str) -> ApplicationError:
    code, message = _refusal_messages()[reason]
    return ApplicationError(code, message, status_code=409)


@dataclass
class EntryOutcome:
    """What the kiosk or the phone shows after a scan."""

    kind: str
    event: EntryEvent | None = None
    refusal: ApplicationError | None = None
    reason: str = ""
    name: str = ""
    company: str = ""
    lines: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.refusal is None

    @property
    def headline(self) -> str:
        if self.kind == EntryKind.ENTERED:
            return _("入館しました")
        if self.kind == EntryKind.LEFT:
            return _("退館しました")
        return _("入館できません") if self.reason != RefusalReason.NOT_IN else _("退館できません")

    @property
    def message(self) -> str:
        return str(self.refusal.message) if self.refusal is not None else ""


# --- checks shared by every way in ------------------------------------------------------------


def require_staff(actor: User, lab: Lab) -> None:
    if not can(actor, MANAGE, lab):
        raise PermissionRefused(
            VisitErrorCode.NOT_STAFF,
            _("入退館を記録できるのは、このラボの担当職員だけです。"),
        )


def require_direction(direction: str) -> None:
    if direction not in DIRECTIONS:
        raise ApplicationError(
            VisitErrorCode.DIRECTION_UNKNOWN, _("「入館」か「退館」を選んでください。")
        )


def _inside(lab: Lab, *, user: User | None, visitor: Visitor | None, at: dt.datetime) -> bool:
    """Whether the person is in ``lab`` on the day of ``at`` (the service's own check, of
    rows the caller may write: not a page read)."""
    start, end = local_day_bounds(timezone.localdate(at))
    events = EntryEvent.objects.filter(lab=lab, at__gte=start, at__lt=end)
    events = events.filter(user=user) if user is not None else events.filter(visitor=visitor)
    return bool(presences(list(events.exclude(kind=EntryKind.REFUSED))))


def events_on(lab: Lab, at: dt.datetime) -> bool:
    """Whether a published event of ``lab`` is on at ``at`` (or starts within 30 minutes)."""
    return Event.objects.filter(
        lab=lab,
        status=EventStatus.PUBLISHED,
        starts_at__lte=at + ATTENDANCE_LEAD,
        ends_at__gt=at,
    ).exists()


def open_for_entry(lab: Lab, at: dt.datetime) -> bool:
    """Within the lab's hours of the day, or while one of its events is on."""
    hours = day_hours(lab, timezone.localdate(at))
    if hours.opens is not None and hours.closes is not None and hours.opens <= at < hours.closes:
        return True
    return events_on(lab, at)


def company_for(user: User, preferred: Company | None = None) -> Company | None:
    """The company an entry of ``user`` counts for: the one they work for now on their
    phone (``preferred``, when they are its member), else their first."""
    companies = [m.company for m in memberships_of(user)]
    if preferred is not None and any(c.pk == preferred.pk for c in companies):
        return preferred
    return companies[0] if companies else None


# --- recording ---------------------------------------------------------------------------------


def _record(
    *,
    lab: Lab,
    kind: str,
    method: str,
    at: dt.datetime,
    actor: User | None,
    user: User | None = None,
    visitor: Visitor | None = None,
    company: Company | None = None,
    reason: str = "",
    nonce: str | None = None,
) -> EntryEvent:
    event = EntryEvent(
        lab=lab,
        kind=kind,
        method=method,
        at=at,
        user=user,
        visitor=visitor,
        company=company if company is not None else (visitor.company if visitor else None),
        reason=reason,
        code_nonce=nonce,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
    )
    # The nonce's uniqueness is the database's to decide (two kiosks at once): not here.
    event.full_clean(exclude=["code_nonce"], validate_unique=False)
    with transaction.atomic():  # a savepoint: a used nonce leaves the outer transaction usable
        event.save()
    audit_record(
        actor=actor,
        verb=f"lab_entry.{kind}",
        target=event,
        company=event.company,
        after={
            "lab": lab.pk,
            "method": method,
            "user": user.pk if user else None,
            "visitor": visitor.pk if visitor else None,
            "reason": reason,
        },
    )
    return event


def _outcome(event: EntryEvent, *, lines: list[str] | None = None) -> EntryOutcome:
    return EntryOutcome(
        kind=event.kind,
        event=event,
        refusal=refusal_error(event.reason) if event.reason else None,
        reason=event.reason,
        name=person_name(user=event.user, visitor=event.visitor),
        company=event.company.name
        if event.company
        else (event.visitor.organisation if event.visitor else ""),
        lines=lines or [],
    )


def _lock_person(user: User | None, visitor: Visitor | None) -> None:
    """Serialise two scans of one person (two kiosks, a double tap)."""
    if user is not None:
        list(
            User.objects.select_for_update(of=("self",))
            .filter(pk=user.pk)
            .values_list("pk", flat=True)
        )
    elif visitor is not None:
        list(
            Visitor.objects.select_for_update(of=("self",))
            .filter(pk=visitor.pk)
            .values_list("pk", flat=True)
        )


def _move(
    *,
    lab: Lab,
    direction: str,
    method: str,
    actor: User | None,
    user: User | None = None,
    visitor: Visitor | None = None,
    company: Company | None = None,
    nonce: str | None = None,
    at: dt.datetime | None = None,
) -> EntryOutcome:
    """Record ``direction`` for the person, or the refusal that stops it."""
    moment = at or timezone.now()
    if user is not None and visitor is None:
        company = company_for(user, company)

    def refuse(reason: str) -> EntryOutcome:
        refused = _record(
            lab=lab,
            kind=EntryKind.REFUSED,
            method=method,
            at=moment,
            actor=actor,
            user=user,
            visitor=visitor,
            company=company,
            reason=reason,
        )
        return _outcome(refused)

    if user is not None and not user.is_active:
        return refuse(RefusalReason.ACCOUNT_INACTIVE)
    _lock_person(user, visitor)
    inside = _inside(lab, user=user, visitor=visitor, at=moment)
    if direction == EntryKind.ENTERED:
        if inside:
            return refuse(RefusalReason.ALREADY_IN)
        if method != EntryMethod.DESK and not open_for_entry(lab, moment):
            return refuse(RefusalReason.CLOSED)
    elif not inside:
        return refuse(RefusalReason.NOT_IN)
    try:
        event = _record(
            lab=lab,
            kind=direction,
            method=method,
            at=moment,
            actor=actor,
            user=user,
            visitor=visitor,
            company=company,
            nonce=nonce,
        )
    except IntegrityError:  # the same code, read a moment ago elsewhere
        return refuse(RefusalReason.CODE_USED)
    lines: list[str] = []
    if direction == EntryKind.ENTERED:
        started = attendance_on_entry(lab=lab, actor=actor, at=moment, user=user, visitor=visitor)
        lines = started.lines
        first_booking = started.bookings[0] if started.bookings else None
        first_event = started.registrations[0].event if started.registrations else None
        if first_booking is not None or first_event is not None:
            event.booking = first_booking
            event.event = first_event
            event.save(update_fields=["booking", "event"])
    return _outcome(event, lines=lines)


# --- the kiosk: the visitor's personal code ------------------------------------------------------


@transaction.atomic
def entry_scan(*, actor: User, lab: Lab, token: str, direction: str) -> EntryOutcome:
    """The kiosk of ``lab``, kept open by ``actor`` (its staff), read ``token``: check the
    person in or out (``direction``), or record why not."""
    require_staff(actor, lab)
    require_direction(direction)
    now = timezone.now()
    code = personal_code_read(token)
    person = User.objects.filter(pk=code.user_id).first() if code is not None else None
    if code is None or person is None:
        return EntryOutcome(
            kind=EntryKind.REFUSED,
            refusal=refusal_error(RefusalReason.CODE_INVALID),
            reason=RefusalReason.CODE_INVALID,
        )
    method = EntryMethod.PERSONAL_QR
    reason = ""
    if code.expired(lab.entry_code_seconds, now):
        reason = RefusalReason.CODE_EXPIRED
    elif EntryEvent.objects.filter(code_nonce=code.nonce).exists():
        reason = RefusalReason.CODE_USED
    if reason:
        return _outcome(
            _record(
                lab=lab,
                kind=EntryKind.REFUSED,
                method=method,
                at=now,
                actor=actor,
                user=person,
                company=company_for(person),
                reason=reason,
            )
        )
    return _move(
        lab=lab,
        direction=direction,
        method=method,
        actor=actor,
        user=person,
        nonce=code.nonce,
        at=now,
    )


# --- the phone: the lab's rotating code -----------------------------------------------------------


@transaction.atomic
def entry_by_lab_code(
    *,
    actor: User,
    lab: Lab,
    code: str,
    direction: str,
    company: Company | None = None,
) -> EntryOutcome:
    """``actor`` read the code ``lab``'s kiosk shows with their phone: check them in or
    out, or record why not. ``company``: the one they work for now."""
    if not Lab.objects.for_user(actor, VIEW).filter(pk=lab.pk, active=True).exists():
        raise PermissionRefused(
            VisitErrorCode.LAB_UNAVAILABLE, _("このラボは現在、入館を受け付けていません。")
        )
    require_direction(direction)
    now = timezone.now()
    status = lab_code_check(lab, code, now)
    if status != LabCodeStatus.VALID:
        reason = (
            RefusalReason.CODE_EXPIRED
            if status == LabCodeStatus.EXPIRED
            else RefusalReason.CODE_INVALID
        )
        return _outcome(
            _record(
                lab=lab,
                kind=EntryKind.REFUSED,
                method=EntryMethod.LAB_CODE,
                at=now,
                actor=actor,
                user=actor,
                company=company_for(actor, company),
                reason=reason,
            )
        )
    return _move(
        lab=lab,
        direction=direction,
        method=EntryMethod.LAB_CODE,
        actor=actor,
        user=actor,
        company=company,
        at=now,
    )


# --- the desk ----------------------------------------------------------------------------------


def _desk_move(
    *, actor: User, lab: Lab, direction: str, user: User | None, visitor: Visitor | None
) -> EntryOutcome:
    outcome = _move(
        lab=lab,
        direction=direction,
        method=EntryMethod.DESK,
        actor=actor,
        user=user,
        visitor=visitor,
    )
    if outcome.refusal is not None:
        # The desk's button is refused; the refusal recorded by _move goes with the rollback.
        raise outcome.refusal
    return outcome


@transaction.atomic
def entry_desk_visitor(*, actor: User, lab: Lab, visitor: Visitor, direction: str) -> EntryOutcome:
    """Check a desk visitor (no account) in or out by hand."""
    require_staff(actor, lab)
    require_direction(direction)
    if visitor.lab_id != lab.pk:
        raise PermissionRefused(
            VisitErrorCode.NOT_STAFF,
            _("この来館者は、このラボの受付で登録された方ではありません。"),
        )
    return _desk_move(actor=actor, lab=lab, direction=direction, user=None, visitor=visitor)


@transaction.atomic
def entry_desk_user(*, actor: User, lab: Lab, email: str, direction: str) -> EntryOutcome:
    """Check in or out by hand a person with an account, found by their e-mail address."""
    require_staff(actor, lab)
    require_direction(direction)
    address = (email or "").strip()
    person = User.objects.filter(email__iexact=address).first() if address else None
    if person is None:
        raise ApplicationError(
            VisitErrorCode.USER_NOT_FOUND,
            _("このメールアドレスのアカウントは見つかりません。"),
            fields={"email": [_("登録されているメールアドレスを入力してください。")]},
        )
    return _desk_move(actor=actor, lab=lab, direction=direction, user=person, visitor=None)


def _company_named(actor: User, name: str) -> Company | None:
    text = name.strip()
    if not text:
        return None
    matches = list(Company.objects.for_user(actor, VIEW).filter(name=text, is_active=True)[:2])
    if len(matches) != 1:
        raise ApplicationError(
            VisitErrorCode.COMPANY_NOT_FOUND,
            _("入力内容を確認してください。"),
            fields={
                "company_name": [
                    _("この名前の登録企業が見つかりません。一覧から選ぶか、空欄にしてください。")
                    if not matches
                    else _("同じ名前の登録企業が複数あります。所属欄に書いてください。")
                ]
            },
        )
    return matches[0]


@transaction.atomic
def visitor_register(
    *,
    actor: User,
    lab: Lab,
    name: str,
    organisation: str = "",
    company_name: str = "",
    contact: str = "",
    check_in: bool = True,
) -> Visitor:
    """Register at the desk a visitor without an account (and check them in)."""
    require_staff(actor, lab)
    visitor = Visitor(
        lab=lab,
        name=name.strip(),
        organisation=organisation.strip(),
        company=_company_named(actor, company_name),
        contact=contact.strip(),
        registered_by=actor,
    )
    full_clean_or_raise(visitor, code=VisitErrorCode.VISITOR_INVALID)
    visitor.save()
    audit_record(
        actor=actor,
        verb="lab_visitor.create",
        target=visitor,
        company=visitor.company,
        after={"lab": lab.pk, "organisation": visitor.organisation},
    )
    if check_in:
        _desk_move(actor=actor, lab=lab, direction=EntryKind.ENTERED, user=None, visitor=visitor)
    return visitor


# --- the auto check-out -------------------------------------------------------------------------


def closing_moment(lab: Lab, entered_at: dt.datetime) -> dt.datetime:
    """When someone who entered at ``entered_at`` and never left is checked out: the
    lab's closing time that day, or the end of an event of the lab that ends later; the
    end of the day when they came in after both."""
    day = timezone.localdate(entered_at)
    start, end = local_day_bounds(day)
    candidates = []
    hours = day_hours(lab, day)
    if hours.closes is not None:
        candidates.append(hours.closes)
    last_event = (
        Event.objects.filter(
            lab=lab, status=EventStatus.PUBLISHED, ends_at__gt=start, ends_at__lt=end
        )
        .order_by("-ends_at")
        .values_list("ends_at", flat=True)
        .first()
    )
    if last_event is not None:
        candidates.append(last_event)
    # The last moment of the day, so that the exit is counted on the day of the entry.
    last = max(entered_at, end - dt.timedelta(seconds=1))
    moment = max(candidates) if candidates else last
    return moment if moment > entered_at else last


@transaction.atomic
def entries_auto_close(*, now: dt.datetime | None = None) -> int:
    """Record ``left`` (method auto) for everyone still in after closing time, at the
    closing time; entries of the last ``AUTO_CLOSE_DAYS`` days are looked at. Returns
    how many were checked out."""
    moment = now or timezone.now()
    first_day = timezone.localdate(moment) - dt.timedelta(days=AUTO_CLOSE_DAYS)
    since, _end = local_day_bounds(first_day)
    events = list(
        EntryEvent.objects.filter(at__gte=since, at__lte=moment)
        .exclude(kind=EntryKind.REFUSED)
        .select_related("lab", "user", "visitor", "company")
        .order_by("lab_id", "at", "id")
    )
    by_day: dict[tuple[int, dt.date], list[EntryEvent]] = {}
    for event in events:
        by_day.setdefault((event.lab_id, timezone.localdate(event.at)), []).append(event)
    closed = 0
    for day_events in by_day.values():
        for presence in presences(day_events):
            entered = presence.event
            leave_at = closing_moment(entered.lab, entered.at)
            if leave_at > moment:
                continue
            _record(
                lab=entered.lab,
                kind=EntryKind.LEFT,
                method=EntryMethod.AUTO,
                at=leave_at,
                actor=None,
                user=entered.user,
                visitor=entered.visitor,
                company=entered.company,
            )
            closed += 1
    return closed
