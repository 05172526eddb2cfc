"""The entry log's rules, through its services: the kiosk reads a personal code (expired,
copied, changed, a second check-in, a check-out without a check-in, closed hours), the
phone reads the lab's rotating code (this window, the one before, an older one), the desk
records by hand, and the auto check-out closes the day. Every refusal is a typed event with
its reason, or (a code that names nobody) nothing at all."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
)
from machikoba.core.testing.factories_lab import closed_day, make_lab, make_lab_staff, slot
from machikoba.core.testing.factories_lab_visits import (
    make_entry,
    make_event,
    make_visitor,
    opening_moment,
    personal_code,
)
from machikoba.lab.choices import EntryKind, EntryMethod, RefusalReason
from machikoba.lab.error_codes_visits import VisitErrorCode
from machikoba.lab.models_visits import EntryEvent, Visitor
from machikoba.lab.services import entry_codes, visits

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

IN = EntryKind.ENTERED
OUT = EntryKind.LEFT


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


@pytest.fixture
def shop():
    return CompanyFactory(name="蒲田精密株式会社")


@pytest.fixture
def member(shop):
    return MembershipFactory(company=shop, role=CompanyRole.OWNER, user__name="町田 太郎").user


@pytest.fixture
def at_ten(lab, frozen_clock):
    """The clock stands at 10:00 on the lab's next open day."""
    moment = opening_moment(lab, 10)
    frozen_clock.move_to(moment)
    return moment


def scan(staff, lab, token, direction=IN):
    return visits.entry_scan(actor=staff, lab=lab, token=token, direction=direction)


def kinds(lab):
    return list(EntryEvent.objects.filter(lab=lab).order_by("id").values_list("kind", "reason"))


# --- the kiosk ---------------------------------------------------------------------------------


def test_a_personal_code_checks_in_with_name_and_company(lab, staff, member, shop, at_ten):
    outcome = scan(staff, lab, personal_code(member))
    assert outcome.ok
    assert outcome.kind == IN
    assert outcome.headline == "入館しました"
    assert (outcome.name, outcome.company) == ("町田 太郎", "蒲田精密株式会社")
    event = EntryEvent.objects.get(lab=lab)
    assert (event.kind, event.method, event.user, event.company) == (
        IN,
        EntryMethod.PERSONAL_QR,
        member,
        shop,
    )
    assert event.recorded_by == staff
    assert event.at == at_ten
    assert AuditEvent.objects.filter(verb="lab_entry.entered", target_id=str(event.pk)).exists()


def test_the_nonce_of_a_used_code_is_kept(lab, staff, member, at_ten):
    token = personal_code(member)
    scan(staff, lab, token)
    assert EntryEvent.objects.get(lab=lab).code_nonce == entry_codes.personal_code_read(token).nonce


def test_a_copied_code_is_refused_the_second_time(lab, staff, member, at_ten):
    token = personal_code(member)
    scan(staff, lab, token)
    copy = scan(staff, lab, token, OUT)
    assert not copy.ok
    assert copy.refusal.code == VisitErrorCode.CODE_USED
    assert copy.reason == RefusalReason.CODE_USED
    assert kinds(lab) == [(IN, ""), (EntryKind.REFUSED, RefusalReason.CODE_USED)]
    assert EntryEvent.objects.filter(kind=EntryKind.REFUSED).get().code_nonce is None


def test_a_code_used_at_another_lab_is_refused_too(lab, staff, member, at_ten):
    other = make_lab(name="第二ラボ")
    token = personal_code(member)
    scan(staff, lab, token)
    assert scan(staff, other, token).reason == RefusalReason.CODE_USED


def test_an_expired_code_is_refused_and_recorded(lab, staff, member, at_ten, frozen_clock):
    token = personal_code(member)
    frozen_clock.move_to(at_ten + dt.timedelta(seconds=lab.entry_code_seconds + 1))
    outcome = scan(staff, lab, token)
    assert outcome.refusal.code == VisitErrorCode.CODE_EXPIRED
    assert kinds(lab) == [(EntryKind.REFUSED, RefusalReason.CODE_EXPIRED)]
    assert EntryEvent.objects.get().user == member


def test_a_code_is_good_to_the_last_second(lab, staff, member, at_ten, frozen_clock):
    token = personal_code(member)
    frozen_clock.move_to(at_ten + dt.timedelta(seconds=lab.entry_code_seconds))
    assert scan(staff, lab, token).ok


