"""Reads of the machine pages: a company's monitored machines with their current state and
what the collector received from each (``machines_page``), one machine with its ingest
health and, for its owners and staff, how to connect it (``machine_detail``).

Every read starts from ``for_user``: a company's people (floor workers included) read its
machines; only owners and staff see a machine's key, since whoever knows it can publish as
the machine.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from django.utils.timesince import timesince
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from machikoba.accounts.models import User
from machikoba.companies.models import Company, Equipment
from machikoba.core.access import (
    CHANGE,
    EDITOR_ROLES,
    VIEW,
    AccessQuerySet,
    get_for_user_or_404,
    has_role,
)
from machikoba.telemetry.choices import MachineState, Rejection, Source
from machikoba.telemetry.collector.payload import DEFAULT_TOWER, HEARTBEAT, PREFIX, STATE
from machikoba.telemetry.events import OFFLINE_AFTER
from machikoba.telemetry.models import IngestStats, Machine, StateInterval
from machikoba.telemetry.services.machine_config import TOWER_COLOURS, TOWER_KEYS

DEFAULT_MQTT_URL = "mqtt://127.0.0.1:1883"
# A refusal older than this no longer colours the machine's health.
RECENT_ERROR = dt.timedelta(hours=1)
RECENT_INTERVALS = 10
TOWER_LABELS = {
    "red": gettext_lazy("赤"),
    "yellow": gettext_lazy("黄"),
    "green": gettext_lazy("緑"),
    "blue": gettext_lazy("青"),
    "white": gettext_lazy("白"),
    "none": gettext_lazy("信号灯がすべて消灯"),
}


def mqtt_topic(key: str, kind: str = STATE) -> str:
    """The topic a machine's sensor publishes its state (or heartbeat) to
    (``collector.payload``, docs/telemetry.md)."""
    return f"{PREFIX}{key}/{kind}"


@dataclass(frozen=True)
class Health:
    """How the machine's data is arriving, in one word and one sentence."""

    level: str  # ok | waiting | silent | errors | stopped
    label: str
    text: str


@dataclass(frozen=True)
class MachineRow:
    machine: Machine
    state: str | None  # a MachineState value: the open interval's, None before the first
    state_label: str
    since: dt.datetime | None
    stats: IngestStats | None
    health: Health

    @property
    def refused(self) -> int:
        s = self.stats
        return (s.malformed + s.skewed + s.rate_limited) if s else 0


@dataclass(frozen=True)
class MachinesPage:
    company: Company
    rows: list[MachineRow]
    may_change: bool
    has_equipment: bool

    @property
    def active_rows(self) -> list[MachineRow]:
        return [row for row in self.rows if row.machine.active]

    @property
    def stopped_rows(self) -> list[MachineRow]:
        return [row for row in self.rows if not row.machine.active]


def _label(state: str | None) -> str:
    if state is None:
        return _("まだ記録がありません")
    try:
        return str(MachineState(state).label)
    except ValueError:
        return state


def ingest_health(
    machine: Machine, stats: IngestStats | None, now: dt.datetime | None = None
) -> Health:
    """Whether the machine's data arrives: stopped by its company, never heard from, silent
    for longer than the collector waits before calling it offline, recently refused, or
    fine."""
    now = now or timezone.now()
    if not machine.active:
        return Health(
            "stopped", _("監視を停止中"), _("監視を止めています。届いたデータは記録しません。")
        )
    if stats is None or stats.last_seen is None:
        return Health(
            "waiting",
            _("未受信"),
            _("まだ何も届いていません。センサーや機械の接続の設定を確認してください。"),
        )
    if now - stats.last_seen > OFFLINE_AFTER:
        return Health(
            "silent",
            _("途絶え"),
            _("最後に届いてから %(ago)s たっています。電源や通信を確認してください。")
            % {"ago": timesince(stats.last_seen, now)},
        )
    if stats.last_error_at is not None and now - stats.last_error_at < RECENT_ERROR:
        return Health(
            "errors",
            _("一部に誤り"),
            _(
                "届いていますが、受け取れなかったデータがあります。下の「受け取れなかったデータ」を見てください。"
            ),
        )
    return Health("ok", _("受信中"), _("データは正常に届いています。"))


def _current(user: User, field_name: str) -> Subquery:
    return Subquery(
        StateInterval.objects.for_user(user, VIEW)
        .filter(machine=OuterRef("pk"), end__isnull=True)
        .order_by("-start", "-seq")
        .values(field_name)[:1]
    )


def _with_current_state(user: User, machines: AccessQuerySet[Machine]) -> AccessQuerySet[Machine]:
    # The annotation's own type (django-stubs' WithAnnotations) is still a Machine set.
    annotated: AccessQuerySet[Machine] = machines.annotate(  # type: ignore[assignment]
        current_state=_current(user, "state"), current_since=_current(user, "start")
    )
    return annotated


def _stats_of(user: User, machine_ids: list[int]) -> dict[int, IngestStats]:
    return {
        s.machine_id: s
        for s in IngestStats.objects.for_user(user, VIEW).filter(machine_id__in=machine_ids)
    }


