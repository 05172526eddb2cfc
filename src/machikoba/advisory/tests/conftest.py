"""Fixtures of the advisory tests: a company of 大田区 with its owner and staff, an
officer of 大田区 and one of 墨田区, and an advisor serving 大田区."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    ward,
)
from machikoba.core.testing.factories_programs import AdvisorFactory


def make_advisor(name: str, **fields: Any) -> Any:
    """An advisor of 大田区 (the ADVISOR grant and the roster entry) named ``name``."""
    user = WardRoleFactory(role=WardRole.ADVISOR, user__name=name).user
    return AdvisorFactory(user=user, **fields)


@dataclass
class Cast:
    company: Any
    owner: Any
    staff: Any
    worker: Any
    officer: Any
    sumida_officer: Any
    advisor: Any  # an Advisor (its .user is the person)


@pytest.fixture
def cast(db) -> Cast:
    company = CompanyFactory(name="蒲田精機株式会社")
    return Cast(
        company=company,
        owner=MembershipFactory(
            company=company, role=CompanyRole.OWNER, user__name="蒲田 太郎"
        ).user,
        staff=MembershipFactory(company=company, role=CompanyRole.STAFF).user,
        worker=MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER).user,
        officer=WardRoleFactory(role=WardRole.OFFICER, user__name="大田 職員").user,
        sumida_officer=WardRoleFactory(role=WardRole.OFFICER, municipality=ward(SUMIDA)).user,
        advisor=make_advisor("城南 花子"),
    )
