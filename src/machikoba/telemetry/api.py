"""telemetry API: a company's monitored machines with their current state and whether their
data arrives, one machine (its recent states, refusals, settings and, for owners and
staff, how to connect its sensor), its state history, and registering, changing,
stopping, resuming and re-keying machines; the same selectors, services and access layer
as the pages. Ward officers and the metro viewer read no machine here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import ConfigDict, Field

from machikoba.accounts.models import User
from machikoba.core.access import VIEW, get_for_user_or_404
from machikoba.core.api_pages import Page, PageParams, page_of
from machikoba.core.errors import ApplicationError
from machikoba.core.ids import BodyId, PathId
from machikoba.core.views import active_company_or_403
from machikoba.telemetry import selectors, services
from machikoba.telemetry.error_codes import TelemetryErrorCode
from machikoba.telemetry.models import Machine
from machikoba.telemetry.selectors_intervals import intervals_in

router = Router(tags=["telemetry"])


class SignedInRequest(HttpRequest):
    """The default auth lets only signed-in callers through."""

    user: User


STATE = Literal["producing", "idle", "planned_stop", "unplanned_stop", "alarm", "setup", "offline"]
SOURCE = Literal["mqtt", "mtconnect", "opcua"]
MAX_BIG = 2**63 - 1


# --- schemas ----------------------------------------------------------------------------


class HealthOut(Schema):
    level: str = Field(description="ok, waiting, silent, errors or stopped")
    label: str
    text: str


class MachineOut(Schema):
    id: int
    name: str
    equipment_id: int
    equipment: str
    unit: int
    source: str
    active: bool
    state: str | None = Field(description="the current state (null before the first)")
    state_label: str
    since: dt.datetime | None
    last_seen: dt.datetime | None
    received: int
    refused: int
    health: HealthOut


class IntervalOut(Schema):
    start: dt.datetime
    end: dt.datetime | None
    state: str
    reason: str
    parts: int | None


class RefusedOut(Schema):
    kind: str
    label: str
    count: int
    help: str


class SettingOut(Schema):
    label: str
    value: str


class MqttSetupOut(Schema):
    broker_url: str
    host: str
    port: int
    topic: str = Field(description="holds the machine's key: whoever knows it publishes as it")
    example: str
    heartbeat_topic: str
    heartbeat_example: str
    signal: str
    offline_minutes: int


class MachineDetailOut(MachineOut):
    config: dict[str, Any] | None = Field(description="the connection settings (owners, staff)")
    ideal_cycle_seconds: Decimal | None
    counter_max: int | None
    may_change: bool
    recent: list[IntervalOut]
    refused_kinds: list[RefusedOut]
    settings: list[SettingOut]
    mqtt: MqttSetupOut | None = Field(description="how to connect the sensor (owners, staff)")


class SpanOut(Schema):
    start: dt.datetime
    end: dt.datetime
    state: str
    reason: str
    parts: float | None
    open: bool = Field(description="the machine is still in this state")


class SpanFilters(Schema):
    hours: int = Field(24, ge=1, le=744, description="how far back from ``end`` (at most 31 days)")
    end: dt.datetime | None = Field(None, description="default: now")


class CurrentIn(Schema):
    model_config = ConfigDict(extra="forbid")
    producing_above: float = Field(ge=0, le=10_000, description="amperes")
    idle_above: float = Field(ge=0, le=10_000, description="amperes (below producing_above)")


class MqttConfig(Schema):
    model_config = ConfigDict(extra="forbid")
    tower: dict[Literal["red", "yellow", "green", "blue", "white", "none"], STATE] | None = None
    current: CurrentIn | None = None


class MtconnectConfig(Schema):
    model_config = ConfigDict(extra="forbid")
    agent: str = Field(max_length=300, pattern=r"^[Hh][Tt][Tt][Pp][Ss]?://\S+$")
    device: str = Field(pattern=r"^[^\s/?#]{1,100}$")


class OpcuaConfig(Schema):
    model_config = ConfigDict(extra="forbid")
    endpoint: str = Field(max_length=300, pattern=r"^[Oo][Pp][Cc]\.[Tt][Cc][Pp]://\S+$")
    state_node: str = Field(max_length=200)
    count_node: str | None = Field(None, max_length=200)
    alarm_node: str | None = Field(None, max_length=200)
    reason_node: str | None = Field(None, max_length=200)
    states: dict[str, STATE] | None = Field(None, max_length=50)


class MachineIn(Schema):
    equipment_id: BodyId = Field(description="a row of our company's equipment list")
    unit: int = Field(1, ge=1, le=999)
    name: str = Field(max_length=50, pattern=r"\S")
    source: SOURCE
    config: MqttConfig | MtconnectConfig | OpcuaConfig = Field(
        description="the settings of ``source`` (docs/telemetry.md)"
    )
    ideal_cycle_seconds: Decimal | None = Field(
        None, ge=Decimal("0.01"), le=Decimal("9999999"), max_digits=9, decimal_places=2
    )
    counter_max: int | None = Field(None, ge=1, le=MAX_BIG)


# --- helpers ----------------------------------------------------------------------------


def _row_out(row: selectors.MachineRow) -> dict[str, Any]:
    machine, stats = row.machine, row.stats
    return {
        "id": machine.pk,
        "name": machine.name,
        "equipment_id": machine.equipment_id,
        "equipment": str(machine.equipment),
        "unit": machine.unit,
        "source": machine.source,
        "active": machine.active,
        "state": row.state,
        "state_label": row.state_label,
        "since": row.since,
        "last_seen": stats.last_seen if stats else None,
        "received": stats.received if stats else 0,
        "refused": row.refused,
        "health": HealthOut(level=row.health.level, label=row.health.label, text=row.health.text),
    }


def _detail(request: SignedInRequest, pk: int) -> MachineDetailOut:
    page = selectors.machine_detail(request.user, pk)
    machine = page.machine
    mqtt = page.mqtt
    return MachineDetailOut(
        **_row_out(page.row),
        config=machine.config if page.may_change else None,
        ideal_cycle_seconds=machine.ideal_cycle_seconds,
        counter_max=machine.counter_max,
        may_change=page.may_change,
        recent=[
            IntervalOut(start=i.start, end=i.end, state=i.state, reason=i.reason, parts=i.parts)
            for i in page.recent
        ],
        refused_kinds=[
            RefusedOut(kind=r.kind, label=r.label, count=r.count, help=r.help) for r in page.refused
        ],
        settings=[SettingOut(label=s.label, value=s.value) for s in page.settings],
        mqtt=MqttSetupOut(**mqtt.__dict__) if mqtt is not None else None,
    )


def _fields(request: SignedInRequest, company: Any, payload: MachineIn) -> dict[str, Any]:
    equipment = (
        selectors.equipment_choices(request.user, company).filter(pk=payload.equipment_id).first()
    )
    if equipment is None:
        raise ApplicationError(
            TelemetryErrorCode.MACHINE_INVALID,
            _("入力内容を確認してください。"),
            fields={"equipment_id": [_("この企業の設備一覧にある設備を選んでください。")]},
        )
    return {
        "equipment": equipment,
        "unit": payload.unit,
        "name": payload.name,
        "source": payload.source,
        "config": payload.config.dict(exclude_none=True),
        "ideal_cycle_seconds": payload.ideal_cycle_seconds,
        "counter_max": payload.counter_max,
    }


# --- operations -------------------------------------------------------------------------


@router.get(
    "/machines",
    response=Page[MachineOut],
    summary="Our monitored machines (the monitored first) with their state and data health",
)
def telemetry_machines(request, params: Query[PageParams]):
    company = active_company_or_403(request)
    page = selectors.machines_page(request.user, company)
    return page_of(page.rows, params, lambda row: MachineOut(**_row_out(row)))


@router.post(
    "/machines", response={201: MachineDetailOut}, summary="Register a machine for monitoring"
)
def telemetry_machine_register(request, payload: MachineIn):
    company = active_company_or_403(request)
    if not selectors.may_change_machines(request.user, company):
        raise PermissionDenied
    machine = services.machine_register(
        actor=request.user, company=company, **_fields(request, company, payload)
    )
    return Status(201, _detail(request, machine.pk))


@router.get(
    "/machines/{machine_id}",
    response=MachineDetailOut,
    summary="A machine: its state, recent states, refusals, settings (and how to connect it)",
)
def telemetry_machine(request, machine_id: PathId):
    return _detail(request, machine_id)


@router.get(
    "/machines/{machine_id}/states",
    response=list[SpanOut],
    summary="The machine's states over a window (at most 31 days), oldest first",
)
def telemetry_machine_states(request, machine_id: PathId, filters: Query[SpanFilters]):
    machine = get_for_user_or_404(Machine, request.user, VIEW, pk=machine_id)
    now = timezone.now()
    end = filters.end or now
    spans = intervals_in([machine], end - dt.timedelta(hours=filters.hours), end, now)
    return [
        SpanOut(
            start=s.start, end=s.end, state=s.state, reason=s.reason, parts=s.parts, open=s.open
        )
        for s in spans
    ]


@router.put(
    "/machines/{machine_id}", response=MachineDetailOut, summary="Change a machine's settings"
)
def telemetry_machine_update(request, machine_id: PathId, payload: MachineIn):
    machine = selectors.machine_for_change(request.user, machine_id)
    services.machine_update(
        actor=request.user, machine=machine, **_fields(request, machine.company, payload)
    )
    return _detail(request, machine_id)


@router.post(
    "/machines/{machine_id}/stop",
    response=MachineDetailOut,
    summary="Stop monitoring the machine (what arrives is no longer recorded)",
)
def telemetry_machine_deactivate(request, machine_id: PathId):
    machine = selectors.machine_for_change(request.user, machine_id)
    services.machine_deactivate(actor=request.user, machine=machine)
    return _detail(request, machine_id)


@router.post(
    "/machines/{machine_id}/resume", response=MachineDetailOut, summary="Resume monitoring"
)
def telemetry_machine_activate(request, machine_id: PathId):
    machine = selectors.machine_for_change(request.user, machine_id)
    services.machine_activate(actor=request.user, machine=machine)
    return _detail(request, machine_id)


@router.post(
    "/machines/{machine_id}/key",
    response=MachineDetailOut,
    summary="Give the machine a new key (its sensor must publish to the new topic)",
)
def telemetry_machine_key_rotate(request, machine_id: PathId):
    machine = selectors.machine_for_change(request.user, machine_id)
    services.machine_key_rotate(actor=request.user, machine=machine)
    return _detail(request, machine_id)
