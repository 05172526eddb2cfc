"""The collector's MQTT input: signal-tower and current sensors (docs/telemetry.md).

MQTT v5, QoS 1, a shared subscription ``$share/<group>/machikoba/v1/+/+`` so that several
collector processes split the messages. Each message is acknowledged only after the batch
holding it is committed (``manual_ack``; the runner calls the ack), so a collector that
dies before the commit gets it again. The session is persistent (``clean_start`` off, a
session expiry), under a client id that stays the same across restarts: the broker keeps
the unacknowledged messages, and the collector's share of new ones, until it is back.
paho reconnects by itself, after 0.2 s doubling to at most 2 s (a broker restart is
noticed quickly: Mosquitto 2.0 forgets shared subscriptions when it restarts, see
docs/telemetry.md).

An acknowledgement belongs to the connection the message came on: after a reconnection
the broker sends the unacknowledged messages again (same packet ids), and only those
copies are acknowledged, never an id the broker may have reused meanwhile.
"""

from __future__ import annotations

import datetime as dt
import logging
import socket
import ssl
import struct
import threading
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import connections
from paho.mqtt.client import PUBACK
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from machikoba.telemetry.choices import Rejection, Source
from machikoba.telemetry.events import Batch, Heartbeat, Refusal, StateEvent

from . import payload
from .base import Ack, MachineDirectory, Sink
from .limits import LogLimiter, RateLimiter

logger = logging.getLogger(__name__)

DEFAULT_GROUP = "machikoba-collectors"
# Seconds between reconnection attempts: from RECONNECT_MIN, doubling, at most RECONNECT_MAX.
RECONNECT_MIN = 0.2
RECONNECT_MAX = 2.0
DEFAULT_URL = "mqtt://127.0.0.1:1883"


def default_client_id() -> str:
    """``MACHIKOBA_MQTT_CLIENT_ID``, else one per host: stable across restarts (never the
    process id, which would leave the old session's messages behind)."""
    configured = getattr(settings, "MACHIKOBA_MQTT_CLIENT_ID", "")
    return configured or f"machikoba-collector-{socket.gethostname()}"


