"""Joining the network: a signed-up person finds the company the ward imported and proves
it is theirs (a code to the ward's ledger address or phone, a letter, an officer), or
registers a new one that the network sees only once verified. Nobody passes by asking."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from machikoba.companies.choices import ClaimStatus, CompanyRole, JoinMethod
from machikoba.companies.models import Company, Membership
from machikoba.companies.models_claims import CompanyClaim, JoinPolicy
from machikoba.companies.selectors_join import join_methods, join_search
from machikoba.companies.services_join import (
    CODE_ATTEMPTS,
    code_hash,
    join_claim_approve,
    join_claim_reject,
    join_claim_start,
    join_code_enter,
    join_company_create,
    join_letter_issue,
)
from machikoba.core import sms
from machikoba.core.access import VIEW
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.factories import (
    CompanyFactory,
    UserFactory,
    ward,
)
from machikoba.core.testing.matrix import MEMBER, OFFICER, OTHER_WARD_OFFICER
from machikoba.core.testing.processes import run_queued_tasks

CODE = re.compile(r"確認コード: (\d{6})")


@pytest.fixture
def mailbox(settings, django_capture_on_commit_callbacks):
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MACHIKOBA_SMS_BACKEND = "locmem"
    sms.outbox.clear()

    class Deliver:
        def __enter__(self):
            self.capture = django_capture_on_commit_callbacks(execute=True)
            self.capture.__enter__()

        def __exit__(self, *exc):
            self.capture.__exit__(*exc)
            run_queued_tasks("deliver_email")

    return Deliver


@pytest.fixture
def imported(db):
    """A shop the ward imported: no account yet, the ward's ledger address on file."""
    return CompanyFactory(
        name="六郷研削所",
        name_kana="ロクゴウケンサクショ",
        corporate_number="5010401000007",
        contact_email="info@rokugo.example.jp",
    )


def _code_in_mail(address):
    (body,) = [m.body for m in mail.outbox if address in m.to]
    return CODE.search(body).group(1)


def test_the_owner_finds_the_company_and_the_ledger_code_makes_it_theirs(world, imported, mailbox):
    owner = UserFactory(email="taro@gmail.example.com")
    for text in ("5010401000007", "５０１０４０１０００００７", "六郷研削", "ロクゴウ"):
        found = [c.company for c in join_search(user=owner, text=text)]
        assert imported in found, text
    with mailbox():
        claim = join_claim_start(actor=owner, company=imported, method=JoinMethod.CODE)
    # The code goes to the ward's address, never to the requester's.
    assert [m.to for m in mail.outbox] == [["info@rokugo.example.jp"]]
    assert claim.status == ClaimStatus.CODE_SENT
    code = _code_in_mail("info@rokugo.example.jp")
    assert claim.secret_hash == code_hash(claim, code) != code
    assert not Membership.objects.filter(company=imported).exists()  # not by asking
    join_code_enter(actor=owner, claim=claim, code=f" {code[:3]}-{code[3:]} ")
    membership = Membership.objects.get(company=imported)
    assert (membership.user, membership.role) == (owner, CompanyRole.OWNER)
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED
    assert AuditEvent.objects.filter(verb="company_claim.verified", company=imported).exists()
    # Now claimed: nobody else may claim it; its owners invite.
    with pytest.raises(ApplicationError) as taken:
        join_claim_start(actor=UserFactory(), company=imported, method=JoinMethod.CODE)
    assert taken.value.code == "claim_has_account"


def test_a_code_by_sms_when_the_ward_holds_only_a_phone(world, mailbox):
    shop = CompanyFactory(name="京島工業", contact_phone="03-3610-0000")
    owner = UserFactory()
    assert [c.company for c in join_search(user=owner, text="0336100000")] == [shop]
    with mailbox():
        claim = join_claim_start(actor=owner, company=shop, method=JoinMethod.CODE)
    (message,) = sms.outbox
    assert message.to == "03-3610-0000"
    code = CODE.search(message.body).group(1)
    join_code_enter(actor=owner, claim=claim, code=code)
    assert Membership.objects.filter(company=shop, user=owner, role=CompanyRole.OWNER).exists()


def test_wrong_codes_are_counted_and_end_the_claim(world, imported, mailbox):
    owner = UserFactory()
    with mailbox():
        claim = join_claim_start(actor=owner, company=imported, method=JoinMethod.CODE)
    code = _code_in_mail("info@rokugo.example.jp")
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for attempt in range(1, CODE_ATTEMPTS + 1):
        with pytest.raises(ApplicationError) as refused:
            join_code_enter(actor=owner, claim=claim, code=wrong)
        assert refused.value.code == "claim_code_wrong"
        claim.refresh_from_db()
        assert claim.code_attempts == attempt
    assert claim.status == ClaimStatus.EXPIRED
    with pytest.raises(ApplicationError):
        join_code_enter(actor=owner, claim=claim, code=code)  # even the right one, now
    assert not Membership.objects.filter(company=imported).exists()


