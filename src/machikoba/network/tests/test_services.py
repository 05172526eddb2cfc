"""Jobs, routes, RFQs, quotes, awards, orders and step progress through the services."""

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.clock import yesterday
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY, STAFF
from machikoba.drawings.models import Grant
from machikoba.drawings.tests.factories import make_document
from machikoba.network import services
from machikoba.network.choices import StepStatus
from machikoba.network.models import BusinessMatch, Claim, Job, Order, Quote, Rfq, Step
from machikoba.network.tests.factories import deadline, make_job, order_terms, process

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def shops(world):
    """The owner (world.company) and three partner shops, each with an owner."""
    heat = world.other_company
    plating = MembershipFactory(
        company=CompanyFactory(name="六郷鍍金"), role=CompanyRole.OWNER
    ).company
    grinding = MembershipFactory(
        company=CompanyFactory(name="糀谷研削"), role=CompanyRole.OWNER
    ).company
    return heat, plating, grinding


def owner_of(company):
    return company.memberships.get(role=CompanyRole.OWNER).user


def _steps(job):
    return list(job.steps.order_by("position"))


def _codes(job):
    return [s.process.code for s in _steps(job)]


# --- jobs and routes --------------------------------------------------------------------


def test_a_job_with_its_route(world):
    job = make_job(world.users[MEMBER], world.company)
    assert _codes(job) == [
        "cutting.turning.nc_lathe",
        "heat_treatment.quench_temper",
        "surface.plating.hard_chrome",
        "grinding.cylindrical",
    ]
    first = _steps(job)[0]
    assert first.in_house
    assert first.performer == world.company
    assert AuditEvent.objects.filter(verb="step.add").count() == 4


def test_steps_are_inserted_moved_and_removed_while_planned(world):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    services.step_add(actor=owner, job=job, process=process("heat_treatment.induction"), position=2)
    assert _codes(job)[1] == "heat_treatment.induction"
    services.step_move(actor=owner, step=_steps(job)[1], to_position=4)
    assert _codes(job)[3] == "heat_treatment.induction"
    services.step_remove(actor=owner, step=_steps(job)[3])
    assert len(_steps(job)) == 4
    assert [s.position for s in _steps(job)] == [1, 2, 3, 4]


def test_a_requested_step_cannot_be_moved_or_removed(world, shops):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    heat_step = _steps(job)[1]
    services.rfq_send(
        actor=owner, job=job, steps=[heat_step], recipients=[shops[0]], deadline=deadline()
    )
    with pytest.raises(ApplicationError) as refused:
        services.step_move(actor=owner, step=_steps(job)[3], to_position=1)
    assert refused.value.code == "step_fixed"
    with pytest.raises(ApplicationError):
        services.step_remove(actor=owner, step=_steps(job)[1])
    # Steps after it may still change among themselves.
    services.step_move(actor=owner, step=_steps(job)[3], to_position=3)
    assert _codes(job)[2:] == ["grinding.cylindrical", "surface.plating.hard_chrome"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"quantity": 0}, "quantity"),
        ({"due_date": yesterday()}, "due_date"),
        ({"part_name": ""}, "part_name"),
    ],
)
def test_bad_jobs_are_refused_and_nothing_is_stored(world, fields, field):
    values = {
        "part_name": "シャフト",
        "quantity": 10,
        "due_date": timezone.localdate() + dt.timedelta(days=5),
    }
    values.update(fields)
    with pytest.raises(ApplicationError) as refused:
        services.job_create(actor=world.users[MEMBER], company=world.company, **values)
    assert field in refused.value.fields
    assert Job.objects.count() == 0


def test_only_the_owners_editors_change_a_job(world):
    job = make_job(world.users[MEMBER], world.company)
    for actor in (FLOOR_WORKER, OTHER_COMPANY):
        with pytest.raises(PermissionRefused):
            services.step_add(
                actor=world.users[actor], job=job, process=process("grinding.surface")
            )
    services.step_add(actor=world.users[STAFF], job=job, process=process("grinding.surface"))


def test_a_job_attaches_only_its_owners_drawings(world):
    foreign = make_document(world.other_company)
    with pytest.raises(ApplicationError) as refused:
        make_job(world.users[MEMBER], world.company, documents=[foreign])
    assert refused.value.code == "job_invalid"
    assert refused.value.fields == {"documents": ["自社の図面だけを添付できます。"]}
    assert not Job.objects.exists()


