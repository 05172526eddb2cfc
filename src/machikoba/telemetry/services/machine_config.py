"""The connection settings of a monitored machine (``Machine.config``), checked per source.

Each source reads its own keys (docs/telemetry.md):

- **MQTT** (a retrofit signal-tower or current sensor): ``{"tower": {colour or "none":
  state}, "current": {"producing_above": amperes, "idle_above": amperes}}``, both optional
  (the collector's standard meanings apply, ``collector.payload``; a sensor may also send
  the state names itself);
- **MTConnect**: ``{"agent": "http(s)://host[:port][/path]", "device": name}``;
- **OPC UA**: ``{"endpoint": "opc.tcp://host[:port][/path]", "state_node": node id,
  "count_node", "alarm_node", "reason_node": node ids (optional), "states": {value: state}}``
  (optional: without it the collector's standard map applies, ``collector.opcua_mapping``;
  values are compared in lower case, as the collector does).

``clean_config`` returns the settings normalised (trimmed, numbers as numbers, keys in a
fixed order) or refuses with one Japanese message per field; nothing else is accepted, so a
typo in a key is an error rather than a setting silently ignored.
"""

from __future__ import annotations

import ipaddress
import math
import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlsplit

from django.utils.translation import gettext as _

from machikoba.core.errors import ApplicationError
from machikoba.telemetry.choices import MachineState, Source
from machikoba.telemetry.error_codes import TelemetryErrorCode

# The colours of a signal tower (JIS / IEC 60073), in the order they stand on the tower
# (the collector reads the lamps in this order: the first lit one names the state).
TOWER_COLOURS = ("red", "yellow", "green", "blue", "white")
# What a tower's settings map: a colour, or "none" (no lamp lit).
TOWER_KEYS = (*TOWER_COLOURS, "none")
# What the forms offer to map a signal to: every state but "offline", which the collector
# writes itself when a machine falls silent (events.OFFLINE_AFTER). A setting written
# another way (the admin, the API) may name any state.
MAPPABLE_STATES = tuple(s for s in MachineState.values if s != MachineState.OFFLINE)
STATES = frozenset(MachineState.values)
# A current clamp on a machine's supply reads well under this (amperes).
MAX_AMPERES = 10_000
MAX_URL = 300  # SourceCursor.key holds the agent's address and device
MAX_NODE_ID = 200
MAX_STATE_VALUE = 40
MAX_STATE_VALUES = 50
DEVICE_NAME = re.compile(r"[^\s/?#]{1,100}")
# An OPC UA node id in its string form (OPC 10000-6 §5.3.1.10): an optional namespace
# (index or URI), then a numeric, string, GUID or opaque (base64) identifier.
NODE_ID = re.compile(
    r"(?:ns=\d{1,5};|nsu=[^;\s]{1,150};)?"
    r"(?:i=\d{1,10}|s=\S.{0,150}|g=[0-9A-Fa-f]{8}-(?:[0-9A-Fa-f]{4}-){3}[0-9A-Fa-f]{12}"
    r"|b=[A-Za-z0-9+/]{1,150}={0,2})"
)
CONFIG_KEYS = {
    Source.MQTT: ("tower", "current"),
    Source.MTCONNECT: ("agent", "device"),
    Source.OPCUA: ("endpoint", "state_node", "count_node", "alarm_node", "reason_node", "states"),
}


class _Errors:
    """Collects one message per field; raises them together."""

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def add(self, field: str, message: str) -> None:
        self.fields.setdefault(field, []).append(message)

    def raise_if_any(self) -> None:
        if self.fields:
            raise ApplicationError(
                TelemetryErrorCode.MACHINE_CONFIG_INVALID,
                _("接続の設定を確認してください。"),
                fields=self.fields,
            )


def state_label(state: str) -> str:
    return str(MachineState(state).label)


