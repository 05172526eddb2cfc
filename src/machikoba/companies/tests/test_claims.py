"""A company's first account (docs/guest-links.md): a request never creates an account by
itself; a secret mailed to the ward's address for the company, or an officer's approval
and a secret mailed to the requester, does. Every step is audited and told to the ward."""

import contextlib
import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import ClaimStatus, CompanyRole
from machikoba.companies.internal import company_claim_request
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_claims import CompanyClaim
from machikoba.companies.selectors_claims import claim_queue, mask_email
from machikoba.companies.services_claims import (
    company_claim_approve,
    company_claim_reject,
    company_contact_email_set,
)
from machikoba.core.access import CHANGE, VIEW
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent, Notification
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
)
from machikoba.core.testing.matrix import (
    ADMIN,
    MEMBER,
    METRO_VIEWER,
    OFFICER,
    OTHER_COMPANY,
    OTHER_WARD_OFFICER,
)
from machikoba.core.testing.processes import run_queued_tasks

pytestmark = pytest.mark.django_db

SHOP = "六郷研削所"
LINK = re.compile(r"https://machikoba\.example\.jp/claim/([A-Za-z0-9_-]{43})/")


@pytest.fixture
def mailbox(settings, django_capture_on_commit_callbacks):
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MACHIKOBA_SITE_URL = "https://machikoba.example.jp"

    @contextlib.contextmanager
    def deliver():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_queued_tasks("deliver_email")

    return deliver


def _token_sent_to(address: str) -> str:
    (token,) = [t for m in mail.outbox if address in m.to for t in LINK.findall(m.body)]
    return token


def test_the_secret_goes_to_the_wards_address_and_completes_the_account(world, client, mailbox):
    shop = CompanyFactory(name=SHOP, contact_email="office@rokugo.example.jp")
    with mailbox():
        claim = company_claim_request(
            company=shop, name="誰か", email="someone@example.com", origin="テスト"
        )
    assert claim.status == ClaimStatus.EMAIL_SENT
    assert claim.sent_to == "office@rokugo.example.jp"
    token = _token_sent_to("office@rokugo.example.jp")
    (confirmation,) = [m for m in mail.outbox if LINK.search(m.body)]
    assert confirmation.subject == "[machikoba] 企業アカウント作成の確認"
    assert "someone@example.com" not in confirmation.to
    # Only the hash is kept.
    claim.refresh_from_db()
    assert token not in claim.secret_hash
    assert len(claim.secret_hash) == 64

    url = reverse("companies:claim_account", args=[token])
    page = client.get(url)
    assert page.status_code == 200
    assert "office@rokugo.example.jp" in page.content.decode()
    assert page["Cache-Control"] == "private, no-store"
    weak = client.post(url, {"name": "六郷 太郎", "password": "short"})
    assert weak.status_code == 200
    assert 'id="id_password_error"' in weak.content.decode()
    assert not Membership.objects.filter(company=shop).exists()
    with mailbox():
        done = client.post(url, {"name": "六郷 太郎", "password": "kensaku-2041!"})
    assert done.status_code == 200
    assert "アカウントを作成しました" in done.content.decode()
    membership = Membership.objects.get(company=shop)
    assert membership.role == CompanyRole.OWNER
    user = membership.user
    assert user.email == "office@rokugo.example.jp"
    assert user.check_password("kensaku-2041!")
    assert EmailAddress.objects.get(user=user).verified
    claim.refresh_from_db()
    assert (claim.status, claim.user, claim.secret_hash) == (ClaimStatus.COMPLETED, user, "")
    assert AuditEvent.objects.filter(verb="company_claim.complete", company=shop).count() == 1
    assert any(world.users[OFFICER].email in m.to for m in mail.outbox)
    # The link works once.
    assert client.get(url).status_code == 404
    assert client.post(url, {"name": "別人", "password": "kensaku-2041!"}).status_code == 404
    assert Membership.objects.filter(company=shop).count() == 1
    # … and the company now has an account: no new request.
    with pytest.raises(ApplicationError) as refused:
        company_claim_request(company=shop, name="別人", email="x@example.com")
    assert refused.value.code == "claim_has_account"


def test_an_expired_or_tampered_link_is_not_found(client, mailbox):
    shop = CompanyFactory(contact_email="office@rokugo.example.jp")
    with mailbox():
        company_claim_request(company=shop, name="六郷 太郎")
    token = _token_sent_to("office@rokugo.example.jp")
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    assert client.get(reverse("companies:claim_account", args=[tampered])).status_code == 404
    CompanyClaim.objects.update(secret_expires_at=timezone.now() - dt.timedelta(minutes=1))
    url = reverse("companies:claim_account", args=[token])
    assert client.post(url, {"name": "六郷 太郎", "password": "kensaku-2041!"}).status_code == 404
    assert not Membership.objects.exists()