def test_a_repeat_order_copies_part_drawings_and_route_not_progress(world, shops):
    owner = world.users[MEMBER]
    drawing = make_document(world.company)
    job = make_job(owner, world.company, documents=[drawing])
    services.rfq_send(
        actor=owner, job=job, steps=[_steps(job)[1]], recipients=[shops[0]], deadline=deadline()
    )
    copy = services.job_copy(
        actor=owner, job=job, due_date=timezone.localdate() + dt.timedelta(days=60), quantity=80
    )
    assert copy.copied_from == job
    assert copy.quantity == 80
    assert list(copy.documents.all()) == [drawing]
    assert _codes(copy) == _codes(job)
    assert {s.status for s in _steps(copy)} == {"planned"}
    assert [s.performer_id for s in _steps(copy)] == [world.company.pk, None, None, None]


# --- RFQ, quotes, award -----------------------------------------------------------------


def _rfq(world, shops, job=None, *, recipients=None):
    owner = world.users[MEMBER]
    job = job or make_job(owner, world.company, documents=[make_document(world.company)])
    return services.rfq_send(
        actor=owner,
        job=job,
        steps=[_steps(job)[1]],
        recipients=recipients or [shops[0], shops[1]],
        deadline=deadline(),
    )


def _quote(recipient, price=120_000, **fields):
    values = {
        "price": price,
        "lead_time_days": 7,
        "valid_until": timezone.localdate() + dt.timedelta(days=30),
    }
    values.update(fields)
    return services.quote_submit(actor=owner_of(recipient.company), recipient=recipient, **values)


def test_an_rfq_grants_the_drawings_view_only_and_marks_the_steps(world, shops):
    rfq = _rfq(world, shops)
    assert rfq.steps.get().status == "requested"
    grants = Grant.objects.filter(document__in=rfq.job.documents.all())
    assert sorted(g.grantee_id for g in grants) == sorted([shops[0].pk, shops[1].pk])
    assert not any(g.can_download for g in grants)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"steps": []}, "steps"),
        ({"recipients": []}, "recipients"),
        ({"deadline": timezone.now() - dt.timedelta(hours=1)}, "deadline"),
    ],
)
def test_bad_rfqs_are_refused(world, shops, changes, field):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    values = {"steps": [_steps(job)[1]], "recipients": [shops[0]], "deadline": deadline()}
    values.update(changes)
    with pytest.raises(ApplicationError) as refused:
        services.rfq_send(actor=owner, job=job, **values)
    assert field in refused.value.fields
    assert not job.rfqs.exists()
    assert _steps(job)[1].status == "planned"


def test_in_house_steps_and_the_owner_itself_cannot_be_asked(world, shops):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    with pytest.raises(ApplicationError) as refused:
        services.rfq_send(
            actor=owner, job=job, steps=[_steps(job)[0]], recipients=[shops[0]], deadline=deadline()
        )
    assert refused.value.code == "rfq_invalid"
    assert refused.value.fields == {"steps": ["社内で行う工程は見積依頼できません。"]}
    with pytest.raises(ApplicationError) as refused:
        services.rfq_send(
            actor=owner,
            job=job,
            steps=[_steps(job)[1]],
            recipients=[world.company],
            deadline=deadline(),
        )
    assert refused.value.code == "rfq_invalid"
    assert refused.value.fields == {"recipients": ["自社には見積を依頼できません。"]}
    assert not Rfq.objects.exists()
    assert {s.status for s in _steps(job)} == {StepStatus.PLANNED}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"price": -1}, "price"),
        ({"price": 0}, "price"),
        ({"lead_time_days": 0}, "lead_time_days"),
        ({"valid_until": yesterday()}, "valid_until"),
    ],
)
def test_bad_quotes_are_refused_and_change_nothing(world, shops, fields, field):
    recipient = _rfq(world, shops).recipients.get(company=shops[0])
    with pytest.raises(ApplicationError) as refused:
        _quote(recipient, **fields)
    assert field in refused.value.fields
    recipient.refresh_from_db()
    assert recipient.status == "invited"
    assert not Quote.objects.exists()


