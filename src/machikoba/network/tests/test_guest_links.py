"""One-time links (回答用リンク): an RFQ answered by a shop that has no account, through a
link sent by e-mail or printed for FAX. The link works for its RFQ and recipient only,
once, until it expires; everything else is a clear page that leaks nothing."""

import contextlib
import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.models import Membership
from machikoba.companies.models_claims import CompanyClaim
from machikoba.core.errors import ApplicationError, PermissionRefused
from machikoba.core.models import AuditEvent
from machikoba.core.testing.clock import yesterday
from machikoba.core.testing.factories import CompanyFactory
from machikoba.core.testing.matrix import FLOOR_WORKER, MEMBER, OFFICER, OTHER_COMPANY, STAFF
from machikoba.core.testing.processes import SmtpInbox, run_queued_tasks
from machikoba.drawings.models import DocumentEvent
from machikoba.drawings.tests.factories import make_document
from machikoba.network import guest_throttle, selectors, services
from machikoba.network.models import GuestLink, Quote
from machikoba.network.tests.factories import deadline, make_job

pytestmark = pytest.mark.clock_sensitive

SHOP = "六郷研削所"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def guest_rfq(w, *, shop=None, days=3):
    """An RFQ from the world's company to a shop nobody has signed up for."""
    shop = shop or CompanyFactory(name=SHOP)
    job = make_job(
        w.users[MEMBER], w.company, documents=[make_document(w.company, title="シャフト図")]
    )
    rfq = services.rfq_send(
        actor=w.users[MEMBER],
        job=job,
        steps=[job.steps.get(position=4)],
        recipients=[shop],
        deadline=deadline(days),
    )
    return rfq, rfq.recipients.get()


def issue(w, recipient, channel="print", **kwargs):
    return services.guest_link_issue(
        actor=w.users[MEMBER], recipient=recipient, channel=channel, **kwargs
    )


def page_url(token, name="guest_rfq", *args):
    return reverse(f"network:{name}", args=[token, *args])


def quote_data(**overrides):
    data = {
        "price": "64000",
        "lead_time_days": "7",
        "valid_until": (timezone.localdate() + dt.timedelta(days=20)).isoformat(),
        "conditions": "材料支給",
        "quantity_breaks": "",
    }
    data.update(overrides)
    return data


# --- issuing ----------------------------------------------------------------------------


def test_only_the_owners_owners_and_staff_issue_links(world):
    _rfq, recipient = guest_rfq(world)
    for actor in (FLOOR_WORKER, OTHER_COMPANY, OFFICER):
        with pytest.raises(PermissionRefused):
            services.guest_link_issue(
                actor=world.users[actor], recipient=recipient, channel="print"
            )
    for actor in (MEMBER, STAFF):
        link, token = services.guest_link_issue(
            actor=world.users[actor], recipient=recipient, channel="print"
        )
        assert re.fullmatch(r"[A-Za-z0-9_-]{43}", token)
        assert link.token_hash == selectors.guest_token_hash(token)
        assert token not in link.token_hash  # only the hash is kept
    assert AuditEvent.objects.filter(verb="guest_link.issue").count() == 2


def test_a_shop_with_an_account_gets_no_link(world):
    job = make_job(world.users[MEMBER], world.company)
    rfq = services.rfq_send(
        actor=world.users[MEMBER],
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[world.other_company],
        deadline=deadline(),
    )
    with pytest.raises(ApplicationError) as refused:
        issue(world, rfq.recipients.get())
    assert refused.value.code == "guest_link_has_account"


def test_a_link_expires_at_the_deadline_but_never_later_than_the_setting(world, settings):
    settings.MACHIKOBA_GUEST_LINK_DAYS = 14
    rfq, recipient = guest_rfq(world, days=3)
    link, _token = issue(world, recipient)
    assert link.expires_at == rfq.deadline
    rfq.deadline = timezone.now() + dt.timedelta(days=40)
    rfq.save()
    link, _token = issue(world, recipient)
    assert abs(link.expires_at - (timezone.now() + dt.timedelta(days=14))) < dt.timedelta(minutes=1)