def may_change_machines(user: User, company: Company) -> bool:
    """Whether ``user`` registers and changes ``company``'s machines (owners and staff)."""
    return has_role(user, company, EDITOR_ROLES)


def machines_page(user: User, company: Company) -> MachinesPage:
    """``company``'s monitored machines (the monitored first, by name), each with its
    current state, last message and counters: four queries, however many machines."""
    machines = list(
        _with_current_state(
            user,
            Machine.objects.for_user(user, VIEW)
            .filter(company=company)
            .select_related("equipment")
            .order_by("-active", "name", "pk"),
        )
    )
    stats = _stats_of(user, [m.pk for m in machines])
    now = timezone.now()
    rows = [_row(m, stats.get(m.pk), now) for m in machines]
    may_change = may_change_machines(user, company)
    has_equipment = bool(machines) or equipment_choices(user, company).exists()
    return MachinesPage(
        company=company, rows=rows, may_change=may_change, has_equipment=has_equipment
    )


def _row(machine: Any, stats: IngestStats | None, now: dt.datetime) -> MachineRow:
    state = machine.current_state
    return MachineRow(
        machine=machine,
        state=state,
        state_label=_label(state),
        since=machine.current_since,
        stats=stats,
        health=ingest_health(machine, stats, now),
    )


# --- one machine -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Refused:
    kind: str
    label: str
    count: int
    help: str


@dataclass(frozen=True)
class SettingRow:
    label: str
    value: str


@dataclass(frozen=True)
class MqttSetup:
    """What the installer types into the sensor: the broker, the topic, one message."""

    broker_url: str
    host: str
    port: int
    topic: str
    example: str
    heartbeat_topic: str
    heartbeat_example: str
    signal: str  # what the example reports: tower | current | state
    offline_minutes: int  # silent this long, the machine is recorded offline


@dataclass(frozen=True)
class MachineDetail:
    machine: Machine
    row: MachineRow
    recent: list[StateInterval]
    refused: list[Refused]
    settings: list[SettingRow]
    may_change: bool
    mqtt: MqttSetup | None  # owners and staff only (the key is in it)

    @property
    def refused_total(self) -> int:
        return sum(r.count for r in self.refused)


REFUSAL_HELP = {
    Rejection.MALFORMED: gettext_lazy(
        "送られてきたデータの形が決まりと違いました。センサーや機械の設定を確かめてください"
        " (後付けのセンサーなら「接続のしかた」の例と見比べます)。"
    ),
    Rejection.SKEWED: gettext_lazy(
        "データの時刻が、いまの時刻と大きくずれていました。センサーや機械の時計を合わせてください。"
    ),
    Rejection.RATE_LIMITED: gettext_lazy(
        "短い時間に送られすぎたため、一部を受け取りませんでした。送信の間隔を長くしてください。"
    ),
}


def _refused(stats: IngestStats | None) -> list[Refused]:
    return [
        Refused(
            kind=kind.value,
            label=str(kind.label),
            count=getattr(stats, kind.value) if stats else 0,
            help=str(text),
        )
        for kind, text in REFUSAL_HELP.items()
    ]


def broker_address() -> tuple[str, str, int]:
    """The MQTT broker sensors publish to (``MACHIKOBA_MQTT_URL``): its URL, host and
    port."""
    url = getattr(settings, "MACHIKOBA_MQTT_URL", DEFAULT_MQTT_URL) or DEFAULT_MQTT_URL
    parts = urlsplit(url)
    secure = parts.scheme in ("mqtts", "ssl", "tls")
    try:
        port = parts.port or (8883 if secure else 1883)
    except ValueError:
        port = 8883 if secure else 1883
    return url, parts.hostname or "127.0.0.1", port


def example_payload(machine: Machine, at: dt.datetime) -> str:
    """One state message the machine's sensor could send, as the collector reads it
    (``collector.payload``, docs/telemetry.md): the time, the sensor's boot id and message
    number, the signal its settings expect (a tower's lamps, a current, or the state
    itself) and the part counter."""
    payload: dict[str, Any] = {
        "ts": timezone.localtime(at).replace(microsecond=0).isoformat(),
        "boot": "a1",
        "seq": 1,
    }
    config = machine.config or {}
    if config.get("current") and not config.get("tower"):
        payload["current_a"] = round(float(config["current"]["producing_above"]) + 2.5, 1)
    elif config.get("tower"):
        lamps = {**DEFAULT_TOWER, **config["tower"]}
        lit = next((c for c in TOWER_COLOURS if lamps.get(c) == MachineState.PRODUCING), "green")
        # The usual three lamps, the producing one lit.
        shown = dict.fromkeys(("red", "yellow", "green"), False)
        payload["tower"] = shown | {lit: True}
    else:
        payload["state"] = MachineState.PRODUCING.value
    payload["count"] = 1234
    return json.dumps(payload, ensure_ascii=False, indent=2)


