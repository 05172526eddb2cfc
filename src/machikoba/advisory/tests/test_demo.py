"""The demo's advisor dispatch: a roster, three engagements in three phases, visits some
signed off, measurements, an open request and a proposal, all through the services."""

from __future__ import annotations

import pytest

from machikoba.accounts.choices import WardRole
from machikoba.advisory import selectors
from machikoba.advisory.choices import PhaseKind, PhaseStatus, RequestStatus
from machikoba.advisory.demo import seed_advisory
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    ward,
)

pytestmark = pytest.mark.clock_sensitive


def test_seed_advisory(db):
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    companies = [
        MembershipFactory(company=CompanyFactory(), role=CompanyRole.OWNER).company
        for _ in range(5)
    ]
    users = [UserFactory() for _ in range(4)]
    seeded = seed_advisory(
        municipality=ward(), companies=companies, officer=officer, advisor_users=users
    )
    assert len(seeded["advisors"]) == 4
    fresh, rollout, measuring = seeded["engagements"]
    current = [
        fresh.phases.exclude(status=PhaseStatus.DONE).order_by("order").first().kind,
        rollout.phases.exclude(status=PhaseStatus.DONE).order_by("order").first().kind,
        measuring.phases.exclude(status=PhaseStatus.DONE).order_by("order").first().kind,
    ]
    assert current == [PhaseKind.ISSUES, PhaseKind.ROLLOUT, PhaseKind.MEASUREMENT]
    assert rollout.visits.filter(signed_off_at__isnull=False).exists()
    assert rollout.visits.filter(signed_off_at__isnull=True).exists()
    assert rollout.measurements.filter(after_value__isnull=True).count() == 3
    assert measuring.measurements.filter(after_value__isnull=False).count() == 3
    assert seeded["open_request"].status == RequestStatus.OPEN
    assert seeded["proposal"].status == RequestStatus.PROPOSED
    home = selectors.advisor_home(user=users[0])
    assert home is not None
    assert len(home.engagements) == 3
    workload = {r.advisor.user_id: r.load for r in selectors.advisor_workload(user=officer)}
    assert workload[users[0].pk] == 3
