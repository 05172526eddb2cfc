"""The lab's public catalogue through the API, as its pages: a visitor with neither a
token nor a session reads the labs, a lab, its items, an item and its photo, and sees what
a visitor's page shows (no withdrawn item, no lab that does not run, nothing they may do);
a token or a session still counts, so the lab's staff read their withdrawn items through
the same operations, and a dead token is a 401, one without the lab area a 403."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from machikoba.accounts.choices import WardRole
from machikoba.apitokens.services import token_create, token_revoke
from machikoba.core.testing.factories import OTA, SUMIDA, WardRoleFactory, ward
from machikoba.core.testing.factories_lab import make_item, make_item_photo, make_lab
from machikoba.core.testing.matrix import LAB_STAFF
from machikoba.lab.choices import ItemKind
from machikoba.lab.tests import test_permissions_catalogue as catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def shelf(world):
    """大田区's lab with a public exhibit (and its photo), a withdrawn one, and a lab that
    does not run yet."""
    lab = catalogue._lab(world)
    public = catalogue._exhibit(world)
    withdrawn = catalogue._exhibit(world, active=False)
    idle = make_lab(name="準備中のラボ", active=False)
    make_item(idle, name="準備中の機器")
    return {"lab": lab, "public": public, "withdrawn": withdrawn, "idle": idle}


def _bearer(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_visitor_reads_the_catalogue_as_its_pages_show_it(shelf):
    visitor = Client()
    labs = visitor.get(reverse("api:lab_labs"))
    assert labs.status_code == 200
    names = [row["name"] for row in labs.json()["results"]]
    assert shelf["lab"].name in names
    assert "準備中のラボ" not in names  # a lab that does not run
    page = visitor.get(reverse("lab:catalogue")).content.decode()
    assert all(name in page for name in names)
    row = next(r for r in labs.json()["results"] if r["id"] == shelf["lab"].pk)
    assert row["manages"] is False
    assert row["item_count"] == 1  # the public exhibit only

    lab = visitor.get(reverse("api:lab_lab", args=[shelf["lab"].pk]))
    assert lab.status_code == 200
    assert lab.json()["address"] == shelf["lab"].address
    assert len(lab.json()["week"]) == 7

    items = visitor.get(reverse("api:lab_items", args=[shelf["lab"].pk])).json()["results"]
    assert [i["name"] for i in items] == ["展示中のソフト"]  # the withdrawn one is absent
    lab_page = visitor.get(reverse("lab:lab_detail", args=[shelf["lab"].pk])).content.decode()
    assert "展示中のソフト" in lab_page
    assert "非公開のソフト" not in lab_page
    make_item(shelf["lab"], name="協働ロボット")
    items_url = reverse("api:lab_items", args=[shelf["lab"].pk])
    kinds = {ItemKind.SOFTWARE: ["展示中のソフト"], ItemKind.COBOT: ["協働ロボット"]}
    for kind, names in kinds.items():
        filtered = visitor.get(items_url, {"kind": kind})
        assert [i["name"] for i in filtered.json()["results"]] == names, kind
    # A kind the lab has none of shows them all, as the page does.
    assert visitor.get(items_url, {"kind": ItemKind.PRINTER_3D}).json()["count"] == 2

    item = visitor.get(reverse("api:lab_item", args=[shelf["public"].pk]))
    assert item.status_code == 200
    body = item.json()
    assert (body["name"], body["active"]) == ("展示中のソフト", True)
    assert body["exhibitor_name"] == shelf["public"].exhibitor.name
    assert body["actions"] == {
        "may_book": False,
        "may_edit": False,
        "manages": False,
        "may_consult": False,
        "may_request_trial": False,
    }
    photo_url = body["photos"][0]["url"]
    photo = visitor.get(photo_url)
    assert photo.status_code == 200
    assert photo["Content-Type"] == "image/jpeg"
    page_photo = visitor.get(
        reverse("lab:item_photo", args=[shelf["public"].photos.get().pk])
    ).content
    assert photo.content == page_photo
    assert photo.content.startswith(b"\xff\xd8")


def test_a_visitor_never_reaches_a_withdrawn_item_or_a_lab_that_does_not_run(shelf):
    visitor = Client()
    withdrawn = visitor.get(reverse("api:lab_item", args=[shelf["withdrawn"].pk]))
    assert withdrawn.status_code == 404
    assert withdrawn.json()["code"] == "not_found"
    assert "非公開のソフト" not in withdrawn.content.decode()
    photo = shelf["withdrawn"].photos.get()
    assert visitor.get(reverse("api:lab_item_photo", args=[photo.pk])).status_code == 404
    assert visitor.get(reverse("api:lab_lab", args=[shelf["idle"].pk])).status_code == 404
    assert visitor.get(reverse("api:lab_items", args=[shelf["idle"].pk])).status_code == 404
    # What only staff may do stays theirs: the visitor is not signed in.
    change = visitor.patch(
        reverse("api:lab_item_update", args=[shelf["public"].pk]),
        {"summary": "書き換え"},
        content_type="application/json",
    )
    assert change.status_code == 401
    shelf["public"].refresh_from_db()
    assert shelf["public"].summary != "書き換え"


def test_a_token_or_a_session_still_counts_on_the_public_reads(world, shelf):
    grant = WardRoleFactory(role=WardRole.LAB_STAFF, municipality=ward(OTA))
    token, secret = token_create(
        actor=grant.user, name="ラボ", scopes=["lab:read"], lifetime_days=1, ward_role=grant
    )
    staff = _bearer(secret)
    item = staff.get(reverse("api:lab_item", args=[shelf["withdrawn"].pk]))
    assert item.status_code == 200
    assert item.json()["active"] is False
    assert item.json()["actions"]["manages"] is True
    labs = staff.get(reverse("api:lab_labs")).json()["results"]
    assert "準備中のラボ" in [row["name"] for row in labs]
    session = world.client_for(LAB_STAFF).get(reverse("api:lab_item", args=[shelf["withdrawn"].pk]))
    assert session.status_code == 200
    # A token without the lab area: refused, not read as a visitor.
    _, narrow = token_create(
        actor=grant.user, name="別", scopes=["kpi:read"], lifetime_days=1, ward_role=grant
    )
    refused = _bearer(narrow).get(reverse("api:lab_labs"))
    assert refused.status_code == 403
    assert refused.json()["code"] == "token_scope"
    # A dead token is a 401 even where a visitor is welcome.
    token_revoke(actor=grant.user, token_id=token.pk)
    dead = staff.get(reverse("api:lab_item", args=[shelf["public"].pk]))
    assert dead.status_code == 401
    assert dead.json()["code"] == "unauthenticated"


def test_the_schema_says_the_catalogue_needs_no_sign_in():
    from machikoba.config.api import api

    paths = json.loads(json.dumps(api.get_openapi_schema()))["paths"]
    for path in (
        "/api/lab/labs",
        "/api/lab/labs/{lab_id}",
        "/api/lab/labs/{lab_id}/items",
        "/api/lab/items/{item_id}",
        "/api/lab/photos/{photo_id}",
    ):
        security = paths[path]["get"]["security"]
        assert {} in security, path
        assert {"ApiTokenAuth": []} in security, path
    assert {} not in paths["/api/lab/items/{item_id}"]["patch"]["security"]
    photo = paths["/api/lab/photos/{photo_id}"]["get"]["responses"]["200"]["content"]
    assert list(photo) == ["image/jpeg"]


def test_an_item_of_a_lab_of_another_ward_is_public_too(world):
    lab = make_lab(SUMIDA, name="墨田区 DXラボ")
    item = make_item(lab, name="墨田の協働ロボット")
    make_item_photo(item)
    body = Client().get(reverse("api:lab_item", args=[item.pk])).json()
    assert body["lab_name"] == "墨田区 DXラボ"
    assert len(body["photos"]) == 1
