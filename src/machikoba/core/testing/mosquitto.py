"""A private Mosquitto broker for tests and benchmarks that restart or kill it.

Ordinary tests use the system broker (127.0.0.1:1883). A test that restarts the broker,
or needs a configuration of its own, starts one here: a free port on 127.0.0.1, a
temporary configuration and persistence directory, anonymous clients allowed.

    with PrivateBroker() as broker:
        broker.url           # "mqtt://127.0.0.1:<port>"
        broker.restart()     # graceful (SIGTERM: the broker saves its sessions first)
        broker.kill()        # SIGKILL; broker.start() brings it back from the last save
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from machikoba.core.testing.processes import free_port

MOSQUITTO = os.environ.get(
    "MACHIKOBA_MOSQUITTO", shutil.which("mosquitto") or "/usr/sbin/mosquitto"
)


class PrivateBroker:
    """One mosquitto process; the same port and persistence directory across restarts."""

    def __init__(
        self,
        *,
        port: int | None = None,
        persistence: bool = True,
        max_queued_messages: int = 100_000,
        extra_config: str = "",
    ) -> None:
        self.port = port or free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="machikoba-mosquitto-"))
        self.config = self.directory / "mosquitto.conf"
        self.log = self.directory / "mosquitto.log"
        lines = [
            # Started as root, mosquitto would switch to the "mosquitto" user, who cannot
            # write our directory: no log, no persistence. Stay who we are.
            f"user {pwd.getpwuid(os.geteuid()).pw_name}",
            f"listener {self.port} 127.0.0.1",
            "allow_anonymous true",
            f"max_queued_messages {max_queued_messages}",
            "max_inflight_messages 0",
            f"log_dest file {self.log}",
            "log_type error",
            "log_type warning",
            "log_type notice",
            "log_type information",
        ]
        if persistence:
            lines += [
                "persistence true",
                f"persistence_location {self.directory}/",
                # Save after every change, so that even a SIGKILL loses nothing acknowledged.
                "autosave_on_changes true",
                "autosave_interval 1",
            ]
        self.config.write_text("\n".join(lines) + "\n" + extra_config)
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def start(self, timeout: float = 10.0) -> None:
        if self.process is not None and self.process.poll() is None:
            return
        self.process = subprocess.Popen(  # noqa: S603 - the broker binary with our own config
            [MOSQUITTO, "-c", str(self.config)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"mosquitto exited with {self.process.returncode}: {self.log_text()}"
                )
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        self.kill()
        raise RuntimeError(f"mosquitto did not listen on {self.port}: {self.log_text()}")

    def stop(self, timeout: float = 10.0) -> None:
        """Graceful: SIGTERM, the broker writes its persistence file and exits."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """SIGKILL: no goodbye, sessions as of the last save."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.kill()
        self.process.wait()

    def restart(self, *, graceful: bool = True, down_seconds: float = 0.0) -> None:
        self.stop() if graceful else self.kill()
        if down_seconds:
            time.sleep(down_seconds)
        self.start()

    def log_text(self) -> str:
        try:
            return self.log.read_text(errors="replace")
        except OSError:
            return ""

    def close(self) -> None:
        self.kill()
        shutil.rmtree(self.directory, ignore_errors=True)

    def __enter__(self) -> PrivateBroker:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Publisher:
    """A sensor-like MQTT v5 client for tests and benchmarks: QoS 1 on a persistent
    session (paho keeps what the broker has not acknowledged and sends it again after a
    reconnection), with a log of everything it published.

        with Publisher(broker_url, "sensor-1") as sensor:
            sensor.state("key", seq=1, state="producing")
            sensor.wait_delivered()
    """

    def __init__(self, url: str, client_id: str, *, session_expiry: int = 300) -> None:
        address = urlsplit(url)
        self.host, self.port = address.hostname or "127.0.0.1", address.port or 1883
        self.client = mqtt.Client(
            mqtt.CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5
        )
        self.client.reconnect_delay_set(min_delay=1, max_delay=2)
        self.client.max_inflight_messages_set(100)
        self.client.max_queued_messages_set(0)
        self.properties = Properties(PacketTypes.CONNECT)
        self.properties.SessionExpiryInterval = session_expiry
        self.log: list[tuple[str, bytes]] = []
        self._delivered = 0
        self.client.on_publish = self._on_publish

    def __enter__(self) -> Publisher:
        self.client.connect_async(
            self.host, self.port, clean_start=False, properties=self.properties
        )
        self.client.loop_start()
        deadline = time.monotonic() + 10
        while not self.client.is_connected():
            if time.monotonic() > deadline:
                raise RuntimeError(f"the publisher did not connect to {self.host}:{self.port}")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    def publish(self, topic: str, body: dict | bytes, qos: int = 1) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        # While disconnected paho keeps the message and sends it after reconnecting.
        self.client.publish(topic, raw, qos=qos)
        self.log.append((topic, raw))
        if qos == 0:
            self._delivered += 1

    def state(self, key: str, *, seq: int, boot: str = "b1", at=None, **fields) -> None:
        """A state message of the convention (``state=``, ``tower=`` or ``current_a=``)."""
        at = at or dt.datetime.now(dt.UTC)
        body = {"seq": seq, "boot": boot, "ts": at.isoformat(), **fields}
        self.publish(f"machikoba/v1/{key}/state", body)

    def heartbeat(self, key: str, at=None) -> None:
        at = at or dt.datetime.now(dt.UTC)
        self.publish(f"machikoba/v1/{key}/heartbeat", {"ts": at.isoformat()})

    def _on_publish(self, client, userdata, mid, reason_code, properties) -> None:
        self._delivered += 1

    def wait_delivered(self, timeout: float = 30.0) -> None:
        """Until the broker acknowledged everything published (QoS 1)."""
        deadline = time.monotonic() + timeout
        while self._delivered < len(self.log):
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"the broker acknowledged {self._delivered} of {len(self.log)} messages"
                )
            time.sleep(0.01)