def test_a_second_quote_from_the_same_shop_is_refused(world, shops):
    recipient = _rfq(world, shops).recipients.get(company=shops[0])
    _quote(recipient)
    with pytest.raises(ApplicationError) as refused:
        _quote(recipient, price=99_000)
    assert refused.value.code == "rfq_already_answered"
    assert Quote.objects.get().price == 120_000


def test_only_the_recipients_editors_answer(world, shops):
    recipient = _rfq(world, shops).recipients.get(company=shops[0])
    with pytest.raises(PermissionRefused):
        services.quote_submit(
            actor=owner_of(shops[1]),
            recipient=recipient,
            price=1,
            lead_time_days=1,
            valid_until=timezone.localdate(),
        )


def test_award_issues_the_order_tells_the_losers_and_revokes_their_drawings(world, shops):
    rfq = _rfq(world, shops)
    winner = rfq.recipients.get(company=shops[0])
    loser = rfq.recipients.get(company=shops[1])
    _quote(winner, price=120_000)
    _quote(loser, price=150_000)
    order = services.rfq_award(
        actor=world.users[MEMBER], rfq=rfq, winner=winner, outcome_note="価格", **order_terms()
    )
    assert order.number.startswith("PO-")
    assert (order.buyer, order.supplier, order.price) == (world.company, shops[0], 120_000)
    assert "焼入れ" in order.work_content
    loser.refresh_from_db()
    assert (loser.status, loser.outcome_note) == ("not_awarded", "価格")
    assert not Grant.objects.filter(grantee=shops[1], revoked_at__isnull=True).exists()
    assert Grant.objects.filter(grantee=shops[0], revoked_at__isnull=True).exists()
    step = rfq.steps.get()
    assert (step.performer, step.status) == (shops[0], "requested")
    services.order_accept(actor=owner_of(shops[0]), order=order)
    step.refresh_from_db()
    assert step.status == "ordered"


@pytest.mark.parametrize(
    ("terms", "field"),
    [
        ({"payment_date_after_delivery": 61}, "payment_date"),
        ({"payment_date_after_delivery": -1}, "payment_date"),
        ({"payment_method": "promissory_note"}, "payment_method"),
        ({"delivery_place": " "}, "delivery_place"),
        ({"delivery_date": yesterday()}, "delivery_date"),
    ],
)
def test_an_order_breaking_the_subcontract_rules_is_refused(world, shops, terms, field):
    rfq = _rfq(world, shops)
    winner = rfq.recipients.get(company=shops[0])
    _quote(winner)
    values = order_terms()
    terms = dict(terms)  # the parameter is shared: a second run in one process must see it whole
    if "payment_date_after_delivery" in terms:
        values["payment_date"] = values["delivery_date"] + dt.timedelta(
            days=terms.pop("payment_date_after_delivery")
        )
    values.update(terms)
    with pytest.raises(ApplicationError) as refused:
        services.rfq_award(actor=world.users[MEMBER], rfq=rfq, winner=winner, **values)
    assert field in refused.value.fields
    assert not Order.objects.exists()
    rfq.refresh_from_db()
    assert rfq.status == "open"


def test_sixty_days_after_delivery_is_still_allowed(world, shops):
    rfq = _rfq(world, shops)
    winner = rfq.recipients.get(company=shops[0])
    _quote(winner)
    terms = order_terms()
    terms["payment_date"] = terms["delivery_date"] + dt.timedelta(days=60)
    assert services.rfq_award(actor=world.users[MEMBER], rfq=rfq, winner=winner, **terms)


def test_an_expired_quote_cannot_be_awarded(world, shops):
    rfq = _rfq(world, shops)
    winner = rfq.recipients.get(company=shops[0])
    quote = _quote(winner)
    Quote.objects.filter(pk=quote.pk).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    with pytest.raises(ApplicationError) as refused:
        services.rfq_award(actor=world.users[MEMBER], rfq=rfq, winner=winner, **order_terms())
    assert refused.value.code == "quote_expired"


