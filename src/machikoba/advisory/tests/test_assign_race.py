"""Real concurrent transactions on PostgreSQL: two officers assigning the same advisor's
last free place at the same moment (to two companies) get one engagement between them;
the other is refused with a message naming the advisor, and writes nothing."""

import pytest

from machikoba.accounts.choices import WardRole
from machikoba.advisory.choices import RequestStatus
from machikoba.advisory.error_codes import AdvisoryErrorCode
from machikoba.advisory.models import Engagement, EngagementMember
from machikoba.advisory.services.engagements import engagement_assign
from machikoba.advisory.tests.conftest import make_advisor
from machikoba.core.errors import ApplicationError
from machikoba.core.testing.concurrency import needs_postgresql, race
from machikoba.core.testing.factories import WardRoleFactory
from machikoba.core.testing.factories_programs import SupportRequestFactory, make_engagement

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql]


def test_two_assignments_for_an_advisors_last_place_one_gets_it(transactional_db):
    advisor = make_advisor("森田 一", capacity=2)
    make_engagement(SupportRequestFactory().company, [advisor])  # one place left
    first_officer = WardRoleFactory(role=WardRole.OFFICER).user
    second_officer = WardRoleFactory(role=WardRole.OFFICER).user
    requests = [SupportRequestFactory(status=RequestStatus.OPEN) for _ in range(2)]

    results = race(
        lambda: engagement_assign(actor=first_officer, request=requests[0], advisors=[advisor]),
        lambda: engagement_assign(actor=second_officer, request=requests[1], advisors=[advisor]),
    )

    won = [r for r in results if isinstance(r, Engagement)]
    lost = [r for r in results if isinstance(r, Exception)]
    assert len(won) == 1, results
    assert len(lost) == 1, results
    assert isinstance(lost[0], ApplicationError)
    assert lost[0].code == AdvisoryErrorCode.ADVISOR_OVER_CAPACITY
    assert "森田 一" in lost[0].message
    assert EngagementMember.objects.filter(advisor=advisor).count() == 2
    loser = next(r for r in requests if r.pk != won[0].request_id)
    loser.refresh_from_db()
    assert loser.status == RequestStatus.OPEN
    assert not Engagement.objects.filter(request=loser).exists()
