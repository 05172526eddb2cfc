"""A real OPC UA server for the collector's tests: asyncua's own server, on a free local
port, in a thread with its own event loop.

It publishes two machines the way a CNC's or a PLC gateway's server would::

    Objects/Machine1/State      Int32    (the default integer encoding: 1 producing, 2 idle …)
    Objects/Machine1/PartCount  UInt32
    Objects/Machine1/Alarm      Boolean
    Objects/Machine1/Reason     String
    Objects/Machine2/…          the same, State as a String ("running", "idle" …)

with string node ids ``ns=2;s=Machine1.State`` (``server.node("Machine1", "State")``).
A test changes a value with ``write`` (stamped with the source time it gives, now by
default, or with a bad status code), and stops or restarts the server: a restart is a new
server process as far as a client can tell (a new ``ServerStatus.StartTime``), which
comes up with the last values, stamped anew, as a gateway reading its PLC would.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import socket
import threading
from collections.abc import Coroutine
from typing import Any

from asyncua import Server, ua

NAMESPACE = "urn:machikoba:test:machines"
MACHINES = ("Machine1", "Machine2")
# The type of each machine's State variable.
STATE_TYPES = {"Machine1": ua.VariantType.Int32, "Machine2": ua.VariantType.String}
INITIAL_STATE = {"Machine1": 2, "Machine2": "idle"}

for _name in ("asyncua.server", "asyncua.client", "asyncua.common", "asyncua.uaprotocol"):
    # The server's start-up warnings (no certificate, no encryption) are noise here.
    logging.getLogger(_name).setLevel(logging.ERROR)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OpcUaTestServer:
    """Start with ``start()`` (blocks until clients can connect), stop with ``stop()``."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.endpoint = f"opc.tcp://127.0.0.1:{self.port}/machikoba/test/"
        # Variable name -> (value, variant type), kept across restarts.
        self._values: dict[str, tuple[Any, ua.VariantType]] = {}
        for machine in MACHINES:
            self._values[f"{machine}.State"] = (INITIAL_STATE[machine], STATE_TYPES[machine])
            self._values[f"{machine}.PartCount"] = (0, ua.VariantType.UInt32)
            self._values[f"{machine}.Alarm"] = (False, ua.VariantType.Boolean)
            self._values[f"{machine}.Reason"] = ("", ua.VariantType.String)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: Server | None = None
        self._namespace = 2

    # -- node ids ------------------------------------------------------------------

    def node(self, machine: str, variable: str) -> str:
        """The node id string a machine's config names (``ns=2;s=Machine1.State``)."""
        return f"ns={self._namespace};s={machine}.{variable}"

    def config(self, machine: str, **extra: Any) -> dict[str, Any]:
        """A machine's collector config for this server: state, count and alarm nodes."""
        config: dict[str, Any] = {
            "endpoint": self.endpoint,
            "state_node": self.node(machine, "State"),
            "count_node": self.node(machine, "PartCount"),
            "alarm_node": self.node(machine, "Alarm"),
        }
        config.update(extra)
        return config

    # -- life cycle ------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._server is not None

    def start(self) -> None:
        if self.running:
            return
        ready = threading.Event()
        loop = asyncio.new_event_loop()
        self._loop = loop
        failure: list[BaseException] = []

        def run() -> None:
            asyncio.set_event_loop(loop)
            try:
                self._server = loop.run_until_complete(self._build())
            except BaseException as exc:  # reported to the caller below
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            loop.run_forever()
            loop.close()

        self._thread = threading.Thread(target=run, name=f"opcua-test-server-{self.port}")
        self._thread.daemon = True
        self._thread.start()
        ready.wait(30)
        if failure:
            self._thread.join()
            self._thread = self._loop = None
            raise failure[0]

    async def _build(self) -> Server:
        server = Server()
        await server.init()
        server.set_endpoint(self.endpoint)
        server.set_server_name("machikoba test machines")
        self._namespace = await server.register_namespace(NAMESPACE)
        now = utcnow()
        for machine in MACHINES:
            folder = await server.nodes.objects.add_object(
                ua.NodeId(machine, self._namespace), ua.QualifiedName(machine, self._namespace)
            )
            for variable in ("State", "PartCount", "Alarm", "Reason"):
                name = f"{machine}.{variable}"
                value, variant_type = self._values[name]
                node = await folder.add_variable(
                    ua.NodeId(name, self._namespace),
                    ua.QualifiedName(variable, self._namespace),
                    ua.Variant(value, variant_type),
                )
                await node.write_value(
                    ua.DataValue(ua.Variant(value, variant_type), SourceTimestamp=now)
                )
        await server.start()
        return server

    def stop(self) -> None:
        """Stop the server (clients see the connection drop) and its thread."""
        if not self.running or self._loop is None or self._thread is None:
            return
        server, loop = self._server, self._loop
        assert server is not None
        asyncio.run_coroutine_threadsafe(_stop(server), loop).result(30)
        loop.call_soon_threadsafe(loop.stop)
        self._thread.join(30)
        self._server = self._loop = self._thread = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def __enter__(self) -> OpcUaTestServer:
        self.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- values ----------------------------------------------------------------------

    def _call(self, coroutine: Coroutine[Any, Any, Any]) -> Any:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("the test OPC UA server is not running")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    def write(
        self,
        machine: str,
        variable: str,
        value: Any = None,
        *,
        at: dt.datetime | None = None,
        status: int | None = None,
    ) -> dt.datetime:
        """Set ``machine``'s ``variable`` as its source would, stamped ``at`` (now by
        default); with ``status`` (a ``ua.StatusCodes`` value) the value is reported with
        that quality instead. Returns the source timestamp written."""
        name = f"{machine}.{variable}"
        previous, variant_type = self._values[name]
        at = at or utcnow()
        if status is None:
            data = ua.DataValue(ua.Variant(value, variant_type), SourceTimestamp=at)
            self._values[name] = (value, variant_type)
        else:
            data = ua.DataValue(
                ua.Variant(previous, variant_type),
                StatusCode=ua.StatusCode(status),
                SourceTimestamp=at,
            )
        assert self._server is not None
        node = self._server.get_node(ua.NodeId(name, self._namespace))
        self._call(node.write_value(data))
        return at

    def read(self, machine: str, variable: str) -> ua.DataValue:
        assert self._server is not None
        node = self._server.get_node(ua.NodeId(f"{machine}.{variable}", self._namespace))
        return self._call(node.read_data_value())

    def bump(self, machine: str, parts: int = 1) -> int:
        """Count ``parts`` more parts made, one write each (a counter ticking)."""
        count = int(self._values[f"{machine}.PartCount"][0])
        for _ in range(parts):
            count += 1
            self.write(machine, "PartCount", count)
        return count

    def reset(self) -> None:
        """Every machine back to its initial values (idle, no alarm, count 0), stamped now."""
        for machine in MACHINES:
            self.write(machine, "Alarm", False)
            self.write(machine, "Reason", "")
            self.write(machine, "PartCount", 0)
            self.write(machine, "State", INITIAL_STATE[machine])


async def _stop(server: Server) -> None:
    """Stop the server and end what it leaves running (its sessions' timers)."""
    await server.stop()
    current = asyncio.current_task()
    leftovers = [task for task in asyncio.all_tasks() if task is not current]
    for task in leftovers:
        task.cancel()
    await asyncio.gather(*leftovers, return_exceptions=True)


def run_forever(port: int = 4840) -> None:  # pragma: no cover (a manual aid)
    """``python -m machikoba.telemetry.tests.opcua_server``: serve the two machines."""
    server = OpcUaTestServer(port)
    server.start()
    print(f"serving {server.endpoint}; Ctrl-C stops")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":  # pragma: no cover
    run_forever()
