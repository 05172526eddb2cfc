"""Permission matrix of the operations routes: readiness is for anyone (it reveals
nothing), metrics for no signed-in person as such (only an allowed address or the token,
tested in test_metrics.py), the whole audit trail for platform admins only."""

import pytest
from django.urls import reverse

from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import force_login_with_mfa
from machikoba.core.testing.matrix import (
    ADMIN,
    ANONYMOUS,
    LOGIN,
    MEMBER,
    OFFICER,
    Case,
    assert_case,
    expect,
)


@pytest.fixture(autouse=True)
def _isolated(settings, tmp_path):
    # The readiness probe writes into the media folder; metrics are allowed to no address
    # here (the test client is 127.0.0.1, the default allowed one), so that the matrix
    # shows that signing in, as anybody, opens nothing.
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MACHIKOBA_METRICS_ALLOWED_IPS = ["192.0.2.1"]
    settings.MACHIKOBA_METRICS_TOKEN = ""


def _event(w):
    AuditEvent.objects.create(verb="company.update", company=w.company, actor_label="x@y.test")
    return reverse("ops:audit_events")


MATRIX = [
    Case("ops:readyz", lambda w: reverse("ops:readyz"), expect(200)),
    Case("ops:metrics", lambda w: reverse("ops:metrics"), expect(404)),
    Case(
        "ops:audit_events",
        _event,
        # Owners read their own company's trail at web:audit_log; officers, the metro
        # viewer and everyone else nothing of this page.
        expect(403, **{ANONYMOUS: LOGIN, ADMIN: 200}),
    ),
    Case(
        "ops:audit_events_csv",
        lambda w: reverse("ops:audit_events_csv"),
        expect(403, **{ANONYMOUS: LOGIN, ADMIN: 200}),
    ),
]


@pytest.mark.parametrize("case", MATRIX, ids=lambda c: c.id)
def test_matrix(case, world):
    assert_case(case, world)


def test_a_refused_reader_gets_no_event_and_leaves_no_read_record(client, world):
    AuditEvent.objects.create(verb="company.update", company=world.company, actor_label="x@y.test")
    before = AuditEvent.objects.count()
    for actor in (MEMBER, OFFICER):
        user = world.users[actor]
        if actor == OFFICER:
            force_login_with_mfa(client, user)
        else:
            client.force_login(user)
        for route in ("ops:audit_events", "ops:audit_events_csv"):
            response = client.get(reverse(route))
            assert response.status_code == 403
            assert b"x@y.test" not in response.content
    assert AuditEvent.objects.count() == before