def test_the_lab_decides_how_long_a_code_is_good(staff, member, frozen_clock):
    lab = make_lab(entry_code_seconds=120)
    moment = opening_moment(lab, 10)
    frozen_clock.move_to(moment)
    token = personal_code(member)
    frozen_clock.move_to(moment + dt.timedelta(seconds=90))
    assert scan(staff, lab, token).ok


@pytest.mark.parametrize(
    "change",
    [
        lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),  # signature changed
        lambda t: t.replace(".", ".9", 1),  # the user id changed
        lambda t: t[:20],  # cut short
        lambda t: "https://example.com/",  # another QR code
        lambda t: "",  # nothing
        lambda t: "x" * 5000,  # too long
    ],
)
def test_a_changed_or_unreadable_code_is_refused_and_names_nobody(
    lab, staff, member, at_ten, change
):
    outcome = scan(staff, lab, change(personal_code(member)))
    assert outcome.refusal.code == VisitErrorCode.CODE_INVALID
    assert outcome.name == ""
    assert outcome.event is None
    assert not EntryEvent.objects.exists()


def test_a_code_of_a_deleted_account_is_unreadable(lab, staff, at_ten):
    gone = UserFactory()
    token = personal_code(gone)
    gone.delete()
    assert scan(staff, lab, token).refusal.code == VisitErrorCode.CODE_INVALID


def test_a_code_of_a_disabled_account_is_refused(lab, staff, member, at_ten):
    token = personal_code(member)
    member.is_active = False
    member.save()
    outcome = scan(staff, lab, token)
    assert outcome.refusal.code == VisitErrorCode.ACCOUNT_INACTIVE
    assert kinds(lab) == [(EntryKind.REFUSED, RefusalReason.ACCOUNT_INACTIVE)]


def test_a_second_check_in_without_check_out_is_refused(lab, staff, member, at_ten):
    scan(staff, lab, personal_code(member))
    again = scan(staff, lab, personal_code(member))
    assert again.refusal.code == VisitErrorCode.ALREADY_IN
    assert again.headline == "入館できません"
    assert kinds(lab) == [(IN, ""), (EntryKind.REFUSED, RefusalReason.ALREADY_IN)]
    # The refusal kept no nonce: the same code may be shown again after 退館 was chosen.
    assert EntryEvent.objects.get(kind=EntryKind.REFUSED).code_nonce is None


def test_check_out_then_in_again(lab, staff, member, at_ten, frozen_clock):
    scan(staff, lab, personal_code(member))
    frozen_clock.move_to(at_ten + dt.timedelta(hours=1))
    left = scan(staff, lab, personal_code(member), OUT)
    assert left.ok
    assert left.headline == "退館しました"
    frozen_clock.move_to(at_ten + dt.timedelta(hours=2))
    assert scan(staff, lab, personal_code(member)).ok
    assert kinds(lab) == [(IN, ""), (OUT, ""), (IN, "")]


def test_a_check_out_without_check_in_is_refused(lab, staff, member, at_ten):
    outcome = scan(staff, lab, personal_code(member), OUT)
    assert outcome.refusal.code == VisitErrorCode.NOT_IN
    assert outcome.headline == "退館できません"
    assert kinds(lab) == [(EntryKind.REFUSED, RefusalReason.NOT_IN)]


def test_yesterdays_entry_does_not_make_one_in_today(lab, staff, member, at_ten):
    make_entry(lab, user=member, at=at_ten - dt.timedelta(days=1))
    assert scan(staff, lab, personal_code(member)).ok
    assert scan(staff, lab, personal_code(member), OUT).ok


def test_entering_after_closing_time_is_refused_leaving_is_not(lab, staff, member, frozen_clock):
    day_start = opening_moment(lab, 10)
    frozen_clock.move_to(day_start)
    scan(staff, lab, personal_code(member))
    frozen_clock.move_to(day_start.replace(hour=18, minute=30))  # the lab closes at 18:00
    other = UserFactory()
    late = scan(staff, lab, personal_code(other))
    assert late.refusal.code == VisitErrorCode.CLOSED
    assert scan(staff, lab, personal_code(member), OUT).ok


def test_entering_on_a_closed_day_is_refused(lab, staff, member, frozen_clock):
    start, _end = slot(closed_day(lab), 10)
    frozen_clock.move_to(start)
    outcome = scan(staff, lab, personal_code(member))
    assert outcome.reason == RefusalReason.CLOSED
    assert kinds(lab) == [(EntryKind.REFUSED, RefusalReason.CLOSED)]


