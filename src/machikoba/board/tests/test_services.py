"""The open board and joint orders: who sees what, hands, admission, the team and its
split, one quote, the award that builds the job and the orders, and the rules for
members leaving and buyers withdrawing."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.board import selectors, services
from machikoba.board.models import Admission, Hand, Request
from machikoba.board.tests.factories import (
    admit,
    award_terms,
    make_buyer,
    make_request,
    make_shop,
    owner_of,
    quoted_team,
)
from machikoba.companies.choices import CompanyRole
from machikoba.companies.models import Company
from machikoba.core.access import VIEW
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import MembershipFactory, make_capability
from machikoba.core.testing.matrix import ADMIN, FLOOR_WORKER, MEMBER, OFFICER, OTHER_COMPANY
from machikoba.drawings.models import Grant
from machikoba.drawings.tests.factories import make_document
from machikoba.network import services as network
from machikoba.network.models import BusinessMatch, Order
from machikoba.network.tests.factories import make_job, process

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def buyer(db):
    return make_buyer()


@pytest.fixture
def team_world(world, buyer):
    """The buyer's request with a drawing; the lead (world.company) and three shops."""
    drawing = make_document(buyer, title="OS-7731 図面")
    request = make_request(buyer, documents=[drawing])
    heat = world.other_company
    plating, grinding = make_shop("六郷鍍金"), make_shop("糀谷研削")
    return request, world.company, heat, plating, grinding


def _visible(user, request):
    return Request.objects.for_user(user, VIEW).filter(pk=request.pk).exists()


def test_the_board_shows_a_summary_to_shops_and_nothing_to_others(world, team_world):
    request, _lead, heat, *_ = team_world
    shop_user = world.users[OTHER_COMPANY]
    assert _visible(shop_user, request)
    assert not selectors.sees_details(shop_user, request)
    for outsider in (
        world.users[OFFICER],
        world.users[ADMIN],
        owner_of(make_buyer("他の発注企業")),
    ):
        assert not _visible(outsider, request)
    admit(request, heat)
    assert selectors.sees_details(shop_user, request)
    assert Grant.objects.filter(grantee=heat, revoked_at__isnull=True).count() == 1


def test_the_board_lists_what_a_shop_can_do_by_default(world, buyer):
    request = make_request(buyer, processes=[(process("heat_treatment.quench_temper"), "")])
    shop = world.other_company
    query = selectors.BoardFilter()
    assert list(selectors.board_requests(user=owner_of(shop), company=shop, query=query)) == []
    make_capability(shop, process("heat_treatment"))
    listed = selectors.board_requests(user=owner_of(shop), company=shop, query=query)
    assert list(listed) == [request]
    other = make_request(buyer, processes=[(process("surface.plating.hard_chrome"), "")])
    assert list(selectors.board_requests(user=owner_of(shop), company=shop, query=query)) == [
        request
    ]
    everything = selectors.BoardFilter(capable_only=False)
    listed = selectors.board_requests(user=owner_of(shop), company=shop, query=everything)
    assert set(listed) == {request, other}


def test_chosen_shops_are_admitted_when_they_accept_the_nda(world, buyer):
    shop = world.other_company
    request = make_request(buyer, audience="chosen", invited=[shop])
    assert not _visible(world.users[MEMBER], request)  # not on the open board
    with pytest.raises(ApplicationError) as refused:
        services.admission_request(
            actor=owner_of(shop), company=shop, request=request, nda_accepted=False
        )
    assert refused.value.code == "nda_not_accepted"
    admission = services.admission_request(
        actor=owner_of(shop), company=shop, request=request, nda_accepted=True
    )
    assert admission.status == "admitted"
    assert admission.nda_version == "board-nda-1"