def test_an_officer_approves_and_the_requester_sets_a_password(world, client, mailbox):
    shop = CompanyFactory(name=SHOP)  # the ward holds no address for it
    with mailbox():
        claim = company_claim_request(
            company=shop, name="六郷 太郎", email="taro@rokugo.example.jp", phone="03-1234"
        )
    assert claim.status == ClaimStatus.AWAITING_OFFICER
    assert not LINK.search("".join(m.body for m in mail.outbox))
    officer = world.client_for(OFFICER)
    queue = officer.get(reverse("companies:claim_queue")).content.decode()
    assert SHOP in queue
    assert "03-1234" in queue
    with mailbox():
        response = officer.post(reverse("companies:claim_approve", args=[claim.pk]), follow=True)
    assert "承認しました" in response.content.decode()
    claim.refresh_from_db()
    assert (claim.status, claim.decided_by) == (ClaimStatus.APPROVED, world.users[OFFICER])
    token = _token_sent_to("taro@rokugo.example.jp")
    client.post(
        reverse("companies:claim_account", args=[token]),
        {"name": "六郷 太郎", "password": "kensaku-2041!"},
    )
    membership = Membership.objects.get(company=shop)
    assert membership.user.email == "taro@rokugo.example.jp"
    assert membership.role == CompanyRole.OWNER
    assert AuditEvent.objects.filter(verb="company_claim.approve").count() == 1
    # Decided once: a second approval is refused.
    with pytest.raises(ApplicationError) as again:
        company_claim_approve(actor=world.users[OFFICER], claim=claim)
    assert again.value.code == "claim_not_pending"


def test_an_officer_rejects_with_a_reason_and_nothing_secret_is_sent(world, mailbox):
    claim = company_claim_request(
        company=CompanyFactory(), name="乗っ取り 太郎", email="attacker@evil.example.com"
    )
    officer = world.users[OFFICER]
    with pytest.raises(ApplicationError) as no_reason:
        company_claim_reject(actor=officer, claim=claim, reason="  ")
    assert no_reason.value.code == "claim_invalid"
    with mailbox():
        company_claim_reject(actor=officer, claim=claim, reason="台帳の代表者が知らない")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert claim.secret_hash == ""
    to_requester = [m for m in mail.outbox if "attacker@evil.example.com" in m.to]
    assert len(to_requester) == 1
    assert not LINK.search(to_requester[0].body)
    assert "台帳の代表者が知らない" not in to_requester[0].body
    assert AuditEvent.objects.filter(verb="company_claim.reject").count() == 1


@pytest.mark.parametrize("actor", [MEMBER, OTHER_COMPANY, ADMIN, OTHER_WARD_OFFICER, METRO_VIEWER])
def test_only_ward_officers_see_or_decide_claims(world, actor):
    claim = company_claim_request(
        company=CompanyFactory(), name="六郷 太郎", email="taro@rokugo.example.jp"
    )
    user = world.users[actor]
    assert not CompanyClaim.objects.for_user(user, VIEW).exists()
    assert claim_queue(user=user) == {"waiting": [], "others": []}
    with pytest.raises(PermissionRefused):
        company_claim_approve(actor=user, claim=claim)
    with pytest.raises(PermissionRefused):
        company_claim_reject(actor=user, claim=claim, reason="理由")
    assert CompanyClaim.objects.get().status == ClaimStatus.AWAITING_OFFICER


def test_an_officer_of_nothing_else_sees_no_claims_but_an_officer_does(world):
    company_claim_request(company=CompanyFactory(), name="六郷 太郎", email="t@example.jp")
    advisor = WardRoleFactory(role=WardRole.ADVISOR).user
    assert not CompanyClaim.objects.for_user(advisor, VIEW).exists()
    assert not CompanyClaim.objects.for_user(None, VIEW).exists()
    assert CompanyClaim.objects.for_user(world.users[OFFICER], CHANGE).count() == 1


def test_requests_are_limited_per_company(settings):
    settings.MACHIKOBA_CLAIM_REQUESTS_PER_COMPANY_DAY = 2
    shop = CompanyFactory()
    for n in range(2):
        company_claim_request(company=shop, name="六郷 太郎", email=f"t{n}@example.jp")
    with pytest.raises(ApplicationError) as refused:
        company_claim_request(company=shop, name="六郷 太郎", email="t9@example.jp")
    assert refused.value.code == "claim_too_many"
    assert CompanyClaim.objects.filter(company=shop).count() == 2
    # Another company is not affected; a day later this one is not either.
    company_claim_request(company=CompanyFactory(), name="別人", email="b@example.jp")
    CompanyClaim.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    company_claim_request(company=shop, name="六郷 太郎", email="t9@example.jp")