def test_an_evening_event_opens_the_lab_from_half_an_hour_before(lab, staff, member, frozen_clock):
    evening = opening_moment(lab, 19)
    make_event(lab, starts_at=evening)
    frozen_clock.move_to(evening - dt.timedelta(minutes=31))
    assert scan(staff, lab, personal_code(member)).reason == RefusalReason.CLOSED
    frozen_clock.move_to(evening - dt.timedelta(minutes=30))
    assert scan(staff, lab, personal_code(member)).ok


def test_the_kiosk_is_only_for_the_labs_staff(lab, member, at_ten):
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    for actor in (member, officer, make_lab_staff(SUMIDA)):
        with pytest.raises(PermissionRefused) as refused:
            scan(actor, lab, personal_code(member))
        assert refused.value.code == VisitErrorCode.NOT_STAFF
    assert not EntryEvent.objects.exists()


def test_an_unknown_direction_is_refused(lab, staff, member, at_ten):
    with pytest.raises(ApplicationError) as refused:
        scan(staff, lab, personal_code(member), "sideways")
    assert refused.value.code == VisitErrorCode.DIRECTION_UNKNOWN
    assert not EntryEvent.objects.exists()


def test_two_kiosks_reading_one_code_at_once_record_it_once(lab, staff, member, at_ten):
    """The nonce's uniqueness is the database's: a second insert of it is a used code."""
    token = personal_code(member)
    nonce = entry_codes.personal_code_read(token).nonce
    with transaction.atomic():
        outcome = visits._move(
            lab=lab,
            direction=IN,
            method=EntryMethod.PERSONAL_QR,
            actor=staff,
            user=member,
            nonce=nonce,
        )
        assert outcome.ok
        # As if the other kiosk's check passed before this one committed:
        make_entry(lab, user=member, kind=OUT)
        raced = visits._move(
            lab=lab,
            direction=IN,
            method=EntryMethod.PERSONAL_QR,
            actor=staff,
            user=member,
            nonce=nonce,
        )
    assert raced.reason == RefusalReason.CODE_USED
    assert EntryEvent.objects.filter(code_nonce=nonce).count() == 1


# --- the phone and the lab's rotating code -----------------------------------------------------


def enter(member, lab, code, direction=IN):
    return visits.entry_by_lab_code(actor=member, lab=lab, code=code, direction=direction)


def test_the_current_lab_code_checks_in_and_out(lab, member, shop, at_ten, frozen_clock):
    outcome = enter(member, lab, entry_codes.lab_code(lab))
    assert outcome.ok
    assert outcome.company == shop.name
    assert EntryEvent.objects.get().method == EntryMethod.LAB_CODE
    frozen_clock.move_to(at_ten + dt.timedelta(hours=1))
    assert enter(member, lab, entry_codes.lab_code(lab), OUT).ok
    assert kinds(lab) == [(IN, ""), (OUT, "")]


def test_the_code_of_the_window_before_is_still_good(lab, member, at_ten, frozen_clock):
    code = entry_codes.lab_code(lab, at_ten)
    frozen_clock.move_to(at_ten + dt.timedelta(seconds=lab.entry_code_seconds))
    assert entry_codes.lab_code(lab) != code
    assert enter(member, lab, code).ok


def test_an_older_lab_code_is_refused_as_expired(lab, member, at_ten, frozen_clock):
    code = entry_codes.lab_code(lab, at_ten)
    frozen_clock.move_to(at_ten + dt.timedelta(seconds=2 * lab.entry_code_seconds))
    outcome = enter(member, lab, code)
    assert outcome.refusal.code == VisitErrorCode.CODE_EXPIRED
    assert kinds(lab) == [(EntryKind.REFUSED, RefusalReason.CODE_EXPIRED)]


@pytest.mark.parametrize("bad", ["", "garbage", "12.zz", "99999999.0123456789abcdef01234567"])
def test_a_wrong_lab_code_is_refused_and_recorded_for_the_signed_in_person(
    lab, member, at_ten, bad
):
    outcome = enter(member, lab, bad)
    assert outcome.refusal.code == VisitErrorCode.CODE_INVALID
    assert kinds(lab) == [(EntryKind.REFUSED, RefusalReason.CODE_INVALID)]


def test_another_labs_code_does_not_open_this_one(lab, member, at_ten):
    other = make_lab(name="第二ラボ")
    assert enter(member, lab, entry_codes.lab_code(other)).reason == RefusalReason.CODE_INVALID


def test_the_phone_follows_the_same_rules(lab, member, at_ten):
    assert enter(member, lab, entry_codes.lab_code(lab), OUT).reason == RefusalReason.NOT_IN
    enter(member, lab, entry_codes.lab_code(lab))
    assert enter(member, lab, entry_codes.lab_code(lab)).reason == RefusalReason.ALREADY_IN