def test_a_declined_or_silent_shop_cannot_be_awarded_and_awarding_twice_fails(world, shops):
    rfq = _rfq(world, shops)
    decliner = rfq.recipients.get(company=shops[1])
    services.quote_decline(
        actor=owner_of(shops[1]), recipient=decliner, reason="設備が空いていない"
    )
    with pytest.raises(ApplicationError):
        services.rfq_award(actor=world.users[MEMBER], rfq=rfq, winner=decliner, **order_terms())
    winner = rfq.recipients.get(company=shops[0])
    _quote(winner)
    services.rfq_award(actor=world.users[MEMBER], rfq=rfq, winner=winner, **order_terms())
    with pytest.raises(ApplicationError) as refused:
        services.rfq_award(actor=world.users[MEMBER], rfq=rfq, winner=winner, **order_terms())
    assert refused.value.code == "rfq_already_awarded"
    assert Order.objects.count() == 1


def test_the_first_award_between_two_companies_is_a_business_match_once(world, shops):
    owner = world.users[MEMBER]
    for _ in range(2):
        rfq = _rfq(world, shops, recipients=[shops[0]])
        winner = rfq.recipients.get()
        _quote(winner)
        services.rfq_award(actor=owner, rfq=rfq, winner=winner, **order_terms())
    assert BusinessMatch.objects.count() == 1
    match = BusinessMatch.objects.get()
    assert {match.company_low_id, match.company_high_id} == {world.company.pk, shops[0].pk}


def test_an_award_in_the_other_direction_is_not_a_new_match(world, shops):
    heat = shops[0]
    rfq = _rfq(world, shops, recipients=[heat])
    winner = rfq.recipients.get()
    _quote(winner)
    services.rfq_award(actor=world.users[MEMBER], rfq=rfq, winner=winner, **order_terms())
    # Now the heat treater orders from our company: same pair, no new match.
    their_job = make_job(owner_of(heat), heat, route=(("grinding.surface", False),))
    back = services.rfq_send(
        actor=owner_of(heat),
        job=their_job,
        steps=list(their_job.steps.all()),
        recipients=[world.company],
        deadline=deadline(),
    )
    answer = back.recipients.get()
    services.quote_submit(
        actor=world.users[MEMBER],
        recipient=answer,
        price=10_000,
        lead_time_days=3,
        valid_until=timezone.localdate() + dt.timedelta(days=10),
    )
    services.rfq_award(actor=owner_of(heat), rfq=back, winner=answer, **order_terms())
    assert BusinessMatch.objects.count() == 1


# --- progress ---------------------------------------------------------------------------


def _ordered_job(world, shops):
    """The shaft job with every partner step awarded and accepted."""
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    for step, shop in zip(_steps(job)[1:], shops, strict=True):
        rfq = services.rfq_send(
            actor=owner, job=job, steps=[step], recipients=[shop], deadline=deadline()
        )
        winner = rfq.recipients.get()
        _quote(winner)
        order = services.rfq_award(actor=owner, rfq=rfq, winner=winner, **order_terms())
        services.order_accept(actor=owner_of(shop), order=order)
    return job


def _run(step, actor, receiver, *, good=50, defect=0):
    services.step_start(actor=actor, step=step)
    services.step_finish(actor=actor, step=step)
    services.step_ship(actor=actor, step=step, quantity=50)
    services.step_receive(actor=receiver, step=step, good_quantity=good, defect_quantity=defect)


def test_the_whole_route_moves_step_by_step_and_the_job_closes(world, shops):
    job = _ordered_job(world, shops)
    steps = _steps(job)
    workers = [world.users[FLOOR_WORKER], *[owner_of(s) for s in shops]]
    receivers = [*[owner_of(s) for s in shops], world.users[MEMBER]]
    for step, worker, receiver in zip(steps, workers, receivers, strict=True):
        _run(step, worker, receiver)
    assert {s.status for s in _steps(job)} == {"received"}
    services.job_close(actor=world.users[MEMBER], job=job)
    job.refresh_from_db()
    assert job.status == "closed"
    assert {s.status for s in _steps(job)} == {"closed"}
    assert AuditEvent.objects.filter(verb="step.receive").count() == 4


