"""A shop's first steps on its home: the profile checklist while it is incomplete, the open
board requests that fit its processes (only those it may see), and the help pages."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from machikoba.board.models import Request
from machikoba.board.tests.factories import make_buyer, make_request
from machikoba.companies.models import Capability, Company, Material
from machikoba.companies.services import capability_save, company_update
from machikoba.companies.tests.test_checklist import _complete
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY, STAFF
from machikoba.network.tests.factories import process
from machikoba.web.selectors import board_matches, first_steps

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _home(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    return response.content.decode()


def _can(company, code, *, materials=()):
    return capability_save(
        actor=None,
        company=company,
        capability=Capability(process=process(code)),
        materials=list(Material.objects.filter(code__in=materials)),
    )


def test_an_incomplete_profile_shows_the_first_steps(client, world):
    body = _home(client, world.users[MEMBER])
    assert 'data-testid="first-steps"' in body
    assert 'data-testid="profile-percent">0 %' in body
    assert reverse("companies:part_add", args=[world.company.pk, "capabilities"]) in body
    assert reverse("companies:edit", args=[world.company.pk]) + "#id_pr_text" in body
    assert f"{reverse('companies:detail', args=[world.company.pk])}?preview=partner" in body
    assert reverse("web:help_rfq") in body
    assert reverse("web:help_traveler") in body
    # No process yet: the board card says what would bring requests here.
    assert 'data-testid="board-matches-empty"' in body

    company_update(actor=None, company=world.company, pr_text="試作の旋削が得意です。")
    body = _home(client, world.users[STAFF])
    assert 'data-testid="first-steps"' in body
    assert 'data-testid="profile-percent">17 %' in body


def test_a_complete_profile_hides_the_checklist_and_keeps_the_meter(client, world):
    _complete(world.company)
    body = _home(client, world.users[MEMBER])
    assert 'data-testid="first-steps"' not in body
    assert 'data-testid="home-meter"' in body
    assert 'data-testid="board-matches"' in body


def test_floor_workers_and_buyers_get_no_first_steps(client, world):
    assert 'data-testid="first-steps"' not in _home(client, world.users[FLOOR_WORKER])
    assert 'data-testid="board-matches"' not in _home(client, world.users[FLOOR_WORKER])
    buyer = make_buyer()
    owner = buyer.memberships.get().user
    body = _home(client, owner)
    assert 'data-testid="first-steps"' not in body
    assert 'data-testid="board-matches"' not in body


def test_board_matches_fit_the_shops_processes_in_or_below_them(world):
    shop = world.company
    user = world.users[MEMBER]
    buyer = make_buyer()
    _can(shop, "cutting.turning", materials=["S45C"])
    below = make_request(
        buyer, part_name="段付きピン", processes=[(process("cutting.turning.nc_lathe"), "")]
    )
    same = make_request(buyer, part_name="軸", processes=[(process("cutting.turning"), "")])
    # One fitting process among others is enough.
    route = make_request(
        buyer,
        part_name="ブッシュ",
        processes=[(process("heat_treatment.quench_temper"), ""), (process("cutting.turning"), "")],
    )
    make_request(
        buyer, part_name="めっき品", processes=[(process("surface.plating.hard_chrome"), "")]
    )
    # Above the shop's process (all cutting): not "in or below" 旋削.
    make_request(buyer, part_name="削り出し", processes=[(process("cutting"), "")])

    steps = first_steps(user=user, membership=shop.memberships.get(user=user))
    assert steps is not None
    assert steps.has_processes
    assert {r.part_name for r in steps.board_matches} == {
        below.part_name,
        same.part_name,
        route.part_name,
    }
    # Soonest answer date first, at most five.
    assert len(board_matches(user=user, company=shop, process_codes=["cutting"], limit=5)) == 4


def test_board_matches_never_show_a_request_the_shop_may_not_see(world):
    shop, other = world.company, world.other_company
    user = world.users[MEMBER]
    _can(shop, "cutting.turning")
    buyer = make_buyer()
    # Sent to another shop only; the shop's own request; one no longer open.
    make_request(buyer, part_name="指名の軸", audience="chosen", invited=[other])
    own = make_request(shop, part_name="自社の軸", processes=[(process("cutting.turning"), "")])
    cancelled = make_request(
        buyer, part_name="取り下げ", processes=[(process("cutting.turning"), "")]
    )
    Request.objects.filter(pk=cancelled.pk).update(status="cancelled")
    assert own.company == shop
    assert board_matches(user=user, company=shop, process_codes=["cutting.turning"]) == []
    # The same request sent to this shop is listed.
    invited = make_request(
        buyer, part_name="指名の軸 (自社あて)", audience="chosen", invited=[shop]
    )
    assert board_matches(user=user, company=shop, process_codes=["cutting.turning"]) == [invited]
    # A shop's member sees nothing of a request when it has no processes at all.
    assert board_matches(user=user, company=shop, process_codes=[]) == []


def test_the_home_lists_the_matches_with_links(client, world):
    _can(world.company, "cutting.turning")
    request = make_request(make_buyer(), processes=[(process("cutting.turning.nc_lathe"), "")])
    body = _home(client, world.users[MEMBER])
    assert 'data-testid="board-match"' in body
    assert reverse("board:request_detail", args=[request.pk]) in body
    # The other company (no processes) sees no match.
    assert 'data-testid="board-match"' not in _home(client, world.users[OTHER_COMPANY])


def test_a_deactivated_shop_gets_no_first_steps(world):
    Company.objects.filter(pk=world.company.pk).update(is_active=False)
    world.company.refresh_from_db()
    user = world.users[MEMBER]
    assert first_steps(user=user, membership=world.company.memberships.get(user=user)) is None


@pytest.mark.parametrize("name", ["web:help_traveler", "web:help_rfq"])
def test_the_help_pages_have_their_steps_and_inline_pictures(client, world, name):
    client.force_login(world.users[MEMBER])
    body = client.get(reverse(name)).content.decode()
    article = body.split("<article", 1)[1].split("</article>", 1)[0]
    steps = article.count('data-testid="help-step"')
    assert (steps, article.count("<svg")) == ((5, 5) if name == "web:help_traveler" else (4, 4))
    assert "style=" not in article
    assert "<script" not in article


def test_the_first_steps_cost_the_same_few_queries_however_many_matches(world):
    user = world.users[MEMBER]
    membership = world.company.memberships.get(user=user)
    buyer = make_buyer()
    _can(world.company, "cutting.turning", materials=["S45C"])
    _can(world.company, "grinding")
    make_request(buyer)

    def queries():
        with CaptureQueriesContext(connection) as captured:
            steps = first_steps(user=user, membership=membership)
        return len(captured), len(steps.board_matches)

    queries()  # the user's memberships, read once and kept on the user
    few = queries()
    for _ in range(6):
        make_request(buyer)
    many = queries()
    # processes, checklist, the requests (and the board scope's lookup of the user's shops),
    # their processes: the same five however many there are
    assert (few, many) == ((5, 1), (5, 5))