def test_the_company_chosen_on_the_phone_is_the_one_counted(lab, member, shop, at_ten):
    second = CompanyFactory(name="第二工業")
    MembershipFactory(company=second, user=member, role=CompanyRole.STAFF)
    visits.entry_by_lab_code(
        actor=member, lab=lab, code=entry_codes.lab_code(lab), direction=IN, company=second
    )
    assert EntryEvent.objects.get().company == second
    # A company the person does not work for is not taken.
    stranger = CompanyFactory(name="無関係工業")
    visits.entry_by_lab_code(
        actor=member, lab=lab, code=entry_codes.lab_code(lab), direction=OUT, company=stranger
    )
    assert EntryEvent.objects.get(kind=OUT).company in (shop, second)


def test_an_inactive_lab_takes_no_entries(member, at_ten):
    closed = make_lab(active=False, name="準備中のラボ")
    with pytest.raises(PermissionRefused) as refused:
        enter(member, closed, entry_codes.lab_code(closed))
    assert refused.value.code == VisitErrorCode.LAB_UNAVAILABLE


# --- the desk ----------------------------------------------------------------------------------


def test_a_desk_visitor_is_registered_checked_in_and_out(lab, staff, shop, at_ten, frozen_clock):
    visitor = visits.visitor_register(
        actor=staff,
        lab=lab,
        name=" 見学 一郎 ",
        organisation="城南大学",
        company_name=shop.name,
        contact="03-0000-0000",
    )
    assert (visitor.name, visitor.company, visitor.registered_by) == ("見学 一郎", shop, staff)
    entered = EntryEvent.objects.get()
    assert (entered.kind, entered.method, entered.visitor, entered.company) == (
        IN,
        EntryMethod.DESK,
        visitor,
        shop,
    )
    frozen_clock.move_to(at_ten + dt.timedelta(hours=1))
    outcome = visits.entry_desk_visitor(actor=staff, lab=lab, visitor=visitor, direction=OUT)
    assert outcome.ok
    assert outcome.name == "見学 一郎"
    assert kinds(lab) == [(IN, ""), (OUT, "")]


def test_registering_without_a_name_changes_nothing(lab, staff, at_ten):
    with pytest.raises(ApplicationError) as refused:
        visits.visitor_register(actor=staff, lab=lab, name="   ")
    assert refused.value.code == VisitErrorCode.VISITOR_INVALID
    assert "name" in refused.value.fields
    assert not Visitor.objects.exists()
    assert not EntryEvent.objects.exists()


def test_an_unknown_company_name_is_refused(lab, staff, at_ten):
    with pytest.raises(ApplicationError) as refused:
        visits.visitor_register(actor=staff, lab=lab, name="来館者", company_name="存在しない会社")
    assert refused.value.code == VisitErrorCode.COMPANY_NOT_FOUND
    assert "company_name" in refused.value.fields
    assert not Visitor.objects.exists()


def test_a_visitor_may_be_registered_without_checking_in(lab, staff, at_ten):
    visits.visitor_register(actor=staff, lab=lab, name="来館者", check_in=False)
    assert Visitor.objects.count() == 1
    assert not EntryEvent.objects.exists()


def test_the_desk_may_record_an_entry_after_hours(lab, staff, frozen_clock):
    frozen_clock.move_to(opening_moment(lab, 20))
    visitor = make_visitor(lab)
    assert visits.entry_desk_visitor(actor=staff, lab=lab, visitor=visitor, direction=IN).ok


def test_the_desks_refusal_records_nothing(lab, staff, at_ten):
    visitor = make_visitor(lab)
    with pytest.raises(ApplicationError) as refused:
        visits.entry_desk_visitor(actor=staff, lab=lab, visitor=visitor, direction=OUT)
    assert refused.value.code == VisitErrorCode.NOT_IN
    assert not EntryEvent.objects.exists()


def test_a_visitor_of_another_lab_is_not_checked_in_here(lab, staff, at_ten):
    other = make_lab(name="第二ラボ")
    stranger = make_visitor(other)
    with pytest.raises(PermissionRefused):
        visits.entry_desk_visitor(actor=staff, lab=lab, visitor=stranger, direction=IN)
    assert not EntryEvent.objects.exists()


