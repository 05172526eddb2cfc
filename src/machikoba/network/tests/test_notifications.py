"""Notifications for RFQs, quotes, awards, acceptances, shipments and late steps: in the
app and by e-mail through a real SMTP server, after commit, each person's choice kept."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.dates import format_date
from machikoba.core.models import Notification, NotificationPreference
from machikoba.core.testing.factories import MembershipFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OTHER_COMPANY, STAFF
from machikoba.core.testing.processes import SmtpInbox, run_queued_tasks
from machikoba.network import services
from machikoba.network.models import Step
from machikoba.network.tests.factories import deadline, make_job, order_terms

pytestmark = pytest.mark.clock_sensitive


@pytest.fixture
def inbox(settings):
    with SmtpInbox() as smtp:
        settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = smtp.port
        settings.EMAIL_USE_TLS = False
        settings.EMAIL_HOST_USER = ""
        settings.EMAIL_HOST_PASSWORD = ""
        settings.MACHIKOBA_SITE_URL = "https://machikoba.example.jp"
        yield smtp


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _send_rfq(world, capture):
    job = make_job(world.users[MEMBER], world.company)
    with capture(execute=True):
        rfq = services.rfq_send(
            actor=world.users[MEMBER],
            job=job,
            steps=[job.steps.get(position=2)],
            recipients=[world.other_company],
            deadline=deadline(),
        )
    return rfq


def test_an_rfq_reaches_the_shop_in_the_app_and_by_japanese_email(
    world, inbox, django_capture_on_commit_callbacks
):
    partner_staff = MembershipFactory(company=world.other_company, role=CompanyRole.STAFF).user
    rfq = _send_rfq(world, django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 0  # nothing before the worker runs
    assert run_queued_tasks("deliver_notification") == [2]  # the partner's owner and staff
    partner_owner = world.users[OTHER_COMPANY]
    for user in (partner_owner, partner_staff):
        notice = Notification.objects.get(user=user)
        assert notice.title == "見積依頼が届きました: 段付きシャフト"
        assert notice.url == reverse("network:rfq_detail", args=[rfq.pk])
    assert sorted(m["To"] for m in inbox.messages) == sorted(
        [partner_owner.email, partner_staff.email]
    )
    message = inbox.messages[0]
    assert message["Subject"].strip() == "[machikoba] 見積依頼が届きました: 段付きシャフト"
    body = message.get_content()
    assert (
        f"{world.company.name} から「段付きシャフト」(焼入れ・焼戻し) の見積依頼が届きました"
        in body
    )
    assert f"https://machikoba.example.jp/rfqs/{rfq.pk}/" in body
    assert not Notification.objects.filter(user=world.users[MEMBER]).exists()


def test_each_person_chooses_app_or_email(world, inbox, django_capture_on_commit_callbacks):
    NotificationPreference.objects.create(
        user=world.users[OTHER_COMPANY], kind="rfq_received", in_app=False, email=True
    )
    _send_rfq(world, django_capture_on_commit_callbacks)
    run_queued_tasks("deliver_notification")
    assert not Notification.objects.filter(user=world.users[OTHER_COMPANY]).exists()
    assert [m["To"] for m in inbox.messages] == [world.users[OTHER_COMPANY].email]

    NotificationPreference.objects.filter(user=world.users[OTHER_COMPANY]).update(
        in_app=True, email=False
    )
    inbox.messages.clear()
    _send_rfq(world, django_capture_on_commit_callbacks)
    run_queued_tasks("deliver_notification")
    assert Notification.objects.filter(user=world.users[OTHER_COMPANY]).count() == 1
    assert inbox.messages == []


def test_the_whole_exchange_notifies_the_right_side(
    world, inbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    rfq = _send_rfq(world, capture)
    recipient = rfq.recipients.get()
    with capture(execute=True):
        services.quote_submit(
            actor=world.users[OTHER_COMPANY],
            recipient=recipient,
            price=120_000,
            lead_time_days=5,
            valid_until=timezone.localdate() + dt.timedelta(days=10),
        )
    with capture(execute=True):
        order = services.rfq_award(
            actor=world.users[MEMBER], rfq=rfq, winner=recipient, **order_terms()
        )
    with capture(execute=True):
        services.order_accept(actor=world.users[OTHER_COMPANY], order=order)
    first = Step.objects.get(job=rfq.job, position=1)
    services.step_start(actor=world.users[FLOOR_WORKER], step=first)
    services.step_finish(actor=world.users[FLOOR_WORKER], step=first)
    with capture(execute=True):
        services.step_ship(actor=world.users[FLOOR_WORKER], step=first, quantity=50)
    run_queued_tasks("deliver_notification")

    def kinds(user):
        return sorted(Notification.objects.filter(user=user).values_list("kind", flat=True))

    assert kinds(world.users[MEMBER]) == ["order_accepted", "quote_received"]
    assert kinds(world.users[STAFF]) == ["order_accepted", "quote_received"]
    assert kinds(world.users[FLOOR_WORKER]) == []
    assert kinds(world.users[OTHER_COMPANY]) == ["awarded", "rfq_received", "step_shipped"]
    quote_notice = Notification.objects.get(user=world.users[MEMBER], kind="quote_received")
    assert "120,000円" in quote_notice.body
    subjects = {m["Subject"].strip() for m in inbox.messages}
    assert "[machikoba] 受注が決まりました: 段付きシャフト" in subjects
    assert "[machikoba] 品物が出荷されました: 段付きシャフト" in subjects


def test_late_steps_are_reported_once_to_owner_and_performer(
    world, inbox, django_capture_on_commit_callbacks
):
    from machikoba.network.tasks import notify_late_steps

    job = make_job(world.users[MEMBER], world.company)
    Step.objects.filter(job=job, position=1).update(
        planned_start=timezone.localdate() - dt.timedelta(days=5),
        planned_end=timezone.localdate() - dt.timedelta(days=1),
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_late_steps.call() == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notify_late_steps.call() == 0  # already reported
    run_queued_tasks("deliver_notification")
    notice = Notification.objects.get(user=world.users[MEMBER], kind="step_late")
    assert "完了予定日" in notice.body
    assert notice.title == "工程が遅れています: 段付きシャフト"


def test_the_notification_pages(world, django_capture_on_commit_callbacks, inbox):
    rfq = _send_rfq(world, django_capture_on_commit_callbacks)
    run_queued_tasks("deliver_notification")
    partner = world.client_for(OTHER_COMPANY)
    home = partner.get(reverse("web:home")).content.decode()
    assert 'data-testid="unread-count">1<' in home
    notice = Notification.objects.get(user=world.users[OTHER_COMPANY])
    opened = partner.post(reverse("web:notification_open", args=[notice.pk]))
    assert opened["Location"] == reverse("network:rfq_detail", args=[rfq.pk])
    notice.refresh_from_db()
    assert notice.read_at is not None
    # Someone else's notice is not found.
    other = world.client_for(MEMBER).post(reverse("web:notification_open", args=[notice.pk]))
    assert other.status_code == 404
    partner.post(reverse("web:notification_settings"), {"rfq_received-in_app": "on"})
    preference = NotificationPreference.objects.get(
        user=world.users[OTHER_COMPANY], kind="rfq_received"
    )
    assert (preference.in_app, preference.email) == (True, False)
    assert not NotificationPreference.objects.get(
        user=world.users[OTHER_COMPANY], kind="step_late"
    ).email


def test_late_means_an_open_jobs_step_past_its_planned_end_and_not_yet_shipped(
    world, django_capture_on_commit_callbacks
):
    """Late: an ordered, started or finished step (or an in-house one still planned) whose
    planned end is before today, on an open job. The owner's editors hear of each, the
    performer of its own, once."""
    from machikoba.network.choices import JobStatus, StepStatus
    from machikoba.network.models import Job

    today = timezone.localdate()
    shop = MembershipFactory(role=CompanyRole.OWNER).company
    owner = world.users[MEMBER]
    main = make_job(owner, world.company)
    two_steps = (("heat_treatment.quench_temper", False), ("grinding.cylindrical", False))
    second = make_job(owner, world.company, route=two_steps)
    cancelled = make_job(owner, world.company, route=two_steps)
    Job.objects.filter(pk=cancelled.pk).update(status=JobStatus.CANCELLED)

    def plan(job, position, status, performer, end):
        Step.objects.filter(job=job, position=position).update(
            status=status,
            performer=performer,
            planned_start=today - dt.timedelta(days=10),
            planned_end=today + dt.timedelta(days=end),
        )

    plan(main, 1, StepStatus.PLANNED, world.company, -1)  # in-house, not started: late
    plan(main, 2, StepStatus.IN_PROGRESS, world.other_company, -1)  # late
    plan(main, 3, StepStatus.ORDERED, shop, 0)  # ends today: not late yet
    plan(main, 4, StepStatus.PLANNED, shop, -1)  # a partner's step not ordered: not late
    plan(second, 1, StepStatus.DONE, world.other_company, -3)  # late
    plan(second, 2, StepStatus.SHIPPED, world.company, -1)  # shipped: not late
    Step.objects.filter(job=second, position=2).update(in_house=True)  # in-house alike
    plan(cancelled, 1, StepStatus.ORDERED, world.other_company, -1)  # the job is cancelled
    with django_capture_on_commit_callbacks(execute=True):
        assert services.steps_notify_late(today=today) == 3
    with django_capture_on_commit_callbacks(execute=True):
        assert services.steps_notify_late(today=today) == 0
    run_queued_tasks("deliver_notification")

    def bodies(user):
        notices = Notification.objects.filter(user=user, kind="step_late").order_by("body")
        return [(n.body, n.url) for n in notices]

    late = Step.objects.get(job=main, position=2)
    notice = (
        f"「段付きシャフト」の工程 2. {late.process.name_ja} ({world.other_company.name}) "
        f"が完了予定日 {format_date(today - dt.timedelta(days=1))} を過ぎています。",
        reverse("network:job_detail", args=[main.pk]),
    )
    assert len(bodies(owner)) == 3
    assert notice in bodies(owner)
    assert len(bodies(world.users[OTHER_COMPANY])) == 2
    assert notice in bodies(world.users[OTHER_COMPANY])
    assert bodies(shop.memberships.get().user) == []  # its steps are not late
    assert set(
        Step.objects.filter(late_notified_at__isnull=False).values_list("pk", flat=True)
    ) == {
        Step.objects.get(job=main, position=1).pk,
        late.pk,
        Step.objects.get(job=second, position=1).pk,
    }
