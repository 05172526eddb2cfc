"""The starting world of the lab's end-to-end story (issue 21's "done means",
``lab/tests/test_story_browser.py``): a lab of 大田区 open every day from 0:00 to 23:59
(holidays and the year end included, so that the story runs on any day), its cobot that
needs the safety training, the next session of that training, an IT vendor exhibiting an
IoT kit, a shop with a floor worker, and the lab's staff.

Everything else (the refusal, the registration, the attendance, the booking, the entry, the
demo slot, its seat, the matching) is done by the test through the pages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from machikoba.companies.choices import CompanyRole
from machikoba.core.testing.factories import CompanyFactory, MembershipFactory
from machikoba.core.testing.factories_lab import (
    make_exhibitor,
    make_item,
    make_lab,
    make_lab_staff,
    make_training,
    make_vendor,
)
from machikoba.core.testing.factories_lab_events import make_event
from machikoba.lab.choices import EventKind, ItemKind
from machikoba.lab.models import Item, Lab, Training
from machikoba.lab.models_events import Event

# Every day, 0:00–23:59: the kiosk refuses entries outside the hours and bookings need an
# open day, and the story must pass whatever the day and hour.
ALL_DAY = {weekday: (dt.time(0), dt.time(23, 59)) for weekday in range(7)}


@dataclass
class Story:
    lab: Lab
    cobot: Item
    training: Training
    kit: Item
    vendor: Any
    vendor_owner: Any
    shop: Any
    member: Any
    staff: Any
    session: Event | None = None


def make_story(*, session_starts_at: dt.datetime | None = None) -> Story:
    """The story's world; with ``session_starts_at``, a published one-hour session of the
    cobot's safety training then (six places)."""
    lab = make_lab(hours=ALL_DAY, closed_on_holidays=False, closed_year_end=False)
    cobot = make_item(
        lab,
        name="協働ロボット CRX-10iA",
        use_cases="溶接前後のワークの段取り、検査工程への搬送",
        safety_notes="稼働中は可動範囲に立ち入らないこと。講習の修了が必要です。",
    )
    training = make_training(lab, [cobot], name="協働ロボット安全講習")
    vendor = make_exhibitor(lab, make_vendor("城南ITソリューションズ株式会社"))
    kit = make_item(
        lab,
        kind=ItemKind.IOT_KIT,
        exhibitor=vendor,
        name="稼働監視IoTキット",
        maker="城南IT",
        model_number="IOT-1",
        summary="後付けセンサーで機械の稼働を見える化",
    )
    shop = CompanyFactory(name="蒲田精密株式会社")
    member = MembershipFactory(
        company=shop, role=CompanyRole.FLOOR_WORKER, user__name="町田 太郎"
    ).user
    staff = make_lab_staff()
    staff.name = "ラボ職員 佐藤"
    staff.save()
    story = Story(
        lab=lab,
        cobot=cobot,
        training=training,
        kit=kit,
        vendor=vendor,
        vendor_owner=vendor.memberships.get().user,
        shop=shop,
        member=member,
        staff=staff,
    )
    if session_starts_at is not None:
        story.session = make_event(
            lab,
            kind=EventKind.TRAINING,
            training=training,
            title="協働ロボット安全講習 (第3回)",
            starts_at=session_starts_at,
            ends_at=session_starts_at + dt.timedelta(hours=1),
            place="ラボ 1階 ロボットエリア",
            capacity=6,
        )
    return story


def today_at(hour: int, minute: int = 0) -> dt.datetime:
    """An aware moment today (local time) at ``hour``:``minute``."""
    return dt.datetime.combine(
        timezone.localdate(), dt.time(hour, minute), tzinfo=timezone.get_current_timezone()
    )
