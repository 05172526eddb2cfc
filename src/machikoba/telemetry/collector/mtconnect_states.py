"""What an MTConnect device's observations mean in the one state taxonomy.

``DeviceView`` keeps, per device, the latest value of each data item the taxonomy reads
(availability, emergency stop, controller mode, execution, the active fault conditions and
the part counter); ``classify`` turns them into ``(state, reason)``. The order of the rules
(docs/telemetry-mtconnect.md has the table):

1. the device's Availability is UNAVAILABLE → offline (``UNAVAILABLE``);
2. a condition of any type is at FAULT → alarm (its native code, else its type);
3. EmergencyStop is TRIGGERED → alarm (``EMERGENCY_STOP``);
4. ControllerMode MANUAL, MANUAL_DATA_INPUT or EDIT (and no path in AUTOMATIC or
   SEMI_AUTOMATIC) → setup (the mode);
5. Execution: ACTIVE → producing; READY, PROGRAM_STOPPED, PROGRAM_COMPLETED → idle;
   FEED_HOLD, INTERRUPTED, STOPPED, OPTIONAL_STOP, PROGRAM_OPTIONAL_STOP, WAIT →
   unplanned stop (the execution value); unknown or UNAVAILABLE → offline
   (``EXECUTION_UNAVAILABLE``).

A machine with several paths (a twin-turret lathe) is as busy as its busiest path.
Planned stops are not an MTConnect notion: they come from the plan and the daily report.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from machikoba.telemetry.choices import MachineState
from machikoba.telemetry.events import MAX_REASON

from .mtconnect_xml import UNAVAILABLE, Observation

# The events the taxonomy reads, by element name.
AVAILABILITY = "Availability"
EMERGENCY_STOP = "EmergencyStop"
CONTROLLER_MODE = "ControllerMode"
EXECUTION = "Execution"
PART_COUNT = "PartCount"
STATE_EVENTS = frozenset({AVAILABILITY, EMERGENCY_STOP, CONTROLLER_MODE, EXECUTION})

AUTOMATIC_MODES = frozenset({"AUTOMATIC", "SEMI_AUTOMATIC"})
SETUP_MODES = frozenset({"MANUAL", "MANUAL_DATA_INPUT", "EDIT"})

# Execution value → (state, whether the value is the reason, rank). A machine with several
# paths takes the highest rank: one path cutting means the machine is producing.
EXECUTION_STATES: dict[str, tuple[str, bool, int]] = {
    "ACTIVE": (MachineState.PRODUCING, False, 3),
    "FEED_HOLD": (MachineState.UNPLANNED_STOP, True, 2),
    "INTERRUPTED": (MachineState.UNPLANNED_STOP, True, 2),
    "STOPPED": (MachineState.UNPLANNED_STOP, True, 2),
    "OPTIONAL_STOP": (MachineState.UNPLANNED_STOP, True, 2),
    "PROGRAM_OPTIONAL_STOP": (MachineState.UNPLANNED_STOP, True, 2),
    "WAIT": (MachineState.UNPLANNED_STOP, True, 2),
    "READY": (MachineState.IDLE, False, 1),
    "PROGRAM_STOPPED": (MachineState.IDLE, False, 1),
    "PROGRAM_COMPLETED": (MachineState.IDLE, False, 1),
}
KNOWN_VALUES: dict[str, frozenset[str]] = {
    AVAILABILITY: frozenset({"AVAILABLE", UNAVAILABLE}),
    EMERGENCY_STOP: frozenset({"ARMED", "TRIGGERED", UNAVAILABLE}),
    CONTROLLER_MODE: AUTOMATIC_MODES | SETUP_MODES | {UNAVAILABLE},
    EXECUTION: frozenset(EXECUTION_STATES) | {UNAVAILABLE},
}
# Which part counter is "the" counter when a device has several (2.x subTypes; 1.x had
# none): the count of all parts, then one without a subType, then the good parts.
# TARGET and REMAINING count towards a goal, not parts made, and are ignored.
PART_COUNT_PREFERENCE = ("ALL", "", "GOOD")

REASON_UNAVAILABLE = "UNAVAILABLE"
REASON_EXECUTION_UNAVAILABLE = "EXECUTION_UNAVAILABLE"
REASON_EMERGENCY_STOP = "EMERGENCY_STOP"


@dataclass(frozen=True, slots=True)
class Normalised:
    state: str
    reason: str = ""


@dataclass(frozen=True, slots=True)
class Fault:
    sequence: int
    native_code: str
    condition_type: str


def classify(
    *,
    availability: str | None,
    faults: list[Fault],
    emergency_stops: list[str],
    modes: list[str],
    executions: list[str],
) -> Normalised:
    """The state of a device from its latest values (``None``: the device has no
    device-level Availability item and counts as available)."""
    if availability == UNAVAILABLE:
        return Normalised(MachineState.OFFLINE, REASON_UNAVAILABLE)
    if faults:
        latest = max(faults, key=lambda fault: fault.sequence)
        code = latest.native_code or latest.condition_type or "FAULT"
        return Normalised(MachineState.ALARM, code[:MAX_REASON])
    if "TRIGGERED" in emergency_stops:
        return Normalised(MachineState.ALARM, REASON_EMERGENCY_STOP)
    if not AUTOMATIC_MODES.intersection(modes):
        setup = [mode for mode in modes if mode in SETUP_MODES]
        if setup:
            return Normalised(MachineState.SETUP, setup[0])
    ranked = [(EXECUTION_STATES[value], value) for value in executions if value in EXECUTION_STATES]
    if not ranked:
        return Normalised(MachineState.OFFLINE, REASON_EXECUTION_UNAVAILABLE)
    (state, value_is_reason, _rank), value = max(ranked, key=lambda item: item[0][2])
    return Normalised(state, value if value_is_reason else "")


@dataclass(slots=True)
class DeviceView:
    """The latest values of one device's state items, by data item id (ids sorted where
    several items of one kind exist, so the outcome does not depend on arrival order)."""

    availability: dict[str, str] = field(default_factory=dict)
    device_availability: dict[str, str] = field(default_factory=dict)
    emergency_stops: dict[str, str] = field(default_factory=dict)
    modes: dict[str, str] = field(default_factory=dict)
    executions: dict[str, str] = field(default_factory=dict)
    # data item id → native code → Fault (warnings are not kept: they change no state).
    conditions: dict[str, dict[str, Fault]] = field(default_factory=dict)
    part_counts: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    # The latest observation that can change the state: its sequence and timestamp.
    last_sequence: int | None = None
    last_timestamp: dt.datetime | None = None

    def apply(self, observation: Observation) -> bool:
        """Take ``observation`` in; whether it is one the state depends on.

        Raises ``ValueError`` for a value the standard does not define (the observation
        is then not taken)."""
        element = observation.element
        if observation.category == "Condition":
            self._apply_condition(observation)
        elif element in STATE_EVENTS and observation.category == "Events":
            value = observation.value.upper()
            if value not in KNOWN_VALUES[element]:
                raise ValueError(f"{element} {observation.value[:40]!r} is not an MTConnect value")
            target = {
                AVAILABILITY: self.availability,
                EMERGENCY_STOP: self.emergency_stops,
                CONTROLLER_MODE: self.modes,
                EXECUTION: self.executions,
            }[element]
            target[observation.data_item_id] = value
            if element == AVAILABILITY and observation.component == "Device":
                self.device_availability[observation.data_item_id] = value
        elif element == PART_COUNT and observation.category == "Events":
            sub_type = observation.sub_type.upper()
            if sub_type not in PART_COUNT_PREFERENCE:
                return False
            self.part_counts[observation.data_item_id] = (sub_type, _counter(observation.value))
            return False
        else:
            return False
        if self.last_sequence is None or observation.sequence >= self.last_sequence:
            self.last_sequence = observation.sequence
            self.last_timestamp = observation.timestamp
        return True

    def _apply_condition(self, observation: Observation) -> None:
        # As the agent keeps them: a condition with a native code joins (or, at another
        # level, replaces) the item's entry of that code; one without a code, and
        # Unavailable, stands for the whole item.
        active = self.conditions.setdefault(observation.data_item_id, {})
        code = observation.native_code
        if observation.element == "Unavailable" or not code:
            active.clear()
        if observation.element == "Fault":
            active[code] = Fault(observation.sequence, code, observation.condition_type)
        else:  # Normal or Warning of this code: no longer a fault (warnings change no state)
            active.pop(code, None)

    def normalised(self) -> Normalised:
        availability_items = self.device_availability or self.availability
        availability = None
        if availability_items:
            values = [availability_items[key] for key in sorted(availability_items)]
            availability = UNAVAILABLE if UNAVAILABLE in values else values[0]
        return classify(
            availability=availability,
            faults=[fault for item in self.conditions.values() for fault in item.values()],
            emergency_stops=[self.emergency_stops[key] for key in sorted(self.emergency_stops)],
            modes=[self.modes[key] for key in sorted(self.modes)],
            executions=[self.executions[key] for key in sorted(self.executions)],
        )

    @property
    def part_count(self) -> int | None:
        for preferred in PART_COUNT_PREFERENCE:
            for key in sorted(self.part_counts):
                sub_type, value = self.part_counts[key]
                if sub_type == preferred and value is not None:
                    return value
        return None


def _counter(text: str) -> int | None:
    try:
        value = int(float(text))
    except (ValueError, OverflowError):  # UNAVAILABLE, or garbage: no reading
        return None
    return value if 0 <= value < 2**63 else None
