"""The ward's support on the home pages: a shop's seats, follow-up and advisor visits on
its home; the funnel and the dispatch on an officer's; advisors and instructors land on
their own homes."""

import datetime as dt

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_programs import (
    ApplicationFactory,
    CohortFactory,
    make_graduate,
    make_visit,
)
from machikoba.core.testing.matrix import (
    ADVISOR,
    FLOOR_WORKER,
    INSTRUCTOR,
    MEMBER,
    OFFICER,
    OTHER_WARD_OFFICER,
    REVIEWER,
)
from machikoba.subsidies.choices import ApplicationStatus, ValueAddedKind, ValueAddedStatus
from machikoba.subsidies.models import Application, ValueAddedReport


def test_advisors_and_instructors_land_on_their_own_homes(world):
    assert world.client_for(ADVISOR).get(reverse("web:home")).url == reverse("advisory:home")
    assert world.client_for(INSTRUCTOR).get(reverse("web:home")).url == reverse("programs:teaching")
    assert world.client_for(REVIEWER).get(reverse("web:home")).url == reverse(
        "subsidies:review_home"
    )


def test_the_owners_home_shows_the_seat_the_visit_to_sign_off_and_the_follow_up(world):
    advisor = world.engagement.members.get().advisor
    make_visit(world.engagement, advisor, minutes=120)
    earlier = ApplicationFactory(
        company=world.company, participant=world.users[MEMBER], cohort=CohortFactory()
    )
    make_graduate(earlier, graduated_days_ago=370)

    response = world.client_for(MEMBER).get(reverse("web:home"))

    support = response.context["support"]
    assert {a.application for a in support.programs.applications} == {world.application, earlier}
    assert [f.graduation.application for f in support.follow_ups] == [earlier]
    assert support.advisory.visits_to_sign_off == 1
    body = response.content.decode()
    assert 'data-testid="home-follow-up"' in body
    assert reverse("programs:follow_up", args=[support.follow_ups[0].pk]) in body
    assert reverse("programs:application", args=[world.application.pk]) in body
    assert "アドバイザーの訪問記録を確認する (1 件)" in body


def test_another_companys_owner_sees_none_of_it(world):
    make_visit(world.engagement, world.engagement.members.get().advisor)
    other_owner = MembershipFactory(company=CompanyFactory()).user
    client = Client()
    client.force_login(other_owner)
    support = client.get(reverse("web:home")).context["support"]
    assert support.programs.applications == []
    assert support.follow_ups == []
    assert support.advisory.visits_to_sign_off == 0
    assert not support.advisory.active_engagement


def test_a_floor_worker_without_a_seat_gets_no_support_card(world):
    response = world.client_for(FLOOR_WORKER).get(reverse("web:home"))
    assert response.context["support"].advisory is None
    assert 'data-testid="home-support"' not in response.content.decode()


def test_the_officers_home_counts_its_wards_funnel_and_dispatch_only(world):
    response = world.client_for(OFFICER).get(reverse("web:officer_home"))
    office = response.context["support_office"]
    counts = {step.key: step.count for step in office.funnel.steps}
    assert counts["applied"] == 1
    assert counts["accepted"] == 1
    assert office.advisory.active_engagements == 1
    body = response.content.decode()
    assert reverse("programs:office") in body
    assert reverse("advisory:office") in body

    other = world.client_for(OTHER_WARD_OFFICER).get(reverse("web:officer_home"))
    counts = {step.key: step.count for step in other.context["support_office"].funnel.steps}
    assert counts["applied"] == 0
    assert other.context["support_office"].advisory.active_engagements == 0


def test_the_homes_show_the_subsidy_what_waits_for_the_company_and_for_the_office(world):
    """The owner's card leads to the application that waits for them (here: 採択, so the
    交付申請) and to the business report they owe; the officer's home counts what waits
    for the office and the reports overdue."""
    application = world.subsidy_application
    Application.objects.filter(pk=application.pk).update(status=ApplicationStatus.SELECTED)
    ValueAddedReport.objects.create(
        company=world.company,
        municipality=world.company.ward,
        kind=ValueAddedKind.SURVEY,
        fiscal_year=application.stage.call.fiscal_year - 1,
        status=ValueAddedStatus.REQUESTED,
        due_on=timezone.localdate() - dt.timedelta(days=3),
    )
    page = world.client_for(MEMBER).get(reverse("web:home")).content.decode()
    assert "採択: 交付申請をする" in page
    assert reverse("subsidies:application_detail", args=[application.pk]) in page
    assert "区の年次調査に答える" in page
    assert "期限切れ" in page
    office = world.client_for(OFFICER).get(reverse("web:officer_home"))
    summary = office.context["support_office"].subsidies
    assert (summary.open_calls, summary.to_check, summary.overdue_reports) == (1, 0, 1)
    assert reverse("subsidies:office_home") in office.content.decode()
