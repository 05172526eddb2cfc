"""Registering machines for monitoring, and changing them.

A company's owners and staff register a unit of a piece of their equipment as a machine
whose state a source reports (an MQTT sensor, an MTConnect agent, an OPC UA server), change
its name or connection settings, stop and resume monitoring it, and give it a new key (the
name in its MQTT topic: whoever knows the old one can no longer publish as the machine).
Platform admins do the same from the Django admin. Every write is checked here, whoever
calls it, and leaves an audit event; the key itself is never written into the trail.

The collector reads the registered machines again every ``MachineDirectory.refresh_seconds``
(30 s): a new machine, a new key or a stopped machine takes effect within that time.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from machikoba.accounts.models import User
from machikoba.accounts.rules import is_platform_admin
from machikoba.companies.models import Company, Equipment
from machikoba.core.access import CHANGE, EDITOR_ROLES, has_role
from machikoba.core.audit import audit_record, snapshot
from machikoba.core.errors import ApplicationError, PermissionRefused, full_clean_or_raise
from machikoba.telemetry.choices import Source
from machikoba.telemetry.error_codes import TelemetryErrorCode
from machikoba.telemetry.models import Machine, new_machine_key
from machikoba.telemetry.services.machine_config import clean_config

# What a registration sets and an update may change.
MACHINE_FIELDS = (
    "equipment",
    "unit",
    "name",
    "source",
    "config",
    "ideal_cycle_seconds",
    "counter_max",
)
AUDIT_FIELDS = [*MACHINE_FIELDS, "active"]
MAX_NAME = 50
MIN_CYCLE = Decimal("0.01")
MAX_CYCLE = Decimal("9999999")  # the field holds 9 digits, 2 of them decimals
MAX_COUNTER = 2**63 - 1


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _invalid(field: str, message: str) -> ApplicationError:
    return ApplicationError(
        TelemetryErrorCode.MACHINE_INVALID,
        _("入力内容を確認してください。"),
        fields={field: [message]},
    )


def _refuse_editor() -> PermissionRefused:
    return PermissionRefused(
        TelemetryErrorCode.NOT_MACHINE_EDITOR,
        _("監視する設備を登録・変更できるのは、この企業の経営者とスタッフだけです。"),
    )


def _require_company_editor(actor: User | None, company: Company) -> None:
    """Owners and staff of an active ``company`` (the roles of ``machine_scope``'s CHANGE),
    or a platform admin in the Django admin; ``actor`` None is the system (demo data)."""
    if actor is None or is_platform_admin(actor):
        return
    if not has_role(actor, company, EDITOR_ROLES):
        raise _refuse_editor()


def _require_machine_editor(actor: User | None, machine: Machine) -> None:
    if actor is None or is_platform_admin(actor):
        return
    if not Machine.objects.for_user(actor, CHANGE).filter(pk=machine.pk).exists():
        raise _refuse_editor()


def unit_message(equipment: Equipment) -> str:
    return _(
        "号機は 1 から %(count)s までで入力してください (「%(equipment)s」は %(count)s 台です)。"
    ) % {"count": equipment.count, "equipment": str(equipment)}


def _check(machine: Machine) -> None:
    """What the model's own checks cannot say plainly: the name, the unit within the
    equipment's count, an equipment row of the same company, the numbers, the settings of
    the source, and no second machine with the same name, unit or connection."""
    machine.name = (machine.name or "").strip()
    if not machine.name:
        raise _invalid("name", _("表示名を入力してください (例: 2号機 NC旋盤)。"))
    if len(machine.name) > MAX_NAME:
        raise _invalid("name", _("表示名は %(max)s 文字以内にしてください。") % {"max": MAX_NAME})
    equipment = machine.equipment if machine.equipment_id else None
    if equipment is None or equipment.company_id != machine.company_id:
        raise _invalid("equipment", _("この企業の設備一覧にある設備を選んでください。"))
    if not _is_int(machine.unit) or not 1 <= machine.unit <= equipment.count:
        raise _invalid("unit", unit_message(equipment))
    cycle = machine.ideal_cycle_seconds
    if cycle is not None and not (cycle.is_finite() and MIN_CYCLE <= cycle <= MAX_CYCLE):
        raise _invalid(
            "ideal_cycle_seconds",
            _("理想サイクルタイムは 0.01 秒から %(max)s 秒までで入力してください。")
            % {"max": f"{MAX_CYCLE:,}"},
        )
    if machine.counter_max is not None and (
        not _is_int(machine.counter_max) or not 1 <= machine.counter_max <= MAX_COUNTER
    ):
        raise _invalid(
            "counter_max",
            _("カウンタの最大値は 1 以上にしてください (分からなければ空欄にします)。"),
        )
    machine.config = clean_config(machine.source, machine.config)
    _check_unique(machine)


def _check_unique(machine: Machine) -> None:
    others = Machine.objects.filter(company_id=machine.company_id).exclude(pk=machine.pk)
    same_name = others.filter(name=machine.name).first()
    if same_name is not None:
        raise ApplicationError(
            TelemetryErrorCode.MACHINE_DUPLICATE,
            _("入力内容を確認してください。"),
            fields={
                "name": [
                    _(
                        "「%(name)s」という名前の設備はすでに登録されています。別の名前にしてください。"
                    )
                    % {"name": machine.name}
                ]
            },
            # Already registered: the state, not the input's form (409).
            status_code=409,
        )
    same_unit = others.filter(equipment_id=machine.equipment_id, unit=machine.unit).first()
    if same_unit is not None:
        raise ApplicationError(
            TelemetryErrorCode.MACHINE_DUPLICATE,
            _("入力内容を確認してください。"),
            fields={
                "unit": [
                    _("この設備の %(unit)s 号機は「%(name)s」としてすでに登録されています。")
                    % {"unit": machine.unit, "name": same_unit.name}
                ]
            },
            # Already registered: the state, not the input's form (409).
            status_code=409,
        )
    connection = _connection(machine)
    if connection is None:
        return
    for other in others.filter(source=machine.source).only("name", "source", "config"):
        if _connection(other) == connection:
            raise ApplicationError(
                TelemetryErrorCode.MACHINE_DUPLICATE,
                _("接続の設定を確認してください。"),
                fields={
                    "config": [
                        _("同じ接続先の設備が「%(name)s」としてすでに登録されています。")
                        % {"name": other.name}
                    ]
                },
                status_code=409,
            )


def _connection(machine: Machine) -> tuple[str, ...] | None:
    """What names the machine at a polled source: two machines of a company reading the
    same device would store every state twice."""
    config = machine.config or {}
    if machine.source == Source.MTCONNECT:
        return (str(config.get("agent", "")).rstrip("/"), str(config.get("device", "")))
    if machine.source == Source.OPCUA:
        return (str(config.get("endpoint", "")).rstrip("/"), str(config.get("state_node", "")))
    return None


def _save(machine: Machine) -> None:
    full_clean_or_raise(
        machine,
        code=TelemetryErrorCode.MACHINE_INVALID,
        duplicate_code=TelemetryErrorCode.MACHINE_DUPLICATE,
        duplicate_message=_("同じ名前か同じ号機の設備が、すでに登録されています。"),
    )
    try:
        # Two people registering the same machine at once: the second meets the
        # unique constraints here, and is told so instead of seeing an error page.
        with transaction.atomic():
            machine.save()
    except IntegrityError:
        raise ApplicationError(
            TelemetryErrorCode.MACHINE_DUPLICATE,
            _("同じ名前か同じ号機の設備が、すでに登録されています。"),
        ) from None


def _normalise(fields: dict[str, Any]) -> dict[str, Any]:
    """The cycle time as a Decimal of two places (from a number or text)."""
    cycle = fields.get("ideal_cycle_seconds")
    if cycle is None or cycle == "":
        if "ideal_cycle_seconds" in fields:
            fields["ideal_cycle_seconds"] = None
        return fields
    try:
        value = Decimal(str(cycle).strip())
        if value.is_finite():
            value = value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except ArithmeticError:
        raise _invalid(
            "ideal_cycle_seconds", _("理想サイクルタイムは数字 (秒) で入力してください。")
        ) from None
    fields["ideal_cycle_seconds"] = value
    return fields


@transaction.atomic
def machine_register(
    *,
    actor: User | None,
    company: Company,
    equipment: Equipment,
    unit: int,
    name: str,
    source: str,
    config: dict[str, Any] | None = None,
    ideal_cycle_seconds: Decimal | None = None,
    counter_max: int | None = None,
) -> Machine:
    """Monitor unit ``unit`` of ``equipment`` (of ``company``) as ``name``, reported by
    ``source`` with the settings ``config`` (``machine_config``). The machine gets a random
    key for its MQTT topic and is monitored at once."""
    _require_company_editor(actor, company)
    fields = _normalise({"ideal_cycle_seconds": ideal_cycle_seconds})
    machine = Machine(
        company=company,
        equipment=equipment,
        unit=unit,
        name=name,
        source=source,
        config=config or {},
        ideal_cycle_seconds=fields["ideal_cycle_seconds"],
        counter_max=counter_max,
        active=True,
    )
    _check(machine)
    _save(machine)
    audit_record(
        actor=actor,
        verb="machine.register",
        target=machine,
        company=company,
        after=snapshot(machine, AUDIT_FIELDS),
    )
    return machine


def _lock(machine: Machine) -> Machine:
    return Machine.objects.select_for_update().select_related("equipment").get(pk=machine.pk)


@transaction.atomic
def machine_update(*, actor: User | None, machine: Machine, **changes: Any) -> Machine:
    """Change any of ``MACHINE_FIELDS`` of ``machine`` (its company and key stay). A
    changed source needs settings for that source."""
    unknown = sorted(set(changes) - set(MACHINE_FIELDS))
    if unknown:
        raise ValueError(f"not machine fields: {unknown}")
    _require_machine_editor(actor, machine)
    machine = _lock(machine)
    before = snapshot(machine, AUDIT_FIELDS)
    for name, value in _normalise(dict(changes)).items():
        setattr(machine, name, value)
    _check(machine)
    _save(machine)
    after = snapshot(machine, AUDIT_FIELDS)
    changed = [name for name in AUDIT_FIELDS if before[name] != after[name]]
    if changed:
        audit_record(
            actor=actor,
            verb="machine.update",
            target=machine,
            company=machine.company,
            before={name: before[name] for name in changed},
            after={name: after[name] for name in changed},
        )
    return machine


def _set_active(actor: User | None, machine: Machine, active: bool) -> Machine:
    _require_machine_editor(actor, machine)
    machine = _lock(machine)
    if machine.active == active:
        raise ApplicationError(
            TelemetryErrorCode.MACHINE_STATE,
            _("「%(name)s」はすでに監視しています。") % {"name": machine.name}
            if active
            else _("「%(name)s」の監視はすでに止めています。") % {"name": machine.name},
        )
    machine.active = active
    machine.save(update_fields=["active", "updated_at"])
    audit_record(
        actor=actor,
        verb="machine.activate" if active else "machine.deactivate",
        target=machine,
        company=machine.company,
        before={"active": not active},
        after={"active": active},
    )
    return machine


@transaction.atomic
def machine_deactivate(*, actor: User | None, machine: Machine) -> Machine:
    """Stop monitoring ``machine``: the collector ignores what it sends from now on (it is
    counted as an unknown source) and writes no "offline" row for its silence. What was
    stored stays."""
    return _set_active(actor, machine, False)


@transaction.atomic
def machine_activate(*, actor: User | None, machine: Machine) -> Machine:
    """Monitor ``machine`` again."""
    return _set_active(actor, machine, True)


@transaction.atomic
def machine_key_rotate(*, actor: User | None, machine: Machine) -> Machine:
    """Give ``machine`` a new random key: its MQTT topic changes, and whatever publishes to
    the old topic is no longer taken as this machine (counted as an unknown source). The
    sensor must be set up again with the new topic. Neither key is written to the trail."""
    _require_machine_editor(actor, machine)
    machine = _lock(machine)
    old = machine.key
    key = new_machine_key()
    while key == old or Machine.objects.filter(key=key).exists():  # pragma: no cover
        key = new_machine_key()
    machine.key = key
    machine.save(update_fields=["key", "updated_at"])
    audit_record(actor=actor, verb="machine.key_rotate", target=machine, company=machine.company)
    return machine
