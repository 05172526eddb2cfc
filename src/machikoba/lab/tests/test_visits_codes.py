"""The two codes of the entry log, on their own: the personal code (signed, carries the
user, a nonce and the moment of issue; any change breaks it) and the lab's rotating code
(an HMAC of the lab's secret and the time window; this window and the one before are
good, older ones expired, another lab's or a made-up one invalid)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from machikoba.core.testing.factories import UserFactory
from machikoba.core.testing.factories_lab import make_lab
from machikoba.lab.services import entry_codes
from machikoba.lab.services.entry_codes import LabCodeStatus

pytestmark = pytest.mark.django_db


def test_a_personal_code_reads_back_as_issued():
    user = UserFactory()
    now = timezone.now().replace(microsecond=0)
    issued = entry_codes.personal_code_issue(user=user, now=now)
    read = entry_codes.personal_code_read(issued.token)
    assert read == issued
    assert (read.user_id, read.issued_at) == (user.pk, now)
    assert len(read.nonce) == 24


def test_a_personal_code_is_new_every_time():
    user = UserFactory()
    first = entry_codes.personal_code_issue(user=user)
    second = entry_codes.personal_code_issue(user=user)
    assert first.nonce != second.nonce
    assert first.token != second.token


def test_a_personal_code_survives_a_keyboard_scanner():
    """Only characters a scanner typing as a keyboard carries unchanged."""
    token = entry_codes.personal_code_issue(user=UserFactory()).token
    assert re.fullmatch(r"[A-Za-z0-9._-]+", token)
    assert len(token) < entry_codes.MAX_CODE_LENGTH


def test_a_personal_code_with_any_character_changed_is_unreadable():
    token = entry_codes.personal_code_issue(user=UserFactory()).token
    for index in range(0, len(token), 7):
        replacement = "A" if token[index] != "A" else "B"
        changed = token[:index] + replacement + token[index + 1 :]
        assert entry_codes.personal_code_read(changed) is None, index


def test_a_code_signed_for_something_else_is_unreadable():
    from django.core import signing

    forged = signing.Signer(salt="another.salt", sep=".", algorithm="sha256").sign(
        "MKE1.1.0123456789abcdef01234567.1700000000"
    )
    assert entry_codes.personal_code_read(forged) is None
    other_shape = signing.Signer(salt=entry_codes.PERSONAL_SALT, sep=".", algorithm="sha256").sign(
        "MKE1.1.short.1700000000"
    )
    assert entry_codes.personal_code_read(other_shape) is None


def test_expiry_and_seconds_left():
    now = timezone.now()
    code = entry_codes.personal_code_issue(user=UserFactory(), now=now)
    later = code.issued_at + dt.timedelta(seconds=45)
    assert code.seconds_left(60, later) == 15
    assert not code.expired(60, code.issued_at + dt.timedelta(seconds=60))
    assert code.expired(60, code.issued_at + dt.timedelta(seconds=61))


def test_the_lab_code_of_this_window_and_the_one_before_are_good():
    lab = make_lab()
    now = timezone.now()
    seconds = lab.entry_code_seconds
    assert entry_codes.lab_code_check(lab, entry_codes.lab_code(lab, now), now) == "valid"
    before = now - dt.timedelta(seconds=seconds)
    assert entry_codes.lab_code_check(lab, entry_codes.lab_code(lab, before), now) == "valid"
    older = now - dt.timedelta(seconds=2 * seconds)
    assert entry_codes.lab_code_check(lab, entry_codes.lab_code(lab, older), now) == "expired"


def test_a_lab_code_of_another_lab_or_a_future_window_is_invalid():
    lab, other = make_lab(), make_lab(name="第二ラボ")
    now = timezone.now()
    assert entry_codes.lab_code_check(lab, entry_codes.lab_code(other, now), now) == (
        LabCodeStatus.INVALID
    )
    future = now + dt.timedelta(seconds=3 * lab.entry_code_seconds)
    assert entry_codes.lab_code_check(lab, entry_codes.lab_code(lab, future), now) == (
        LabCodeStatus.INVALID
    )
    window, mac = entry_codes.lab_code(lab, now).split(".")
    assert entry_codes.lab_code_check(lab, f"{int(window) - 1}.{mac}", now) == "invalid"


def test_the_kiosk_code_changes_with_the_window_and_carries_the_labs_address(settings):
    settings.MACHIKOBA_SITE_URL = "https://lab.example.test/"
    lab = make_lab()
    now = timezone.now()
    url = entry_codes.lab_code_url(lab, now)
    assert url == (
        f"https://lab.example.test/lab/{lab.pk}/enter/?c={entry_codes.lab_code(lab, now)}"
    )
    later = now + dt.timedelta(seconds=lab.entry_code_seconds)
    assert entry_codes.lab_code(lab, later) != entry_codes.lab_code(lab, now)
    left = entry_codes.lab_code_seconds_left(lab, now)
    assert 1 <= left <= lab.entry_code_seconds
