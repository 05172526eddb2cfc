"""Whether a person holds a valid training (the booking's check) and what an item still
needs: valid from the day passed through the expiry day, revoked never, only the person's
own records, only active trainings required."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from machikoba.core.testing.factories import MembershipFactory, UserFactory
from machikoba.core.testing.factories_lab import give_training, make_item, make_lab, make_training
from machikoba.lab.choices import ItemKind
from machikoba.lab.selectors.trainings import (
    missing_trainings,
    my_training_records,
    valid_training_ids,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def cobot(lab):
    return make_item(lab)


@pytest.fixture
def safety(lab, cobot):
    return make_training(lab, [cobot], validity_days=30)


def test_a_record_is_valid_from_the_day_passed_through_the_expiry_day(safety):
    user = UserFactory()
    record = give_training(user, safety, passed_days_ago=10)
    today = timezone.localdate()
    assert valid_training_ids(user, today) == {safety.pk}
    assert valid_training_ids(user, record.passed_on) == {safety.pk}
    assert valid_training_ids(user, record.expires_on) == {safety.pk}
    assert valid_training_ids(user, record.expires_on + dt.timedelta(days=1)) == set()
    assert valid_training_ids(user, record.passed_on - dt.timedelta(days=1)) == set()


def test_a_revoked_record_is_not_valid(safety):
    user = UserFactory()
    record = give_training(user, safety)
    record.revoked_at = timezone.now()
    record.revoke_reason = "安全手順の違反"
    record.save()
    assert valid_training_ids(user, timezone.localdate()) == set()


def test_only_the_persons_own_records_count(safety, lab):
    colleague, me = UserFactory(), UserFactory()
    company = MembershipFactory(user=colleague).company
    MembershipFactory(user=me, company=company)
    give_training(colleague, safety, company=company)
    assert valid_training_ids(me, timezone.localdate()) == set()
    assert missing_trainings(me, safety.unlocks.get(), timezone.localdate()) == [safety]


def test_anonymous_holds_nothing(safety, cobot):
    today = timezone.localdate()
    assert valid_training_ids(AnonymousUser(), today) == set()
    assert valid_training_ids(None, today) == set()
    assert missing_trainings(AnonymousUser(), cobot, today) == [safety]


def test_missing_trainings_lists_each_required_training_not_held(lab, cobot, safety):
    second = make_training(lab, [cobot], name="非常停止の講習")
    user = UserFactory()
    today = timezone.localdate()
    assert missing_trainings(user, cobot, today) == [safety, second]
    give_training(user, safety)
    assert missing_trainings(user, cobot, today) == [second]
    give_training(user, second)
    assert missing_trainings(user, cobot, today) == []


def test_missing_trainings_on_a_day_after_expiry(cobot, safety):
    user = UserFactory()
    record = give_training(user, safety)
    assert missing_trainings(user, cobot, record.expires_on) == []
    assert missing_trainings(user, cobot, record.expires_on + dt.timedelta(days=1)) == [safety]


def test_an_item_without_training_needs_nothing(lab, safety):
    printer = make_item(lab, kind=ItemKind.PRINTER_3D, name="3Dプリンター")
    assert missing_trainings(UserFactory(), printer, timezone.localdate()) == []


def test_a_retired_training_no_longer_blocks(cobot, safety):
    safety.active = False
    safety.save()
    assert missing_trainings(UserFactory(), cobot, timezone.localdate()) == []


def test_a_training_of_another_item_does_not_unlock(lab, cobot, safety):
    printer = make_item(lab, kind=ItemKind.PRINTER_3D, name="3Dプリンター")
    other = make_training(lab, [printer], name="3Dプリンター講習")
    user = UserFactory()
    give_training(user, other)
    assert missing_trainings(user, cobot, timezone.localdate()) == [safety]


def test_my_records_show_their_status(safety, lab):
    user = UserFactory()
    expired = give_training(user, safety, passed_days_ago=40)
    valid = give_training(user, safety, passed_days_ago=1)
    rows = my_training_records(user)
    by_record = {row.record.pk: row for row in rows}
    assert by_record[valid.pk].valid
    assert by_record[valid.pk].expires_soon
    assert not by_record[expired.pk].valid
    assert str(by_record[expired.pk].status_label) == "期限切れ"
    assert [row.record.pk for row in my_training_records(UserFactory())] == []
