"""The entry log's pages: the personal code and its htmx renewal, the kiosk's scan panel,
the phone's page for the lab's code, the desk, the day view and one's own visits. Bad input
gets a clear message and changes nothing; nobody but the lab's staff reads its rows."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from machikoba.accounts.choices import WardRole
from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import (
    CompanyFactory,
    MembershipFactory,
    UserFactory,
    WardRoleFactory,
    force_login_with_mfa,
    give_totp,
)
from machikoba.core.testing.factories_lab import make_item, make_lab, make_lab_staff
from machikoba.core.testing.factories_lab_visits import (
    make_booking,
    make_entry,
    make_visitor,
    opening_moment,
    personal_code,
)
from machikoba.lab.choices import BookingStatus, EntryKind, EntryMethod, RefusalReason
from machikoba.lab.models_visits import EntryEvent, Visitor
from machikoba.lab.services import entry_codes

pytestmark = [pytest.mark.django_db, pytest.mark.clock_sensitive]

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def lab():
    return make_lab()


@pytest.fixture
def shop():
    return CompanyFactory(name="蒲田精密株式会社")


@pytest.fixture
def member(shop):
    return MembershipFactory(company=shop, role=CompanyRole.OWNER, user__name="町田 太郎").user


@pytest.fixture
def staff():
    return make_lab_staff()


@pytest.fixture
def ten(lab, frozen_clock):
    moment = opening_moment(lab, 10)
    frozen_clock.move_to(moment)
    return moment


def panel_token(response):
    """The code a partial answer carries (partials render without a test context)."""
    return re.search(r'data-token="([^"]+)"', response.content.decode()).group(1)


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


# --- the personal code ------------------------------------------------------------------------


def test_my_code_shows_a_fresh_qr_code_and_a_countdown(member, lab, ten):
    response = client_for(member).get(reverse("lab:visits_my_code"))
    assert response.status_code == 200
    page = response.context["page"]
    assert entry_codes.personal_code_read(page.token).user_id == member.pk
    assert (page.seconds, page.seconds_left) == (60, 60)
    html = response.content.decode()
    assert 'data-testid="my-code-qr"' in html
    assert "有効期限まで あと 60 秒" in html
    assert 'hx-trigger="every 1s"' in html
    assert response["Cache-Control"] == "private, no-store"


def test_polling_keeps_the_code_and_counts_down(member, lab, ten, frozen_clock):
    token = personal_code(member)
    frozen_clock.move_to(ten + dt.timedelta(seconds=20))
    response = client_for(member).get(reverse("lab:visits_my_code"), {"t": token}, **HTMX)
    html = response.content.decode()
    assert "HX-Retarget" not in response
    assert html.startswith('<span id="my-code-countdown"')
    assert "あと 40 秒" in html
    assert 'data-testid="my-code-qr"' not in html


def test_polling_renews_the_code_before_it_expires(member, lab, ten, frozen_clock):
    token = personal_code(member)
    frozen_clock.move_to(ten + dt.timedelta(seconds=56))
    response = client_for(member).get(reverse("lab:visits_my_code"), {"t": token}, **HTMX)
    assert response["HX-Retarget"] == "#my-code-panel"
    assert response["HX-Reswap"] == "outerHTML"
    assert panel_token(response) != token
    assert 'data-testid="my-code-qr"' in response.content.decode()


def test_polling_says_when_the_code_was_used_and_renews_it(member, lab, staff, ten):
    from machikoba.lab.services import visits

    token = personal_code(member)
    visits.entry_scan(actor=staff, lab=lab, token=token, direction=EntryKind.ENTERED)
    response = client_for(member).get(reverse("lab:visits_my_code"), {"t": token}, **HTMX)
    assert response["HX-Retarget"] == "#my-code-panel"
    html = response.content.decode()
    assert 'data-testid="my-code-used"' in html
    assert "入館を記録しました" in html
    assert panel_token(response) != token


@pytest.mark.parametrize("whose", ["someone_else", "tampered", "nothing"])
def test_polling_with_a_code_not_ones_own_gets_a_new_one(member, lab, ten, whose):
    token = {
        "someone_else": personal_code(UserFactory()),
        "tampered": personal_code(member)[:-3] + "xyz",
        "nothing": "",
    }[whose]
    response = client_for(member).get(reverse("lab:visits_my_code"), {"t": token}, **HTMX)
    assert response["HX-Retarget"] == "#my-code-panel"
    new = entry_codes.personal_code_read(panel_token(response))
    assert new.user_id == member.pk
    assert 'data-testid="my-code-used"' not in response.content.decode()


# --- the kiosk ---------------------------------------------------------------------------------


def test_the_kiosk_shows_the_scan_panel_and_the_labs_code(lab, staff, ten):
    response = client_for(staff).get(reverse("lab:visits_kiosk", args=[lab.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kiosk-scan"' in html
    assert 'data-direction="entered"' in html
    assert 'data-testid="lab-code-qr"' in html
    assert "autofocus" in html
    assert 'inputmode="none"' in html
    assert "開館時間 09:00〜18:00" in html
    # The kiosk's own frame: no site menu on a tablet anyone may touch.
    assert 'data-testid="active-company"' not in html
    assert response.context["panel"].url.endswith(f"?c={entry_codes.lab_code(lab)}")


def test_choosing_leave_swaps_the_panel_for_one_scan(lab, staff, ten):
    response = client_for(staff).get(
        reverse("lab:visits_kiosk", args=[lab.pk]),
        {"mode": "left"},
        HTTP_HX_TARGET="kiosk-scan",
        **HTMX,
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="kiosk-scan"')
    assert 'data-direction="left"' in html
    assert 'name="direction" value="left"' in html
    assert "load delay:30s" in html


def test_a_scan_answers_in_big_type_and_resets_to_enter(lab, staff, member, ten):
    response = client_for(staff).post(
        reverse("lab:visits_kiosk_scan", args=[lab.pk]),
        {"code": personal_code(member), "direction": "entered"},
        **HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-testid="kiosk-result" data-kind="entered"' in html
    assert "入館しました" in html
    assert "町田 太郎 様" in html
    assert "蒲田精密株式会社" in html
    assert 'name="direction" value="entered"' in html
    assert "load delay:10s" in html
    assert "<html" not in html
    assert EntryEvent.objects.get().kind == EntryKind.ENTERED


def test_a_refused_scan_says_why(lab, staff, member, ten):
    response = client_for(staff).post(
        reverse("lab:visits_kiosk_scan", args=[lab.pk]),
        {"code": personal_code(member), "direction": "left"},
        **HTMX,
    )
    html = response.content.decode()
    assert 'data-kind="refused" data-reason="not_in"' in html
    assert "退館できません" in html
    assert "本日の入館の記録がありません" in html


def test_an_empty_scan_records_nothing(lab, staff, ten):
    response = client_for(staff).post(
        reverse("lab:visits_kiosk_scan", args=[lab.pk]), {"code": "  ", "direction": "entered"}
    )
    assert response.status_code == 200
    assert "kiosk-result" not in response.content.decode()
    assert not EntryEvent.objects.exists()


def test_a_scan_with_a_made_up_direction_records_nothing(lab, staff, member, ten):
    response = client_for(staff).post(
        reverse("lab:visits_kiosk_scan", args=[lab.pk]),
        {"code": personal_code(member), "direction": "sideways"},
        **HTMX,
    )
    assert response.status_code == 200
    assert "「入館」か「退館」を選んでください。" in response.content.decode()
    assert not EntryEvent.objects.exists()


def test_without_htmx_the_scan_answers_with_the_whole_page(lab, staff, member, ten):
    response = client_for(staff).post(
        reverse("lab:visits_kiosk_scan", args=[lab.pk]),
        {"code": personal_code(member), "direction": "entered"},
    )
    html = response.content.decode()
    assert "<html" in html
    assert "入館しました" in html


def test_the_labs_code_panel_renews_itself(lab, staff, ten):
    response = client_for(staff).get(reverse("lab:visits_kiosk_code", args=[lab.pk]), **HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="lab-code"')
    assert "load delay:" in html
    assert f'data-url="{entry_codes.lab_code_url(lab)}"' in html


# --- the phone, after reading the lab's code ------------------------------------------------------


def enter_url(lab):
    return reverse("lab:visits_enter", args=[lab.pk])


def test_the_phone_offers_to_enter_then_to_leave(lab, member, ten, frozen_clock):
    client = client_for(member)
    code = entry_codes.lab_code(lab)
    page = client.get(enter_url(lab), {"c": code})
    assert "入館する" in page.content.decode()
    result = client.post(enter_url(lab), {"c": code, "direction": "entered"})
    assert result.status_code == 200
    assert "入館しました" in result.content.decode()
    assert EntryEvent.objects.get().method == EntryMethod.LAB_CODE
    frozen_clock.move_to(ten + dt.timedelta(hours=2))
    code = entry_codes.lab_code(lab)
    page = client.get(enter_url(lab), {"c": code})
    html = page.content.decode()
    assert "10:00 から入館中です。" in html
    assert 'name="direction" value="left"' in html
    result = client.post(enter_url(lab), {"c": code, "direction": "left"})
    assert "退館しました" in result.content.decode()


def test_an_old_lab_code_on_the_phone_is_refused(lab, member, ten, frozen_clock):
    code = entry_codes.lab_code(lab)
    frozen_clock.move_to(ten + dt.timedelta(minutes=5))
    client = client_for(member)
    page = client.get(enter_url(lab), {"c": code})
    html = page.content.decode()
    assert "有効期限が切れています" in html
    assert 'data-testid="enter-submit"' not in html
    result = client.post(enter_url(lab), {"c": code, "direction": "entered"})
    assert 'data-reason="code_expired"' in result.content.decode()
    assert EntryEvent.objects.get().reason == RefusalReason.CODE_EXPIRED


def test_a_garbled_lab_code_is_refused(lab, member, ten):
    page = client_for(member).get(enter_url(lab), {"c": "<script>"})
    html = page.content.decode()
    assert "QRコードを読み取れませんでした" in html
    assert "<script>" not in html


def test_the_phone_with_a_made_up_direction_changes_nothing(lab, member, ten):
    response = client_for(member).post(
        enter_url(lab), {"c": entry_codes.lab_code(lab), "direction": "up"}
    )
    assert response.status_code == 200
    assert "「入館」か「退館」を選んでください。" in response.content.decode()
    assert not EntryEvent.objects.exists()


def test_an_inactive_lab_is_not_found_from_the_phone(member, ten):
    closed = make_lab(active=False, name="準備中")
    response = client_for(member).get(enter_url(closed), {"c": entry_codes.lab_code(closed)})
    assert response.status_code == 404


# --- the desk ----------------------------------------------------------------------------------


def desk_url(lab):
    return reverse("lab:visits_desk", args=[lab.pk])


def test_the_desk_registers_a_visitor_and_checks_them_in(lab, staff, shop, ten):
    client = client_for(staff)
    response = client.post(
        reverse("lab:visits_desk_register", args=[lab.pk]),
        {
            "name": "見学 一郎",
            "organisation": "城南大学",
            "company_name": shop.name,
            "check_in": "on",
        },
        follow=True,
    )
    assert "来館者を受け付けました。" in response.content.decode()
    visitor = Visitor.objects.get()
    assert visitor.company == shop
    assert EntryEvent.objects.get().visitor == visitor
    assert response.context["page"].inside[0].name == "見学 一郎"


def test_the_desk_refuses_a_visitor_without_a_name(lab, staff, ten):
    response = client_for(staff).post(
        reverse("lab:visits_desk_register", args=[lab.pk]), {"name": "", "check_in": "on"}
    )
    assert response.status_code == 200
    assert "氏名を入力してください。" in response.content.decode()
    assert not Visitor.objects.exists()
    assert not EntryEvent.objects.exists()


def test_the_desk_refuses_an_unknown_company(lab, staff, ten):
    response = client_for(staff).post(
        reverse("lab:visits_desk_register", args=[lab.pk]),
        {"name": "来館者", "company_name": "存在しない会社"},
    )
    assert "この名前の登録企業が見つかりません" in response.content.decode()
    assert not Visitor.objects.exists()


def test_the_desk_checks_a_visitor_out_and_refuses_a_second_exit(lab, staff, ten):
    visitor = make_visitor(lab)
    make_entry(lab, visitor=visitor, at=ten)
    client = client_for(staff)
    url = reverse("lab:visits_desk_visitor", args=[lab.pk, visitor.pk])
    response = client.post(url, {"direction": "left"}, follow=True)
    assert "退館しました" in response.content.decode()
    response = client.post(url, {"direction": "left"}, follow=True)
    assert "本日の入館の記録がありません" in response.content.decode()
    assert EntryEvent.objects.filter(kind=EntryKind.LEFT).count() == 1
    assert not EntryEvent.objects.filter(kind=EntryKind.REFUSED).exists()


def test_the_desk_refuses_a_made_up_direction(lab, staff, ten):
    visitor = make_visitor(lab)
    response = client_for(staff).post(
        reverse("lab:visits_desk_visitor", args=[lab.pk, visitor.pk]),
        {"direction": "both"},
        follow=True,
    )
    assert "「入館」か「退館」を選んでください。" in response.content.decode()
    assert not EntryEvent.objects.exists()


def test_the_desk_finds_a_person_by_email_and_checks_them_in(lab, staff, member, ten):
    client = client_for(staff)
    page = client.get(desk_url(lab), {"email": member.email})
    html = page.content.decode()
    assert 'data-testid="desk-found"' in html
    assert "蒲田精密株式会社" in html
    response = client.post(
        reverse("lab:visits_desk_user", args=[lab.pk]),
        {"email": member.email, "direction": "entered"},
        follow=True,
    )
    assert "町田 太郎 さん: 入館しました。" in response.content.decode()
    assert EntryEvent.objects.get().user == member


def test_the_desk_finds_nobody_by_part_of_an_address(lab, staff, member, ten):
    page = client_for(staff).get(desk_url(lab), {"email": member.email.split("@")[0]})
    assert 'data-testid="desk-not-found"' in page.content.decode()
    assert page.context["page"].found is None


@pytest.mark.parametrize(
    ("email", "message"),
    [
        ("nobody@example.test", "このメールアドレスのアカウントは見つかりません。"),
        ("not-an-address", "メールアドレスの形で入力してください。"),
    ],
)
def test_the_desk_refuses_an_unknown_or_malformed_email(lab, staff, ten, email, message):
    response = client_for(staff).post(
        reverse("lab:visits_desk_user", args=[lab.pk]),
        {"email": email, "direction": "entered"},
        follow=True,
    )
    assert message in response.content.decode()
    assert not EntryEvent.objects.exists()


def test_the_desk_does_not_take_another_labs_visitor(lab, staff, ten):
    other = make_lab(name="第二ラボ")
    stranger = make_visitor(other)
    response = client_for(staff).post(
        reverse("lab:visits_desk_visitor", args=[lab.pk, stranger.pk]), {"direction": "entered"}
    )
    assert response.status_code == 404
    assert not EntryEvent.objects.exists()


# --- the day view ------------------------------------------------------------------------------


def day_url(lab):
    return reverse("lab:visits_day", args=[lab.pk])


def test_the_day_view_shows_who_is_in_and_what_is_in_use(lab, staff, member, shop, ten):
    cobot = make_item(lab, name="協働ロボット")
    printer = make_item(lab, name="3Dプリンター")
    make_booking(
        lab, user=member, company=shop, item=cobot, starts_at=ten, status=BookingStatus.IN_USE
    )
    make_booking(
        lab, user=member, company=shop, item=printer, starts_at=ten + dt.timedelta(hours=3)
    )
    make_entry(lab, user=member, company=shop, at=ten - dt.timedelta(minutes=5))
    visitor = make_visitor(lab, name="見学 花子", organisation="城南大学")
    make_entry(lab, visitor=visitor, at=ten - dt.timedelta(hours=1))
    make_entry(lab, visitor=visitor, kind=EntryKind.LEFT, at=ten - dt.timedelta(minutes=30))
    make_entry(
        lab,
        user=UserFactory(),
        kind=EntryKind.REFUSED,
        reason=RefusalReason.CLOSED,
        at=ten - dt.timedelta(hours=2),
    )
    response = client_for(staff).get(day_url(lab))
    page = response.context["page"]
    assert page.is_today
    assert [p.name for p in page.inside] == ["町田 太郎"]
    assert page.inside[0].company == "蒲田精密株式会社"
    assert [b.item.name for b in page.in_use] == ["協働ロボット"]
    assert [b.item.name for b in page.booked] == ["3Dプリンター"]
    assert (page.entered_count, page.refused_count, len(page.entries)) == (2, 1, 4)
    html = response.content.decode()
    assert "09:55 から" in html
    assert "閉館時間" in html


def test_the_day_view_shows_another_day(lab, staff, member, ten):
    yesterday = ten - dt.timedelta(days=1)
    make_entry(lab, user=member, at=yesterday)
    make_entry(lab, user=member, at=ten)
    response = client_for(staff).get(day_url(lab), {"day": yesterday.date().isoformat()})
    page = response.context["page"]
    assert not page.is_today
    assert page.day == yesterday.date()
    assert [e.at for e in page.entries] == [yesterday]
    assert page.inside == []


def test_a_malformed_day_shows_today_with_a_message(lab, staff, ten):
    response = client_for(staff).get(day_url(lab), {"day": "2025-13-45"})
    assert response.status_code == 200
    assert response.context["page"].is_today
    assert "日付は「2025-04-01」の形で入力してください。" in response.content.decode()


def test_the_day_view_shows_only_this_labs_rows(lab, staff, member, ten):
    other = make_lab(name="第二ラボ")
    make_entry(other, user=member, at=ten)
    assert client_for(staff).get(day_url(lab)).context["page"].entries == []


def test_the_day_view_reads_a_bounded_number_of_queries(
    lab, staff, shop, ten, django_assert_max_num_queries
):
    for n in range(15):
        person = MembershipFactory(company=shop, role=CompanyRole.STAFF).user
        make_entry(lab, user=person, company=shop, at=ten - dt.timedelta(minutes=n))
        make_booking(
            lab,
            user=person,
            company=shop,
            item=make_item(lab, name=f"機器{n}"),
            starts_at=ten + dt.timedelta(hours=1),
        )
    client = client_for(staff)
    with django_assert_max_num_queries(25):
        client.get(day_url(lab))


# --- one's own visits, and nobody else's ---------------------------------------------------------


def test_a_person_sees_their_own_visits_only(lab, member, ten):
    make_entry(lab, user=member, at=ten, method=EntryMethod.PERSONAL_QR)
    make_entry(lab, user=UserFactory(), at=ten)
    response = client_for(member).get(reverse("lab:visits_mine"))
    entries = list(response.context["entries"])
    assert [e.user for e in entries] == [member]
    assert "個人QRコード" in response.content.decode()


def test_an_officer_reads_no_entry_of_the_lab(lab, member, ten):
    officer = WardRoleFactory(role=WardRole.OFFICER).user
    give_totp(officer)
    make_entry(lab, user=member, at=ten)
    client = Client()
    force_login_with_mfa(client, officer)
    assert list(client.get(reverse("lab:visits_mine")).context["entries"]) == []
    for name in ("lab:visits_day", "lab:visits_desk", "lab:visits_kiosk"):
        assert client.get(reverse(name, args=[lab.pk])).status_code == 403
    assert EntryEvent.objects.for_user(officer, "view").count() == 0
    assert EntryEvent.objects.for_user(officer, "support").count() == 1  # counts, for statistics


def test_another_wards_staff_does_not_reach_this_lab(lab, ten):
    from machikoba.core.testing.factories import SUMIDA

    sumida = make_lab_staff(SUMIDA)
    client = client_for(sumida)
    for name in ("lab:visits_day", "lab:visits_desk", "lab:visits_kiosk", "lab:visits_kiosk_code"):
        assert client.get(reverse(name, args=[lab.pk])).status_code == 403
    hidden = make_lab(active=False, name="準備中")
    assert client.get(reverse("lab:visits_day", args=[hidden.pk])).status_code == 404
