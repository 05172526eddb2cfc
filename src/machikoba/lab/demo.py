"""The demo's 町工場DXラボ in 大田区: a lab with its hours, 8 items (2 exhibited by IT
vendors), a cobot safety training that owner@ and worker@ passed last month and its next
session, bookings over the next two weeks, a vendor's demo slot with a seat booked, a
software trial, a past exchange meeting with attendance and survey answers, two
matchings, a month of entry-log history, and the consortium: a university PBL project, a
partner bank with a DX-loan referral.

Everything is written through the services, as the people who would do it, except what
no service writes because it happened in the past: the events are created ahead and
then moved back in time (``_let_time_pass``), and the past visits are entry-log rows
(the kiosk records only the present). Safe to run again: it does nothing when the ward
already has a lab."""

from __future__ import annotations

import datetime as dt
import random

from allauth.account.models import EmailAddress
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.companies.choices import CompanyKind, CompanyRole
from machikoba.companies.demo import DEMO_PASSWORD
from machikoba.companies.models import Company
from machikoba.companies.services import company_create, membership_add
from machikoba.companies.services_people import invitation_accept
from machikoba.lab.calendar import day_hours
from machikoba.lab.choices import (
    EntryKind,
    EntryMethod,
    EventKind,
    ItemKind,
    MatchingAgreement,
    MatchingSource,
    PartnerKind,
    ProjectKind,
    ProjectStatus,
)
from machikoba.lab.models import Item, Lab
from machikoba.lab.models_events import Event, Registration
from machikoba.lab.models_visits import EntryEvent
from machikoba.lab.services.bookings import booking_create
from machikoba.lab.services.catalogue import item_create
from machikoba.lab.services.demos import demo_booking_create, demo_slot_publish
from machikoba.lab.services.events import event_create, event_publish
from machikoba.lab.services.lab_setup import lab_create
from machikoba.lab.services.labs import closure_add, opening_hours_set
from machikoba.lab.services.matchings import matching_record
from machikoba.lab.services.partners import partner_create
from machikoba.lab.services.projects import participant_add, project_create, project_transition
from machikoba.lab.services.referrals import referral_create
from machikoba.lab.services.registrations import (
    attendance_mark,
    registration_create,
    training_records_record,
)
from machikoba.lab.services.surveys import survey_submit
from machikoba.lab.services.trainings import training_create
from machikoba.lab.services.trials import trial_approve, trial_request_create
from machikoba.lab.services.vendors import vendor_register
from machikoba.wards.models import Municipality

VENDOR_EMAIL = "vendor@example.com"
VENDOR2_EMAIL = "vendor2@example.com"
BANK_EMAIL = "bank@example.com"
# The demo logins this module adds (seed_demo prints them).
LAB_DEMO_USERS = [
    (VENDOR_EMAIL, "ミライFA 営業 森"),
    (VENDOR2_EMAIL, "クラウド工房 営業 岡本"),
    (BANK_EMAIL, "城南信用金庫 融資課 浅野"),
]

# Monday to Saturday 9:00–18:00 (Wednesday until 20:00 for people who work days).
HOURS = {
    0: (dt.time(9), dt.time(18)),
    1: (dt.time(9), dt.time(18)),
    2: (dt.time(9), dt.time(20)),
    3: (dt.time(9), dt.time(18)),
    4: (dt.time(9), dt.time(18)),
    5: (dt.time(9), dt.time(18)),
    6: None,
}

