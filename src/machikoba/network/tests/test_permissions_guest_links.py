"""Permission matrix for the one-time links (回答用リンク). The owner's side is the access
layer as everywhere; the /r/ pages are public by design, authorised by the token alone:
a genuine token works for whoever holds it, a tampered one is "not found" for everyone."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.models import Membership
from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.matrix import (
    ACTORS,
    ANONYMOUS,
    DONE,
    FLOOR_WORKER,
    LOGIN,
    MEMBER,
    REFUSED,
    STAFF,
    UNCHANGED,
    Case,
    assert_case,
    expect,
)
from machikoba.drawings.tests.factories import make_document
from machikoba.network import guest_throttle, services
from machikoba.network.tests.factories import deadline, make_job

pytestmark = pytest.mark.clock_sensitive


def _guest_rfq(w):
    job = make_job(w.users[MEMBER], w.company, documents=[make_document(w.company, title="図")])
    return services.rfq_send(
        actor=w.users[MEMBER],
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[CompanyFactory(name="アカウントのない工場")],
        deadline=deadline(),
    )


def _token(w) -> tuple[str, int]:
    rfq = _guest_rfq(w)
    _link, token = services.guest_link_issue(
        actor=w.users[MEMBER], recipient=rfq.recipients.get(), channel="print"
    )
    return token, rfq.job.documents.get().pk


def _tampered(token: str) -> str:
    return token[:-1] + ("A" if token[-1] != "A" else "B")


def _guest_url(name, *, tamper=False):
    def build(w):
        token, document_pk = _token(w)
        token = _tampered(token) if tamper else token
        args = [token, document_pk, 1] if name == "guest_page_image" else [token]
        return reverse(f"network:{name}", args=args)

    return build


def _owner_url(name):
    def build(w):
        rfq = _guest_rfq(w)
        return reverse(f"network:{name}", args=[rfq.pk, rfq.recipients.get().pk])

    return build


def quote(w):
    # Built when the case runs, not at import: the clock may have moved since.
    return {
        "price": "50000",
        "lead_time_days": "5",
        "valid_until": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
    }


EVERYONE_404 = expect(404)

MATRIX = [
    # The RFQ owner's owners and staff issue links; floor workers see the RFQ but may not.
    Case(
        "network:guest_link_email",
        _owner_url("guest_link_email"),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: DONE, STAFF: DONE, FLOOR_WORKER: 403}),
        method="POST",
        data=lambda w: {"email": "info@example.jp"},
    ),
    Case(
        "network:guest_link_print",
        _owner_url("guest_link_print"),
        expect(404, **{ANONYMOUS: LOGIN, MEMBER: 200, STAFF: 200, FLOOR_WORKER: 403}),
        method="POST",
    ),
    # The token is the credential: each actor gets a fresh, genuine link here.
    Case("network:guest_rfq", _guest_url("guest_rfq"), expect(200), note="valid"),
    Case("network:guest_rfq", _guest_url("guest_rfq", tamper=True), EVERYONE_404, note="tampered"),
    Case(
        "network:guest_page_image",
        _guest_url("guest_page_image"),
        expect(200),
        note="valid",
    ),
    Case(
        "network:guest_page_image",
        _guest_url("guest_page_image", tamper=True),
        EVERYONE_404,
        note="tampered",
    ),
    Case(
        "network:guest_quote",
        _guest_url("guest_quote"),
        expect(DONE),
        method="POST",
        data=quote,
        note="valid",
    ),
    Case(
        "network:guest_quote",
        _guest_url("guest_quote", tamper=True),
        EVERYONE_404,
        method="POST",
        data=quote,
        note="tampered",
    ),
    Case(
        "network:guest_decline",
        _guest_url("guest_decline"),
        expect(DONE),
        method="POST",
        data=lambda w: {"reason": "設備が空いていない"},
        note="valid",
    ),
    Case(
        "network:guest_decline",
        _guest_url("guest_decline", tamper=True),
        EVERYONE_404,
        method="POST",
        data=lambda w: {"reason": "設備が空いていない"},
        note="tampered",
    ),
    # Before an answer, a claim is sent back to the RFQ page.
    Case(
        "network:guest_claim",
        _guest_url("guest_claim"),
        expect(UNCHANGED),
        method="POST",
        data=lambda w: {"name": "工場 太郎", "email": "t@example.jp", "password": "x" * 12},
        note="valid",
        effect=lambda w: Membership.objects.count(),
    ),
    Case(
        "network:guest_nda",
        _guest_url("guest_nda"),
        expect(REFUSED),
        method="POST",
        data=lambda w: {"agree": "yes"},
        note="valid",
    ),
    Case(
        "network:guest_nda",
        _guest_url("guest_nda", tamper=True),
        EVERYONE_404,
        method="POST",
        data=lambda w: {"agree": "yes"},
        note="tampered",
    ),
    Case(
        "network:guest_claim",
        _guest_url("guest_claim", tamper=True),
        EVERYONE_404,
        method="POST",
        data=lambda w: {"name": "工場 太郎", "email": "t@example.jp", "password": "x" * 12},
        note="tampered",
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world, settings, tmp_path, monkeypatch):
    settings.MEDIA_ROOT = tmp_path
    # Each actor tries a tampered link once, all from the test client's one address: the
    # failures per address must not run out before the last actor (the limit itself is
    # tested in test_guest_links), or the later actors get 429 instead of "not found".
    monkeypatch.setattr(guest_throttle, "GUEST_FAILURES_PER_IP", len(ACTORS))
    assert_case(case, world)
