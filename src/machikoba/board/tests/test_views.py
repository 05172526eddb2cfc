"""The board's pages with bad input, and their query counts."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.board.models import Hand, Request
from machikoba.board.tests.factories import make_buyer, make_request, owner_of
from machikoba.core.testing.matrix import MEMBER, OTHER_COMPANY
from machikoba.network.tests.factories import process

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_a_request_without_processes_or_with_dates_reversed_is_refused(world, client):
    buyer = make_buyer()
    client.force_login(owner_of(buyer))
    today = timezone.localdate()
    response = client.post(
        reverse("board:request_create"),
        {
            "part_name": "ロッド",
            "quantity": "40",
            "due_date": (today + dt.timedelta(days=3)).isoformat(),
            "answer_by": (today + dt.timedelta(days=10)).isoformat(),
            "audience": "board",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "必要な工程を 1 つ以上選んでください。" in page
    assert "納期は回答期限より後の日付にしてください。" in page
    assert not Request.objects.exists()


def test_a_request_with_its_route_is_posted(world, client):
    buyer = make_buyer()
    client.force_login(owner_of(buyer))
    today = timezone.localdate()
    response = client.post(
        reverse("board:request_create"),
        {
            "part_name": "ロッド",
            "quantity": "40",
            "due_date": (today + dt.timedelta(days=30)).isoformat(),
            "answer_by": (today + dt.timedelta(days=10)).isoformat(),
            "audience": "board",
            "process_1": process("cutting.turning.nc_lathe").pk,
            "spec_1": "φ40 h6",
            "process_3": process("grinding.cylindrical").pk,
        },
    )
    request = Request.objects.get()
    assert response.status_code == 302
    assert [(p.position, p.process.code, p.spec) for p in request.processes.all()] == [
        (1, "cutting.turning.nc_lathe", "φ40 h6"),
        (2, "grinding.cylindrical", ""),
    ]


def test_a_hand_without_anything_said_is_refused_and_a_second_hand_edits(world, client):
    request = make_request(make_buyer())
    item = request.processes.get(position=2)
    client.force_login(world.users[OTHER_COMPANY])
    url = reverse("board:hand_edit", args=[item.pk])
    response = client.post(url, {"price": "", "lead_time_days": "", "comment": ""})
    assert "参考価格・参考納期・コメントのどれかを入力してください。" in response.content.decode()
    assert not Hand.objects.exists()
    assert client.post(url, {"price": "0", "comment": "x"}).status_code == 200
    assert not Hand.objects.exists()
    client.post(url, {"comment": "対応できます"})
    client.post(url, {"comment": "5 日で対応できます", "lead_time_days": "5"})
    hand = Hand.objects.get()
    assert hand.comment == "5 日で対応できます"
    assert hand.lead_time_days == 5


def test_the_board_page_reads_in_few_queries(world, client, django_assert_max_num_queries):
    buyer = make_buyer()
    for index in range(12):
        make_request(buyer, part_name=f"部品 {index}")
    make_request(world.company, part_name="自社の引き合い")
    client.force_login(world.users[MEMBER])
    url = reverse("board:board") + "?all=1"
    with django_assert_max_num_queries(16):
        response = client.get(url)
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="board-requests"') == 1
    assert "部品 11" in page
    assert "自社の引き合い" in page


def test_assigning_a_member_of_another_team_is_refused_and_changes_nothing(world, client):
    from machikoba.board import services
    from machikoba.board.models import TeamAssignment
    from machikoba.board.tests.factories import admit

    request = make_request(make_buyer())
    admit(request, world.company)
    admit(request, world.other_company)
    team = services.team_form(actor=world.users[MEMBER], company=world.company, request=request)
    other = services.team_form(
        actor=world.users[OTHER_COMPANY], company=world.other_company, request=request
    )
    item = request.processes.get(position=1)
    lead_row = team.members.get()
    services.team_assign(actor=world.users[MEMBER], team=team, process=item, member=lead_row)
    client.force_login(world.users[MEMBER])
    response = client.post(
        reverse("board:team_assign", args=[team.pk]),
        {f"process_{item.pk}": other.members.get().pk},
        follow=True,
    )
    assert "チームのメンバーを選んでください。" in response.content.decode()
    assert TeamAssignment.objects.get(team=team, process=item).member == lead_row


@pytest.mark.parametrize("material", ["99999999999999999999", "²", "x"])
def test_a_material_filter_that_is_no_id_is_ignored_not_a_500(world, client, material):
    client.force_login(world.users[MEMBER])
    response = client.get(reverse("board:board"), {"all": "1", "material": material})
    assert response.status_code == 200