def example_signal(machine: Machine) -> str:
    """What the example's sensor reports: "tower", "current" or "state"."""
    config = machine.config or {}
    if config.get("current") and not config.get("tower"):
        return "current"
    return "tower" if config.get("tower") else "state"


def example_heartbeat(at: dt.datetime) -> str:
    return json.dumps({"ts": timezone.localtime(at).replace(microsecond=0).isoformat()})


def _tower_rows(config: dict[str, Any]) -> list[SettingRow]:
    """What each lamp means for this machine: its own settings over the standard ones."""
    lamps = {**DEFAULT_TOWER, **(config.get("tower") or {})}
    return [
        SettingRow(
            _("信号灯 %(colour)s") % {"colour": TOWER_LABELS[colour]}
            if colour != "none"
            else str(TOWER_LABELS["none"]),
            _label(lamps[colour]),
        )
        for colour in TOWER_KEYS
        if colour in lamps
    ]


def _settings_rows(machine: Machine) -> list[SettingRow]:
    config = machine.config or {}
    rows: list[SettingRow] = []
    if machine.source == Source.MQTT:
        current = config.get("current")
        if config.get("tower") or not current:
            rows.extend(_tower_rows(config))
        if current:
            rows.append(
                SettingRow(
                    _("生産中とみなす電流"),
                    _("%(a)s A より大きい") % {"a": current["producing_above"]},
                )
            )
            rows.append(
                SettingRow(
                    _("待機とみなす電流"), _("%(a)s A より大きい") % {"a": current["idle_above"]}
                )
            )
    elif machine.source == Source.MTCONNECT:
        rows.append(SettingRow(_("エージェントのアドレス"), str(config.get("agent", ""))))
        rows.append(SettingRow(_("装置名 (Device)"), str(config.get("device", ""))))
    else:
        rows.append(SettingRow(_("接続先 (エンドポイント)"), str(config.get("endpoint", ""))))
        rows.append(SettingRow(_("状態のノード"), str(config.get("state_node", ""))))
        optional = (
            ("count_node", _("生産数のノード")),
            ("alarm_node", _("異常のノード")),
            ("reason_node", _("理由コードのノード")),
        )
        for key, label in optional:
            if config.get(key):
                rows.append(SettingRow(label, str(config[key])))
        states = config.get("states") or {}
        for value, state in states.items():
            rows.append(SettingRow(_("値 %(value)s") % {"value": value}, _label(state)))
        if not states:
            rows.append(SettingRow(_("状態の値"), _("標準の対応 (1=生産中、2=待機、5=異常 など)")))
    if machine.ideal_cycle_seconds is not None:
        rows.append(
            SettingRow(
                _("理想サイクルタイム"),
                _("%(s)s 秒/個") % {"s": f"{machine.ideal_cycle_seconds.normalize():f}"},
            )
        )
    if machine.counter_max is not None:
        rows.append(SettingRow(_("カウンタの最大値"), f"{machine.counter_max:,}"))
    return rows


def machine_source() -> AccessQuerySet[Machine]:
    return Machine.objects.select_related("equipment", "company")


def machine_detail(user: User, pk: int) -> MachineDetail:
    """One machine of a company ``user`` belongs to (another company's: not found)."""
    machine = get_for_user_or_404(_with_current_state(user, machine_source()), user, VIEW, pk=pk)
    stats = IngestStats.objects.for_user(user, VIEW).filter(machine=machine).first()
    now = timezone.now()
    recent = list(
        StateInterval.objects.for_user(user, VIEW)
        .filter(machine=machine)
        .order_by("-start", "-seq")[:RECENT_INTERVALS]
    )
    may_change = Machine.objects.for_user(user, CHANGE).filter(pk=machine.pk).exists()
    mqtt = None
    if may_change and machine.source == Source.MQTT:
        url, host, port = broker_address()
        mqtt = MqttSetup(
            broker_url=url,
            host=host,
            port=port,
            topic=mqtt_topic(machine.key),
            example=example_payload(machine, now),
            heartbeat_topic=mqtt_topic(machine.key, HEARTBEAT),
            heartbeat_example=example_heartbeat(now),
            signal=example_signal(machine),
            offline_minutes=max(1, int(OFFLINE_AFTER.total_seconds() // 60)),
        )
    return MachineDetail(
        machine=machine,
        row=_row(machine, stats, now),
        recent=recent,
        refused=_refused(stats),
        settings=_settings_rows(machine),
        may_change=may_change,
        mqtt=mqtt,
    )


def machine_for_change(user: User, pk: int) -> Machine:
    """A machine ``user`` may change (a member who may only read it: 403; another
    company's: 404)."""
    return get_for_user_or_404(machine_source(), user, CHANGE, pk=pk)


def equipment_choices(user: User, company: Company) -> QuerySet[Equipment]:
    """The rows of ``company``'s equipment list ``user`` may register a machine for (the
    company's owners and staff: all of them; anyone else: none)."""
    return (
        Equipment.objects.for_user(user, CHANGE)
        .filter(company=company)
        .order_by("kind", "maker", "model_name", "pk")
    )