def broker_address(url: str) -> tuple[str, int, bool, str | None, str | None]:
    """``(host, port, tls, username, password)`` of an ``mqtt://`` or ``mqtts://`` URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("mqtt", "mqtts", "tcp", "ssl"):
        raise ValueError(f"an MQTT broker URL starts with mqtt:// or mqtts://, not {url!r}")
    tls = parts.scheme in ("mqtts", "ssl")
    host = parts.hostname or "127.0.0.1"
    port = parts.port or (8883 if tls else 1883)
    username = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return host, port, tls, username, password


class MqttSource:
    """Receives the sensors' messages and hands each to the runner with its ack."""

    name = Source.MQTT.value

    def __init__(
        self,
        *,
        client_id: str | None = None,
        url: str | None = None,
        group: str | None = None,
        directory: MachineDirectory | None = None,
        limiter: RateLimiter | None = None,
        session_expiry: int | None = None,
        receive_maximum: int | None = None,
        keepalive: int = 30,
    ) -> None:
        self.client_id = client_id or default_client_id()
        self.url = str(url or getattr(settings, "MACHIKOBA_MQTT_URL", DEFAULT_URL))
        self.group = str(group or getattr(settings, "MACHIKOBA_MQTT_GROUP", DEFAULT_GROUP))
        self.topic = f"$share/{self.group}/{payload.TOPIC_FILTER}"
        self.directory = directory or MachineDirectory(Source.MQTT)
        self.limiter = limiter or RateLimiter()
        self.session_expiry = (
            session_expiry
            if session_expiry is not None
            else getattr(settings, "MACHIKOBA_MQTT_SESSION_EXPIRY", 86400)
        )
        self.receive_maximum = max(
            1,
            min(
                65535,
                receive_maximum
                if receive_maximum is not None
                else getattr(settings, "MACHIKOBA_MQTT_RECEIVE_MAXIMUM", 3000),
            ),
        )
        self.keepalive = keepalive
        # Set while subscribed (tests and the runner's "ready" line wait for it).
        self.subscribed = threading.Event()
        self._lock = threading.Lock()
        self._dispatching = False
        self._closing = False
        self._generation = 0
        self._sink: Sink | None = None
        self._warnings = LogLimiter(logger)
        self._client = self._make_client()

    # --- the runner's interface ------------------------------------------------------

    def start(self, sink: Sink) -> None:
        # The machine list must be readable once before anything can be parsed: a
        # database that is down at start-up stops the collector here.
        self.directory.refresh()
        self._sink = sink
        with self._lock:
            self._dispatching = True
        host, port, _tls, _user, _password = broker_address(self.url)
        properties = Properties(PacketTypes.CONNECT)
        properties.SessionExpiryInterval = self.session_expiry
        properties.ReceiveMaximum = self.receive_maximum
        self._client.connect_async(
            host, port, self.keepalive, clean_start=False, properties=properties
        )
        self._client.loop_start()
        logger.info(
            "MQTT: connecting to %s:%s as %r, subscription %s",
            host,
            port,
            self.client_id,
            self.topic,
        )

    def stop(self) -> None:
        """Hand nothing more to the runner; the connection stays up for the acks of what
        it holds. Messages arriving from now on stay unacknowledged: the broker keeps them
        for this client id."""
        with self._lock:
            self._dispatching = False

    def close(self) -> None:
        """Disconnect (after the acknowledgements queued before it) and end paho's thread."""
        self.stop()
        self._closing = True
        self._client.disconnect()
        self._client.loop_stop()

    @property
    def connected(self) -> bool:
        return self._client.is_connected()

    # --- paho ------------------------------------------------------------------------

    def _make_client(self) -> mqtt.Client:
        client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2,
            client_id=self.client_id,
            protocol=mqtt.MQTTv5,
            manual_ack=True,
        )
        _host, _port, tls, username, password = broker_address(self.url)
        if tls:
            client.tls_set(cert_reqs=ssl.CERT_REQUIRED)
        if username:
            client.username_pw_set(username, password)
        # Quick to come back: Mosquitto 2.0 does not keep shared subscriptions across its
        # own restart, so until the collectors have subscribed again what the sensors
        # send is dropped (docs/telemetry.md). Sensors back off from 1 s and more.
        client.reconnect_delay_set(
            min_delay=RECONNECT_MIN,  # type: ignore[arg-type]  # paho sleeps fractions fine
            max_delay=RECONNECT_MAX,  # type: ignore[arg-type]
        )
        # A callback's error must never end the network thread.
        client.suppress_exceptions = True
        client.on_connect = self._on_connect
        client.on_subscribe = self._on_subscribe
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties) -> None:
        if reason_code.is_failure:
            logger.warning("MQTT: the broker refused the connection: %s", reason_code)
            return
        with self._lock:
            self._generation += 1
        logger.info("MQTT: connected (session %s)", "resumed" if flags.session_present else "new")
        client.subscribe(self.topic, options=SubscribeOptions(qos=1))

    def _on_subscribe(self, client, userdata, mid, reason_codes, properties) -> None:
        failed = [code for code in reason_codes if code.is_failure]
        if failed:
            logger.error("MQTT: subscribing to %s refused: %s", self.topic, failed[0])
            return
        self.subscribed.set()
        logger.info("MQTT: subscribed to %s", self.topic)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties) -> None:
        with self._lock:
            self._generation += 1
        self.subscribed.clear()
        if not self._closing:
            logger.warning("MQTT: disconnected (%s); reconnecting", reason_code)
        # Whatever this thread opened (the machine list) is closed with the connection.
        connections.close_all()

    def _on_message(self, client, userdata, message: mqtt.MQTTMessage) -> None:
        try:
            with self._lock:
                if not self._dispatching or self._sink is None:
                    return
                generation = self._generation
                item = self._item(message)
                batch = Batch()
                if isinstance(item, StateEvent):
                    batch.events.append(item)
                elif isinstance(item, Heartbeat):
                    batch.heartbeats.append(item)
                else:
                    batch.refusals.append(item)
                ack = self._ack(message.mid, generation) if message.qos > 0 else None
                # Under the lock: after stop() returns, nothing more reaches the runner.
                self._sink(batch, ack)
        except Exception:
            logger.exception("MQTT: a message could not be handed over; it comes again")

    def _item(self, message: mqtt.MQTTMessage) -> StateEvent | Heartbeat | Refusal:
        received_at = dt.datetime.now(dt.UTC)
        try:
            topic = message.topic
        except UnicodeDecodeError:
            return Refusal(
                Rejection.UNKNOWN, "topic is not UTF-8", source=Source.MQTT, key="(not UTF-8)"
            )
        parts = payload.topic_key(topic)
        key = parts[0] if parts else topic
        if not self.limiter.allow(key):
            machine = self.directory.get(key)
            if machine is None:
                return payload.unknown(topic)
            self._warnings.warning(
                key, "MQTT: machine %s sends more than allowed; messages refused", machine.id
            )
            return Refusal(
                Rejection.RATE_LIMITED,
                f"more than {self.limiter.rate:g} messages a second",
                machine.id,
            )
        item = payload.parse(topic, message.payload, received_at, self.directory)
        if isinstance(item, Refusal):
            self._warnings.warning(
                key, "MQTT: %s refused (%s): %s", key[:64], item.kind, item.detail
            )
        return item

    def _ack(self, mid: int, generation: int) -> Ack:
        return _MqttAck(self, mid, generation)

    def acknowledge_all(self, acks: list[_MqttAck]) -> None:
        """Send the PUBACKs of a written batch. A message from an earlier connection was
        sent again on this one; that copy is acknowledged when its own batch is written.

        paho sends each ``ack()`` as its own packet, waking its network thread and writing
        to the socket once per message (a fifth of the collector's time in the ingest
        benchmark). The batch's PUBACKs are the same 4 bytes each (MQTT v5 allows leaving
        out the reason code when it is success), so they go into paho's outgoing queue as
        one packet: one wake-up, one write."""
        generation = self._generation
        mids = [ack.mid for ack in acks if ack.generation == generation]
        if not mids:
            return
        queue = getattr(self._client, "_packet_queue", None)
        if queue is None:  # pragma: no cover - a paho without its queue: one by one
            for mid in mids:
                self._client.ack(mid, 1)
            return
        packet = b"".join(_PUBACK.pack(PUBACK, 2, mid) for mid in mids)
        queue(PUBACK, packet, 0, 1)


# A PUBACK: the packet type, remaining length 2, the packet id.
_PUBACK = struct.Struct("!BBH")


@dataclass(frozen=True, slots=True)
class _MqttAck:
    """One message's acknowledgement, sent with the rest of its batch
    (``base.acknowledge`` → ``MqttSource.acknowledge_all``)."""

    owner: MqttSource
    mid: int
    generation: int

    def __call__(self) -> None:
        self.owner.acknowledge_all([self])