def test_each_step_move_is_recorded_with_who_what_and_the_states(world, shops):
    job = _ordered_job(world, shops)
    first = _steps(job)[0]
    worker, receiver = world.users[FLOOR_WORKER], owner_of(shops[0])
    _run(first, worker, receiver)
    moves = AuditEvent.objects.filter(
        verb__in=["step.start", "step.finish", "step.ship", "step.receive"]
    )
    assert [
        (e.verb, e.actor, e.company, e.target_repr, e.target_id, e.before, e.after)
        for e in moves.order_by("id")
    ] == [
        (
            verb,
            actor,
            world.company,
            str(first),
            str(first.pk),
            {"status": before},
            {"status": after},
        )
        for verb, actor, before, after in [
            ("step.start", worker, "planned", "in_progress"),
            ("step.finish", worker, "in_progress", "done"),
            ("step.ship", worker, "done", "shipped"),
            ("step.receive", receiver, "shipped", "received"),
        ]
    ]


def test_a_step_cannot_start_before_the_previous_parts_arrived_unless_the_owner_says(world, shops):
    job = _ordered_job(world, shops)
    heat_step = _steps(job)[1]
    with pytest.raises(ApplicationError) as refused:
        services.step_start(actor=owner_of(shops[0]), step=heat_step)
    assert refused.value.code == "previous_not_received"
    with pytest.raises(PermissionRefused):
        services.step_allow_early_start(actor=owner_of(shops[0]), step=heat_step, reason="急ぎ")
    services.step_allow_early_start(
        actor=world.users[MEMBER], step=heat_step, reason="材料支給済み"
    )
    services.step_start(actor=owner_of(shops[0]), step=heat_step)
    heat_step.refresh_from_db()
    assert heat_step.status == "in_progress"
    assert heat_step.start_override_reason == "材料支給済み"


def test_a_transition_that_skips_a_state_is_refused(world, shops):
    job = _ordered_job(world, shops)
    first = _steps(job)[0]
    with pytest.raises(ApplicationError) as refused:
        services.step_ship(actor=world.users[FLOOR_WORKER], step=first, quantity=50)
    assert refused.value.code == "step_wrong_state"
    assert refused.value.message == (
        "この工程は「計画」のため、この操作はできません。画面を更新してください。"
    )
    assert Step.objects.get(pk=first.pk).status == "planned"


# Every step state x every move of the work: only these pairs are allowed.
ALLOWED_MOVES = {
    "in_house": {
        ("start", StepStatus.PLANNED): StepStatus.IN_PROGRESS,
        ("start", StepStatus.ORDERED): StepStatus.IN_PROGRESS,
        ("finish", StepStatus.IN_PROGRESS): StepStatus.DONE,
        ("ship", StepStatus.DONE): StepStatus.SHIPPED,
        ("receive", StepStatus.SHIPPED): StepStatus.RECEIVED,
    },
    # A partner's step starts only once it is ordered.
    "partner": {
        ("start", StepStatus.ORDERED): StepStatus.IN_PROGRESS,
        ("finish", StepStatus.IN_PROGRESS): StepStatus.DONE,
        ("ship", StepStatus.DONE): StepStatus.SHIPPED,
        ("receive", StepStatus.SHIPPED): StepStatus.RECEIVED,
    },
}
STEP_FIELDS = (
    "status",
    "started_at",
    "finished_at",
    "shipped_at",
    "received_at",
    "shipped_quantity",
    "good_quantity",
    "defect_quantity",
)


def _move(action, step, performer, receiver):
    if action == "start":
        return services.step_start(actor=performer, step=step)
    if action == "finish":
        return services.step_finish(actor=performer, step=step)
    if action == "ship":
        return services.step_ship(actor=performer, step=step, quantity=50)
    return services.step_receive(actor=receiver, step=step, good_quantity=50)


@pytest.mark.parametrize("kind", ["in_house", "partner"])
@pytest.mark.parametrize("action", ["start", "finish", "ship", "receive"])
@pytest.mark.parametrize("state", StepStatus.values)
def test_every_step_move_from_every_state(world, shops, kind, action, state):
    """A move from a state that does not allow it is refused with ``step_wrong_state``
    and changes nothing; the allowed ones move the step to the next state."""
    job = _ordered_job(world, shops)
    first, heat = _steps(job)[:2]
    if kind == "in_house":
        step, performer, receiver = first, world.users[FLOOR_WORKER], owner_of(shops[0])
    else:
        # The turned parts have arrived at the heat treater.
        Step.objects.filter(pk=first.pk).update(status=StepStatus.RECEIVED)
        step, performer, receiver = heat, owner_of(shops[0]), owner_of(shops[1])
    Step.objects.filter(pk=step.pk).update(status=state, shipped_quantity=50)
    before = Step.objects.values(*STEP_FIELDS).get(pk=step.pk)
    events = AuditEvent.objects.count()
    step.refresh_from_db()

    allowed = ALLOWED_MOVES[kind].get((action, state))
    if allowed is not None:
        _move(action, step, performer, receiver)
        assert Step.objects.get(pk=step.pk).status == allowed
        assert AuditEvent.objects.count() == events + 1
        return
    with pytest.raises(ApplicationError) as refused:
        _move(action, step, performer, receiver)
    assert refused.value.code == "step_wrong_state"
    assert Step.objects.values(*STEP_FIELDS).get(pk=step.pk) == before
    assert AuditEvent.objects.count() == events
    assert not Claim.objects.exists()


