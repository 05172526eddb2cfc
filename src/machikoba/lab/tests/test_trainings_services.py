"""Trainings by the lab's staff: definitions, records added by hand (through
``services.internal.training_record_create``) and revoked with a reason (the person is
told). Bad input is refused clearly and changes nothing; nobody else may do any of it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.errors import ApplicationError
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import (
    SUMIDA,
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
)
from machikoba.core.testing.factories_lab import (
    give_training,
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
)
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.lab.error_codes_catalogue import CatalogueErrorCode
from machikoba.lab.models import Training, TrainingRecord
from machikoba.lab.selectors.trainings import missing_trainings, person_companies
from machikoba.lab.services.trainings import (
    training_create,
    training_record_add,
    training_record_revoke,
    training_update,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def staff():
    return make_lab_staff()


@pytest.fixture
def cobot(lab):
    return make_item(lab)


@pytest.fixture
def training(lab, cobot):
    return make_training(lab, [cobot], validity_days=180)


@pytest.fixture
def person():
    membership = MembershipFactory(role=CompanyRole.STAFF)
    return membership.user


def _refused(code, call):
    with pytest.raises(ApplicationError) as caught:
        call()
    assert caught.value.code == code
    return caught.value


# --- definitions -------------------------------------------------------------------------


def test_staff_define_a_training(lab, staff, cobot):
    training = training_create(
        actor=staff, lab=lab, name="協働ロボット講習", unlocks=[cobot], validity_days=90
    )
    assert list(training.unlocks.all()) == [cobot]
    assert AuditEvent.objects.get(verb="lab_training.create").after["unlocks"] == [cobot.pk]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"validity_days": 0}, "validity_days"),
        ({"validity_days": 4000}, "validity_days"),
    ],
)
def test_bad_definitions_are_refused(lab, staff, cobot, overrides, field):
    fields = {"name": "講習", "unlocks": [cobot], "validity_days": 90} | overrides
    error = _refused(
        CatalogueErrorCode.TRAINING_INVALID,
        lambda: training_create(actor=staff, lab=lab, **fields),
    )
    assert field in error.fields
    assert not Training.objects.exists()


def test_an_item_of_another_lab_is_refused(lab, staff):
    elsewhere = make_item(make_lab(SUMIDA, name="墨田区のラボ"), name="墨田の3Dプリンター")
    error = _refused(
        CatalogueErrorCode.TRAINING_INVALID,
        lambda: training_create(actor=staff, lab=lab, name="講習", unlocks=[elsewhere]),
    )
    assert "墨田の3Dプリンター" in str(error.fields["unlocks"][0])


def test_two_active_trainings_of_one_name_are_refused(lab, staff, training):
    _refused(
        CatalogueErrorCode.TRAINING_INVALID,
        lambda: training_create(actor=staff, lab=lab, name=training.name),
    )


def test_changing_a_training_keeps_existing_expiries(lab, staff, training, cobot, person):
    record = give_training(person, training)
    training_update(
        actor=staff, training=training, name=training.name, unlocks=[cobot], validity_days=30
    )
    record.refresh_from_db()
    assert record.expires_on == record.passed_on + dt.timedelta(days=180)
    assert Training.objects.get(pk=training.pk).validity_days == 30


def test_others_may_not_define_trainings(lab, training, cobot):
    for actor in (make_lab_staff(SUMIDA), WardRoleFactory().user, MembershipFactory().user):
        _refused(
            CatalogueErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: training_update(
                actor=actor, training=training, name="乗っ取り", unlocks=[cobot]
            ),
        )
    assert Training.objects.get(pk=training.pk).name == "協働ロボット安全講習"


# --- records by hand ---------------------------------------------------------------------


def test_staff_record_a_pass_by_email(staff, training, person, cobot):
    company = person.memberships.get().company
    record = training_record_add(actor=staff, training=training, email=person.email.upper())
    assert (record.user, record.company, record.recorded_by) == (person, company, staff)
    assert record.expires_on == timezone.localdate() + dt.timedelta(days=180)
    assert missing_trainings(person, cobot, timezone.localdate()) == []
    assert AuditEvent.objects.filter(verb="lab_training_record.create").count() == 1


def test_an_unknown_email_is_refused(staff, training):
    error = _refused(
        CatalogueErrorCode.RECORD_USER_UNKNOWN,
        lambda: training_record_add(actor=staff, training=training, email="nobody@example.test"),
    )
    assert "見つかりません" in str(error.fields["email"][0])
    assert not TrainingRecord.objects.exists()


def test_a_person_of_several_companies_is_asked_which(staff, training, person, lab):
    second = CompanyFactory(name="二社目精機")
    MembershipFactory(user=person, company=second)
    error = _refused(
        CatalogueErrorCode.RECORD_INVALID,
        lambda: training_record_add(actor=staff, training=training, email=person.email),
    )
    assert "company" in error.fields
    assert {c.name for c in person_companies(staff, lab, person.email)} >= {"二社目精機"}
    record = training_record_add(actor=staff, training=training, email=person.email, company=second)
    assert record.company == second


def test_a_company_the_person_is_not_in_is_refused(staff, training, person):
    stranger = CompanyFactory()
    _refused(
        CatalogueErrorCode.RECORD_INVALID,
        lambda: training_record_add(
            actor=staff, training=training, email=person.email, company=stranger
        ),
    )
    assert not TrainingRecord.objects.exists()


def test_a_pass_in_the_future_or_twice_on_a_day_is_refused(staff, training, person):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    _refused(
        CatalogueErrorCode.RECORD_INVALID,
        lambda: training_record_add(
            actor=staff, training=training, email=person.email, passed_on=tomorrow
        ),
    )
    training_record_add(actor=staff, training=training, email=person.email)
    _refused(
        CatalogueErrorCode.RECORD_INVALID,
        lambda: training_record_add(actor=staff, training=training, email=person.email),
    )
    assert TrainingRecord.objects.count() == 1


def test_a_retired_training_takes_no_records(staff, training, person):
    training.active = False
    training.save()
    _refused(
        CatalogueErrorCode.TRAINING_INVALID,
        lambda: training_record_add(actor=staff, training=training, email=person.email),
    )


def test_others_may_not_record(training, person):
    for actor in (make_lab_staff(SUMIDA), WardRoleFactory().user, person):
        _refused(
            CatalogueErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: training_record_add(
                actor=actor, training=training, email=person.email
            ),
        )
    assert not TrainingRecord.objects.exists()


def test_person_companies_only_for_the_labs_staff(lab, person):
    assert person_companies(make_lab_staff(SUMIDA), lab, person.email) == []
    assert person_companies(UserFactory(), lab, person.email) == []


# --- revoking ----------------------------------------------------------------------------


def test_revoking_a_record_locks_the_item_again_and_tells_the_person(
    staff, training, person, cobot, django_capture_on_commit_callbacks
):
    record = give_training(person, training)
    with django_capture_on_commit_callbacks(execute=True):
        training_record_revoke(actor=staff, record=record, reason="安全手順の違反")
    run_queued_tasks()
    record.refresh_from_db()
    assert record.revoked_at is not None
    assert record.revoke_reason == "安全手順の違反"
    assert missing_trainings(person, cobot, timezone.localdate()) == [training]
    notice = Notification.objects.get(user=person, kind="lab_training_revoked")
    assert "安全手順の違反" in notice.body


def test_revoking_needs_a_reason_and_happens_once(staff, training, person):
    record = give_training(person, training)
    error = _refused(
        CatalogueErrorCode.RECORD_INVALID,
        lambda: training_record_revoke(actor=staff, record=record, reason="  "),
    )
    assert "reason" in error.fields
    assert TrainingRecord.objects.get(pk=record.pk).revoked_at is None
    training_record_revoke(actor=staff, record=record, reason="誤登録")
    _refused(
        CatalogueErrorCode.RECORD_REVOKED,
        lambda: training_record_revoke(actor=staff, record=record, reason="もう一度"),
    )
    assert TrainingRecord.objects.get(pk=record.pk).revoke_reason == "誤登録"


def test_others_may_not_revoke(training, person):
    record = give_training(person, training)
    for actor in (make_lab_staff(SUMIDA), WardRoleFactory().user, person):
        _refused(
            CatalogueErrorCode.NOT_LAB_STAFF,
            lambda actor=actor: training_record_revoke(actor=actor, record=record, reason="x"),
        )
    assert TrainingRecord.objects.get(pk=record.pk).revoked_at is None
