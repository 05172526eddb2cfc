"""The board's pages cost a fixed number of queries: the request page whatever the number
of hands, admissions and teams; the team page whatever the number of members."""

import pytest
from django.urls import reverse

from machikoba.board import services
from machikoba.board.models import Team
from machikoba.board.selectors.pages import request_page, team_page
from machikoba.board.tests.factories import admit, make_buyer, make_request, make_shop, owner_of
from machikoba.core.testing.matrix import MEMBER

# request_page: teams (+ members), the details check, hands, processes, admissions,
# documents. team_page: my row, the split (in team, assignments, members), hands to invite,
# what stops the quote (assignments, processes), the details check, processes, assignments.
REQUEST_PAGE_QUERIES = 6
TEAM_PAGE_QUERIES = 10
# The whole page adds the session, the user, the user's roles, the active company and
# the header's badges; the team page also builds the invite form's choices.
REQUEST_VIEW_QUERIES = 14
TEAM_VIEW_QUERIES = 18


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _crowded_request(world, shops: int):
    """A buyer's request with ``shops`` admitted shops, each raising a hand on every
    process, and a team led by the world's company with every shop as a member."""
    request = make_request(make_buyer())
    lead = world.company
    admit(request, lead)
    team = services.team_form(actor=world.users[MEMBER], company=lead, request=request)
    processes = list(request.processes.order_by("position"))
    for index in range(shops):
        shop = make_shop(f"協力工場 {index}")
        admit(request, shop)
        for item in processes:
            services.hand_raise(actor=owner_of(shop), company=shop, process=item, comment="可")
        member = services.team_invite(actor=world.users[MEMBER], team=team, company=shop)
        services.member_answer(actor=owner_of(shop), member=member, join=True)
        services.team_assign(
            actor=world.users[MEMBER],
            team=team,
            process=processes[index % len(processes)],
            member=member,
        )
    return request, team


def _team(pk):
    return Team.objects.select_related("request__company", "lead").get(pk=pk)


@pytest.mark.parametrize("shops", [1, 4])
def test_the_request_page_does_not_grow_with_hands(world, django_assert_num_queries, shops):
    request, _team_row = _crowded_request(world, shops)
    poster = owner_of(request.company)
    request_page(poster, request, request.company)  # warm the role cache, as a request does
    with django_assert_num_queries(REQUEST_PAGE_QUERIES):
        page = request_page(poster, request, request.company)
        for row in page.rows:
            for hand_row in row.hands:
                _ = (hand_row.hand.company.name, row.process.process, row.process.step)
        for team in page.teams:
            _ = [m.company.name for m in team.members.all()]
        _ = [a.company.name for a in page.admissions]
    assert len(page.admissions) == shops + 1
    assert sum(len(row.hands) for row in page.rows) == 4 * shops


@pytest.mark.parametrize("shops", [1, 4])
def test_the_team_page_does_not_grow_with_members(world, django_assert_num_queries, shops):
    _request, team = _crowded_request(world, shops)
    lead_user = world.users[MEMBER]
    team_page(lead_user, _team(team.pk), world.company)
    team = _team(team.pk)
    with django_assert_num_queries(TEAM_PAGE_QUERIES):
        page = team_page(lead_user, team, world.company)
        for line in page.split.lines:
            _ = (line.member.company.name, [p.process for p in line.processes])
        _ = [(h.company.name, h.process.process) for h in page.hands]
    assert len(page.split.lines) == shops + 1
    assert page.lead
    assert page.forming


@pytest.mark.parametrize("shops", [1, 4])
def test_the_request_view_does_not_grow_with_hands(world, client, django_assert_num_queries, shops):
    request, _team_row = _crowded_request(world, shops)
    client.force_login(owner_of(request.company))
    url = reverse("board:request_detail", args=[request.pk])
    client.get(url)
    with django_assert_num_queries(REQUEST_VIEW_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-testid="hand"') == 4 * shops


@pytest.mark.parametrize("shops", [1, 4])
def test_the_team_view_does_not_grow_with_members(world, client, django_assert_num_queries, shops):
    _request, team = _crowded_request(world, shops)
    client.force_login(world.users[MEMBER])
    url = reverse("board:team_detail", args=[team.pk])
    client.get(url)
    with django_assert_num_queries(TEAM_VIEW_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("協力工場") >= shops