def clean_config(source: str, config: Any) -> dict[str, Any]:
    """``config`` checked and normalised for ``source`` (see the module's docstring)."""
    if source not in Source.values:
        raise ApplicationError(
            TelemetryErrorCode.MACHINE_INVALID,
            _("入力内容を確認してください。"),
            fields={"source": [_("データの取り方を選んでください。")]},
        )
    errors = _Errors()
    if config is None:
        config = {}
    if not isinstance(config, dict):
        errors.add("config", _("接続の設定の形が正しくありません。"))
        errors.raise_if_any()
    unknown = sorted(str(key) for key in config if key not in CONFIG_KEYS[Source(source)])
    if unknown:
        errors.add(
            "config",
            _("%(source)s では使わない設定があります: %(keys)s")
            % {"source": Source(source).label, "keys": ", ".join(unknown)},
        )
        errors.raise_if_any()
    if source == Source.MQTT:
        cleaned = _mqtt(config, errors)
    elif source == Source.MTCONNECT:
        cleaned = _mtconnect(config, errors)
    else:
        cleaned = _opcua(config, errors)
    errors.raise_if_any()
    return cleaned


# --- MQTT ----------------------------------------------------------------------------------


def _mqtt(config: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    tower = config.get("tower")
    if tower:
        if not isinstance(tower, dict):
            errors.add("tower", _("信号灯の設定の形が正しくありません。"))
        else:
            mapping = {}
            for colour, state in tower.items():
                if colour not in TOWER_KEYS:
                    errors.add(
                        "tower",
                        _(
                            "信号灯の色「%(colour)s」は使えません。"
                            "赤・黄・緑・青・白か、消灯 (none) にしてください。"
                        )
                        % {"colour": str(colour)[:20]},
                    )
                elif state not in STATES:
                    errors.add(
                        f"tower_{colour}",
                        _("信号灯の色ごとに、生産中・待機などの状態を選んでください。"),
                    )
                else:
                    mapping[colour] = state
            if mapping:
                cleaned["tower"] = {c: mapping[c] for c in TOWER_KEYS if c in mapping}
    current = config.get("current")
    if current:
        if not isinstance(current, dict) or set(current) - {"producing_above", "idle_above"}:
            errors.add("current", _("電流センサーの設定の形が正しくありません。"))
        else:
            producing = _amperes(current.get("producing_above"), "producing_above", errors)
            idle = _amperes(current.get("idle_above"), "idle_above", errors)
            if producing is not None and idle is not None:
                if idle >= producing:
                    errors.add(
                        "idle_above",
                        _("「待機」とみなす電流は、「生産中」とみなす電流より小さくしてください。"),
                    )
                else:
                    cleaned["current"] = {"producing_above": producing, "idle_above": idle}
    return cleaned


def _amperes(value: Any, field: str, errors: _Errors) -> float | None:
    if value is None or value == "":
        errors.add(field, _("電流の値 (アンペア) を入力してください。"))
        return None
    number: float | None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int | float | Decimal):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(Decimal(value.strip()))
        except (InvalidOperation, ValueError):
            number = None
    else:
        number = None
    if number is None or not math.isfinite(number):
        errors.add(field, _("電流の値は数字で入力してください (例: 2.5)。"))
        return None
    if not 0 <= number <= MAX_AMPERES:
        errors.add(
            field,
            _("電流の値は 0 から %(max)s アンペアまでで入力してください。") % {"max": MAX_AMPERES},
        )
        return None
    return round(number, 3)


# --- MTConnect -----------------------------------------------------------------------------