def test_one_hand_per_company_per_process_and_prices_stay_private(world, team_world):
    request, lead, heat, plating, _ = team_world
    heat_process = request.processes.get(position=2)
    hand = services.hand_raise(
        actor=owner_of(heat), company=heat, process=heat_process, price=60_000, lead_time_days=5
    )
    with pytest.raises(ApplicationError) as twice:
        services.hand_raise(actor=owner_of(heat), company=heat, process=heat_process, comment="再")
    assert twice.value.code == "hand_exists"
    assert "すでに手を挙げています" in str(twice.value.message)
    assert Hand.objects.count() == 1
    with pytest.raises(ApplicationError):
        services.hand_raise(actor=owner_of(heat), company=heat, process=heat_process)
    # One hand per company, not per person: a colleague of the same shop is refused too.
    colleague = MembershipFactory(company=heat, role=CompanyRole.STAFF).user
    with pytest.raises(ApplicationError) as colleague_refused:
        services.hand_raise(
            actor=colleague, company=heat, process=heat_process, price=55_000, lead_time_days=4
        )
    assert colleague_refused.value.code == "hand_exists"
    assert list(Hand.objects.values_list("pk", "price")) == [(hand.pk, 60_000)]
    with pytest.raises(PermissionRefused):
        services.hand_raise(
            actor=world.users[FLOOR_WORKER], company=lead, process=heat_process, comment="x"
        )
    admit(request, plating)
    rows = selectors.process_rows(user=owner_of(plating), request=request, company=plating)
    seen = rows[1].hands[0]
    assert seen.hand == hand
    assert not seen.show_terms
    buyer_rows = selectors.process_rows(
        user=owner_of(request.company), request=request, company=request.company
    )
    assert buyer_rows[1].hands[0].show_terms


def test_a_joint_order_from_team_to_job_and_orders(world, team_world):
    request, lead, heat, plating, grinding = team_world
    admit(request, lead)
    admit(request, grinding)  # admitted but not in the winning team
    team = quoted_team(
        request,
        lead,
        {1: lead, 2: heat, 3: plating, 4: grinding},
        prices={lead.pk: 120_000, heat.pk: 60_000, plating.pk: 80_000, grinding.pk: 90_000},
    )
    assert team.price == 120_000 + 60_000 + 80_000 + 90_000 + 20_000

    # The split: the lead sees every line; a member its own; the buyer none.
    lead_view = selectors.team_split(user=world.users[MEMBER], team=team)
    assert [line.amount for line in lead_view.lines] == [120_000, 60_000, 80_000, 90_000]
    assert lead_view.total == team.price
    heat_view = selectors.team_split(user=owner_of(heat), team=team)
    assert [line.amount for line in heat_view.lines] == [None, 60_000, None, None]
    assert heat_view.total is None
    buyer_view = selectors.team_split(user=owner_of(request.company), team=team)
    assert all(line.amount is None for line in buyer_view.lines)

    awarded = services.request_award(
        actor=owner_of(request.company), request=request, team=team, **award_terms(request)
    )
    job = awarded.job
    assert job.company == lead
    steps = list(job.steps.order_by("position"))
    assert [s.performer for s in steps] == [lead, heat, plating, grinding]
    assert steps[0].in_house
    assert steps[0].status == "planned"
    # Every step is planned up to the date its member promised, the lead's own included.
    promised = request.due_date - dt.timedelta(days=5)
    assert [(s.planned_start, s.planned_end) for s in steps] == [
        (timezone.localdate(), promised),
        *[(promised, promised)] * 3,
    ]
    assert {s.status for s in steps[1:]} == {"requested"}
    member_orders = Order.objects.filter(job=job, buyer=lead).order_by("supplier__name")
    assert {(o.supplier, o.price) for o in member_orders} == {
        (heat, 60_000),
        (plating, 80_000),
        (grinding, 90_000),
    }
    assert all((o.payment_date - o.delivery_date).days == 30 for o in member_orders)
    assert awarded.buyer_order.buyer == request.company
    assert awarded.buyer_order.supplier == lead
    assert awarded.buyer_order.price == team.price
    assert BusinessMatch.objects.count() == 4
    request.refresh_from_db()
    assert request.status == "awarded"
    # Every team company may view the buyer's drawing; the members accept their orders.
    for company in (lead, heat, plating, grinding):
        assert Grant.objects.filter(grantee=company, revoked_at__isnull=True).exists()
    network.order_accept(actor=owner_of(heat), order=member_orders.get(supplier=heat))
    assert job.steps.get(position=2).status == "ordered"
    # The KGI counts it once.
    now = timezone.now()
    window = {"start": now - dt.timedelta(days=1), "end": now + dt.timedelta(days=1)}
    assert selectors.joint_orders(**window).count() == 1