def test_issuing_again_replaces_the_previous_link(world, client):
    _rfq, recipient = guest_rfq(world)
    _old, old_token = issue(world, recipient)
    _new, new_token = issue(world, recipient)
    gone = client.get(page_url(old_token))
    assert gone.status_code == 410
    assert "新しいリンクに置き換えられた" in gone.content.decode()
    assert client.get(page_url(new_token)).status_code == 200


# --- opening ----------------------------------------------------------------------------


def test_the_link_shows_the_rfq_and_watermarked_drawings_and_logs_the_opening(world, client):
    rfq, recipient = guest_rfq(world)
    link, token = issue(world, recipient)
    response = client.get(page_url(token), REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    body = response.content.decode()
    assert "段付きシャフト" in body
    assert "円筒研削" in body
    assert world.company.name in body
    assert response["Cache-Control"] == "private, no-store"
    assert response["Referrer-Policy"] == "same-origin"
    document = rfq.job.documents.get()
    image_url = page_url(token, "guest_page_image", document.pk, 1)
    assert image_url in body
    image = client.get(image_url)
    assert image.status_code == 200
    assert image["Content-Type"] == "image/png"
    assert reverse("drawings:download", args=[document.pk, 1]) not in body
    opened = AuditEvent.objects.get(verb="guest_link.open")
    assert opened.ip_address == "203.0.113.7"
    assert opened.company == world.company
    link.refresh_from_db()
    assert link.open_count == 1
    assert link.last_opened_at is not None
    viewed = DocumentEvent.objects.get(document=document, action="view")
    assert viewed.actor_company_name == SHOP


def test_the_link_holder_accepts_the_senders_nda_before_the_drawings_show(world, client):
    from machikoba.drawings.models import NdaAcceptance
    from machikoba.drawings.services import nda_publish

    nda = nda_publish(actor=world.users[MEMBER], company=world.company, body="第1条 秘密を守る")
    rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    document = rfq.job.documents.get()
    image_url = page_url(token, "guest_page_image", document.pk, 1)
    body = client.get(page_url(token)).content.decode()
    assert "第1条 秘密を守る" in body
    assert image_url not in body
    assert client.get(image_url).status_code == 404
    refused = client.post(page_url(token, "guest_nda"), {"nda": nda.pk})
    assert refused.status_code == 302
    assert not NdaAcceptance.objects.exists()
    client.post(page_url(token, "guest_nda"), {"nda": nda.pk, "agree": "yes"})
    acceptance = NdaAcceptance.objects.get()
    assert acceptance.company == recipient.company
    assert acceptance.accepted_by is None
    assert image_url in client.get(page_url(token)).content.decode()
    assert client.get(image_url).status_code == 200
    assert DocumentEvent.objects.filter(document=document, action="nda_accept").exists()


def test_a_link_opens_only_the_drawings_granted_for_its_own_rfq(world, client):
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    # The owner's drawing of another RFQ, to another account-less shop.
    other_rfq, other_recipient = guest_rfq(world, shop=CompanyFactory(name="別の工場"))
    other_document = other_rfq.job.documents.get()
    unshared = make_document(world.company, title="社内図面")
    for document in (other_document, unshared):
        assert client.get(page_url(token, "guest_page_image", document.pk, 1)).status_code == 404
    # The other link does not open this RFQ's drawing either.
    _other, other_token = issue(world, other_recipient)
    mine = recipient.rfq.job.documents.get()
    assert client.get(page_url(other_token, "guest_page_image", mine.pk, 1)).status_code == 404
    theirs = page_url(other_token, "guest_page_image", other_document.pk, 1)
    assert client.get(theirs).status_code == 200


@pytest.mark.parametrize(
    "tamper",
    [
        lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),
        lambda t: t[:20],
        lambda t: t + "x",
        lambda t: "../" + t,
    ],
    ids=["changed", "cut", "longer", "path"],
)
def test_a_tampered_link_is_a_404_that_leaks_nothing(world, client, tamper):
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    response = client.get(page_url(tamper(token)) if "/" not in tamper(token) else "/r/x/")
    assert response.status_code == 404
    body = response.content.decode()
    for secret in ("段付きシャフト", world.company.name, SHOP, "TK-2041"):
        assert secret not in body
    if "/" not in tamper(token):
        assert "このリンクは使えません" in body
        refused = AuditEvent.objects.get(verb="guest_link.refused")
        assert refused.ip_address == "127.0.0.1"
        assert refused.after == {"reason": "unknown"}