LAB_ITEMS = [
    # kind, name, maker, model, summary, use in a 町工場, capacity
    (
        ItemKind.COBOT,
        "協働ロボット CRX-10iA",
        "FANUC",
        "CRX-10iA",
        "人の隣で使える協働ロボット (可搬 10 kg)",
        "NC旋盤へのワークの出し入れ、箱詰め、バリ取りの自動化を試せます。",
        1,
    ),
    (
        ItemKind.PRINTER_3D,
        "3Dプリンター Form 4",
        "Formlabs",
        "Form 4",
        "光造形で治具や試作品を一晩で",
        "検査治具、組立治具、顧客への試作サンプルづくりに。",
        1,
    ),
    (
        ItemKind.PRINTER_3D,
        "3Dプリンター Bambu Lab X1E",
        "Bambu Lab",
        "X1E",
        "エンジニアリング樹脂も使える FDM 機",
        "段取り用の位置決め治具、カバー類の試作に。",
        2,
    ),
    (
        ItemKind.IOT_KIT,
        "稼働監視IoTキット (積層信号灯センサー)",
        "ラボ自作",
        "MK-01",
        "古い機械の積層信号灯から稼働を取る",
        "配線工事なしで、機械の稼働率を一週間で見える化できます。",
        3,
    ),
    (
        ItemKind.MEASURING,
        "三次元測定機 CRYSTA-Apex V",
        "ミツトヨ",
        "CRYSTA-Apex V544",
        "検査の自動化と記録のデジタル化",
        "検査成績書の作成時間を減らす方法を試せます。",
        1,
    ),
    (
        ItemKind.SOFTWARE,
        "CAD/CAM 体験端末",
        "ラボ",
        "Fusion 360 / Mastercam",
        "2D図面から 3D モデルと NC プログラムへ",
        "図面の 3D 化、CAM による加工時間の見積りを体験できます。",
        2,
    ),
]
VENDOR_ITEMS = [
    # vendor index, kind, name, maker, model, summary, use, bookable, trial days
    (
        0,
        ItemKind.IOT_KIT,
        "AI外観検査カメラ VisionEye",
        "ミライFA",
        "VE-200",
        "学習させた良品画像で不良を見分ける",
        "目視検査の見逃しと検査時間を減らせるか、自社の部品で試せます。",
        True,
        None,
    ),
    (
        1,
        ItemKind.SOFTWARE,
        "生産管理クラウド KOUBA",
        "クラウド工房",
        "KOUBA Standard",
        "受注・工程・出荷をスマホで",
        "紙の工程表と日報をやめられるか、30日間の試用で確かめられます。",
        False,
        30,
    ),
]
VENDORS = [
    ("ミライFA株式会社", VENDOR_EMAIL, "森"),
    ("株式会社クラウド工房", VENDOR2_EMAIL, "岡本"),
]


def _demo_user(email: str, name: str) -> User:
    user = User.objects.filter(email=email).first() or User.objects.create_user(
        email, DEMO_PASSWORD, name=name
    )
    EmailAddress.objects.update_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def _open_days(lab: Lab, start: dt.date, count: int, step: int = 1) -> list[dt.date]:
    """The next ``count`` days from ``start`` (direction ``step``) on which the lab opens."""
    days: list[dt.date] = []
    day = start
    while len(days) < count:
        day += dt.timedelta(days=step)
        if day_hours(lab, day).is_open:
            days.append(day)
    return days


def _let_time_pass(event: Event, starts_at: dt.datetime) -> Event:
    """Move an event created ahead into the past (no service writes the past)."""
    length = event.ends_at - event.starts_at
    Event.objects.filter(pk=event.pk).update(
        starts_at=starts_at,
        ends_at=starts_at + length,
        registration_closes_at=None,
        reminded_at=starts_at - dt.timedelta(days=1),
        survey_sent_at=starts_at + length,
    )
    event.refresh_from_db()
    return event


def _vendors(lab: Lab, staff: User) -> list[Company]:
    vendors = []
    for name, email, contact in VENDORS:
        registration = vendor_register(
            actor=staff, lab=lab, name=name, email=email, contact_name=contact
        )
        person = _demo_user(email, dict(LAB_DEMO_USERS)[email])
        if registration.invitation is not None:
            invitation_accept(actor=person, token=registration.invitation.token)
        vendors.append(registration.company)
    return vendors


def _catalogue(lab: Lab, staff: User, vendors: list[Company]) -> list[Item]:
    items = []
    for kind, name, maker, model, summary, use, capacity in LAB_ITEMS:
        items.append(
            item_create(
                actor=staff,
                lab=lab,
                kind=kind,
                name=name,
                maker=maker,
                model_number=model,
                summary=summary,
                use_cases=use,
                capacity=capacity,
                safety_notes="初めての方は職員の説明を受けてから使ってください。"
                if kind == ItemKind.COBOT
                else "",
            )
        )
    for index, kind, name, maker, model, summary, use, bookable, trial_days in VENDOR_ITEMS:
        items.append(
            item_create(
                actor=staff,
                lab=lab,
                kind=kind,
                name=name,
                maker=maker,
                model_number=model,
                summary=summary,
                use_cases=use,
                exhibitor=vendors[index],
                bookable=bookable,
                trial_days=trial_days,
            )
        )
    return items


