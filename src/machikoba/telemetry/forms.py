"""The register and edit form of a monitored machine: plain fields per source (a signal
tower's colours, an agent's address, an OPC UA node), turned into the machine's
``config`` here and checked by ``services.machine_register`` / ``machine_update``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from machikoba.companies.models import Equipment
from machikoba.core.forms import ServiceForm
from machikoba.telemetry.choices import MachineState, Source
from machikoba.telemetry.collector.payload import DEFAULT_TOWER
from machikoba.telemetry.models import Machine
from machikoba.telemetry.services.machine_config import MAPPABLE_STATES, TOWER_KEYS
from machikoba.telemetry.services.machines import unit_message

TOWER_FIELD_LABELS = {
    "red": _("赤のランプがついているとき"),
    "yellow": _("黄のランプがついているとき"),
    "green": _("緑のランプがついているとき"),
    "blue": _("青のランプがついているとき"),
    "white": _("白のランプがついているとき"),
    "none": _("どのランプも消えているとき"),
}
# What most signal towers mean (JIS B 6016 style): a new machine starts with these.
TOWER_DEFAULTS = {
    "green": MachineState.PRODUCING,
    "yellow": MachineState.IDLE,
    "red": MachineState.ALARM,
}
NUMBER = {"inputmode": "decimal", "autocomplete": "off"}


class EquipmentChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Equipment) -> str:
        return str(_("%(name)s (%(count)s 台)") % {"name": str(obj), "count": obj.count})


@dataclass(frozen=True)
class FieldGroup:
    legend: str
    help: str
    fields: list[forms.BoundField]
    testid: str


def _values(text: str | None) -> list[str]:
    """The values typed for a state, as the collector compares them (lower case)."""
    return [value.strip().lower() for value in (text or "").split(",") if value.strip()]


def _state_choices(blank: str) -> list[tuple[str, Any]]:
    return [("", blank), *((s, MachineState(s).label) for s in MAPPABLE_STATES)]


class MachineForm(ServiceForm):
    """Every field of a machine of ``source``; ``config()`` gives its settings."""

    name = forms.CharField(
        label=_("表示名"),
        max_length=50,
        help_text=_("現場で呼んでいる名前にすると分かりやすくなります (例: 2号機 NC旋盤)。"),
        error_messages={"required": _("表示名を入力してください (例: 2号機 NC旋盤)。")},
    )
    equipment = EquipmentChoice(
        label=_("設備"),
        queryset=Equipment.objects.none(),
        empty_label=_("選んでください"),
        error_messages={"required": _("設備一覧から設備を選んでください。")},
    )
    unit = forms.IntegerField(
        label=_("号機"),
        min_value=1,
        max_value=999,
        initial=1,
        help_text=_("同じ設備が何台かあるときは、何台目かを入れてください。1台だけなら 1 です。"),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    ideal_cycle_seconds = forms.DecimalField(
        label=_("理想サイクルタイム (秒/個)"),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=9,
        decimal_places=2,
        help_text=_(
            "1個をつくるのに、いちばん速くて何秒かかるか。OEE の性能の計算に使います。"
            "分からなければ空欄のままで大丈夫です。"
        ),
        widget=forms.TextInput(attrs=NUMBER),
    )
    counter_max = forms.IntegerField(
        label=_("カウンタの最大値"),
        required=False,
        min_value=1,
        help_text=_(
            "生産数のカウンタが一周して 0 に戻る値 (例: 65535)。"
            "分からなければ空欄のままで大丈夫です。"
        ),
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )

    def __init__(
        self,
        data: Any = None,
        *,
        source: str,
        equipment: QuerySet[Equipment],
        machine: Machine | None = None,
    ) -> None:
        self.source = Source(source)
        super().__init__(data, initial=self._initial(machine))
        self.fields["equipment"].queryset = equipment  # type: ignore[attr-defined]
        if self.source == Source.MQTT:
            self._add_mqtt_fields()
        elif self.source == Source.MTCONNECT:
            self._add_mtconnect_fields()
        else:
            self._add_opcua_fields()

    # --- fields per source

    def _add_mqtt_fields(self) -> None:
        for colour in TOWER_KEYS:
            standard = DEFAULT_TOWER.get(colour)
            blank = (
                _("標準のまま (%(state)s)") % {"state": MachineState(standard).label}
                if standard
                else _("この色は使わない")
            )
            self.fields[f"tower_{colour}"] = forms.ChoiceField(
                label=TOWER_FIELD_LABELS[colour],
                choices=_state_choices(str(blank)),
                required=False,
            )
        self.fields["producing_above"] = forms.DecimalField(
            label=_("「生産中」とみなす電流 (A)"),
            required=False,
            min_value=Decimal("0"),
            max_digits=8,
            decimal_places=3,
            help_text=_("電流センサーの値がこれより大きいとき「生産中」にします (例: 5)。"),
            widget=forms.TextInput(attrs=NUMBER),
        )
        self.fields["idle_above"] = forms.DecimalField(
            label=_("「待機」とみなす電流 (A)"),
            required=False,
            min_value=Decimal("0"),
            max_digits=8,
            decimal_places=3,
            help_text=_(
                "これより大きく、生産中より小さいとき「待機」にします。"
                "これ以下は「計画停止」です (例: 0.5)。"
            ),
            widget=forms.TextInput(attrs=NUMBER),
        )

    def _add_mtconnect_fields(self) -> None:
        self.fields["agent"] = forms.CharField(
            label=_("エージェントのアドレス"),
            max_length=300,
            help_text=_(
                "MTConnect エージェントの URL です (例: http://192.168.1.20:5000)。機械メーカーか設置業者にお聞きください。"
            ),
            error_messages={"required": _("エージェントのアドレスを入力してください。")},
            widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
        )
        self.fields["device"] = forms.CharField(
            label=_("装置名 (Device)"),
            max_length=100,
            help_text=_("エージェントの設定にある装置の名前です (例: VMC-3Axis)。"),
            error_messages={"required": _("装置名を入力してください。")},
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )

    def _add_opcua_fields(self) -> None:
        self.fields["endpoint"] = forms.CharField(
            label=_("接続先 (エンドポイント)"),
            max_length=300,
            help_text=_("OPC UA サーバーのアドレスです (例: opc.tcp://192.168.1.30:4840)。"),
            error_messages={"required": _("接続先のアドレスを入力してください。")},
            widget=forms.TextInput(attrs={"inputmode": "url", "autocomplete": "off"}),
        )
        self.fields["state_node"] = forms.CharField(
            label=_("状態を読むノード"),
            max_length=200,
            help_text=_("機械の状態を表す値のノード ID です (例: ns=2;s=Machine1.State)。"),
            error_messages={"required": _("状態を読むノードの ID を入力してください。")},
            widget=forms.TextInput(attrs={"autocomplete": "off"}),
        )
        optional_nodes = {
            "count_node": (
                _("生産数を読むノード"),
                _("生産数のカウンタのノード ID です。なければ空欄のままにします。"),
            ),
            "alarm_node": (
                _("異常を読むノード"),
                _(
                    "異常のとき true (または 1) になるノードの ID です。"
                    "なければ空欄のままにします。"
                ),
            ),
            "reason_node": (
                _("理由コードを読むノード"),
                _("停止の理由やアラーム番号のノードの ID です。なければ空欄のままにします。"),
            ),
        }
        for name, (label, help_text) in optional_nodes.items():
            self.fields[name] = forms.CharField(
                label=label,
                max_length=200,
                required=False,
                help_text=help_text,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )
        for state in MAPPABLE_STATES:
            self.fields[f"states_{state}"] = forms.CharField(
                label=_("「%(state)s」を表す値") % {"state": MachineState(state).label},
                max_length=200,
                required=False,
                widget=forms.TextInput(attrs={"autocomplete": "off"}),
            )

    def _initial(self, machine: Machine | None) -> dict[str, Any]:
        if machine is None:
            if self.source == Source.MQTT:
                return {f"tower_{c}": s.value for c, s in TOWER_DEFAULTS.items()}
            return {}
        initial: dict[str, Any] = {
            "name": machine.name,
            "equipment": machine.equipment_id,
            "unit": machine.unit,
            "ideal_cycle_seconds": machine.ideal_cycle_seconds,
            "counter_max": machine.counter_max,
        }
        config = machine.config if machine.source == self.source else {}
        config = config or {}
        if self.source == Source.MQTT:
            for colour, state in (config.get("tower") or {}).items():
                initial[f"tower_{colour}"] = state
            current = config.get("current") or {}
            initial["producing_above"] = current.get("producing_above")
            initial["idle_above"] = current.get("idle_above")
            if machine.source != self.source:
                initial.update({f"tower_{c}": s.value for c, s in TOWER_DEFAULTS.items()})
        elif self.source == Source.MTCONNECT:
            initial["agent"] = config.get("agent", "")
            initial["device"] = config.get("device", "")
        else:
            initial["endpoint"] = config.get("endpoint", "")
            initial["state_node"] = config.get("state_node", "")
            for name in ("count_node", "alarm_node", "reason_node"):
                initial[name] = config.get(name, "")
            by_state: dict[str, list[str]] = {}
            for value, state in (config.get("states") or {}).items():
                by_state.setdefault(state, []).append(value)
            for state, values in by_state.items():
                initial[f"states_{state}"] = ",".join(values)
        return initial

    # --- what the page shows and the service gets

    def groups(self) -> list[FieldGroup]:
        def bound(names: list[str]) -> list[forms.BoundField]:
            return [self[name] for name in names if name in self.fields]

        groups = [
            FieldGroup(
                str(_("どの設備か")),
                "",
                bound(["name", "equipment", "unit"]),
                "group-machine",
            )
        ]
        if self.source == Source.MQTT:
            groups.append(
                FieldGroup(
                    str(_("信号灯の色の意味")),
                    str(_("信号灯センサーをつけるときは、ランプの色ごとに機械の状態を選びます。")),
                    bound([f"tower_{c}" for c in TOWER_KEYS]),
                    "group-tower",
                )
            )
            groups.append(
                FieldGroup(
                    str(_("電流センサー (使うときだけ)")),
                    str(
                        _(
                            "電流センサーをつけるときは、二つの値を入れます。使わないときは空欄のままにします。"
                        )
                    ),
                    bound(["producing_above", "idle_above"]),
                    "group-current",
                )
            )
        elif self.source == Source.MTCONNECT:
            groups.append(
                FieldGroup(
                    str(_("MTConnect の接続先")), "", bound(["agent", "device"]), "group-mtconnect"
                )
            )
        else:
            groups.append(
                FieldGroup(
                    str(_("OPC UA の接続先")),
                    "",
                    bound(["endpoint", "state_node", "count_node", "alarm_node", "reason_node"]),
                    "group-opcua",
                )
            )
            groups.append(
                FieldGroup(
                    str(_("状態の値")),
                    str(
                        _(
                            "状態のノードの値が、どの状態にあたるかを入れます。一つの状態に値が"
                            "いくつかあるときは「,」で区切ります (例: 3,4)。使わない状態は空欄の"
                            "ままにします。すべて空欄なら標準の対応 (1=生産中、2=待機、5=異常 "
                            "など) を使います。"
                        )
                    ),
                    bound([f"states_{s}" for s in MAPPABLE_STATES]),
                    "group-states",
                )
            )
        groups.append(
            FieldGroup(
                str(_("生産数と OEE (分かれば)")),
                "",
                bound(["ideal_cycle_seconds", "counter_max"]),
                "group-oee",
            )
        )
        return groups

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        equipment, unit = data.get("equipment"), data.get("unit")
        if equipment is not None and unit is not None and unit > equipment.count:
            # Said now, with the other fields' errors (the service says it again).
            self.add_error("unit", unit_message(equipment))
        if self.source == Source.OPCUA:
            seen: dict[str, str] = {}
            for state in MAPPABLE_STATES:
                for value in _values(data.get(f"states_{state}")):
                    other = seen.setdefault(value, state)
                    if other != state:
                        self.add_error(
                            f"states_{state}",
                            _(
                                "値「%(value)s」は「%(other)s」にも入っています。一つにしてください。"
                            )
                            % {"value": value, "other": MachineState(other).label},
                        )
        return data

    def config(self) -> dict[str, Any]:
        data = self.cleaned_data
        if self.source == Source.MQTT:
            config: dict[str, Any] = {}
            tower = {c: data[f"tower_{c}"] for c in TOWER_KEYS if data.get(f"tower_{c}")}
            if tower:
                config["tower"] = tower
            producing, idle = data.get("producing_above"), data.get("idle_above")
            if producing is not None or idle is not None:
                config["current"] = {
                    "producing_above": str(producing) if producing is not None else None,
                    "idle_above": str(idle) if idle is not None else None,
                }
            return config
        if self.source == Source.MTCONNECT:
            return {"agent": data["agent"], "device": data["device"]}
        states: dict[str, str] = {}
        for state in MAPPABLE_STATES:
            for value in _values(data.get(f"states_{state}")):
                states.setdefault(value, state)
        config = {"endpoint": data["endpoint"], "state_node": data["state_node"]}
        for name in ("count_node", "alarm_node", "reason_node"):
            if data.get(name):
                config[name] = data[name]
        if states:
            config["states"] = states
        return config

    def service_fields(self) -> dict[str, Any]:
        """The keyword arguments of ``machine_register`` / ``machine_update``."""
        data = self.cleaned_data
        return {
            "equipment": data["equipment"],
            "unit": data["unit"],
            "name": data["name"],
            "source": self.source.value,
            "config": self.config(),
            "ideal_cycle_seconds": data.get("ideal_cycle_seconds"),
            "counter_max": data.get("counter_max"),
        }