def test_an_expired_link_is_a_410_that_names_only_the_sender(world, client):
    _rfq, recipient = guest_rfq(world)
    link, token = issue(world, recipient)
    GuestLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
    response = client.get(page_url(token))
    assert response.status_code == 410
    body = response.content.decode()
    assert "有効期限が切れています" in body
    assert world.company.name in body
    assert "段付きシャフト" not in body
    assert "TK-2041" not in body
    assert AuditEvent.objects.get(verb="guest_link.refused").after == {"reason": "expired"}
    assert client.post(page_url(token, "guest_quote"), quote_data()).status_code == 410
    assert not Quote.objects.exists()


# --- answering --------------------------------------------------------------------------


def test_a_quote_through_the_link_uses_it_up(world, client):
    rfq, recipient = guest_rfq(world)
    link, token = issue(world, recipient)
    response = client.post(page_url(token, "guest_quote"), quote_data(), REMOTE_ADDR="198.51.100.4")
    assert response.status_code == 302
    quote = Quote.objects.get(recipient=recipient)
    assert quote.price == 64_000
    assert quote.submitted_by is None
    recipient.refresh_from_db()
    assert recipient.status == "quoted"
    link.refresh_from_db()
    assert link.used_at is not None
    submitted = AuditEvent.objects.get(verb="quote.submit")
    assert submitted.ip_address == "198.51.100.4"
    assert submitted.after == {"guest_link": link.pk}
    # The RFQ is gone from the link: the thanks (and claim) page instead, no drawings.
    thanks = client.get(page_url(token)).content.decode()
    assert "回答を受け付けました" in thanks
    assert "64,000円" in thanks
    assert "円筒研削" not in thanks
    document = rfq.job.documents.get()
    assert client.get(page_url(token, "guest_page_image", document.pk, 1)).status_code == 404
    # A second answer is refused and changes nothing.
    again = client.post(page_url(token, "guest_quote"), quote_data(price="1000"))
    assert again.status_code == 302
    assert client.post(page_url(token, "guest_decline"), {"reason": "x"}).status_code == 302
    assert Quote.objects.get().price == 64_000
    recipient.refresh_from_db()
    assert recipient.status == "quoted"
    with pytest.raises(ApplicationError):
        services.guest_quote_submit(
            link=link,
            price=1,
            lead_time_days=1,
            valid_until=timezone.localdate(),
        )


def test_the_owner_sees_the_quote_in_the_comparison(world, client):
    rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    client.post(page_url(token, "guest_quote"), quote_data())
    page = world.client_for(MEMBER).get(reverse("network:rfq_detail", args=[rfq.pk]))
    text = page.content.decode()
    assert "64,000円" in text
    assert SHOP in text
    assert "回答済み" in text