def test_only_the_performer_moves_a_step_and_only_the_next_party_receives(world, shops):
    job = _ordered_job(world, shops)
    first = _steps(job)[0]
    with pytest.raises(PermissionRefused) as refused:
        services.step_start(actor=owner_of(shops[0]), step=first)
    assert (refused.value.code, refused.value.message) == (
        "not_step_performer",
        "この工程を進められるのは、担当企業の人だけです。",
    )
    services.step_start(actor=world.users[FLOOR_WORKER], step=first)
    services.step_finish(actor=world.users[FLOOR_WORKER], step=first)
    services.step_ship(actor=world.users[FLOOR_WORKER], step=first, quantity=50)
    with pytest.raises(PermissionRefused) as refused:
        services.step_receive(actor=owner_of(shops[1]), step=first, good_quantity=50)
    assert (refused.value.code, refused.value.message) == (
        "not_receiver",
        "受け入れを記録できるのは、次の工程の担当企業の人だけです。",
    )
    services.step_receive(actor=owner_of(shops[0]), step=first, good_quantity=50)


def test_a_shortfall_or_defect_on_receipt_opens_a_claim(world, shops):
    job = _ordered_job(world, shops)
    first = _steps(job)[0]
    _run(first, world.users[FLOOR_WORKER], owner_of(shops[0]), good=46, defect=2)
    claim = Claim.objects.get(step=first)
    assert (claim.good_quantity, claim.defect_quantity, claim.shortfall) == (46, 2, 2)
    with pytest.raises(ApplicationError):
        services.step_receive(actor=owner_of(shops[0]), step=first, good_quantity=1)


def test_receiving_more_than_was_shipped_is_refused(world, shops):
    job = _ordered_job(world, shops)
    first = _steps(job)[0]
    services.step_start(actor=world.users[FLOOR_WORKER], step=first)
    services.step_finish(actor=world.users[FLOOR_WORKER], step=first)
    services.step_ship(actor=world.users[FLOOR_WORKER], step=first, quantity=50)
    with pytest.raises(ApplicationError) as refused:
        services.step_receive(
            actor=owner_of(shops[0]), step=first, good_quantity=50, defect_quantity=1
        )
    assert "good_quantity" in refused.value.fields
    assert Step.objects.get(pk=first.pk).status == "shipped"


def test_a_job_with_unfinished_steps_cannot_close(world, shops):
    job = _ordered_job(world, shops)
    with pytest.raises(ApplicationError) as refused:
        services.job_close(actor=world.users[MEMBER], job=job)
    assert refused.value.code == "job_unfinished"


def test_a_claim_is_shown_to_both_sides_and_the_owner_resolves_it(world, shops):
    from django.urls import reverse

    job = _ordered_job(world, shops)
    first = _steps(job)[0]
    _run(first, world.users[FLOOR_WORKER], owner_of(shops[0]), good=47, defect=3)
    claim = Claim.objects.get(step=first)
    page = world.client_for(MEMBER).get(reverse("network:job_detail", args=[job.pk]))
    assert 'data-testid="claims"' in page.content.decode()
    with pytest.raises(PermissionRefused):
        services.claim_resolve(actor=owner_of(shops[0]), claim=claim)
    world.client_for(MEMBER).post(reverse("network:claim_resolve", args=[claim.pk]))
    claim.refresh_from_db()
    assert claim.resolved_at is not None
    with pytest.raises(ApplicationError):
        services.claim_resolve(actor=world.users[MEMBER], claim=claim)
