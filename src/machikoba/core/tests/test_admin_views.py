"""Platform admins' views of company and personal data are themselves recorded
(issue 15, finding 4): opening the admin's list or change page of such a model writes an
``admin.view`` event, which the object's company sees in its own trail."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from machikoba.core.admin import REFERENCE_MODELS, AdminViewsAudited
from machikoba.core.models import AUDIT_VERB_LABELS, AuditEvent
from machikoba.core.testing.factories import force_login_with_mfa
from machikoba.core.testing.matrix import ADMIN, MEMBER
from machikoba.web.selectors import recent_company_events


@pytest.fixture
def admin_client_(world, client):
    force_login_with_mfa(client, world.users[ADMIN])
    return client


def _views():
    return AuditEvent.objects.filter(verb="admin.view").order_by("id")


def test_every_registered_admin_of_company_or_personal_data_is_audited():
    import machikoba.config.urls  # noqa: F401  (wraps the packages' admins)

    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AdminViewsAudited)
    ]
    assert sorted(unaudited) == sorted(REFERENCE_MODELS)
    audited = {m._meta.label for m in admin.site._registry} - REFERENCE_MODELS
    assert {"core.AuditEvent", "accounts.User", "companies.Company", "mfa.Authenticator"} <= (
        audited
    )


def test_opening_a_company_list_and_page_is_recorded(world, admin_client_):
    assert admin_client_.get(reverse("admin:companies_company_changelist")).status_code == 200
    url = reverse("admin:companies_company_change", args=[world.company.pk])
    assert admin_client_.get(url).status_code == 200
    listed, opened = _views()
    assert (listed.actor, listed.company, listed.target_id) == (world.users[ADMIN], None, "")
    assert listed.after == {"model": "companies.Company", "page": "list"}
    assert (opened.actor, opened.company, opened.target_id) == (
        world.users[ADMIN],
        world.company,
        str(world.company.pk),
    )
    assert opened.after == {"model": "companies.Company", "page": "change"}
    assert opened.ip_address == "127.0.0.1"
    # The company's owners see that an admin opened their page.
    events = recent_company_events(user=world.users[MEMBER], company=world.company)
    assert opened in events
    assert opened.verb_label == str(AUDIT_VERB_LABELS["admin.view"])


def test_the_trail_and_the_packages_admins_are_recorded_too(world, admin_client_):
    for name in (
        "admin:core_auditevent_changelist",
        "admin:accounts_user_changelist",
        "admin:companies_membership_changelist",
        "admin:mfa_authenticator_changelist",
    ):
        assert admin_client_.get(reverse(name)).status_code == 200, name
    assert [e.after["model"] for e in _views()] == [
        "core.AuditEvent",
        "accounts.User",
        "companies.Membership",
        "mfa.Authenticator",
    ]


def test_reference_lists_and_refused_visitors_leave_no_view_event(world, admin_client_, client):
    assert (
        admin_client_.get(reverse("admin:companies_processcategory_changelist")).status_code == 200
    )
    assert not _views().exists()
    admin_client_.logout()
    client.force_login(world.users[MEMBER])  # not staff: sent to the sign-in page
    response = client.get(reverse("admin:companies_company_changelist"))
    assert response.status_code == 302
    assert not _views().exists()