def test_a_decline_through_the_link(world, client):
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    empty = client.post(page_url(token, "guest_decline"), {"reason": " "})
    assert empty.status_code == 200
    assert "辞退の理由" in empty.content.decode()
    client.post(page_url(token, "guest_decline"), {"reason": "研削盤が埋まっている"})
    recipient.refresh_from_db()
    assert recipient.status == "declined"
    assert recipient.decline_reason == "研削盤が埋まっている"
    assert "辞退を伝えました" in client.get(page_url(token)).content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("price", "0", "金額は 1 円以上で入力してください。"),
        ("price", "", "このフィールドは必須です。"),
        ("price", "-5", "金額は 1 円以上で入力してください。"),
        ("price", "99999999999999999999999", "金額が大きすぎます。入力を確かめてください。"),
        ("lead_time_days", "0", "納期は 1 日以上で入力してください。"),
        ("lead_time_days", "999999", "納期は 3650 日以内で入力してください。"),
        ("valid_until", "yesterday", "有効期限には今日以降の日付を指定してください。"),
        (
            "quantity_breaks",
            "百個:千円",
            "「百個:千円」を読み取れません。「数量:金額」の形で入力してください。",
        ),
    ],
)
def test_bad_input_on_the_quote_form_is_shown_and_writes_nothing(
    world, client, field, value, message
):
    if value == "yesterday":
        value = str(yesterday())
    _rfq, recipient = guest_rfq(world)
    link, token = issue(world, recipient)
    response = client.post(page_url(token, "guest_quote"), quote_data(**{field: value}))
    assert response.status_code == 200
    body = response.content.decode()
    # The field itself is marked and carries its own message; no other field is.
    assert f'<div class="form-error" id="id_{field}_error"><p>{message}</p></div>' in body
    (tag,) = re.findall(rf'<(?:input|textarea)[^>]*id="id_{field}"[^>]*>', body)
    assert 'aria-invalid="true"' in tag
    assert body.count('aria-invalid="true"') == 1
    assert not Quote.objects.exists()
    link.refresh_from_db()
    assert link.used_at is None


# --- an account for the company (docs/guest-links.md) -----------------------------------


@pytest.fixture
def mailbox(settings, django_capture_on_commit_callbacks):
    """Mail as the worker delivers it: run inside ``mailbox()``, then read ``mail.outbox``."""
    settings.MACHIKOBA_EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MACHIKOBA_SITE_URL = "https://machikoba.example.jp"

    @contextlib.contextmanager
    def deliver():
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_queued_tasks("deliver_email")

    return deliver


CLAIM_LINK = re.compile(r"https://machikoba\.example\.jp/claim/([A-Za-z0-9_-]{43})/")
ATTACKER = "attacker@evil.example.com"


def _claim_links(messages) -> list[str]:
    return [m for message in messages for m in CLAIM_LINK.findall(message.body)]


@pytest.mark.parametrize("channel", ["print", "email"])
def test_the_takeover_through_a_link_creates_no_account(world, client, mailbox, channel):
    """Issue 15, finding 1: a shop owner sends an RFQ to a company nobody has signed up
    for, reads the token (FAX PDF, or an e-mail to an address of their choosing), quotes
    through it and claims the profile with their own address. Nothing makes them a member;
    the confirmation goes to the ward's address for the company, never to them."""
    shop = CompanyFactory(name=SHOP, contact_email="office@rokugo.example.jp")
    _rfq, recipient = guest_rfq(world, shop=shop)
    extra = {"email": ATTACKER} if channel == "email" else {}
    with mailbox():
        _link, token = issue(world, recipient, channel=channel, **extra)
        client.post(page_url(token, "guest_quote"), quote_data())
        response = client.post(
            page_url(token, "guest_claim"),
            {
                "name": "乗っ取り 太郎",
                "email": ATTACKER,
                "password": "kensaku-2041!",
                "phone": "",
                "note": "",
            },
        )
    assert response.status_code == 200
    body = response.content.decode()
    assert "o***@rokugo.example.jp" in body
    assert "office@rokugo.example.jp" not in body
    assert not CLAIM_LINK.search(body)
    assert not Membership.objects.filter(company=shop).exists()
    assert not User.objects.filter(email=ATTACKER).exists()
    # The only confirmation went to the ward's address; nothing the attacker receives
    # (their RFQ link included) carries a way to create the account.
    to_attacker = [m for m in mail.outbox if ATTACKER in m.to]
    assert _claim_links(to_attacker) == []
    (confirmation,) = [m for m in mail.outbox if _claim_links([m])]
    assert confirmation.to == ["office@rokugo.example.jp"]
    claim = CompanyClaim.objects.get(company=shop)
    assert claim.status == "email_sent"
    assert claim.requester_email == ATTACKER
    assert token not in claim.secret_hash
    assert AuditEvent.objects.filter(verb="company_claim.request", company=shop).count() == 1
    # The old claim-by-link verb is never recorded again.
    assert not AuditEvent.objects.filter(verb="guest_link.claim").exists()


