"""A company taken off a team is gone from it (issue 15, finding 5): it no longer reads the
team page, the members' internal prices, the lead's margin, the assignments or the team's
thread, nor anything the team changes later. What stays its own: its own member row (its
internal quote and the reason it was taken off) and the request's summary, which it reached
as a shop that took part (no details unless the buyer admitted it)."""

import pytest
from django.urls import reverse

from machikoba.board import selectors, services
from machikoba.board.models import Team, TeamAssignment, TeamMember
from machikoba.board.services import teams
from machikoba.board.tests.factories import admit, make_buyer, make_request, make_shop, owner_of
from machikoba.core.access import VIEW
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.messaging.models import Message, Thread

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def forming(world):
    """A forming team led by world.company; the other company (heat treatment) and a
    plating shop joined and quoted their processes; the lead set a margin."""
    buyer = make_buyer()
    request = make_request(buyer)
    lead, heat, plating = world.company, world.other_company, make_shop("六郷鍍金")
    admit(request, lead)
    lead_user = world.users[MEMBER]
    team = services.team_form(actor=lead_user, company=lead, request=request)
    processes = {p.position: p for p in request.processes.all()}
    rows = {}
    for position, company in ((2, heat), (3, plating)):
        row = services.team_invite(actor=lead_user, team=team, company=company)
        services.member_answer(actor=owner_of(company), member=row, join=True)
        services.team_assign(actor=lead_user, team=team, process=processes[position], member=row)
        row.refresh_from_db()
        services.member_quote(
            actor=owner_of(company),
            member=row,
            price=111_000 * position,
            delivery_date=request.due_date,
        )
        rows[company.pk] = row
    services.team_terms_set(
        actor=lead_user, team=team, margin=77_000, share_split=True, payment_days=30
    )
    thread = services.team_thread_open(actor=lead_user, team=team)
    return team, rows[heat.pk], rows[plating.pk], thread


def _remove_heat(world, team, heat_row):
    services.member_remove(actor=world.users[MEMBER], member=heat_row, reason="炉の故障")


def test_a_removed_member_gets_404_on_the_team_page_and_its_thread(world, client, forming):
    team, heat_row, _plating_row, thread = forming
    client.force_login(world.users[OTHER_COMPANY])
    assert client.get(reverse("board:team_detail", args=[team.pk])).status_code == 200
    _remove_heat(world, team, heat_row)
    # Later changes by the lead stay out of its sight as well.
    services.team_terms_set(
        actor=world.users[MEMBER], team=team, margin=99_000, share_split=True, payment_days=30
    )
    for url in (
        reverse("board:team_detail", args=[team.pk]),
        reverse("board:team_messages", args=[team.pk]),
        reverse("messaging:thread", args=[thread.pk]),
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert b"99,000" not in response.content
        assert b"222,000" not in response.content


def test_a_removed_member_reads_no_team_row_but_its_own_quote(world, forming):
    team, heat_row, plating_row, thread = forming
    heat_user = world.users[OTHER_COMPANY]
    _remove_heat(world, team, heat_row)
    assert not Team.objects.for_user(heat_user, VIEW).filter(pk=team.pk).exists()
    assert not TeamAssignment.objects.for_user(heat_user, VIEW).filter(team=team).exists()
    assert list(TeamMember.objects.for_user(heat_user, VIEW).filter(team=team)) == [heat_row]
    assert not Thread.objects.for_user(heat_user, VIEW).filter(pk=thread.pk).exists()
    assert not Message.objects.for_user(heat_user, VIEW).filter(thread=thread).exists()
    assert not selectors.my_teams(user=heat_user, company=world.other_company).exists()
    # The split as it would be shown: nothing but its own line, no margin, no total.
    split = selectors.team_split(user=heat_user, team=team)
    assert (split.sees_all, split.margin, split.total) == (False, None, None)
    amounts = {line.member.pk: line.amount for line in split.lines}
    assert amounts[plating_row.pk] is None
    # The request's summary stays (it took part); its details were never its own.
    assert selectors.sees_details(heat_user, team.request) is False


def test_a_current_member_still_reads_the_team(world, client, forming):
    team, heat_row, plating_row, _thread = forming
    _remove_heat(world, team, heat_row)
    plating_user = owner_of(plating_row.company)
    client.force_login(plating_user)
    response = client.get(reverse("board:team_detail", args=[team.pk]))
    assert response.status_code == 200
    assert "77,000" in response.content.decode()  # the shared split shows the margin
    assert Team.objects.for_user(plating_user, VIEW).filter(pk=team.pk).exists()
    assert client.get(reverse("board:team_messages", args=[team.pk])).status_code == 302


def test_the_removal_notice_links_to_what_the_company_may_still_open(
    world, client, forming, monkeypatch
):
    team, heat_row, _plating_row, _thread = forming
    sent = []
    monkeypatch.setattr(teams, "notify_company", lambda **notice: sent.append(notice))
    _remove_heat(world, team, heat_row)
    (notice,) = sent
    assert notice["company"] == world.other_company
    client.force_login(world.users[OTHER_COMPANY])
    assert client.get(notice["path"]).status_code == 200