def _people(companies: list[Company]) -> dict[str, User]:
    emails = ("owner@example.com", "worker@example.com", "heat@example.com", "plating@example.com")
    return {email: User.objects.get(email=email) for email in emails}


def _training(lab: Lab, staff: User, cobot: Item, people: dict[str, User], companies) -> None:
    """The cobot safety training: last month's session (owner@ and worker@ passed) and the
    next one, open for registration."""
    training = training_create(
        actor=staff,
        lab=lab,
        name="協働ロボット安全講習",
        description="協働ロボットの安全機能、停止のしかた、教示の基本を 2 時間で学びます。",
        unlocks=[cobot],
        validity_days=365,
        active=True,
    )
    ahead = _open_days(lab, timezone.localdate(), 3)
    held = event_create(
        actor=staff,
        lab=lab,
        kind=EventKind.TRAINING,
        title="協働ロボット安全講習 (第1回)",
        description=training.description,
        training=training,
        starts_at=_at(ahead[0], 14),
        ends_at=_at(ahead[0], 16),
        place="ラボ 1階 ロボットコーナー",
        capacity=6,
    )
    event_publish(actor=staff, event=held)
    registrations = [
        registration_create(actor=people[email], event=held, company=company)
        for email, company in (
            ("owner@example.com", companies[0]),
            ("worker@example.com", companies[0]),
            ("plating@example.com", companies[8]),
        )
    ]
    past_day = _open_days(lab, timezone.localdate(), 20, step=-1)[-1]
    _let_time_pass(held, _at(past_day, 14))
    for registration in registrations[:2]:  # plating@ did not come
        attendance_mark(actor=staff, registration=registration)
    training_records_record(
        actor=staff, event=held, registration_ids=[r.pk for r in registrations[:2]]
    )
    following = event_create(
        actor=staff,
        lab=lab,
        kind=EventKind.TRAINING,
        title="協働ロボット安全講習 (第2回)",
        description=training.description,
        training=training,
        starts_at=_at(ahead[2], 14),
        ends_at=_at(ahead[2], 16),
        place="ラボ 1階 ロボットコーナー",
        capacity=6,
    )
    event_publish(actor=staff, event=following)


def _exchange(lab: Lab, staff: User, people: dict[str, User], companies, vendors) -> Event:
    """Last month's 交流会 with a vendor's talk: three came, two answered the survey."""
    ahead = _open_days(lab, timezone.localdate(), 2)[-1]
    event = event_create(
        actor=staff,
        lab=lab,
        kind=EventKind.EXCHANGE,
        title="町工場 × ITベンダー 交流会",
        description="ベンダー 2 社の事例紹介のあと、テーブルごとに自社の困りごとを話します。",
        host=vendors[0],
        starts_at=_at(ahead, 18),
        ends_at=_at(ahead, 20),
        place="ラボ 2階 セミナールーム",
        capacity=30,
    )
    event_publish(actor=staff, event=event)
    who = (
        ("owner@example.com", companies[0]),
        ("heat@example.com", companies[7]),
        ("plating@example.com", companies[8]),
    )
    registrations = {
        email: registration_create(actor=people[email], event=event, company=company)
        for email, company in who
    }
    wednesday = next(
        day
        for day in _open_days(lab, timezone.localdate(), 40, step=-1)
        if day.weekday() == 2 and day < timezone.localdate() - dt.timedelta(days=25)
    )
    _let_time_pass(event, _at(wednesday, 18))
    for registration in registrations.values():
        attendance_mark(actor=staff, registration=registration)
    survey_submit(
        actor=people["owner@example.com"],
        registration=Registration.objects.get(pk=registrations["owner@example.com"].pk),
        rating=5,
        useful=True,
        met_partner="ミライFA (外観検査カメラ)",
        comment="検査の自動化を具体的に相談できた。",
    )
    survey_submit(
        actor=people["heat@example.com"],
        registration=Registration.objects.get(pk=registrations["heat@example.com"].pk),
        rating=4,
        useful=True,
        met_partner="六郷鍍金さん (熱処理後のめっきを一緒に)",
        comment="",
    )
    return event