def test_without_a_ward_address_the_request_waits_for_an_officer(world, client, mailbox):
    shop = CompanyFactory(name=SHOP)  # the ward holds no address for it
    _rfq, recipient = guest_rfq(world, shop=shop)
    with mailbox():
        _link, token = issue(world, recipient, channel="email", email=ATTACKER)
        client.post(page_url(token, "guest_quote"), quote_data())
        response = client.post(
            page_url(token, "guest_claim"),
            {"name": "乗っ取り 太郎", "email": ATTACKER, "password": "kensaku-2041!"},
        )
    assert "区の担当者が確認してから" in response.content.decode()
    assert _claim_links(mail.outbox) == []
    assert CompanyClaim.objects.get(company=shop).status == "awaiting_officer"
    assert not Membership.objects.filter(company=shop).exists()
    # The ward's officers were told, in the app and by e-mail.
    officer = world.users[OFFICER]
    assert officer.notifications.filter(kind="company_claim").count() == 1
    assert any(officer.email in m.to for m in mail.outbox)


def test_an_account_request_needs_an_answer_first_and_a_name(world, client):
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    too_early = client.post(page_url(token, "guest_claim"), {"name": "六郷 太郎"})
    assert too_early.status_code == 302
    assert not CompanyClaim.objects.exists()
    client.post(page_url(token, "guest_quote"), quote_data())
    for data, field in (
        ({"name": "", "email": "taro@rokugo.example.jp"}, "name"),
        ({"name": "六郷 太郎", "email": ""}, "email"),  # no ward address: needed
        ({"name": "六郷 太郎", "email": "not-an-address"}, "email"),
    ):
        response = client.post(page_url(token, "guest_claim"), data)
        assert response.status_code == 200
        assert f'id="id_{field}_error"' in response.content.decode()
    assert not CompanyClaim.objects.exists()


# --- rate limits ------------------------------------------------------------------------


