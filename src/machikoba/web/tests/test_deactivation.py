"""A deactivated company (issue 15, finding 10). Its people read its own records (jobs,
orders, threads, drawings, board rows) for ``MACHIKOBA_DEACTIVATED_READ_DAYS`` after its
deactivation and change nothing; after that they see nothing. The other party of shared
work keeps its own side; nobody can send the deactivated company new work or drawings."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.board import services as board
from machikoba.board.models import Hand
from machikoba.board.tests.factories import make_buyer, make_request
from machikoba.companies.models import Company
from machikoba.companies.services import company_deactivate, company_reactivate
from machikoba.core.access import VIEW
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import CompanyFactory, force_login_with_mfa
from machikoba.core.testing.matrix import ADMIN, MEMBER, OTHER_COMPANY, STAFF
from machikoba.drawings import services as drawings
from machikoba.drawings.models import Document
from machikoba.drawings.tests.factories import make_document, png_bytes, share
from machikoba.messaging import services as messaging
from machikoba.messaging.models import Message
from machikoba.messaging.tests.factories import make_thread, post
from machikoba.network import services as network
from machikoba.network.tests.factories import deadline, make_job, order_terms

pytestmark = pytest.mark.clock_sensitive

BANNER = "この企業は利用停止中です。"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MACHIKOBA_DEACTIVATED_READ_DAYS = 30


@pytest.fixture
def shared(world):
    """world.company owns a job with a drawing; the other company was asked for step 2,
    quoted and got the order; the two write to each other in a thread."""
    owner, partner = world.users[MEMBER], world.users[OTHER_COMPANY]
    document = make_document(world.company)
    job = make_job(owner, world.company, documents=[document])
    step = job.steps.get(position=2)
    rfq = network.rfq_send(
        actor=owner, job=job, steps=[step], recipients=[world.other_company], deadline=deadline()
    )
    winner = rfq.recipients.get()
    network.quote_submit(
        actor=partner,
        recipient=winner,
        price=120_000,
        lead_time_days=7,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    order = network.rfq_award(actor=owner, rfq=rfq, winner=winner, **order_terms())
    thread = make_thread(world.company, world.other_company)
    post(partner, world.other_company, thread, body="材料は届きました。")
    return job, order, thread, document


def _deactivate(world, days_ago: float = 1) -> Company:
    company = company_deactivate(actor=world.users[ADMIN], company=world.company)
    Company.objects.filter(pk=company.pk).update(
        deactivated_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    company.refresh_from_db()
    return company


def _fresh(user):
    """The user as the next request loads it (roles are cached per user object)."""
    return type(user).objects.get(pk=user.pk)


def _pages(job, order, thread, document):
    return {
        "job": reverse("network:job_detail", args=[job.pk]),
        "order": reverse("network:order_detail", args=[order.pk]),
        "thread": reverse("messaging:thread", args=[thread.pk]),
        "drawing": reverse("drawings:detail", args=[document.pk]),
        "download": reverse("drawings:download", args=[document.pk, 1]),
    }


# --- the services -----------------------------------------------------------------------


def test_only_a_platform_admin_deactivates_and_it_is_recorded(world):
    with pytest.raises(PermissionRefused) as refused:
        company_deactivate(actor=world.users[MEMBER], company=world.company)
    assert refused.value.code == "not_platform_admin"
    world.company.refresh_from_db()
    assert (world.company.is_active, world.company.deactivated_at) == (True, None)
    company = company_deactivate(actor=world.users[ADMIN], company=world.company, reason="廃業")
    assert company.is_active is False
    assert timezone.now() - company.deactivated_at < dt.timedelta(minutes=1)
    event = AuditEvent.objects.get(verb="company.deactivate")
    assert (event.actor, event.company, event.after["reason"]) == (
        world.users[ADMIN],
        world.company,
        "廃業",
    )
    with pytest.raises(ApplicationError) as twice:
        company_deactivate(actor=world.users[ADMIN], company=company)
    assert twice.value.code == "already_deactivated"
    company = company_reactivate(actor=world.users[ADMIN], company=company)
    assert (company.is_active, company.deactivated_at) == (True, None)
    assert AuditEvent.objects.filter(verb="company.reactivate", company=company).exists()
    with pytest.raises(ApplicationError) as active:
        company_reactivate(actor=world.users[ADMIN], company=company)
    assert active.value.code == "not_deactivated"


def test_the_admin_deactivates_through_the_service(world, client):
    from machikoba.companies.tests.test_admin import _form

    force_login_with_mfa(client, world.users[ADMIN])
    data = _form(world.company)
    del data["is_active"]  # the box unticked
    response = client.post(f"/admin/companies/company/{world.company.pk}/change/", data)
    assert response.status_code == 302
    world.company.refresh_from_db()
    assert world.company.is_active is False
    assert world.company.deactivated_at is not None
    assert AuditEvent.objects.filter(verb="company.deactivate", company=world.company).exists()


# --- its people: read in the grace period, write nothing --------------------------------


def test_in_the_grace_period_its_people_read_its_records_with_a_banner(world, client, shared):
    pages = _pages(*shared)
    _deactivate(world, days_ago=29)
    client.force_login(world.users[STAFF])
    home = client.get(reverse("web:home"))
    assert BANNER in home.content.decode()
    for name, url in pages.items():
        assert client.get(url).status_code == 200, name
    assert "材料は届きました。" in client.get(pages["thread"]).content.decode()


def test_in_the_grace_period_its_people_change_nothing(world, client, shared):
    job, _order, thread, document = shared
    _deactivate(world)
    owner = _fresh(world.users[MEMBER])
    with pytest.raises(PermissionRefused):
        network.job_create(
            actor=owner,
            company=world.company,
            part_name="新しい案件",
            quantity=1,
            due_date=timezone.localdate() + dt.timedelta(days=30),
        )
    with pytest.raises(PermissionRefused):
        network.rfq_send(
            actor=owner,
            job=job,
            steps=[job.steps.get(position=3)],
            recipients=[world.other_company],
            deadline=deadline(),
        )
    with pytest.raises(PermissionRefused):
        messaging.message_post(actor=owner, company=world.company, thread=thread, body="まだ?")
    with pytest.raises(PermissionRefused):
        drawings.document_create(
            actor=owner,
            company=world.company,
            title="新しい図面",
            kind="drawing",
            upload=SimpleUploadedFile("new.png", png_bytes(), content_type="image/png"),
        )
    with pytest.raises(PermissionRefused):
        drawings.grant_create(actor=owner, document=document, grantee=CompanyFactory())
    # Through the pages as well: the message form is not offered and a post is not stored.
    client.force_login(owner)
    url = reverse("messaging:thread", args=[thread.pk])
    assert b'data-testid="message-form"' not in client.get(url).content
    client.post(url, {"body": "まだ?"})
    assert not Message.objects.filter(body="まだ?").exists()
    assert not Document.objects.filter(title="新しい図面").exists()


def test_after_the_grace_period_its_people_see_nothing(world, client, shared):
    pages = _pages(*shared)
    _deactivate(world, days_ago=30.001)
    client.force_login(world.users[MEMBER])
    for name, url in pages.items():
        assert client.get(url).status_code == 404, name
    assert BANNER not in client.get(reverse("web:home")).content.decode()


# --- the other party keeps its side; nobody sends it new work ---------------------------


def test_the_other_party_keeps_its_side(world, client, shared):
    job, order, thread, _document = shared
    _deactivate(world, days_ago=31)
    partner = _fresh(world.users[OTHER_COMPANY])
    client.force_login(partner)
    assert client.get(reverse("network:job_detail", args=[job.pk])).status_code == 200
    assert client.get(reverse("network:order_detail", args=[order.pk])).status_code == 200
    assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 200
    post(partner, world.other_company, thread, body="検査は来週です。")
    assert Message.objects.filter(thread=thread, body="検査は来週です。").exists()
    network.order_accept(actor=partner, order=order)


def test_drawings_others_shared_with_it_close_at_deactivation(world, shared):
    theirs = make_document(world.other_company, title="相手の図面")
    share(theirs, world.company)
    owner = world.users[MEMBER]
    assert Document.objects.for_user(owner, VIEW).filter(pk=theirs.pk).exists()
    _deactivate(world)
    owner = _fresh(owner)
    visible = set(Document.objects.for_user(owner, VIEW).values_list("pk", flat=True))
    assert theirs.pk not in visible
    assert shared[3].pk in visible  # its own drawing, for the grace period


def test_a_deactivated_company_gets_no_new_rfq_grant_or_order(world, shared):
    job, _order, _thread, document = shared
    owner, partner = world.users[MEMBER], world.users[OTHER_COMPANY]
    rfq = network.rfq_send(
        actor=owner,
        job=job,
        steps=[job.steps.get(position=3)],
        recipients=[world.other_company],
        deadline=deadline(),
    )
    recipient = rfq.recipients.get()
    network.quote_submit(
        actor=partner,
        recipient=recipient,
        price=90_000,
        lead_time_days=7,
        valid_until=timezone.localdate() + dt.timedelta(days=30),
    )
    company_deactivate(actor=world.users[ADMIN], company=world.other_company)
    owner = _fresh(owner)
    world.other_company.refresh_from_db()
    with pytest.raises(ApplicationError) as asked:
        network.rfq_send(
            actor=owner,
            job=job,
            steps=[job.steps.get(position=4)],
            recipients=[world.other_company],
            deadline=deadline(),
        )
    assert asked.value.code == "rfq_invalid"
    with pytest.raises(ApplicationError) as granted:
        drawings.grant_create(actor=owner, document=document, grantee=world.other_company)
    assert granted.value.code == "grant_invalid"
    recipient.refresh_from_db()
    with pytest.raises(ApplicationError) as ordered:
        network.rfq_award(actor=owner, rfq=rfq, winner=recipient, **order_terms())
    assert ordered.value.code == "company_deactivated"


def test_on_the_board_it_reads_its_hand_in_the_grace_period_and_raises_none(world, client):
    request = make_request(make_buyer())
    process = request.processes.get(position=2)
    owner = world.users[MEMBER]
    hand = board.hand_raise(actor=owner, company=world.company, process=process, price=50_000)
    _deactivate(world)
    owner = _fresh(owner)
    url = reverse("board:request_detail", args=[request.pk])
    client.force_login(owner)
    assert client.get(url).status_code == 200
    assert Hand.objects.for_user(owner, VIEW).filter(pk=hand.pk).exists()
    with pytest.raises(PermissionRefused):
        board.hand_raise(actor=owner, company=world.company, process=process, price=1)
    hand.refresh_from_db()
    assert hand.price == 50_000
    _deactivate_more(world, days=31)
    assert client.get(url).status_code == 404


def _deactivate_more(world, *, days: float) -> None:
    Company.objects.filter(pk=world.company.pk).update(
        deactivated_at=timezone.now() - dt.timedelta(days=days)
    )
