"""The to-do list (``web.todo``): each kind of pending work counted and linked for the
company that must do it, never for another; a fixed number of queries however much work;
the homes open with it and やること lists the board's and the team's work."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.board import services as board
from machikoba.board.tests.factories import make_buyer, make_request, make_shop, owner_of
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OFFICER, OTHER_COMPANY
from machikoba.messaging.tests.factories import make_thread, post
from machikoba.network import services
from machikoba.network.models import Step
from machikoba.network.tests.factories import deadline, make_job, order_terms
from machikoba.web.todo import todo, work_sections


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _kinds(user, company):
    return {item.kind: item for item in todo(user=user, company=company)}


def _rfq(w, job=None):
    job = job or make_job(w.users[MEMBER], w.company)
    return services.rfq_send(
        actor=w.users[MEMBER],
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[w.other_company],
        deadline=deadline(),
    )


def _quote(w, rfq):
    recipient = rfq.recipients.get()
    services.quote_submit(
        actor=w.users[OTHER_COMPANY],
        recipient=recipient,
        price=80_000,
        lead_time_days=5,
        valid_until=timezone.localdate() + dt.timedelta(days=20),
    )
    return recipient


def test_nothing_to_do_says_so_on_the_home(world):
    client = world.client_for(MEMBER)
    response = client.get(reverse("web:home"))
    assert todo(user=world.users[MEMBER], company=world.company) == []
    assert "今日やることはありません" in response.content.decode()


def test_steps_to_start_and_late_steps(world):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    kinds = _kinds(owner, world.company)
    # The in-house turning waits to be started, on the job's page.
    assert kinds["start"].count == 1
    assert kinds["start"].url == reverse("network:job_detail", args=[job.pk])
    assert "late" not in kinds
    Step.objects.filter(job=job, position=1).update(
        planned_end=timezone.localdate() - dt.timedelta(days=1)
    )
    late = _kinds(owner, world.company)["late"]
    assert (late.count, late.urgent) == (1, True)
    # The floor sees its steps too; the other company sees none of them.
    assert _kinds(world.users[FLOOR_WORKER], world.company)["start"].count == 1
    assert _kinds(world.users[OTHER_COMPANY], world.other_company) == {}


def test_rfq_to_answer_quote_to_decide_and_order_to_accept(world):
    rfq = _rfq(world)
    partner, owner = world.users[OTHER_COMPANY], world.users[MEMBER]
    answer = _kinds(partner, world.other_company)["answer"]
    assert (answer.count, answer.url) == (1, reverse("network:rfq_detail", args=[rfq.pk]))
    assert "answer" not in _kinds(owner, world.company)

    recipient = _quote(world, rfq)
    assert "answer" not in _kinds(partner, world.other_company)
    decide = _kinds(owner, world.company)["decide"]
    assert (decide.count, decide.url) == (1, reverse("network:rfq_detail", args=[rfq.pk]))
    # A floor worker decides no quotes.
    assert "decide" not in _kinds(world.users[FLOOR_WORKER], world.company)

    order = services.rfq_award(actor=owner, rfq=rfq, winner=recipient, **order_terms())
    accept = _kinds(partner, world.other_company)["accept"]
    assert (accept.count, accept.url) == (1, reverse("network:order_detail", args=[order.pk]))
    assert "accept" not in _kinds(owner, world.company)


def test_two_rfqs_link_to_their_list_on_my_work(world):
    _rfq(world)
    _rfq(world)
    answer = _kinds(world.users[OTHER_COMPANY], world.other_company)["answer"]
    assert answer.count == 2
    assert answer.url == reverse("network:my_work") + "#answer-heading"


def test_parts_to_receive(world):
    owner = world.users[MEMBER]
    job = make_job(owner, world.company)
    rfq = _rfq(world, job)
    services.rfq_award(actor=owner, rfq=rfq, winner=_quote(world, rfq), **order_terms())
    turning = job.steps.get(position=1)
    services.step_start(actor=owner, step=turning)
    services.step_finish(actor=owner, step=turning)
    services.step_ship(actor=owner, step=turning, quantity=50)
    receive = _kinds(world.users[OTHER_COMPANY], world.other_company)["receive"]
    assert receive.count == 1
    assert receive.url == reverse("network:step_progress", args=[turning.pk, "receive"])
    assert "receive" not in _kinds(owner, world.company)


def test_board_admissions_invitations_team_quotes_and_decisions(world):
    buyer = make_buyer()
    lead, member = make_shop("幹事工業"), make_shop("めっき工業")
    request = make_request(buyer)
    admission = board.admission_request(
        actor=owner_of(lead), company=lead, request=request, nda_accepted=True
    )
    admissions = _kinds(owner_of(buyer), buyer)["admissions"]
    assert admissions.count == 1
    assert admissions.url == reverse("board:request_detail", args=[request.pk])
    assert _kinds(owner_of(lead), lead) == {}

    board.admission_decide(actor=owner_of(buyer), admission=admission, admit=True)
    assert "admissions" not in _kinds(owner_of(buyer), buyer)
    team = board.team_form(actor=owner_of(lead), company=lead, request=request)
    row = board.team_invite(actor=owner_of(lead), team=team, company=member)
    invitation = _kinds(owner_of(member), member)["team_invitations"]
    assert invitation.url == reverse("board:team_detail", args=[team.pk])
    assert invitation.count == 1
    # The lead's own share is a quote it still owes the team.
    assert _kinds(owner_of(lead), lead)["team_quotes"].count == 1

    board.member_answer(actor=owner_of(member), member=row, join=True)
    kinds = _kinds(owner_of(member), member)
    assert "team_invitations" not in kinds
    assert kinds["team_quotes"].url == reverse("board:team_detail", args=[team.pk])
    # Nobody else is asked: the world's companies see nothing of it.
    assert _kinds(world.users[MEMBER], world.company) == {}
    assert _kinds(world.users[OTHER_COMPANY], world.other_company) == {}


def test_a_quoted_team_waits_for_the_buyers_decision(world):
    from machikoba.board.tests.factories import admit, quoted_team

    buyer = make_buyer()
    lead = make_shop("幹事工業")
    request = make_request(buyer)
    admit(request, lead)
    quoted_team(request, lead, dict.fromkeys(range(1, 5), lead))
    decide = _kinds(owner_of(buyer), buyer)["board_decide"]
    assert (decide.count, decide.url) == (
        1,
        reverse("board:request_detail", args=[request.pk]),
    )
    assert "board_decide" not in _kinds(owner_of(lead), lead)
    # やること lists it with the board's other work.
    client = world.client_for(MEMBER)
    client.force_login(owner_of(buyer))
    body = client.get(reverse("network:my_work")).content.decode()
    assert 'data-testid="extra-board_decide"' in body


def test_unread_messages(world):
    thread = make_thread(world.company, world.other_company)
    post(world.users[OTHER_COMPANY], world.other_company, thread)
    messages = _kinds(world.users[MEMBER], world.company)["messages"]
    assert (messages.count, messages.url) == (1, reverse("messaging:inbox"))
    # What one's own company wrote is not news.
    assert "messages" not in _kinds(world.users[OTHER_COMPANY], world.other_company)
    sections = work_sections(user=world.users[MEMBER], company=world.company)
    assert [s["id"] for s in sections] == ["messages"]


def test_the_officer_home_has_the_to_do_list(world):
    client = world.client_for(OFFICER)
    body = client.get(reverse("web:officer_home")).content.decode()
    assert 'data-testid="todo"' in body
    assert todo(user=world.users[OFFICER], company=None) == []


def test_the_home_shows_the_counted_links(world):
    rfq = _rfq(world)
    body = world.client_for(OTHER_COMPANY).get(reverse("web:home")).content.decode()
    assert 'data-testid="todo-answer"' in body
    assert reverse("network:rfq_detail", args=[rfq.pk]) in body
    assert "1 件" in body


def _lots_of_work(w, n):
    buyer = make_buyer(f"発注 {n}")
    for _ in range(n):
        rfq = _rfq(w)
        _quote(w, rfq)
        _rfq(w)
        request = make_request(buyer)
        board.admission_request(
            actor=w.users[MEMBER], company=w.company, request=request, nda_accepted=True
        )
        thread = make_thread(w.company, w.other_company)
        post(w.users[OTHER_COMPANY], w.other_company, thread)
        post(w.users[MEMBER], w.company, thread)


@pytest.mark.parametrize("actor", [MEMBER, OTHER_COMPANY])
def test_the_to_do_list_costs_the_same_queries_however_much_work(
    world, actor, django_assert_num_queries
):
    company = world.company if actor == MEMBER else world.other_company
    user = world.users[actor]
    _lots_of_work(world, 1)
    todo(user=user, company=company)  # warm the role caches
    # network: steps, late steps, parts, RFQs, quotes, orders; board: decisions,
    # admissions, team rows; unread messages (the role check is cached per request)
    with django_assert_num_queries(QUERIES):
        small = todo(user=user, company=company)
    _lots_of_work(world, 3)
    with django_assert_num_queries(QUERIES):
        big = todo(user=user, company=company)
    assert sum(i.count for i in big) > sum(i.count for i in small)


QUERIES = 10


def test_the_audit_log_has_its_own_page(world):
    make_job(world.users[MEMBER], world.company)
    client = world.client_for(MEMBER)
    home = client.get(reverse("web:home")).content.decode()
    assert "最近の操作記録" not in home
    assert reverse("web:audit_log") in home
    response = client.get(reverse("web:audit_log"))
    events = response.context["events"]
    assert events
    assert {e.company_id for e in events} == {world.company.pk}
    # Staff and the floor get no link (and a 403 from the page: the permission matrix).
    staff_home = world.client_for(FLOOR_WORKER).get(reverse("web:home")).content.decode()
    assert reverse("web:audit_log") not in staff_home