def test_too_many_requests_from_one_address_get_a_429(world, client, monkeypatch):
    monkeypatch.setattr(guest_throttle, "GUEST_REQUESTS_PER_IP", 3)
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    codes = [client.get(page_url(token)).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    blocked = client.get(page_url(token))
    assert "10 分ほど待って" in blocked.content.decode()
    assert blocked["Retry-After"] == "600"
    # Another address is not affected.
    assert client.get(page_url(token), REMOTE_ADDR="192.0.2.9").status_code == 200


def test_guessing_is_stopped_after_ten_failures(world, client):
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    for n in range(guest_throttle.GUEST_FAILURES_PER_IP):
        assert client.get(page_url(f"{n:043d}")).status_code == 404
    assert client.get(page_url(token)).status_code == 429  # even the right one, for a while
    assert AuditEvent.objects.filter(verb="guest_link.refused").count() == 10


def test_one_link_is_limited_across_addresses(world, client, monkeypatch):
    monkeypatch.setattr(guest_throttle, "GUEST_REQUESTS_PER_LINK", 2)
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    codes = [client.get(page_url(token), REMOTE_ADDR=f"192.0.2.{n}").status_code for n in range(3)]
    assert codes == [200, 200, 429]


PROXY = "10.0.0.2"  # the reverse proxy every request comes through in production


def _via_proxy(client, url, forwarded):
    return client.get(url, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded)


def test_clients_behind_the_proxy_are_limited_separately(world, client, settings):
    settings.MACHIKOBA_TRUSTED_PROXY_COUNT = 1
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    for n in range(guest_throttle.GUEST_FAILURES_PER_IP):
        assert _via_proxy(client, page_url(f"{n:043d}"), "203.0.113.5").status_code == 404
    assert _via_proxy(client, page_url(token), "203.0.113.5").status_code == 429
    # The guesser is stopped, not every holder of a link behind the same proxy.
    assert _via_proxy(client, page_url(token), "198.51.100.20").status_code == 200
    refused = AuditEvent.objects.filter(verb="guest_link.refused")
    assert set(refused.values_list("ip_address", flat=True)) == {"203.0.113.5"}
    opened = AuditEvent.objects.filter(verb="guest_link.open").get()
    assert opened.ip_address == "198.51.100.20"


def test_a_forged_forwarded_header_does_not_escape_the_limit(world, client, settings):
    settings.MACHIKOBA_TRUSTED_PROXY_COUNT = 1
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    # The client writes a new address each time; the proxy appends the real one.
    for n in range(guest_throttle.GUEST_FAILURES_PER_IP):
        forged = f"192.0.2.{n}, 203.0.113.5"
        assert _via_proxy(client, page_url(f"{n:043d}"), forged).status_code == 404
    assert _via_proxy(client, page_url(token), "192.0.2.99, 203.0.113.5").status_code == 429


def test_without_a_proxy_the_forwarded_header_is_ignored(world, client):
    _rfq, recipient = guest_rfq(world)
    _link, token = issue(world, recipient)
    for n in range(guest_throttle.GUEST_FAILURES_PER_IP):
        forged = {"HTTP_X_FORWARDED_FOR": f"192.0.2.{n}"}
        assert client.get(page_url(f"{n:043d}"), **forged).status_code == 404
    assert client.get(page_url(token), HTTP_X_FORWARDED_FOR="192.0.2.99").status_code == 429


# --- e-mail and paper -------------------------------------------------------------------


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


def test_an_email_link_is_sent_after_commit(world, inbox, django_capture_on_commit_callbacks):
    _rfq, recipient = guest_rfq(world)
    with django_capture_on_commit_callbacks(execute=True):
        link, token = issue(world, recipient, channel="email", email="info@rokugo.example.jp")
    assert run_queued_tasks("deliver_email") == [1]
    (message,) = inbox.messages
    assert message["To"] == "info@rokugo.example.jp"
    # A fixed subject: nothing the sender typed (its company name, the part) goes in it.
    assert message["Subject"].strip() == "[machikoba] 見積依頼が届いています"
    assert world.company.name not in message["Subject"]
    body = message.get_content()
    assert f"https://machikoba.example.jp/r/{token}/" in body
    assert SHOP in body
    assert world.company.name in body
    assert link.email == "info@rokugo.example.jp"


def test_the_owner_sends_by_email_from_the_rfq_page(world, django_capture_on_commit_callbacks):
    rfq, recipient = guest_rfq(world)
    owner = world.client_for(STAFF)
    page = owner.get(reverse("network:rfq_detail", args=[rfq.pk])).content.decode()
    assert "未送付" in page
    assert "FAX 用 PDF を印刷" in page
    url = reverse("network:guest_link_email", args=[rfq.pk, recipient.pk])
    bad = owner.post(url, {"email": "not-an-address"})
    assert bad.status_code == 302
    assert not GuestLink.objects.exists()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        owner.post(url, {"email": "info@rokugo.example.jp"})
    assert len(callbacks) == 1  # the queued e-mail
    page = owner.get(reverse("network:rfq_detail", args=[rfq.pk])).content.decode()
    assert "送付済み" in page
    assert "0 回開かれました" in page
    floor = world.client_for(FLOOR_WORKER).post(url, {"email": "info@rokugo.example.jp"})
    assert floor.status_code == 403
    stranger = world.client_for(OTHER_COMPANY).post(url, {"email": "info@rokugo.example.jp"})
    assert stranger.status_code == 404


def test_the_fax_pdf_carries_the_link(world, settings):
    from pypdf import PdfReader

    settings.MACHIKOBA_SITE_URL = "https://machikoba.example.jp"
    rfq, recipient = guest_rfq(world)
    response = world.client_for(MEMBER).post(
        reverse("network:guest_link_print", args=[rfq.pk, recipient.pk])
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = "".join(reader.pages[0].extract_text().split())
    match = re.search(r"https://machikoba\.example\.jp/r/([A-Za-z0-9_-]{43})/", text)
    assert match, text
    link = GuestLink.objects.get()
    assert link.token_hash == selectors.guest_token_hash(match.group(1))
    assert link.channel == "print"
    assert "段付きシャフト" in text
    assert SHOP in text


# --- limits on the e-mail a link form sends (issue 15, finding 7) ----------------------


def test_one_address_gets_at_most_three_links_a_day(world, settings, mailbox):
    settings.MACHIKOBA_GUEST_LINK_EMAILS_PER_ADDRESS_DAY = 3
    with mailbox():
        for _n in range(3):
            _rfq, recipient = guest_rfq(world, shop=CompanyFactory())
            issue(world, recipient, channel="email", email="victim@example.jp")
        _rfq, recipient = guest_rfq(world, shop=CompanyFactory())
        with pytest.raises(ApplicationError) as refused:
            issue(world, recipient, channel="email", email="Victim@Example.jp")
        # Another address still works; so does paper.
        issue(world, recipient, channel="email", email="other@example.jp")
    assert refused.value.code == "guest_link_address_limit"
    assert "今日はもう回答用リンクを送れません" in str(refused.value.message)
    assert [m.to for m in mail.outbox].count(["victim@example.jp"]) == 3
    assert GuestLink.objects.filter(email__iexact="victim@example.jp").count() == 3


def test_one_company_sends_at_most_its_daily_links(world, settings, mailbox):
    settings.MACHIKOBA_GUEST_LINK_EMAILS_PER_COMPANY_DAY = 2
    with mailbox():
        for n in range(2):
            _rfq, recipient = guest_rfq(world, shop=CompanyFactory())
            issue(world, recipient, channel="email", email=f"shop{n}@example.jp")
        _rfq, recipient = guest_rfq(world, shop=CompanyFactory())
        with pytest.raises(ApplicationError) as refused:
            issue(world, recipient, channel="email", email="shop9@example.jp")
        issue(world, recipient, channel="print")  # paper is not mail
    assert refused.value.code == "guest_link_company_limit"
    assert len(mail.outbox) == 2
    assert GuestLink.objects.filter(channel="email").count() == 2


def test_links_older_than_a_day_do_not_count(world, settings):
    settings.MACHIKOBA_GUEST_LINK_EMAILS_PER_ADDRESS_DAY = 1
    _rfq, recipient = guest_rfq(world, shop=CompanyFactory())
    issue(world, recipient, channel="email", email="victim@example.jp")
    GuestLink.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))
    _rfq, recipient = guest_rfq(world, shop=CompanyFactory())
    issue(world, recipient, channel="email", email="victim@example.jp")
    assert GuestLink.objects.filter(email="victim@example.jp").count() == 2


def test_the_limit_is_shown_on_the_rfq_page(world, settings):
    settings.MACHIKOBA_GUEST_LINK_EMAILS_PER_ADDRESS_DAY = 0
    rfq, recipient = guest_rfq(world)
    owner = world.client_for(STAFF)
    url = reverse("network:guest_link_email", args=[rfq.pk, recipient.pk])
    response = owner.post(url, {"email": "info@rokugo.example.jp"}, follow=True)
    assert "今日はもう回答用リンクを送れません" in response.content.decode()
    assert not GuestLink.objects.exists()
