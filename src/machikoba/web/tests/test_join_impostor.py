"""An impostor who holds a shop's one-time RFQ link (the link's issuer, or anyone it was
forwarded to) tries every door to become the shop's owner, through the pages: the link's
own account request, sign-up and a claim by code, letter or officer, guessing codes, a
new company with the shop's 法人番号, the link's token where a claim's secret goes. None
opens: every code goes where the ward's ledger says, and the shop gains no owner."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import ClaimStatus, CompanyRole
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_claims import CompanyClaim
from machikoba.companies.services_join import CODE_ATTEMPTS
from machikoba.core import sms
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory, UserFactory
from machikoba.core.testing.processes import run_queued_tasks
from machikoba.network import services
from machikoba.network.tests.factories import deadline, make_job

LEDGER = "office@rokugo.example.jp"
IMPOSTOR = "impostor@free.example.com"


@pytest.fixture
def shop_and_link(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MACHIKOBA_SMS_BACKEND = "locmem"
    sms.outbox.clear()
    buyer = MembershipFactory(
        company=CompanyFactory(name="蒲田精機株式会社"), role=CompanyRole.OWNER
    )
    shop = CompanyFactory(name="六郷研削所", corporate_number="5010401000007", contact_email=LEDGER)
    job = make_job(buyer.user, buyer.company)
    rfq = services.rfq_send(
        actor=buyer.user,
        job=job,
        steps=[job.steps.get(position=4)],
        recipients=[shop],
        deadline=deadline(),
        message="研削をお願いします。",
    )
    link, token = services.guest_link_issue(
        actor=buyer.user, recipient=rfq.recipients.get(), channel="print"
    )
    # The shop answered through the link (the account request comes after an answer).
    services.guest_decline(link=link, reason="今月は手一杯です")
    return shop, token


def _mail_to(address):
    run_queued_tasks("deliver_email")
    return [m for m in mail.outbox if address in m.to]


def test_an_impostor_with_the_link_cannot_become_the_owner_by_any_path(
    shop_and_link, client, django_capture_on_commit_callbacks
):
    shop, token = shop_and_link
    # 1. The link itself: ask for the account with one's own address.
    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(
            reverse("network:guest_claim", args=[token]),
            {"name": "六郷 太郎", "email": IMPOSTOR, "phone": "", "note": ""},
        ).content.decode()
    assert "o***@rokugo.example.jp" in page  # the secret went to the ledger, masked here
    assert _mail_to(IMPOSTOR) == []
    # The link's token where a claim's secret goes: not found.
    assert client.get(reverse("companies:claim_account", args=[token])).status_code == 404

    # 2. Sign up and claim the shop. While the link's request can still succeed, the
    # search says another person is asking and a claim is refused.
    impostor = UserFactory(email=IMPOSTOR)
    client.force_login(impostor)
    found = client.get(reverse("companies:join"), {"q": shop.corporate_number}).content.decode()
    start = reverse("companies:join_claim_start", args=[shop.pk])
    assert "ほかの方が参加を申請中です" in found
    assert start not in found
    response = client.post(start, {"method": "code"})
    assert "ほかの方が参加を申請中です" in response.content.decode()
    assert not CompanyClaim.objects.filter(requester=impostor).exists()
    # Three days later that secret has expired: a claim by code sends it to the ledger's
    # address only, and guessing ends the claim.
    CompanyClaim.objects.filter(company=shop).update(
        secret_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(start, {"method": "code"})
    claim = CompanyClaim.objects.get(requester=impostor)
    assert claim.status == ClaimStatus.CODE_SENT
    assert claim.sent_to == LEDGER
    assert _mail_to(IMPOSTOR) == []
    assert sms.outbox == []
    page = reverse("companies:join_claim", args=[claim.pk])
    for guess in range(CODE_ATTEMPTS):
        response = client.post(page, {"code": f"{guess:06d}"})
        assert "確認コード" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.EXPIRED
    # By letter: it goes to the registered address, printed by the ward; nothing here.
    client.post(start, {"method": "letter"})
    letter = CompanyClaim.objects.get(requester=impostor, status=ClaimStatus.LETTER_REQUESTED)
    assert letter.secret_hash == ""  # no code exists until the ward prints the letter

    # 3. A "new" company with the shop's 法人番号: refused, nothing created.
    before = Company.objects.count()
    response = client.post(
        reverse("companies:join_new"),
        {
            "name": "六郷研削所",
            "corporate_number": shop.corporate_number,
            "postal_code": "144-0051",
            "address_line": "西蒲田1-1-1",
            "method": "letter",
        },
    )
    assert response.status_code == 200
    assert "すでに登録されています" in response.content.decode()
    assert Company.objects.count() == before

    # Whatever was tried, the shop has no owner and the impostor no company.
    assert not Membership.objects.filter(company=shop).exists()
    assert not Membership.objects.filter(user=impostor).exists()
    assert all(re.search(r"\d{6}", m.body) is None for m in _mail_to(IMPOSTOR))
