"""Fixtures and helpers the subsidies' service tests share: the paper's call with its
stages, a company of 大田区 with its owner and staff, an officer of 大田区 and one of
墨田区, uploads kept in a temporary folder (``media``: a module asks for it with
``pytest.mark.usefixtures("media")``), and the helpers asserting a refusal, the
notifications sent and the audit trail."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from django.utils import timezone

from machikoba.accounts.gbizid import GBIZID_PROVIDER_ID
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, MembershipFactory, ward
from machikoba.core.testing.factories_subsidies import make_officer, make_paper_call
from machikoba.core.testing.factories_subsidies_office import future_dates
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.subsidies import services


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def call(db):
    return make_paper_call()


@pytest.fixture
def stage(call):
    return call.stages.get(number=1)


@pytest.fixture
def stage1(call):
    return call.stages.get(number=1)


@pytest.fixture
def stage2(call):
    return call.stages.get(number=2)


@pytest.fixture
def company(db):
    return CompanyFactory(name="蒲田精機株式会社", employees=14)


@pytest.fixture
def owner(company):
    return MembershipFactory(company=company, role="owner", user__name="蒲田 太郎").user


@pytest.fixture
def staff(company):
    return MembershipFactory(company=company, role="staff").user


@pytest.fixture
def officer(db):
    return make_officer(name="大田 職員")


@pytest.fixture
def sumida_officer(db):
    return make_officer(ward(SUMIDA))


def refused(
    code: Any, service: Callable[..., Any], /, *args: Any, **kwargs: Any
) -> ApplicationError:
    """The refusal ``service(*args, **kwargs)`` raises, asserted to carry ``code`` (both
    positional only: a service may take a ``code`` or a ``call`` of its own)."""
    with pytest.raises(ApplicationError) as caught:
        service(*args, **kwargs)
    assert caught.value.code == code, caught.value.message
    return caught.value


def notices(kind: str) -> list[Notification]:
    """The notifications of ``kind``, once the queued ones are sent."""
    run_queued_tasks("notification")
    return list(Notification.objects.filter(kind=kind))


def audit_verbs() -> list[str]:
    return list(AuditEvent.objects.order_by("pk").values_list("verb", flat=True))


def call_fields(**overrides: Any) -> dict[str, Any]:
    """What ``services.call_create`` needs besides the actor and the ward: a call whose
    window opens in the future."""
    fields = {
        "fiscal_year": timezone.localdate().year,
        "name": "DX導入補助金",
        "description": "説明",
        "budget": 10_000_000,
        **future_dates(),
        "requires_gbiz_verified": False,
    }
    fields.update(overrides)
    return fields


def stage_update_fields(stage: Any, **overrides: Any) -> dict[str, Any]:
    """What ``services.stage_update`` needs to keep ``stage`` as it is, but ``overrides``."""
    fields = {name: getattr(stage, name) for name in services.STAGE_FIELDS}
    fields.update(overrides)
    return fields


def configure_gbizid(settings, *, enabled: bool) -> None:
    """Configure the platform for GビズID, or not (as settings.py does from GBIZID_*)."""
    providers = copy.deepcopy(settings.SOCIALACCOUNT_PROVIDERS)
    app = {
        "provider_id": GBIZID_PROVIDER_ID,
        "name": "GビズID",
        "client_id": "machikoba-test",
        "secret": "test-secret",
        "settings": {"server_url": "https://gbiz-id.example.jp/oauth"},
    }
    providers["openid_connect"]["APPS"] = [app] if enabled else []
    settings.SOCIALACCOUNT_PROVIDERS = providers


@pytest.fixture
def gbizid_on(settings):
    """GビズID configured (an officer may then require it of a call)."""
    configure_gbizid(settings, enabled=True)
