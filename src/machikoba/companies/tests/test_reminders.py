"""Reminders about stale profiles: one notice per owner of a shop whose profile has not
changed for a year, not twice within a year, none for a fresh profile; the scheduler runs
it daily."""

import datetime as dt

import pytest
from django.conf import settings
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.companies.models import Company, Equipment, ProcessCategory
from machikoba.companies.reminders import stale_profile_reminders, stale_profiles
from machikoba.core.models import Notification, NotificationPreference
from machikoba.core.notifications import KINDS
from machikoba.core.testing.clock import today
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    make_capability,
    make_equipment,
)
from machikoba.core.testing.processes import run_queued_tasks

pytestmark = pytest.mark.clock_sensitive


def _age(model, days: int, **filters) -> None:
    """Set ``updated_at`` ``days`` back (auto_now: only an update() can)."""
    model.objects.filter(**filters).update(updated_at=timezone.now() - dt.timedelta(days=days))


@pytest.fixture
def stale(db):
    """A shop untouched for 400 days, with a machine as old, two owners and a staff member."""
    company = CompanyFactory(name="古川製作所")
    owners = [MembershipFactory(company=company, role=CompanyRole.OWNER).user for _ in range(2)]
    MembershipFactory(company=company, role=CompanyRole.STAFF)
    make_equipment(company)
    _age(Equipment, 400, company=company)
    _age(Company, 400, pk=company.pk)
    return company, owners


def _notices(kind="profile_stale"):
    return Notification.objects.filter(kind=kind)


def test_each_owner_of_a_stale_profile_gets_one_notice(stale):
    company, owners = stale
    assert stale_profile_reminders(today()) == 2
    notices = _notices()
    assert {n.user for n in notices} == set(owners)  # not the staff member
    notice = notices.first()
    assert notice.url == reverse("companies:detail", args=[company.pk])
    assert "古川製作所" in notice.title
    assert "1年以上更新されていません" in notice.body


def test_not_twice_in_the_same_year(stale):
    assert stale_profile_reminders(today()) == 2
    assert stale_profile_reminders(today()) == 0
    assert stale_profile_reminders(today() + dt.timedelta(days=200)) == 0
    assert stale_profile_reminders(today() + dt.timedelta(days=365)) == 0
    assert _notices().count() == 2
    # A year and a day later (still untouched), the owners hear of it again.
    assert stale_profile_reminders(today() + dt.timedelta(days=366)) == 2


def test_a_fresh_profile_gets_none(stale):
    company, _owners = stale
    fresh = CompanyFactory()
    MembershipFactory(company=fresh, role=CompanyRole.OWNER)
    _age(Company, 364, pk=fresh.pk)
    assert stale_profile_reminders(today()) == 2
    assert not _notices().exclude(url=reverse("companies:detail", args=[company.pk])).exists()


@pytest.mark.parametrize("part", ["company", "capability", "equipment"])
def test_any_recent_change_to_the_profile_keeps_it_fresh(stale, part):
    company, _owners = stale
    if part == "company":
        Company.objects.filter(pk=company.pk).update(updated_at=timezone.now())
    elif part == "capability":
        make_capability(company, ProcessCategory.objects.first())
    else:
        Equipment.objects.filter(company=company).update(updated_at=timezone.now())
    assert company not in stale_profiles(today=today())
    assert stale_profile_reminders(today()) == 0


def test_only_active_shops_are_reminded(stale):
    company, _owners = stale
    Company.objects.filter(pk=company.pk).update(kind=CompanyKind.BUYER)
    assert stale_profile_reminders(today()) == 0
    Company.objects.filter(pk=company.pk).update(kind=CompanyKind.SHOP, is_active=False)
    assert stale_profile_reminders(today()) == 0


@pytest.fixture
def deliver(settings, django_capture_on_commit_callbacks):
    """Run the reminders and deliver the e-mails they queue after commit."""
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"

    def run(day):
        with django_capture_on_commit_callbacks(execute=True):
            created = stale_profile_reminders(day)
        run_queued_tasks("deliver_email")
        return created

    return run


def test_the_notice_is_also_e_mailed_after_commit(stale, deliver):
    company, owners = stale
    assert deliver(today()) == 2
    assert sorted(m.to[0] for m in mail.outbox) == sorted(o.email for o in owners)
    assert reverse("companies:detail", args=[company.pk]) in mail.outbox[0].body


def test_an_owner_who_turned_the_notice_off_gets_none_and_email_follows_the_choice(stale, deliver):
    _company, (quiet, no_mail) = stale
    NotificationPreference.objects.create(user=quiet, kind="profile_stale", in_app=False)
    NotificationPreference.objects.create(user=no_mail, kind="profile_stale", email=False)
    assert deliver(today()) == 1
    assert [n.user for n in _notices()] == [no_mail]
    assert mail.outbox == []


def test_the_reminder_is_a_known_kind_and_runs_daily():
    assert "profile_stale" in KINDS
    path, interval = settings.PERIODIC_TASKS["companies.remind_stale_profiles"]
    assert path == "machikoba.companies.tasks.remind_stale_profiles"
    assert interval == 24 * 3600
