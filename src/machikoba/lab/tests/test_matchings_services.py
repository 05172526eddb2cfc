"""Matchings: the office records one with evidence (it stands at once) or lab staff propose
one from an event survey answer (it stands once both parties confirmed); the count rule
(one per pair per event or item, in either order); every refusal changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.fiscal import add_months
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import SUMIDA, CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_lab import make_item, make_lab
from machikoba.core.testing.factories_lab_ecosystem import (
    light_world,
    make_matching,
    make_past_event,
    make_survey,
    refusal_of,
)
from machikoba.core.testing.matrix import (
    BANK,
    FLOOR_WORKER,
    LAB_STAFF,
    MEMBER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
    STAFF,
    VENDOR,
)
from machikoba.lab.choices import (
    FollowUpAnswer,
    MatchingAgreement,
    MatchingSource,
    MatchingStatus,
)
from machikoba.lab.error_codes_ecosystem import EcosystemErrorCode
from machikoba.lab.models_ecosystem import Matching
from machikoba.lab.services import matchings as services

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]


@pytest.fixture
def world():
    return light_world()


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def item(lab):
    return make_item(lab)


def _record(world, actor=LAB_STAFF, **fields):
    values = {
        "actor": world.users[actor],
        "source": MatchingSource.VENDOR_DEMO,
        "item": fields.pop("item", None),
        "party_a": world.company,
        "party_b": world.vendor,
        "agreement": MatchingAgreement.PURCHASE,
        "agreed_on": timezone.localdate() - dt.timedelta(days=3),
        "evidence": "注文書 No.2024-118",
    }
    values.update(fields)
    return services.matching_record(**values)


@pytest.mark.parametrize("actor", [LAB_STAFF, OFFICER])
def test_the_office_records_a_confirmed_matching(world, item, actor):
    matching = _record(world, actor, item=item)
    assert matching.status == MatchingStatus.CONFIRMED
    assert matching.municipality == item.lab.municipality
    agreed = timezone.localdate() - dt.timedelta(days=3)
    assert matching.follow_up_due_on == add_months(agreed, 3)
    low, high = sorted([world.company, world.vendor], key=lambda c: c.pk)
    assert (matching.party_a, matching.party_b) == (low, high)
    assert matching.recorded_by == world.users[actor]
    assert AuditEvent.objects.filter(verb="lab.matching.record").count() == 1


@pytest.mark.parametrize("actor", [OTHER_WARD_OFFICER, MEMBER, VENDOR, BANK])
def test_anyone_but_the_labs_office_is_refused(world, item, actor):
    error = refusal_of(lambda: _record(world, actor, item=item))
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    assert not Matching.objects.exists()


def test_the_source_needs_its_event_or_item(world, item, lab):
    error = refusal_of(lambda: _record(world))
    assert error.code == EcosystemErrorCode.MATCHING_SOURCE
    assert "item" in error.fields
    error = refusal_of(lambda: _record(world, source=MatchingSource.EVENT, item=item))
    assert error.code == EcosystemErrorCode.MATCHING_SOURCE
    assert "event" in error.fields
    error = refusal_of(lambda: _record(world, source=MatchingSource.NETWORK, item=item))
    assert error.code == EcosystemErrorCode.MATCHING_SOURCE
    error = refusal_of(lambda: _record(world, source="gossip", item=item))
    assert error.code == EcosystemErrorCode.MATCHING_SOURCE
    assert not Matching.objects.exists()


def test_two_different_active_companies(world, item):
    error = refusal_of(lambda: _record(world, item=item, party_b=world.company))
    assert error.code == EcosystemErrorCode.MATCHING_SAME_COMPANY
    error = refusal_of(lambda: _record(world, item=item, party_b=None))
    assert error.code == EcosystemErrorCode.MATCHING_INVALID
    world.other_company.is_active = False
    world.other_company.save(update_fields=["is_active"])
    error = refusal_of(lambda: _record(world, item=item, party_b=world.other_company))
    assert error.code == EcosystemErrorCode.MATCHING_INVALID
    assert not Matching.objects.exists()


def test_the_agreed_date_is_not_in_the_future(world, item):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    error = refusal_of(lambda: _record(world, item=item, agreed_on=tomorrow))
    assert error.code == EcosystemErrorCode.MATCHING_FUTURE_DATE
    assert "agreed_on" in error.fields
    assert _record(world, item=item, agreed_on=timezone.localdate()).pk


def test_an_event_matching_is_not_agreed_before_the_event(world, lab):
    event = make_past_event(lab, days_ago=5)
    before = timezone.localdate(event.starts_at) - dt.timedelta(days=1)
    error = refusal_of(
        lambda: _record(world, source=MatchingSource.EVENT, event=event, agreed_on=before)
    )
    assert error.code == EcosystemErrorCode.MATCHING_INVALID
    matching = _record(
        world,
        source=MatchingSource.EVENT,
        event=event,
        agreed_on=timezone.localdate(event.starts_at),
    )
    assert (matching.event, matching.item) == (event, None)


def test_evidence_is_required(world, item):
    error = refusal_of(lambda: _record(world, item=item, evidence="  "))
    assert error.code == EcosystemErrorCode.MATCHING_INVALID
    assert "evidence" in error.fields


def test_one_matching_per_pair_per_item_in_either_order(world, item, lab):
    _record(world, item=item)
    error = refusal_of(
        lambda: _record(
            world,
            item=item,
            party_a=world.vendor,
            party_b=world.company,
            source=MatchingSource.CONSULTATION,
            agreement=MatchingAgreement.TRIAL,
        )
    )
    assert error.code == EcosystemErrorCode.MATCHING_DUPLICATE
    assert "1組につき1件" in str(error.message)
    # Another item, another pair: each counts.
    _record(world, item=make_item(lab, name="3Dプリンター", model_number="X1"))
    _record(world, item=item, party_b=world.other_company)
    assert Matching.objects.count() == 3


def test_one_matching_per_pair_per_event(world, lab):
    event = make_past_event(lab)
    day = timezone.localdate(event.starts_at)
    _record(world, source=MatchingSource.EVENT, event=event, agreed_on=day)
    error = refusal_of(
        lambda: _record(
            world,
            source=MatchingSource.EVENT,
            event=event,
            agreed_on=day,
            party_a=world.vendor,
            party_b=world.company,
        )
    )
    assert error.code == EcosystemErrorCode.MATCHING_DUPLICATE
    assert Matching.objects.count() == 1


def test_a_declined_proposal_does_not_count(world, item):
    make_matching(world.company, world.vendor, item=item, status=MatchingStatus.DECLINED)
    assert _record(world, item=item).status == MatchingStatus.CONFIRMED


def test_the_database_refuses_a_second_pair_even_past_the_check(world, item):
    """The unique constraints behind the count rule (two requests at the same moment)."""
    from django.db import IntegrityError, transaction

    make_matching(world.company, world.vendor, item=item)
    with pytest.raises(IntegrityError), transaction.atomic():
        make_matching(world.company, world.vendor, item=item)


# --- proposals from a survey answer ---------------------------------------------------------


@pytest.fixture
def survey(world, lab):
    event = make_past_event(lab, days_ago=14)
    return make_survey(event, world.users[MEMBER], world.company)


def _propose(world, survey, actor=LAB_STAFF, **fields):
    values = {
        "actor": world.users[actor],
        "survey": survey,
        "partner": world.other_company,
        "agreement": MatchingAgreement.JOINT_DEVELOPMENT,
        "agreed_on": timezone.localdate(survey.registration.event.starts_at),
    }
    values.update(fields)
    return services.matching_propose(**values)


def test_a_proposal_waits_for_both_parties(world, survey, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        matching = _propose(world, survey)
    assert len(callbacks) == 2  # each party is asked
    assert matching.status == MatchingStatus.PROPOSED
    assert (matching.source, matching.event, matching.survey) == (
        MatchingSource.EVENT,
        survey.registration.event,
        survey,
    )
    assert "試作の話" in matching.evidence
    first = services.matching_confirm(
        actor=world.users[STAFF], matching=matching, company=world.company
    )
    assert first.status == MatchingStatus.PROPOSED
    error = refusal_of(
        lambda: services.matching_confirm(
            actor=world.users[MEMBER], matching=matching, company=world.company
        )
    )
    assert error.code == EcosystemErrorCode.MATCHING_STATE
    both = services.matching_confirm(
        actor=world.users[OTHER_COMPANY], matching=matching, company=world.other_company
    )
    assert both.status == MatchingStatus.CONFIRMED
    assert both.confirmed_a_at
    assert both.confirmed_b_at
    error = refusal_of(
        lambda: services.matching_decline(
            actor=world.users[MEMBER], matching=matching, company=world.company
        )
    )
    assert error.code == EcosystemErrorCode.MATCHING_STATE


@pytest.mark.parametrize("actor", [FLOOR_WORKER, LAB_STAFF, OFFICER, VENDOR, BANK])
def test_only_a_partys_owner_or_staff_confirms(world, survey, actor):
    matching = _propose(world, survey)
    error = refusal_of(
        lambda: services.matching_confirm(
            actor=world.users[actor], matching=matching, company=world.company
        )
    )
    assert error.code == EcosystemErrorCode.MATCHING_NOT_PARTY
    matching.refresh_from_db()
    assert (matching.confirmed_a_at, matching.confirmed_b_at) == (None, None)


def test_a_company_not_party_to_it_cannot_confirm_for_itself(world, survey):
    matching = _propose(world, survey)
    stranger = CompanyFactory(name="無関係工業")
    owner = MembershipFactory(company=stranger, role=CompanyRole.OWNER).user
    error = refusal_of(
        lambda: services.matching_confirm(actor=owner, matching=matching, company=stranger)
    )
    assert error.code == EcosystemErrorCode.MATCHING_NOT_PARTY
    error = refusal_of(
        lambda: services.matching_confirm(actor=owner, matching=matching, company=None)
    )
    assert error.code == EcosystemErrorCode.MATCHING_NOT_PARTY


def test_either_party_declines(world, survey):
    matching = _propose(world, survey)
    declined = services.matching_decline(
        actor=world.users[OTHER_COMPANY], matching=matching, company=world.other_company
    )
    assert declined.status == MatchingStatus.DECLINED
    error = refusal_of(
        lambda: services.matching_confirm(
            actor=world.users[MEMBER], matching=matching, company=world.company
        )
    )
    assert error.code == EcosystemErrorCode.MATCHING_STATE
    # Declined: the same pair may be proposed again from the same event.
    assert _propose(world, survey).status == MatchingStatus.PROPOSED


def test_proposal_refusals(world, survey, lab):
    error = refusal_of(lambda: _propose(world, survey, partner=world.company))
    assert error.code == EcosystemErrorCode.MATCHING_SAME_COMPANY
    error = refusal_of(lambda: _propose(world, survey, OTHER_WARD_OFFICER))
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    error = refusal_of(
        lambda: _propose(world, survey, agreed_on=timezone.localdate() + dt.timedelta(days=1))
    )
    assert error.code == EcosystemErrorCode.MATCHING_FUTURE_DATE
    blank = make_survey(
        make_past_event(lab, title="別のセミナー"),
        world.users[STAFF],
        world.company,
        met_partner="",
    )
    assert refusal_of(lambda: _propose(world, blank)).code == EcosystemErrorCode.MATCHING_SURVEY
    _propose(world, survey)
    assert refusal_of(lambda: _propose(world, survey)).code == EcosystemErrorCode.MATCHING_DUPLICATE
    assert Matching.objects.count() == 1


def test_a_survey_answer_without_a_company_is_refused(world, lab):
    from machikoba.core.testing.factories import UserFactory

    event = make_past_event(lab)
    answer = make_survey(event, UserFactory(), None)
    assert refusal_of(lambda: _propose(world, answer)).code == EcosystemErrorCode.MATCHING_SURVEY


def test_another_wards_lab_is_another_office(world):
    sumida_lab = make_lab(SUMIDA, name="墨田区 DXラボ")
    item = make_item(sumida_lab)
    error = refusal_of(lambda: _record(world, item=item))
    assert error.code == EcosystemErrorCode.NOT_OFFICE
    assert _record(world, OTHER_WARD_OFFICER, item=item).municipality == sumida_lab.municipality


# --- the follow-up answer -------------------------------------------------------------------


def test_a_party_answers_once_the_three_months_are_up(world, item):
    early = make_matching(world.company, world.vendor, item=item, agreed_days_ago=10)
    error = refusal_of(
        lambda: services.matching_follow_up_answer(
            actor=world.users[MEMBER],
            matching=early,
            company=world.company,
            answer=FollowUpAnswer.YES,
        )
    )
    assert error.code == EcosystemErrorCode.FOLLOW_UP_NOT_DUE
    due = make_matching(world.company, world.other_company, item=item, agreed_days_ago=100)
    error = refusal_of(
        lambda: services.matching_follow_up_answer(
            actor=world.users[STAFF], matching=due, company=world.company, answer="maybe"
        )
    )
    assert error.code == EcosystemErrorCode.FOLLOW_UP_INVALID
    error = refusal_of(
        lambda: services.matching_follow_up_answer(
            actor=world.users[LAB_STAFF], matching=due, company=world.company, answer="yes"
        )
    )
    assert error.code == EcosystemErrorCode.MATCHING_NOT_PARTY
    error = refusal_of(
        lambda: services.matching_follow_up_answer(
            actor=world.users[STAFF],
            matching=due,
            company=world.company,
            answer=FollowUpAnswer.NO,
            note="x" * 501,
        )
    )
    assert error.code == EcosystemErrorCode.FOLLOW_UP_INVALID
    answered = services.matching_follow_up_answer(
        actor=world.users[OTHER_COMPANY],
        matching=due,
        company=world.other_company,
        answer=FollowUpAnswer.IN_PROGRESS,
        note=" 見積中 ",
    )
    assert (answered.follow_up_answer, answered.follow_up_note) == ("in_progress", "見積中")
    assert answered.follow_up_answered_at is not None


def test_a_proposal_is_not_followed_up(world, item):
    proposed = make_matching(
        world.company, world.vendor, item=item, status=MatchingStatus.PROPOSED, agreed_days_ago=120
    )
    error = refusal_of(
        lambda: services.matching_follow_up_answer(
            actor=world.users[MEMBER], matching=proposed, company=world.company, answer="yes"
        )
    )
    assert error.code == EcosystemErrorCode.MATCHING_STATE