def _mtconnect(config: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    agent = _url(
        config.get("agent"),
        "agent",
        ("http", "https"),
        _(
            "エージェントのアドレスは http:// か https:// で始めてください (例: http://192.168.1.20:5000)。"
        ),
        errors,
    )
    device = _text(config.get("device"))
    if not device:
        errors.add("device", _("装置名 (MTConnect の Device の name) を入力してください。"))
    elif not DEVICE_NAME.fullmatch(device):
        errors.add(
            "device",
            _(
                "装置名に空白や「/」「?」「#」は使えません。エージェントの設定にある名前のとおりに入力してください。"
            ),
        )
    return {"agent": agent, "device": device}


# --- OPC UA --------------------------------------------------------------------------------


def _opcua(config: dict[str, Any], errors: _Errors) -> dict[str, Any]:
    endpoint = _url(
        config.get("endpoint"),
        "endpoint",
        ("opc.tcp",),
        _("接続先は opc.tcp:// で始めてください (例: opc.tcp://192.168.1.30:4840)。"),
        errors,
    )
    cleaned: dict[str, Any] = {"endpoint": endpoint}
    cleaned["state_node"] = _node_id(config.get("state_node"), "state_node", errors, required=True)
    for optional in ("count_node", "alarm_node", "reason_node"):
        node = _node_id(config.get(optional), optional, errors, required=False)
        if node:
            cleaned[optional] = node
    states = _state_values(config.get("states"), errors)
    if states:
        cleaned["states"] = states
    return cleaned


def _node_id(value: Any, field: str, errors: _Errors, *, required: bool) -> str:
    node = _text(value)
    if not node:
        if required:
            errors.add(
                field, _("状態を読むノードの ID を入力してください (例: ns=2;s=Machine1.State)。")
            )
        return ""
    if len(node) > MAX_NODE_ID or not NODE_ID.fullmatch(node):
        errors.add(
            field,
            _(
                "ノード ID の形が正しくありません。"
                "ns=2;s=Machine1.State や ns=3;i=1001 のように入力してください。"
            ),
        )
    return node


def _state_values(states: Any, errors: _Errors) -> dict[str, str]:
    if not states:
        return {}
    if not isinstance(states, dict) or len(states) > MAX_STATE_VALUES:
        errors.add("states", _("状態の値の設定の形が正しくありません。"))
        return {}
    cleaned: dict[str, str] = {}
    for raw, state in states.items():
        value = (raw.strip() if isinstance(raw, str) else str(raw)).lower()
        if isinstance(raw, bool | float) or not value or len(value) > MAX_STATE_VALUE:
            errors.add(
                "states",
                _("状態の値は 1 文字以上 %(max)s 文字以下にしてください。")
                % {"max": MAX_STATE_VALUE},
            )
        elif state not in STATES:
            errors.add(
                "states",
                _("値「%(value)s」の状態を、生産中・待機などから選んでください。")
                % {"value": value},
            )
        elif value in cleaned and cleaned[value] != state:
            errors.add(
                "states",
                _("値「%(value)s」が「%(a)s」と「%(b)s」の両方に入っています。一つにしてください。")
                % {"value": value, "a": state_label(cleaned[value]), "b": state_label(state)},
            )
        else:
            cleaned[value] = state
    return cleaned


# --- shared --------------------------------------------------------------------------------


def _text(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _url(
    value: Any, field: str, schemes: tuple[str, ...], wrong_scheme: str, errors: _Errors
) -> str:
    """An address the collector will connect to: the right scheme, a host, no password in
    it, and not a link-local, multicast or unspecified address (the cloud's metadata
    service lives at 169.254.169.254)."""
    url = _text(value)
    if not url:
        errors.add(field, _("接続先のアドレスを入力してください。"))
        return ""
    if len(url) > MAX_URL:
        errors.add(field, _("アドレスは %(max)s 文字以内にしてください。") % {"max": MAX_URL})
        return url
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        errors.add(field, _("アドレスの形が正しくありません。ポート番号を確認してください。"))
        return url
    if parts.scheme.lower() not in schemes:
        errors.add(field, wrong_scheme)
        return url
    if not parts.hostname or any(c.isspace() for c in url):
        errors.add(
            field, _("アドレスに機械 (またはパソコン) の IP アドレスか名前を入れてください。")
        )
        return url
    if parts.query or parts.fragment:
        errors.add(field, _("アドレスの「?」や「#」から後ろは入れないでください。"))
        return url
    if parts.username or parts.password:
        errors.add(field, _("アドレスにユーザー名やパスワードを含めないでください。"))
        return url
    if port == 0:
        errors.add(field, _("アドレスの形が正しくありません。ポート番号を確認してください。"))
        return url
    try:
        address = ipaddress.ip_address(parts.hostname)
    except ValueError:
        return url
    if address.is_link_local or address.is_multicast or address.is_unspecified:
        errors.add(
            field, _("このアドレスには接続できません。機械の IP アドレスを入力してください。")
        )
    return url
