"""The two QR codes of the entry log (入退館). Neither is stored: both are checked by their
signature, so issuing one writes nothing.

- **The personal code** a person shows at the kiosk (``/lab/my-code/``): the user id, a
  random nonce and the moment it was issued, signed with ``django.core.signing`` (the
  site's secret and a salt of its own). It is good for ``Lab.entry_code_seconds`` at the
  lab that reads it, and once: the entry it records keeps the nonce
  (``EntryEvent.code_nonce``, unique), so a copy shown again is refused. A screenshot sent
  to someone else has expired by the time it is shown.
- **The lab's rotating code** the kiosk shows, for a visitor's phone to read: an HMAC of
  ``Lab.kiosk_secret`` and the number of the time window (``entry_code_seconds`` long) it
  belongs to. The code of the current window and of the one before it (the kiosk may have
  just turned over) are good; an older one has expired.

The text of a personal code uses only letters, digits, ``.``, ``-`` and ``_``, so a USB or
Bluetooth scanner that types it into the kiosk's input carries it unchanged.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from enum import StrEnum

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from machikoba.accounts.models import User
from machikoba.lab.models import Lab

PERSONAL_PREFIX = "MKE1"
PERSONAL_SALT = "machikoba.lab.entry-code"
# Long enough to be unguessable (96 bits), short enough for a small QR code.
NONCE_BYTES = 12
# The longest text read as a code: anything longer is refused before it is parsed.
MAX_CODE_LENGTH = 200
LAB_CODE_PATTERN = re.compile(r"^(\d{1,12})\.([0-9a-f]{24})$")
# A phone renews its personal code this many seconds before the code expires, so a scan
# in the last moments still finds a good code.
RENEW_MARGIN_SECONDS = 5


@dataclass(frozen=True)
class PersonalCode:
    token: str
    user_id: int
    nonce: str
    issued_at: dt.datetime

    def age(self, now: dt.datetime) -> float:
        return max(0.0, (now - self.issued_at).total_seconds())

    def expired(self, seconds: int, now: dt.datetime) -> bool:
        return self.age(now) > seconds

    def seconds_left(self, seconds: int, now: dt.datetime) -> int:
        return max(0, int(seconds - self.age(now)))


def _signer() -> signing.Signer:
    return signing.Signer(salt=PERSONAL_SALT, sep=".", algorithm="sha256")


def personal_code_issue(*, user: User, now: dt.datetime | None = None) -> PersonalCode:
    """A fresh personal code of ``user`` (nothing is written: the signature is the proof)."""
    moment = now or timezone.now()
    nonce = secrets.token_hex(NONCE_BYTES)
    issued = int(moment.timestamp())
    token = _signer().sign(f"{PERSONAL_PREFIX}.{user.pk}.{nonce}.{issued}")
    return PersonalCode(
        token=token,
        user_id=user.pk,
        nonce=nonce,
        issued_at=dt.datetime.fromtimestamp(issued, tz=dt.UTC),
    )


def personal_code_read(text: str | None) -> PersonalCode | None:
    """The personal code ``text`` carries, or None when it is not one of ours: unreadable,
    cut short, or changed (the signature does not match). Expiry and reuse are the
    caller's to check, against the lab that reads it."""
    token = (text or "").strip()
    if not token or len(token) > MAX_CODE_LENGTH:
        return None
    try:
        value = _signer().unsign(token)
    except signing.BadSignature:
        return None
    parts = value.split(".")
    if len(parts) != 4 or parts[0] != PERSONAL_PREFIX:
        return None
    _prefix, user_id, nonce, issued = parts
    if not (user_id.isdigit() and issued.isdigit() and len(nonce) == 2 * NONCE_BYTES):
        return None
    return PersonalCode(
        token=token,
        user_id=int(user_id),
        nonce=nonce,
        issued_at=dt.datetime.fromtimestamp(int(issued), tz=dt.UTC),
    )


# --- the lab's rotating code -----------------------------------------------------------------


class LabCodeStatus(StrEnum):
    VALID = "valid"
    EXPIRED = "expired"
    INVALID = "invalid"


def lab_code_window(lab: Lab, at: dt.datetime) -> int:
    """The number of the time window ``at`` falls in (windows are ``entry_code_seconds``
    long, counted from the epoch, so every kiosk of a lab shows the same code)."""
    return int(at.timestamp()) // lab.entry_code_seconds


def _lab_mac(lab: Lab, window: int) -> str:
    message = f"{lab.pk}.{window}".encode()
    return hmac.new(lab.kiosk_secret.encode(), message, hashlib.sha256).hexdigest()[:24]


def lab_code(lab: Lab, at: dt.datetime | None = None) -> str:
    """The code the kiosk shows now (or at ``at``)."""
    window = lab_code_window(lab, at or timezone.now())
    return f"{window}.{_lab_mac(lab, window)}"


def lab_code_url(lab: Lab, at: dt.datetime | None = None) -> str:
    """The address the kiosk's QR code carries (the site's public address, as in e-mails):
    the visitor's phone opens it."""
    path = reverse("lab:visits_enter", args=[lab.pk])
    return f"{settings.MACHIKOBA_SITE_URL.rstrip('/')}{path}?c={lab_code(lab, at)}"


def lab_code_seconds_left(lab: Lab, at: dt.datetime | None = None) -> int:
    """Seconds until the kiosk shows the next code."""
    moment = at or timezone.now()
    window_end = (lab_code_window(lab, moment) + 1) * lab.entry_code_seconds
    return max(1, int(window_end - moment.timestamp()))


def lab_code_check(lab: Lab, text: str | None, now: dt.datetime | None = None) -> LabCodeStatus:
    """Whether ``text`` is the lab's code of the current window or of the one before it
    (valid), of an older window (expired), or not the lab's code at all (invalid)."""
    match = LAB_CODE_PATTERN.match((text or "").strip())
    if match is None:
        return LabCodeStatus.INVALID
    window = int(match.group(1))
    if not hmac.compare_digest(match.group(2), _lab_mac(lab, window)):
        return LabCodeStatus.INVALID
    current = lab_code_window(lab, now or timezone.now())
    if window > current:  # signed by us, yet from the future: the clock was turned back
        return LabCodeStatus.INVALID
    if current - window <= 1:
        return LabCodeStatus.VALID
    return LabCodeStatus.EXPIRED