def test_a_person_with_an_account_is_found_by_email(lab, staff, member, shop, at_ten):
    outcome = visits.entry_desk_user(actor=staff, lab=lab, email=member.email.upper(), direction=IN)
    assert outcome.ok
    event = EntryEvent.objects.get()
    assert (event.user, event.company, event.method) == (member, shop, EntryMethod.DESK)


def test_an_unknown_email_is_refused(lab, staff, at_ten):
    with pytest.raises(ApplicationError) as refused:
        visits.entry_desk_user(actor=staff, lab=lab, email="nobody@example.test", direction=IN)
    assert refused.value.code == VisitErrorCode.USER_NOT_FOUND
    assert not EntryEvent.objects.exists()


def test_the_desk_is_only_for_the_labs_staff(lab, member, at_ten):
    visitor = make_visitor(lab)
    for actor in (member, make_lab_staff(SUMIDA)):
        with pytest.raises(PermissionRefused):
            visits.entry_desk_visitor(actor=actor, lab=lab, visitor=visitor, direction=IN)
        with pytest.raises(PermissionRefused):
            visits.visitor_register(actor=actor, lab=lab, name="来館者")
    assert not EntryEvent.objects.exists()
    assert Visitor.objects.count() == 1


# --- the auto check-out ------------------------------------------------------------------------


def test_everyone_still_in_after_closing_is_checked_out_at_closing(lab, member, frozen_clock):
    ten = opening_moment(lab, 10)
    visitor = make_visitor(lab)
    make_entry(lab, user=member, at=ten)
    make_entry(lab, visitor=visitor, at=ten + dt.timedelta(hours=1))
    gone = UserFactory()
    make_entry(lab, user=gone, at=ten)
    make_entry(lab, user=gone, kind=OUT, at=ten + dt.timedelta(hours=2))
    frozen_clock.move_to(ten.replace(hour=17, minute=59))
    assert visits.entries_auto_close() == 0
    frozen_clock.move_to(ten.replace(hour=18, minute=15))
    assert visits.entries_auto_close() == 2
    auto = EntryEvent.objects.filter(method=EntryMethod.AUTO)
    assert {(e.user, e.visitor) for e in auto} == {(member, None), (None, visitor)}
    assert {e.at for e in auto} == {ten.replace(hour=18)}
    assert all(e.kind == OUT and e.recorded_by is None for e in auto)
    # Run again: nothing more to close.
    assert visits.entries_auto_close() == 0


def test_an_event_running_late_keeps_its_people_in_until_it_ends(lab, member, frozen_clock):
    ten = opening_moment(lab, 10)
    make_event(lab, starts_at=ten.replace(hour=17), hours=3)  # ends at 20:00
    make_entry(lab, user=member, at=ten.replace(hour=17))
    frozen_clock.move_to(ten.replace(hour=19))
    assert visits.entries_auto_close() == 0
    frozen_clock.move_to(ten.replace(hour=20, minute=5))
    assert visits.entries_auto_close() == 1
    assert EntryEvent.objects.get(method=EntryMethod.AUTO).at == ten.replace(hour=20)


def test_an_entry_after_closing_is_closed_at_the_end_of_its_day(lab, member, frozen_clock):
    late = opening_moment(lab, 19)
    make_entry(lab, user=member, at=late)
    frozen_clock.move_to(late + dt.timedelta(hours=6))  # 01:00 the next day
    assert visits.entries_auto_close() == 1
    left = EntryEvent.objects.get(method=EntryMethod.AUTO)
    assert timezone.localdate(left.at) == timezone.localdate(late)
    assert left.at > late
    assert visits.entries_auto_close() == 0


def test_a_day_left_open_is_closed_on_a_later_run(lab, member, frozen_clock):
    ten = opening_moment(lab, 10)
    make_entry(lab, user=member, at=ten)
    frozen_clock.move_to(ten + dt.timedelta(days=2))
    assert visits.entries_auto_close() == 1
    assert EntryEvent.objects.get(method=EntryMethod.AUTO).at == ten.replace(hour=18)


def test_the_task_runs_the_auto_check_out(lab, member, frozen_clock):
    from machikoba.lab.tasks_visits import auto_check_out

    ten = opening_moment(lab, 10)
    make_entry(lab, user=member, at=ten)
    frozen_clock.move_to(ten.replace(hour=19))
    assert auto_check_out.call() == 1


def test_refusals_are_not_undone_by_an_exception(lab, staff, member, at_ten):
    """A refusal is an outcome, not an exception: its record is kept."""
    scan(staff, lab, personal_code(member), OUT)
    assert EntryEvent.objects.filter(kind=EntryKind.REFUSED).count() == 1