def test_an_expired_code_or_anothers_claim_is_refused(world, imported, mailbox):
    owner, other = UserFactory(), UserFactory()
    with mailbox():
        claim = join_claim_start(actor=owner, company=imported, method=JoinMethod.CODE)
    code = _code_in_mail("info@rokugo.example.jp")
    with pytest.raises(PermissionRefused):
        join_code_enter(actor=other, claim=claim, code=code)
    # While one person's claim is open, another cannot start one.
    with pytest.raises(ApplicationError) as busy:
        join_claim_start(actor=other, company=imported, method=JoinMethod.CODE)
    assert busy.value.code == "claim_in_progress"
    CompanyClaim.objects.filter(pk=claim.pk).update(
        secret_expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    with pytest.raises(ApplicationError) as late:
        join_code_enter(actor=owner, claim=claim, code=code)
    assert late.value.code == "claim_link_unusable"
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.EXPIRED
    assert not Membership.objects.filter(company=imported).exists()


@pytest.fixture
def codes(monkeypatch):
    """The codes the platform draws, in this order (the draw itself is ``secrets``)."""

    def draw(*values):
        queue = list(values)
        monkeypatch.setattr("machikoba.companies.services_join._new_code", lambda: queue.pop(0))

    return draw


def test_a_code_from_another_companys_claim_does_not_open_this_one(world, imported, mailbox, codes):
    codes("111111", "222222")
    owner = UserFactory()
    other_shop = CompanyFactory(contact_email="office@kojiya.example.jp")
    with mailbox():
        mine = join_claim_start(actor=owner, company=imported, method=JoinMethod.CODE)
        join_claim_start(actor=UserFactory(), company=other_shop, method=JoinMethod.CODE)
    foreign = _code_in_mail("office@kojiya.example.jp")
    own = _code_in_mail("info@rokugo.example.jp")
    assert (own, foreign) == ("111111", "222222")
    with pytest.raises(ApplicationError) as refused:
        join_code_enter(actor=owner, claim=mine, code=foreign)
    assert refused.value.code == "claim_code_wrong"
    assert code_hash(mine, own) != code_hash(CompanyClaim.objects.get(company=other_shop), own)
    join_code_enter(actor=owner, claim=mine, code=own)
    assert Membership.objects.filter(company=imported, user=owner).exists()


def test_the_letter_carries_a_fresh_code_to_the_registered_address(world, imported, mailbox, codes):
    codes("314159", "271828", "161803")
    owner = UserFactory()
    with mailbox():
        claim = join_claim_start(actor=owner, company=imported, method=JoinMethod.LETTER)
    assert claim.status == ClaimStatus.LETTER_REQUESTED
    assert not any(CODE.search(m.body) for m in mail.outbox)  # no code goes by e-mail
    officer = world.users[OFFICER]
    with pytest.raises(PermissionRefused):
        join_letter_issue(actor=world.users[OTHER_WARD_OFFICER], claim=claim)
    claim, first = join_letter_issue(actor=officer, claim=claim)
    claim, code = join_letter_issue(actor=officer, claim=claim)  # printed again
    assert (first, code) == ("314159", "271828")
    assert claim.status == ClaimStatus.LETTER_SENT
    with pytest.raises(ApplicationError) as replaced:  # the first letter's code is void
        join_code_enter(actor=owner, claim=claim, code=first)
    assert replaced.value.code == "claim_code_wrong"
    join_code_enter(actor=owner, claim=claim, code=code)
    assert Membership.objects.filter(company=imported, user=owner).exists()
    # The PDF the officer prints, through the page.
    again = join_claim_start(
        actor=UserFactory(), company=CompanyFactory(), method=JoinMethod.LETTER
    )
    response = world.client_for(OFFICER).post(reverse("companies:claim_letter", args=[again.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_an_officer_approves_or_refuses_with_evidence(world, imported, mailbox):
    owner = UserFactory()
    evidence = SimpleUploadedFile("登記.pdf", b"%PDF-1.4 certificate", "application/pdf")
    with mailbox():
        claim = join_claim_start(
            actor=owner, company=imported, method=JoinMethod.OFFICER, evidence=evidence
        )
    assert claim.status == ClaimStatus.AWAITING_OFFICER
    assert claim.evidence.name.startswith("claims/")
    assert "登記" not in claim.evidence.name  # never the uploaded name
    page = world.client_for(OFFICER).get(reverse("companies:claim_queue")).content.decode()
    assert f"claim-evidence-{claim.pk}" in page
    with pytest.raises(PermissionRefused):
        join_claim_approve(actor=world.users[OTHER_WARD_OFFICER], claim=claim)
    with pytest.raises(ApplicationError):
        join_claim_reject(actor=world.users[OFFICER], claim=claim, reason=" ")
    join_claim_reject(actor=world.users[OFFICER], claim=claim, reason="登記の代表者と違う")
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.REJECTED
    assert owner.notifications.filter(body__contains="登記の代表者と違う").exists()
    with mailbox():
        second = join_claim_start(actor=owner, company=imported, method=JoinMethod.OFFICER)
    join_claim_approve(actor=world.users[OFFICER], claim=second)
    assert Membership.objects.filter(company=imported, user=owner).exists()


def test_bad_evidence_or_a_method_the_ward_does_not_offer_changes_nothing(world, imported):
    owner = UserFactory()
    not_a_pdf = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a document", "application/pdf")
    with pytest.raises(ApplicationError) as bad:
        join_claim_start(
            actor=owner, company=imported, method=JoinMethod.OFFICER, evidence=not_a_pdf
        )
    assert "PDF" in str(bad.value.fields["evidence"])
    JoinPolicy.objects.create(ward=ward(), code=False, letter=True, officer=True)
    assert join_methods(imported) == [JoinMethod.LETTER, JoinMethod.OFFICER]
    with pytest.raises(ApplicationError):
        join_claim_start(actor=owner, company=imported, method=JoinMethod.CODE)
    assert not CompanyClaim.objects.exists()


def test_a_new_company_is_its_owners_at_once_and_the_networks_once_verified(world, mailbox):
    owner = UserFactory()
    with mailbox():
        claim = join_company_create(
            actor=owner,
            name="屋号 山田製作所",
            method=JoinMethod.LETTER,
            postal_code="130-0012",
            address_line="太平1-2-3",
        )
    company = claim.company
    assert company.verified_at is None
    assert company.ward.name == "墨田区"
    assert Membership.objects.filter(company=company, user=owner, role="owner").exists()
    # Its owner sees it; another shop and the directory do not; its ward's officer does.
    assert Company.objects.for_user(owner, VIEW).filter(pk=company.pk).exists()
    assert not Company.objects.for_user(world.users[MEMBER], VIEW).filter(pk=company.pk).exists()
    assert (
        world.client_for(MEMBER).get(reverse("companies:detail", args=[company.pk])).status_code
        == 404
    )
    assert (
        Company.objects.for_user(world.users[OTHER_WARD_OFFICER], VIEW)
        .filter(pk=company.pk)
        .exists()
    )
    _claim, code = join_letter_issue(actor=world.users[OTHER_WARD_OFFICER], claim=claim)
    join_code_enter(actor=owner, claim=claim, code=code)
    company.refresh_from_db()
    assert company.verified_at is not None
    assert Company.objects.for_user(world.users[MEMBER], VIEW).filter(pk=company.pk).exists()


def test_a_new_company_with_a_registered_number_or_bad_input_is_refused(world, imported):
    owner = UserFactory()
    before = Company.objects.count()
    with pytest.raises(ApplicationError) as taken:
        join_company_create(
            actor=owner,
            name="なりすまし工業",
            method=JoinMethod.LETTER,
            corporate_number=imported.corporate_number,
            postal_code="144-0051",
            address_line="西蒲田1-1-1",
        )
    assert taken.value.code in ("company_exists", "company_invalid")
    for bad in (
        {"corporate_number": "1234567890123"},  # wrong check digit
        {"postal_code": "000-0000"},
        {"postal_code": ""},
    ):
        fields = {"postal_code": "144-0051", "address_line": "西蒲田1-1-1", **bad}
        with pytest.raises(ApplicationError):
            join_company_create(actor=owner, name="新工業", method=JoinMethod.LETTER, **fields)
    with pytest.raises(ApplicationError):
        join_company_create(
            actor=owner,
            name="新工業",
            method=JoinMethod.CODE,
            postal_code="144-0051",
            address_line="x",
        )
    assert Company.objects.count() == before
    assert not Membership.objects.filter(user=owner).exists()


def test_the_join_pages_work_and_refuse_with_clear_messages(world, imported, client, mailbox):
    owner = UserFactory()
    client.force_login(owner)
    page = client.get(reverse("companies:join"), {"q": "5010401000007"}).content.decode()
    assert "六郷研削所" in page
    assert reverse("companies:join_claim_start", args=[imported.pk]) in page
    with mailbox():
        response = client.post(
            reverse("companies:join_claim_start", args=[imported.pk]), {"method": "code"}
        )
    claim = CompanyClaim.objects.get(requester=owner)
    assert response.url == reverse("companies:join_claim", args=[claim.pk])
    response = client.post(response.url, {"code": "12"})
    assert "確認コードが違います" in response.content.decode()
    code = _code_in_mail("info@rokugo.example.jp")
    response = client.post(reverse("companies:join_claim", args=[claim.pk]), {"code": code})
    assert response.status_code == 302
    assert Membership.objects.filter(company=imported, user=owner).exists()
    # Another person's claim page is not found.
    stranger = world.client_for(MEMBER)
    assert stranger.get(reverse("companies:join_claim", args=[claim.pk])).status_code == 404
    # The home of someone without a company leads here.
    newcomer = UserFactory()
    client.force_login(newcomer)
    assert reverse("companies:join") in client.get(reverse("web:home")).content.decode()
