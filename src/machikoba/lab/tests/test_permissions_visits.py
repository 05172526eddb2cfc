"""Permission matrix of the entry log. The kiosk, the desk and the day view are the lab's
staff's (大田区's lab staff); anyone else signed in sees the lab, so gets a 403 (an
officer, a shop, a vendor, a bank, another ward's officer, the admin); anonymous visitors
are sent to sign in. The personal code, the phone's page for the lab's code and one's own
visits are every signed-in person's (each sees only their own rows: see
test_visits_views)."""

import pytest
from django.urls import reverse

from machikoba.core.testing.factories_lab import make_lab
from machikoba.core.testing.factories_lab_visits import make_visitor
from machikoba.core.testing.matrix import (
    ANONYMOUS,
    DONE,
    LAB_STAFF,
    LOGIN,
    Case,
    assert_case,
    expect,
)
from machikoba.lab.models_visits import EntryEvent, Visitor
from machikoba.lab.services import entry_codes

# The lab's staff only; everyone else who is signed in sees the (active) lab: 403.
STAFF_PAGE = expect(403, **{ANONYMOUS: LOGIN, LAB_STAFF: 200})
STAFF_BUTTON = expect(403, **{ANONYMOUS: LOGIN, LAB_STAFF: DONE})
# Every signed-in person, for themselves.
SIGNED_IN = expect(200, **{ANONYMOUS: LOGIN})


def _lab(w):
    w.lab = make_lab()
    return w.lab


def _at(name, *, query=""):
    return lambda w: reverse(f"lab:{name}", args=[_lab(w).pk]) + query


def _visitor_url(w):
    lab = _lab(w)
    w.visitor = make_visitor(lab)
    return reverse("lab:visits_desk_visitor", args=[lab.pk, w.visitor.pk])


def _enter_url(w):
    lab = _lab(w)
    return reverse("lab:visits_enter", args=[lab.pk]) + f"?c={entry_codes.lab_code(lab)}"


def _entries(w):
    return EntryEvent.objects.values_list("kind", "reason")


MATRIX = [
    Case("lab:visits_my_code", lambda w: reverse("lab:visits_my_code"), SIGNED_IN),
    Case("lab:visits_mine", lambda w: reverse("lab:visits_mine"), SIGNED_IN),
    Case("lab:visits_kiosk", _at("visits_kiosk"), STAFF_PAGE),
    Case("lab:visits_kiosk_code", _at("visits_kiosk_code"), STAFF_PAGE),
    Case(
        "lab:visits_kiosk_scan",
        _at("visits_kiosk_scan"),
        # The answer is the scan panel (200), refusals included: see test_visits_services.
        STAFF_PAGE,
        method="POST",
        data=lambda w: {"code": "not-a-code", "direction": "entered"},
    ),
    Case("lab:visits_enter", _enter_url, SIGNED_IN),
    Case(
        "lab:visits_enter",
        _enter_url,
        # The answer (入館しました, or why not) is a page: every signed-in person checks in.
        SIGNED_IN,
        method="POST",
        data=lambda w: {"c": entry_codes.lab_code(w.lab), "direction": "entered"},
    ),
    Case("lab:visits_desk", _at("visits_desk"), STAFF_PAGE),
    Case(
        "lab:visits_desk_register",
        _at("visits_desk_register"),
        STAFF_BUTTON,
        method="POST",
        data=lambda w: {"name": "見学 一郎", "organisation": "城南大学", "check_in": "on"},
        effect=lambda w: Visitor.objects.count(),
    ),
    Case(
        "lab:visits_desk_visitor",
        _visitor_url,
        STAFF_BUTTON,
        method="POST",
        data=lambda w: {"direction": "entered"},
        effect=_entries,
    ),
    Case(
        "lab:visits_desk_user",
        _at("visits_desk_user"),
        STAFF_BUTTON,
        method="POST",
        data=lambda w: {"email": w.users["member"].email, "direction": "entered"},
        effect=_entries,
    ),
    Case("lab:visits_day", _at("visits_day"), STAFF_PAGE),
    Case("lab:visits_day", _at("visits_day", query="?day=bad"), STAFF_PAGE, note="bad day"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


@pytest.mark.django_db
def test_an_inactive_lab_is_not_found_by_anyone_but_its_ward(world):
    """An inactive lab is visible to its ward's office only: another ward's staff, a shop
    and the admin do not find its pages (404); the officer sees it, is not its staff (403)."""
    from machikoba.core.testing.matrix import (
        ADMIN,
        MEMBER,
        OFFICER,
        OTHER_WARD_OFFICER,
        VENDOR,
    )

    lab = make_lab(active=False)
    outcomes = {
        actor: world.client_for(actor).get(reverse("lab:visits_day", args=[lab.pk])).status_code
        for actor in (MEMBER, VENDOR, OTHER_WARD_OFFICER, ADMIN, OFFICER, LAB_STAFF)
    }
    assert outcomes == {
        MEMBER: 404,
        VENDOR: 404,
        OTHER_WARD_OFFICER: 404,
        ADMIN: 404,
        OFFICER: 403,
        LAB_STAFF: 200,
    }
    enter = reverse("lab:visits_enter", args=[lab.pk])
    assert world.client_for(MEMBER).get(enter).status_code == 404