def _bookings(lab: Lab, items: list[Item], people: dict[str, User], companies) -> None:
    """Bookings over the next two weeks (owner@ and worker@ may book the cobot)."""
    cobot, form4, bambu, iot, cmm, cad, vision, _cloud = items
    days = _open_days(lab, timezone.localdate(), 10)
    plan = [
        (cobot, "owner@example.com", companies[0], 0, 10, 2, "NC旋盤のワーク出し入れを試す"),
        (cobot, "worker@example.com", companies[0], 2, 13, 2, "バリ取りの教示を練習"),
        (form4, "owner@example.com", companies[0], 1, 9, 3, "検査治具の試作"),
        (bambu, "heat@example.com", companies[7], 1, 10, 2, "治具カバーの試作"),
        (iot, "plating@example.com", companies[8], 3, 10, 1, "信号灯センサーの説明を聞く"),
        (cmm, "heat@example.com", companies[7], 4, 14, 2, "熱処理後の寸法測定"),
        (cad, "plating@example.com", companies[8], 5, 15, 1, "図面の 3D 化"),
        (vision, "owner@example.com", companies[0], 6, 10, 1, "自社部品で外観検査を試す"),
        (cobot, "owner@example.com", companies[0], 8, 10, 2, "箱詰めの自動化"),
    ]
    for item, email, company, day, hour, hours, purpose in plan:
        if day >= len(days):
            continue
        booking_create(
            actor=people[email],
            item=item,
            company=company,
            starts_at=_at(days[day], hour),
            ends_at=_at(days[day], hour + hours),
            purpose=purpose,
        )


def _vendor_work(lab: Lab, items: list[Item], people, companies, vendors) -> None:
    """ミライFA's demo of its camera (heat@'s shop took a seat) and クラウド工房's trial
    licence for owner@'s shop."""
    vision, cloud = items[6], items[7]
    seller = User.objects.get(email=VENDOR_EMAIL)
    day = _open_days(lab, timezone.localdate(), 5)[-1]
    slot = demo_slot_publish(
        actor=seller,
        item=vision,
        starts_at=_at(day, 15),
        ends_at=_at(day, 16, 30),
        seats=4,
        note="お手持ちの部品 (良品 20 個・不良 5 個) をお持ちください。",
    )
    demo_booking_create(
        actor=people["heat@example.com"],
        slot=slot,
        company=companies[7],
        purpose="焼入れ割れの検出",
    )
    trial = trial_request_create(
        actor=people["owner@example.com"],
        company=companies[0],
        item=cloud,
        message="紙の工程表をやめたい。現場 3 人で試したい。",
    )
    today = timezone.localdate()
    trial_approve(
        actor=User.objects.get(email=VENDOR2_EMAIL),
        trial=trial,
        starts_on=today,
        ends_on=today + dt.timedelta(days=29),
        licence_note="ログインIDはメールでお送りしました。",
    )


def _matchings(lab: Lab, staff: User, exchange: Event, items: list[Item], companies, vendors):
    """Two matchings: owner@'s shop bought a trial of ミライFA's camera after the 交流会;
    heat@'s and plating@'s shops agreed a joint job at the same meeting."""
    agreed = timezone.localtime(exchange.ends_at).date() + dt.timedelta(days=7)
    matching_record(
        actor=staff,
        source=MatchingSource.EVENT,
        event=exchange,
        party_a=companies[0],
        party_b=vendors[0],
        agreement=MatchingAgreement.TRIAL,
        agreed_on=agreed,
        evidence="試用契約書 (2週間・有償)",
    )
    matching_record(
        actor=staff,
        source=MatchingSource.EVENT,
        event=exchange,
        party_a=companies[7],
        party_b=companies[8],
        agreement=MatchingAgreement.ORDER,
        agreed_on=agreed + dt.timedelta(days=3),
        evidence="注文書 No. 2026-118 の写し",
    )


