"""Real concurrent transactions on PostgreSQL: the same hand raised twice at once, two
teams formed by one lead at once, a request awarded twice at once — exactly one wins and
the other gets the clear refusal, never a server error or a duplicate row."""

import pytest
from django.db import connection

from machikoba.board import services
from machikoba.board.models import Hand, Team
from machikoba.board.tests.factories import (
    admit,
    award_terms,
    make_buyer,
    make_request,
    owner_of,
    quoted_team,
)
from machikoba.core.testing.matrix import MEMBER
from machikoba.network.tests.test_concurrency import _one_winner, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (CI runs it)"
    ),
]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def test_the_same_hand_raised_twice_at_once(world):
    request = make_request(make_buyer())
    item = request.processes.get(position=2)
    shop = world.other_company

    def raise_hand():
        return services.hand_raise(actor=owner_of(shop), company=shop, process=item, comment="可")

    _one_winner(race(raise_hand, raise_hand), "hand_exists")
    assert Hand.objects.count() == 1


def test_one_lead_forms_one_team_even_when_clicking_twice(world):
    request = make_request(make_buyer())
    admit(request, world.company)

    def form():
        return services.team_form(actor=world.users[MEMBER], company=world.company, request=request)

    _one_winner(race(form, form), "team_exists")
    assert Team.objects.count() == 1


def test_a_request_is_awarded_once(world):
    request = make_request(make_buyer())
    admit(request, world.company)
    admit(request, world.other_company)
    first = quoted_team(
        request,
        world.company,
        {1: world.company, 2: world.company, 3: world.company, 4: world.company},
    )
    second = quoted_team(
        request,
        world.other_company,
        {
            1: world.other_company,
            2: world.other_company,
            3: world.other_company,
            4: world.other_company,
        },
    )
    buyer = owner_of(request.company)

    def award(team):
        return lambda: services.request_award(
            actor=buyer, request=request, team=team, **award_terms(request)
        )

    _one_winner(race(award(first), award(second)), "request_not_open")
    assert Team.objects.filter(status="awarded").count() == 1
