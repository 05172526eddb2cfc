"""Refusals of the board's services, one per rule: each names its code and stores
nothing. The award's refusals come first (they guard the largest write)."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.board import services
from machikoba.board.models import Admission, Hand, Request, Team, TeamMember
from machikoba.board.tests.factories import (
    admit,
    award_terms,
    make_buyer,
    make_request,
    make_shop,
    owner_of,
    quoted_team,
)
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.testing.factories import MembershipFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY
from machikoba.messaging.models import Thread
from machikoba.network.models import BusinessMatch, Job, Order


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def quoted(world):
    """A buyer's request and the world's team quoting it with the other shop."""
    request = make_request(make_buyer())
    admit(request, world.company)
    lead, shop = world.company, world.other_company
    team = quoted_team(request, lead, {1: lead, 2: shop, 3: lead, 4: lead})
    return request, team


def _award(request, team, **terms):
    return services.request_award(
        actor=owner_of(request.company),
        request=request,
        team=team,
        **{**award_terms(request), **terms},
    )


def _refused(call, code, error=ApplicationError):
    with pytest.raises(error) as refused:
        call()
    assert refused.value.code == code
    return refused.value


def _nothing_awarded(request, team):
    assert not Job.objects.exists()
    assert not Order.objects.exists()
    assert not BusinessMatch.objects.exists()
    request.refresh_from_db()
    team.refresh_from_db()
    assert request.status == "open"
    assert team.status == "quoted"
    assert team.job is None


# --- the award ---------------------------------------------------------------------------


def test_an_expired_quote_is_not_awarded(world, quoted):
    request, team = quoted
    Team.objects.filter(pk=team.pk).update(valid_until=timezone.localdate() - dt.timedelta(days=1))
    error = _refused(lambda: _award(request, team), "quote_expired")
    assert "有効期限" in str(error.message)
    _nothing_awarded(request, team)


def test_a_team_that_has_not_quoted_is_not_awarded(world, quoted):
    request, team = quoted
    services.team_quote_withdraw(actor=world.users[MEMBER], team=team)
    _refused(lambda: _award(request, team), "team_not_quoted")
    assert not Job.objects.exists()
    assert not Order.objects.exists()
    request.refresh_from_db()
    assert request.status == "open"


def test_a_team_of_another_request_is_not_awarded(world, quoted):
    request, team = quoted
    other = make_request(request.company, part_name="別の部品")
    _refused(lambda: _award(other, team), "team_not_quoted")
    _nothing_awarded(request, team)


def test_a_members_passed_date_stops_the_award(world, quoted):
    request, team = quoted
    TeamMember.objects.filter(team=team, company=world.other_company).update(
        delivery_date=timezone.localdate() - dt.timedelta(days=1)
    )
    error = _refused(lambda: _award(request, team), "member_date_passed")
    assert world.other_company.name in str(error.message)
    _nothing_awarded(request, team)


def test_invalid_order_terms_stop_the_award(world, quoted):
    request, team = quoted
    error = _refused(
        lambda: _award(
            request,
            team,
            delivery_place=" ",
            payment_date=request.due_date + dt.timedelta(days=61),
            payment_method="promissory_note",
        ),
        "order_invalid",
    )
    assert set(error.fields) == {"delivery_place", "payment_date", "payment_method"}
    _nothing_awarded(request, team)


def test_only_the_posters_editors_award(world, quoted):
    request, team = quoted
    _refused(
        lambda: services.request_award(
            actor=world.users[MEMBER], request=request, team=team, **award_terms(request)
        ),
        "not_company_editor",
        PermissionRefused,
    )
    _nothing_awarded(request, team)


def test_an_awarded_request_is_not_awarded_again(world, quoted):
    request, team = quoted
    _award(request, team)
    orders = Order.objects.count()
    _refused(lambda: _award(request, team), "request_not_open")
    assert Order.objects.count() == orders
    assert Job.objects.count() == 1


# --- the team ----------------------------------------------------------------------------


def test_payment_to_members_beyond_60_days_is_refused(world):
    request = make_request(make_buyer())
    admit(request, world.company)
    team = services.team_form(actor=world.users[MEMBER], company=world.company, request=request)
    for days in (61, -1):
        error = _refused(
            lambda days=days: services.team_terms_set(
                actor=world.users[MEMBER], team=team, margin=0, share_split=False, payment_days=days
            ),
            "team_invalid",
        )
        assert "payment_days" in error.fields
    services.team_terms_set(
        actor=world.users[MEMBER], team=team, margin=0, share_split=False, payment_days=60
    )
    team.refresh_from_db()
    assert team.payment_days == 60


def test_the_lead_is_not_removed_and_a_quote_is_not_withdrawn_twice(world, quoted):
    _request, team = quoted
    lead_row = team.members.get(company=world.company)
    _refused(
        lambda: services.member_remove(actor=world.users[MEMBER], member=lead_row, reason="x"),
        "remove_lead",
    )
    services.team_quote_withdraw(actor=world.users[MEMBER], team=team)
    _refused(
        lambda: services.team_quote_withdraw(actor=world.users[MEMBER], team=team),
        "team_not_quoted",
    )
    lead_row.refresh_from_db()
    assert lead_row.status == "joined"


def test_a_member_answers_once(world):
    request = make_request(make_buyer())
    admit(request, world.company)
    team = services.team_form(actor=world.users[MEMBER], company=world.company, request=request)
    row = services.team_invite(actor=world.users[MEMBER], team=team, company=world.other_company)
    services.member_answer(actor=world.users[OTHER_COMPANY], member=row, join=False)
    _refused(
        lambda: services.member_answer(actor=world.users[OTHER_COMPANY], member=row, join=True),
        "member_answered",
    )
    row.refresh_from_db()
    assert row.status == "declined"


# --- requests, admission, hands ---------------------------------------------------------


def test_a_request_is_withdrawn_once_and_only_by_its_poster(world):
    request = make_request(make_buyer())
    _refused(
        lambda: services.request_cancel(actor=world.users[MEMBER], request=request, reason="x"),
        "not_company_editor",
        PermissionRefused,
    )
    services.request_cancel(actor=owner_of(request.company), request=request, reason="設計変更")
    _refused(
        lambda: services.request_cancel(
            actor=owner_of(request.company), request=request, reason="再"
        ),
        "request_cancelled",
    )
    request.refresh_from_db()
    assert request.cancel_reason == "設計変更"


def test_an_admission_is_decided_once(world):
    request = make_request(make_buyer())
    shop = world.other_company
    admission = services.admission_request(
        actor=owner_of(shop), company=shop, request=request, nda_accepted=True
    )
    services.admission_decide(actor=owner_of(request.company), admission=admission, admit=False)
    _refused(
        lambda: services.admission_decide(
            actor=owner_of(request.company), admission=admission, admit=True
        ),
        "admission_decided",
    )
    assert Admission.objects.get().status == "refused"


def test_a_second_person_of_the_same_shop_cannot_raise_a_second_hand(world):
    request = make_request(make_buyer())
    item = request.processes.get(position=1)
    shop = world.other_company
    services.hand_raise(actor=owner_of(shop), company=shop, process=item, comment="可")
    colleague = MembershipFactory(company=shop, role="staff").user
    _refused(
        lambda: services.hand_raise(actor=colleague, company=shop, process=item, comment="再"),
        "hand_exists",
    )
    assert Hand.objects.count() == 1


def test_a_poster_raises_no_hand_on_its_own_request(world):
    request = make_request(world.company)
    item = request.processes.get(position=1)
    _refused(
        lambda: services.hand_raise(
            actor=world.users[MEMBER], company=world.company, process=item, comment="x"
        ),
        "own_request",
    )
    assert not Hand.objects.exists()


# --- threads -----------------------------------------------------------------------------


def test_the_poster_writes_only_to_shops_that_answer(world):
    request = make_request(make_buyer())
    stranger = make_shop("無関係の工場")
    _refused(
        lambda: services.request_thread_open(
            actor=owner_of(request.company),
            request=request,
            company=request.company,
            party=stranger,
        ),
        "thread_not_allowed",
        PermissionRefused,
    )
    assert not Thread.objects.exists()
    admit(request, world.other_company)
    thread = services.request_thread_open(
        actor=owner_of(request.company),
        request=request,
        company=request.company,
        party=world.other_company,
    )
    assert thread.subject_key == f"request:{request.pk}:shop:{world.other_company.pk}"


def test_a_shop_writes_to_the_poster_only_once_admitted(world):
    request = make_request(make_buyer())
    shop = world.other_company
    user = world.users[OTHER_COMPANY]
    _refused(
        lambda: services.request_thread_open(
            actor=user, request=request, company=shop, party=request.company
        ),
        "thread_not_allowed",
        PermissionRefused,
    )
    admit(request, shop)
    _refused(
        lambda: services.request_thread_open(
            actor=user, request=request, company=shop, party=world.company
        ),
        "thread_not_allowed",
        PermissionRefused,
    )
    assert not Thread.objects.exists()
    services.request_thread_open(actor=user, request=request, company=shop, party=request.company)
    assert Thread.objects.get().participants.count() == 2


def test_the_team_thread_is_for_the_team_only(world):
    request = make_request(make_buyer())
    admit(request, world.company)
    team = services.team_form(actor=world.users[MEMBER], company=world.company, request=request)
    _refused(
        lambda: services.team_thread_open(actor=world.users[OTHER_COMPANY], team=team),
        "thread_not_allowed",
        PermissionRefused,
    )
    _refused(
        lambda: services.team_thread_open(actor=owner_of(request.company), team=team),
        "thread_not_allowed",
        PermissionRefused,
    )
    assert not Thread.objects.exists()
    thread = services.team_thread_open(actor=world.users[FLOOR_WORKER], team=team)
    assert thread.subject_key == f"team:{team.pk}"
    assert Request.objects.get().status == "open"