def _visit_history(lab: Lab, people: dict[str, User], companies) -> None:
    """A month of entries and exits (the kiosk records only the present)."""
    rng = random.Random(2026)
    visitors = [
        (people["owner@example.com"], companies[0]),
        (people["worker@example.com"], companies[0]),
        (people["heat@example.com"], companies[7]),
        (people["plating@example.com"], companies[8]),
    ]
    rows = []
    for day in _open_days(lab, timezone.localdate(), 24, step=-1):
        for user, company in rng.sample(visitors, rng.randint(1, 3)):
            start = _at(day, rng.randint(9, 15), rng.choice((0, 15, 30, 45)))
            rows.append(
                EntryEvent(
                    lab=lab,
                    kind=EntryKind.ENTERED,
                    method=EntryMethod.PERSONAL_QR,
                    at=start,
                    user=user,
                    company=company,
                )
            )
            rows.append(
                EntryEvent(
                    lab=lab,
                    kind=EntryKind.LEFT,
                    method=EntryMethod.PERSONAL_QR,
                    at=start + dt.timedelta(minutes=rng.randint(40, 150)),
                    user=user,
                    company=company,
                )
            )
    EntryEvent.objects.bulk_create(rows)


def _consortium(municipality: Municipality, officer: User, companies) -> None:
    """A university PBL project with two shops, and a partner bank with a referral."""
    university = partner_create(
        actor=officer,
        municipality=municipality,
        kind=PartnerKind.UNIVERSITY,
        name="東京城南工業大学 生産工学科",
        company=None,
        contact_name="田村 教授",
        contact_email="",
        note="PBL とインターンシップの受け入れ先を毎年募集",
    )
    banker = _demo_user(BANK_EMAIL, dict(LAB_DEMO_USERS)[BANK_EMAIL])
    bank_company = company_create(
        actor=officer, name="城南信用金庫 蒲田支店", kind=CompanyKind.BANK, owner=None
    )
    membership_add(actor=None, company=bank_company, user=banker, role=CompanyRole.OWNER)
    bank = partner_create(
        actor=officer,
        municipality=municipality,
        kind=PartnerKind.BANK,
        name="城南信用金庫",
        company=bank_company,
        contact_name="浅野",
        contact_email=BANK_EMAIL,
        note="DX設備資金の融資 (区の利子補給の対象)",
    )
    today = timezone.localdate()
    project = project_create(
        actor=officer,
        municipality=municipality,
        kind=ProjectKind.PBL,
        title="町工場の段取り替え時間を IoT で測る (PBL)",
        summary="学生 4 人が 2 社の段取り替えを計測し、短縮案を提案する。",
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=60),
    )
    participant_add(actor=officer, project=project, partner=university, role="指導・学生 4 名")
    participant_add(actor=officer, project=project, company=companies[0], role="計測の受け入れ")
    participant_add(actor=officer, project=project, company=companies[7], role="計測の受け入れ")
    project_transition(actor=officer, project=project, to=ProjectStatus.RUNNING)
    referral_create(
        actor=officer,
        company=companies[0],
        bank=bank,
        amount_requested=3_000_000,
        purpose="協働ロボットと外観検査カメラの導入 (DX導入補助金の自己負担分)",
    )


def seed_lab(
    *, municipality: Municipality, officer: User, staff: User, companies: list[Company]
) -> Lab | None:
    if Lab.objects.filter(municipality=municipality).exists():
        return None
    lab = lab_create(
        actor=None,
        municipality=municipality,
        name="大田区 町工場DXラボ",
        address="東京都大田区南蒲田1-20-20",
        phone="03-0000-0000",
        description="ロボット、IoT、3Dプリンター、業務ソフトを、買う前に試せる区のラボです。",
    )
    opening_hours_set(actor=staff, lab=lab, days=HOURS)
    closed = _open_days(lab, timezone.localdate(), 18)[-1]
    closure_add(actor=staff, lab=lab, starts_on=closed, ends_on=closed, reason="設備点検日")
    vendors = _vendors(lab, staff)
    items = _catalogue(lab, staff, vendors)
    people = _people(companies)
    _training(lab, staff, items[0], people, companies)
    exchange = _exchange(lab, staff, people, companies, vendors)
    _bookings(lab, items, people, companies)
    _vendor_work(lab, items, people, companies, vendors)
    _matchings(lab, staff, exchange, items, companies, vendors)
    _visit_history(lab, people, companies)
    _consortium(municipality, officer, companies)
    return lab