def test_the_losing_team_and_admitted_outsiders_lose_access(world, team_world):
    request, lead, heat, plating, grinding = team_world
    admit(request, lead)
    admit(request, grinding)
    winner = quoted_team(request, lead, {1: lead, 2: heat, 3: plating, 4: lead})
    loser = quoted_team(request, grinding, {1: grinding, 2: grinding, 3: grinding, 4: grinding})
    services.request_award(
        actor=owner_of(request.company), request=request, team=winner, **award_terms(request)
    )
    loser.refresh_from_db()
    assert loser.status == "not_awarded"
    assert not Grant.objects.filter(grantee=grinding, revoked_at__isnull=True).exists()
    assert not selectors.joint_orders(
        start=timezone.now() - dt.timedelta(days=1), end=timezone.now() + dt.timedelta(days=1)
    ).filter(pk=loser.pk)


def test_a_team_of_one_is_not_a_joint_order(world, team_world):
    request, lead, *_ = team_world
    admit(request, lead)
    team = quoted_team(request, lead, {1: lead, 2: lead, 3: lead, 4: lead})
    services.request_award(
        actor=owner_of(request.company), request=request, team=team, **award_terms(request)
    )
    now = timezone.now()
    assert not selectors.joint_orders(
        start=now - dt.timedelta(days=1), end=now + dt.timedelta(days=1)
    ).exists()


def test_the_leads_own_passed_date_leaves_its_steps_for_it_to_plan(world, team_world):
    """A member's passed date refuses the award; the lead's own may pass (it is its
    business), and then its steps are not planned on a date already gone."""
    request, lead, heat, *_ = team_world
    admit(request, lead)
    team = quoted_team(request, lead, {1: lead, 2: heat, 3: lead, 4: lead})
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    team.members.filter(company=lead).update(delivery_date=yesterday)
    job = services.request_award(
        actor=owner_of(request.company), request=request, team=team, **award_terms(request)
    ).job
    steps = list(job.steps.order_by("position"))
    assert [s.planned_end for s in steps] == [
        None,
        request.due_date - dt.timedelta(days=5),
        None,
        None,
    ]


def test_the_lead_must_be_admitted_and_the_quote_complete(world, team_world):
    request, lead, _heat, *_ = team_world
    with pytest.raises(ApplicationError) as not_admitted:
        services.team_form(actor=world.users[MEMBER], company=lead, request=request)
    assert not_admitted.value.code == "not_admitted"
    admit(request, lead)
    team = services.team_form(actor=world.users[MEMBER], company=lead, request=request)
    with pytest.raises(ApplicationError) as incomplete:
        services.team_quote_send(
            actor=world.users[MEMBER],
            team=team,
            lead_time_days=30,
            valid_until=timezone.localdate() + dt.timedelta(days=10),
        )
    assert incomplete.value.code == "team_incomplete"
    assert "担当が決まっていません" in incomplete.value.message
    team.refresh_from_db()
    assert team.status == "forming"
    assert team.price is None


def test_members_answer_only_for_themselves(world, team_world):
    request, lead, heat, plating, _ = team_world
    admit(request, lead)
    team = services.team_form(actor=world.users[MEMBER], company=lead, request=request)
    member = services.team_invite(actor=world.users[MEMBER], team=team, company=heat)
    with pytest.raises(PermissionRefused):
        services.member_answer(actor=owner_of(plating), member=member, join=True)
    with pytest.raises(PermissionRefused):
        services.team_invite(actor=owner_of(heat), team=team, company=plating)
    with pytest.raises(ApplicationError) as again:
        services.team_invite(actor=world.users[MEMBER], team=team, company=heat)
    assert again.value.code == "member_exists"


def test_removing_a_member_before_and_after_award(world, team_world):
    request, lead, heat, plating, grinding = team_world
    admit(request, lead)
    team = quoted_team(request, lead, {1: lead, 2: heat, 3: plating, 4: grinding})
    heat_row = team.members.get(company=heat)
    with pytest.raises(ApplicationError) as quoted:
        services.member_remove(actor=world.users[MEMBER], member=heat_row, reason="都合")
    assert quoted.value.code == "team_not_forming"
    services.request_award(
        actor=owner_of(request.company), request=request, team=team, **award_terms(request)
    )
    job = team.__class__.objects.get(pk=team.pk).job
    # Heat treatment leaves before starting: its order is cancelled, the step re-opens.
    with pytest.raises(ApplicationError):
        services.member_remove(actor=world.users[MEMBER], member=heat_row, reason="  ")
    services.member_remove(actor=world.users[MEMBER], member=heat_row, reason="炉の故障")
    heat_row.refresh_from_db()
    assert heat_row.status == "removed"
    assert heat_row.order.status == "cancelled"
    step = job.steps.get(position=2)
    assert step.status == "planned"
    assert step.performer is None
    assert not Grant.objects.filter(grantee=heat, revoked_at__isnull=True).exists()
    # Plating has started: it cannot be taken off.
    plating_row = team.members.get(company=plating)
    network.order_accept(actor=owner_of(plating), order=plating_row.order)
    network.step_allow_early_start(
        actor=world.users[MEMBER], step=job.steps.get(position=3), reason="先行"
    )
    network.step_start(actor=owner_of(plating), step=job.steps.get(position=3))
    with pytest.raises(ApplicationError) as started:
        services.member_remove(actor=world.users[MEMBER], member=plating_row, reason="x")
    assert started.value.code == "member_started"


