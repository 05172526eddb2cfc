"""Each role's home on a phone (390 × 844) opens with its to-do list: nothing wider than
the screen, every link of the list at least 44 px tall, a screenshot per home."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from machikoba.board import services as board
from machikoba.board.tests.factories import make_buyer, make_request, make_shop, owner_of
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    WardRoleFactory,
    give_totp,
    totp_now,
)
from machikoba.messaging.tests.factories import make_thread, post
from machikoba.network import services
from machikoba.network.tests.factories import deadline, make_job
from machikoba.web.tests.test_browser import sign_in

pytestmark = pytest.mark.browser

# Elements reaching past the right edge of the screen (a pixel of rounding allowed);
# what sits inside a scrolling box (a wide table) or is visually hidden does not count.
TOO_WIDE = """() => {
  const limit = document.documentElement.clientWidth + 1;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o === 'auto' || o === 'scroll' || o === 'hidden') return true;
    }
    return false;
  };
  return Array.from(document.querySelectorAll('body *'))
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 1 && r.right > limit && !scrolls(el);
    })
    .map((el) => el.tagName + '.' + el.className);
}"""


def _check_phone_home(page, screenshot, name):
    expect(page.get_by_test_id("todo")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(TOO_WIDE) == []
    for link in page.get_by_test_id("todo").locator("a, button").all():
        box = link.bounding_box()
        assert box is not None
        assert box["height"] >= 44, link.inner_text()
        assert box["width"] <= 390
    screenshot(page, f"home-phone-{name}")


@pytest.fixture
def shops(transactional_db):
    """A shop with its owner and a floor worker, a partner asked for a quote, a job."""
    owner = MembershipFactory(
        company=CompanyFactory(name="高橋精機製作所"),
        role=CompanyRole.OWNER,
        user__name="高橋 一郎",
    )
    company = owner.company
    worker = MembershipFactory(company=company, role=CompanyRole.FLOOR_WORKER)
    partner = MembershipFactory(
        company=CompanyFactory(name="石川熱処理工業株式会社"), role=CompanyRole.OWNER
    )
    job = make_job(owner.user, company)
    rfq = services.rfq_send(
        actor=owner.user,
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[partner.company],
        deadline=deadline(),
    )
    services.quote_submit(
        actor=partner.user,
        recipient=rfq.recipients.get(),
        price=58_000,
        lead_time_days=5,
        valid_until=timezone.localdate() + dt.timedelta(days=20),
    )
    second = make_job(owner.user, company)
    services.rfq_send(
        actor=owner.user,
        job=second,
        steps=[second.steps.get(position=2)],
        recipients=[partner.company],
        deadline=deadline(),
    )
    thread = make_thread(company, partner.company)
    post(partner.user, partner.company, thread, body="納期は 12/11 でいかがでしょう。")
    return {"owner": owner.user, "worker": worker.user, "partner": partner.user}


def test_owner_home_on_a_phone(phone_page, live_server, shops, screenshot):
    sign_in(phone_page, live_server.url, shops["owner"].email)
    expect(phone_page.get_by_test_id("todo-decide")).to_contain_text("1 件")
    expect(phone_page.get_by_test_id("todo-messages")).to_be_visible()
    _check_phone_home(phone_page, screenshot, "owner")
    phone_page.get_by_test_id("todo-decide").click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("見積依頼")


def test_worker_home_on_a_phone(phone_page, live_server, shops, screenshot):
    sign_in(phone_page, live_server.url, shops["worker"].email)
    expect(phone_page.get_by_test_id("todo-start")).to_contain_text("2 件")
    expect(phone_page.get_by_test_id("todo-decide")).to_have_count(0)
    _check_phone_home(phone_page, screenshot, "worker")


def test_partner_home_on_a_phone(phone_page, live_server, shops, screenshot):
    sign_in(phone_page, live_server.url, shops["partner"].email)
    expect(phone_page.get_by_test_id("todo-answer")).to_contain_text("1 件")
    _check_phone_home(phone_page, screenshot, "partner")
    phone_page.get_by_test_id("todo-answer").click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("段付きシャフト")


def test_buyer_home_on_a_phone(phone_page, live_server, transactional_db, screenshot):
    buyer = make_buyer()
    request = make_request(buyer)
    shop = make_shop("蒲田研削工業")
    board.admission_request(actor=owner_of(shop), company=shop, request=request, nda_accepted=True)
    sign_in(phone_page, live_server.url, owner_of(buyer).email)
    expect(phone_page.get_by_test_id("todo-admissions")).to_contain_text("1 件")
    _check_phone_home(phone_page, screenshot, "buyer")
    phone_page.get_by_test_id("todo-admissions").click()
    expect(phone_page.get_by_role("heading", level=1)).to_contain_text("油圧シリンダ用シャフト")


def test_officer_home_on_a_phone(phone_page, live_server, transactional_db, screenshot):
    officer = WardRoleFactory(user__name="区職員 山口").user
    give_totp(officer)
    sign_in(phone_page, live_server.url, officer.email)
    phone_page.get_by_label("コード").fill(totp_now())
    phone_page.locator("main").get_by_role("button", name="ログイン").click()
    expect(phone_page.get_by_test_id("todo-empty")).to_have_text("今日やることはありません。")
    _check_phone_home(phone_page, screenshot, "officer")


def test_partner_opens_the_drawing_from_the_rfq_with_one_press(
    phone_page, live_server, transactional_db, settings, tmp_path, screenshot
):
    from machikoba.drawings import services as drawing_services
    from machikoba.drawings.tests.factories import make_document

    settings.MEDIA_ROOT = tmp_path
    owner = MembershipFactory(company=CompanyFactory(name="高橋精機製作所"), role=CompanyRole.OWNER)
    partner = MembershipFactory(
        company=CompanyFactory(name="石川熱処理工業株式会社"), role=CompanyRole.OWNER
    )
    drawing_services.nda_publish(
        actor=owner.user, company=owner.company, body="図面は見積と製作のためだけに使います。"
    )
    document = make_document(owner.company, title="段付きシャフト図", pages=1)
    job = make_job(owner.user, owner.company, documents=[document])
    services.rfq_send(
        actor=owner.user,
        job=job,
        steps=[job.steps.get(position=2)],
        recipients=[partner.company],
        deadline=deadline(),
    )
    sign_in(phone_page, live_server.url, partner.user.email)
    phone_page.get_by_test_id("todo-answer").click()
    nda = phone_page.get_by_test_id("rfq-nda")
    expect(nda).to_be_visible()
    assert nda.get_by_role("checkbox").count() == 0
    button = nda.get_by_role("button", name="条項に同意して図面を見る")
    assert button.bounding_box()["height"] >= 44
    screenshot(phone_page, "rfq-phone-nda")
    button.click()
    drawings = phone_page.get_by_test_id("rfq-drawings")
    expect(drawings.get_by_role("link", name="段付きシャフト図")).to_be_visible()
    assert phone_page.evaluate(TOO_WIDE) == []
    screenshot(phone_page, "rfq-phone-drawings")


def test_a_profile_ends_in_the_next_action_on_a_phone(phone_page, live_server, shops, screenshot):
    from machikoba.companies.models import Company

    heat = Company.objects.get(name="石川熱処理工業株式会社")
    sign_in(phone_page, live_server.url, shops["owner"].email)
    phone_page.goto(f"{live_server.url}/companies/{heat.pk}/")
    action = phone_page.get_by_test_id("next-action")
    expect(action).to_be_visible()
    assert phone_page.evaluate(TOO_WIDE) == []
    for link in action.get_by_role("link").all():
        assert link.bounding_box()["height"] >= 44
    screenshot(phone_page, "profile-phone-next-action")
    action.get_by_role("link", name="メッセージを送る").click()
    expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