def test_a_request_for_a_company_with_an_account_is_refused(world):
    with pytest.raises(ApplicationError) as refused:
        company_claim_request(company=world.company, name="誰か", email="x@example.jp")
    assert refused.value.code == "claim_has_account"
    assert not CompanyClaim.objects.exists()


def test_an_approval_is_refused_for_a_requester_address_already_registered(world):
    taken = world.users[OTHER_COMPANY].email
    claim = company_claim_request(company=CompanyFactory(), name="誰か", email=taken)
    with pytest.raises(ApplicationError) as refused:
        company_claim_approve(actor=world.users[OFFICER], claim=claim)
    assert refused.value.code == "claim_email_taken"
    assert CompanyClaim.objects.get().status == ClaimStatus.AWAITING_OFFICER


# --- the ward's ledger address ----------------------------------------------------------


def test_the_ledger_address_is_seen_by_officers_and_owners_only(world):
    Company.objects.filter(pk=world.company.pk).update(contact_email="office@jisha.example.jp")
    url = reverse("companies:detail", args=[world.company.pk])
    for actor, sees in ((OFFICER, True), (MEMBER, True), (OTHER_COMPANY, False)):
        page = world.client_for(actor).get(url).content.decode()
        assert ("office@jisha.example.jp" in page) is sees, actor
    assert (
        "office@jisha.example.jp"
        not in world.client_for(OTHER_COMPANY).get(reverse("companies:directory")).content.decode()
    )


def test_an_officer_sets_the_ledger_address_and_bad_input_changes_nothing(world):
    officer = world.client_for(OFFICER)
    url = reverse("companies:contact_email", args=[world.company.pk])
    bad = officer.post(url, {"email": "not an address"}, follow=True)
    assert "メールアドレスを正しく入力してください" in bad.content.decode()
    assert Company.objects.get(pk=world.company.pk).contact_email == ""
    officer.post(url, {"email": " Office@Jisha.example.jp "})
    assert Company.objects.get(pk=world.company.pk).contact_email == "office@jisha.example.jp"
    assert AuditEvent.objects.filter(verb="company.contact_email").count() == 1
    with pytest.raises(PermissionRefused):
        company_contact_email_set(
            actor=world.users[MEMBER], company=world.company, email="mine@example.jp"
        )


def test_mask_email():
    assert mask_email("taro@example.jp") == "t***@example.jp"
    assert mask_email("") == "***"


def test_the_import_reads_the_ledger_address_column():
    from machikoba.companies.importing.fields import FIELDS_BY_NAME, suggest_mapping
    from machikoba.companies.importing.rows import convert_cell

    mapping = suggest_mapping(["企業名", "メールアドレス"])
    assert mapping == {"name": 0, "contact_email": 1}
    assert convert_cell(FIELDS_BY_NAME["contact_email"], " Info@Example.JP ") == "info@example.jp"


def test_officers_are_told_of_each_request(world, mailbox):
    second = WardRoleFactory(role=WardRole.OFFICER).user
    UserFactory()  # not an officer
    MembershipFactory()
    with mailbox():
        company_claim_request(company=CompanyFactory(name=SHOP), name="六郷 太郎", email="t@ex.jp")
    for officer in (world.users[OFFICER], second):
        notice = officer.notifications.get(kind="company_claim")
        assert SHOP in notice.title
        assert notice.url == reverse("companies:claim_queue")
    officer_mail = [m for m in mail.outbox if m.to[0] in {world.users[OFFICER].email, second.email}]
    assert len(officer_mail) == 2


def test_only_the_companys_ward_hears_of_a_claim(world, mailbox):
    """The officers of the company's ward get the notice and the e-mail; the officer of
    another ward gets nothing; for a company outside every ward the platform admins do."""
    with mailbox():
        company_claim_request(company=CompanyFactory(), name="六郷 太郎", email="t@example.jp")
    officer, other = world.users[OFFICER], world.users[OTHER_WARD_OFFICER]
    notified = set(Notification.objects.values_list("user_id", flat=True))
    assert notified == {officer.pk}
    assert [m.to for m in mail.outbox] == [[officer.email]]
    mail.outbox.clear()
    with mailbox():
        company_claim_request(
            company=CompanyFactory(name="川崎の工場", ward=None),
            name="川崎 花子",
            email="h@example.jp",
        )
    newly = set(Notification.objects.values_list("user_id", flat=True)) - notified
    assert newly == {world.users[ADMIN].pk}
    assert other.pk not in set(Notification.objects.values_list("user_id", flat=True))