def test_a_buyer_cancels_after_award_only_before_work_starts(world, team_world):
    request, lead, heat, plating, grinding = team_world
    admit(request, lead)
    team = quoted_team(request, lead, {1: lead, 2: heat, 3: plating, 4: grinding})
    awarded = services.request_award(
        actor=owner_of(request.company), request=request, team=team, **award_terms(request)
    )
    buyer_user = owner_of(request.company)
    with pytest.raises(ApplicationError):
        network.order_cancel(actor=buyer_user, order=awarded.buyer_order, reason="x")
    services.request_cancel(actor=buyer_user, request=request, reason="設計変更")
    awarded.refresh_from_db()
    assert awarded.status == "cancelled"
    assert awarded.job.status == "cancelled"
    assert set(Order.objects.filter(job=awarded.job).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert not Grant.objects.filter(grantee=heat, revoked_at__isnull=True).exists()
    assert not selectors.joint_orders(
        start=timezone.now() - dt.timedelta(days=1), end=timezone.now() + dt.timedelta(days=1)
    ).exists()


def test_a_buyer_cannot_cancel_once_the_team_has_started(world, team_world):
    request, lead, heat, plating, grinding = team_world
    admit(request, lead)
    team = quoted_team(request, lead, {1: lead, 2: heat, 3: plating, 4: grinding})
    awarded = services.request_award(
        actor=owner_of(request.company), request=request, team=team, **award_terms(request)
    )
    network.step_start(actor=world.users[FLOOR_WORKER], step=awarded.job.steps.get(position=1))
    with pytest.raises(ApplicationError) as started:
        services.request_cancel(actor=owner_of(request.company), request=request, reason="x")
    assert started.value.code == "request_work_started"
    request.refresh_from_db()
    assert request.status == "awarded"


def test_a_shop_posts_its_job_and_asks_the_hands_for_quotes(world):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    steps = list(job.steps.filter(in_house=False).order_by("position"))
    request = services.request_post_job(
        actor=owner, job=job, steps=steps[:1], answer_by=timezone.localdate()
    )
    assert not request.is_joint
    with pytest.raises(ApplicationError):
        services.request_post_job(
            actor=owner, job=job, steps=steps[:1], answer_by=timezone.localdate()
        )
    heat = world.other_company
    item = request.processes.get()
    hand = services.hand_raise(actor=owner_of(heat), company=heat, process=item, comment="可")
    rfq = services.hand_rfq(
        actor=owner, process=item, hands=[hand], deadline=timezone.now() + dt.timedelta(days=2)
    )
    assert list(rfq.recipients.values_list("company", flat=True)) == [heat.pk]
    with pytest.raises(ApplicationError) as not_joint:
        services.team_form(actor=owner_of(heat), company=heat, request=request)
    assert not_joint.value.code == "not_joint"


def test_a_buyer_registers_and_stays_out_of_the_directory(world):
    from machikoba.companies.directory import DirectoryQuery, directory_search
    from machikoba.core.testing.factories import UserFactory

    person = UserFactory()
    buyer = services.buyer_register(
        actor=person, name="川崎精密機器 購買課", prefecture="神奈川県", municipality="川崎市"
    )
    assert buyer.kind == "buyer"
    assert buyer.memberships.get().user == person
    found = directory_search(user=world.users[MEMBER], query=DirectoryQuery())
    assert buyer not in found
    request = make_request(buyer)
    assert request.area == "神奈川県川崎市"
    assert Company.objects.get(pk=buyer.pk).kind == "buyer"


def test_bad_requests_change_nothing(world, buyer):
    today = timezone.localdate()
    with pytest.raises(ApplicationError) as bad:
        make_request(buyer, answer_by=today - dt.timedelta(days=1), processes=[])
    assert set(bad.value.fields) == {"answer_by", "processes"}
    with pytest.raises(ApplicationError) as chosen:
        make_request(buyer, audience="chosen", invited=[])
    assert "invited" in chosen.value.fields
    foreign = make_document(world.company, title="他社の図面")
    with pytest.raises(ApplicationError):
        make_request(buyer, documents=[foreign])
    assert not Request.objects.exists()
    assert not Admission.objects.exists()


@pytest.mark.parametrize(("payment_days", "accepted"), [(60, True), (61, False), (-1, False)])
def test_the_team_pays_its_members_within_60_days(world, team_world, payment_days, accepted):
    """中小受託取引適正化法: the lead pays the members at most 60 days after receipt."""
    request, lead, *_ = team_world
    admit(request, lead)
    team = services.team_form(actor=world.users[MEMBER], company=lead, request=request)
    before = (team.margin, team.payment_days)
    if accepted:
        services.team_terms_set(
            actor=world.users[MEMBER],
            team=team,
            margin=10_000,
            share_split=False,
            payment_days=payment_days,
        )
        team.refresh_from_db()
        assert (team.margin, team.payment_days) == (10_000, payment_days)
        return
    with pytest.raises(ApplicationError) as refused:
        services.team_terms_set(
            actor=world.users[MEMBER],
            team=team,
            margin=10_000,
            share_split=False,
            payment_days=payment_days,
        )
    assert refused.value.code == "team_invalid"
    assert set(refused.value.fields) == {"payment_days"}
    assert "60 日以内" in str(refused.value.fields["payment_days"])
    team.refresh_from_db()
    assert (team.margin, team.payment_days) == before
    assert not AuditEvent.objects.filter(verb="team.terms").exists()


# What a hand says: at least one of price, lead time and comment; a price of 1 yen or more;
# a lead time of 1 to 365 days. A refusal names the field and states the bound.
NEED_SOMETHING = {"comment": ["参考価格・参考納期・コメントのどれかを入力してください。"]}
PRICE_TOO_LOW = {"price": ["参考価格は 1 円以上で入力してください。"]}
LEAD_TIME_OUT = {"lead_time_days": ["参考納期は 1〜365 日で入力してください。"]}


@pytest.mark.parametrize(
    ("terms", "refusal"),
    [
        ({}, NEED_SOMETHING),
        ({"comment": "  "}, NEED_SOMETHING),
        ({"price": 0}, PRICE_TOO_LOW),
        ({"price": 1}, None),
        ({"lead_time_days": 0}, LEAD_TIME_OUT),
        ({"lead_time_days": 1}, None),
        ({"lead_time_days": 365}, None),
        ({"lead_time_days": 366}, LEAD_TIME_OUT),
        ({"price": 0, "lead_time_days": 400}, {**PRICE_TOO_LOW, **LEAD_TIME_OUT}),
        ({"comment": "熱処理できます"}, None),
    ],
)
def test_a_hand_says_something_within_bounds_when_raised_and_changed(
    world, team_world, terms, refusal
):
    request, _, heat, _, _ = team_world
    first, second = request.processes.get(position=1), request.processes.get(position=2)
    hand = services.hand_raise(actor=owner_of(heat), company=heat, process=first, price=100)
    changes = {"price": None, "lead_time_days": None, "comment": "", **terms}
    if refusal is None:
        services.hand_raise(actor=owner_of(heat), company=heat, process=second, **terms)
        services.hand_update(actor=owner_of(heat), hand=hand, **changes)
        hand.refresh_from_db()
        assert (hand.price, hand.lead_time_days) == (changes["price"], changes["lead_time_days"])
        return
    with pytest.raises(ApplicationError) as raised:
        services.hand_raise(actor=owner_of(heat), company=heat, process=second, **terms)
    with pytest.raises(ApplicationError) as updated:
        services.hand_update(actor=owner_of(heat), hand=hand, **changes)
    for refused in (raised, updated):
        assert refused.value.code == "hand_invalid"
        assert {name: [str(m) for m in msgs] for name, msgs in refused.value.fields.items()} == (
            refusal
        )
    assert list(Hand.objects.values_list("price", flat=True)) == [100]
