"""The components the suite kills with SIGKILL and starts again, each on its own port and data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from tests.support.engines import NatsCluster, NatsNode
from tests.support.system import RunningSystem

# In the order the suite kills them: the four services, the two engines, then the case records and their database.
COMPONENT_NAMES = ("intake", "router", "workflows", "notifier", "nats", "temporal", "records", "postgres")
# On a three-node NATS cluster with two replicas of each service (`--cluster`): one NATS server, one replica of each
# service, then whichever server leads the tickets' stream at that moment.
CLUSTER_COMPONENT_NAMES = ("nats-node", "intake-2", "router-2", "workflows-2", "notifier-2", "records-2", "nats-leader")
# The stream whose leader `nats-leader` kills: the one every ticket is written to before intake answers.
LED_STREAM = "CASE_INTAKE"
# Whose outage the records have to catch up with (the others' recovery is the tickets' and deadlines').
RECORDS_COMPONENTS = frozenset({"records", "postgres"})
LABELS = {
    "intake": "intake",
    "router": "router",
    "workflows": "workflows worker",
    "notifier": "notifier",
    "nats": "nats-server",
    "temporal": "Temporal server",
    "records": "records",
    "postgres": "PostgreSQL",
    "nats-node": "one NATS server of 3",
    "nats-leader": f"the leader of {LED_STREAM}",
    "intake-2": "one intake of 2",
    "router-2": "one router of 2",
    "workflows-2": "one workflows worker of 2",
    "notifier-2": "one notifier of 2",
    "records-2": "one records of 2",
}


class _Process(Protocol):
    def kill(self) -> None: ...

    async def start(self) -> None: ...


@dataclass(frozen=True)
class Component:
    """A part of the running system: `kill` is `kill -9` of its processes, `restart` waits until it serves."""

    name: str
    kill: Callable[[], Awaitable[None]]
    restart: Callable[[], Awaitable[None]]

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)


def component(system: RunningSystem, name: str) -> Component:
    """One of `COMPONENT_NAMES` (or, on a cluster, `CLUSTER_COMPONENT_NAMES`) of this system."""
    if name in ("nats-node", "nats-leader"):
        return _cluster_node(system, name)
    process: _Process
    if name == "nats":
        process = system.nats
    elif name == "temporal":
        process = system.temporal
    elif name == "postgres" and system.postgres is not None:
        process = system.postgres
    elif name in system.services:
        process = system.services[name]
    else:
        raise ValueError(f"no component {name!r}; choose from {', '.join(COMPONENT_NAMES)}")

    async def kill() -> None:
        # SIGKILL is immediate, but waiting for the process group blocks: keep the load and the receiver running.
        await asyncio.to_thread(process.kill)

    return Component(name, kill, process.start)


def _cluster_node(system: RunningSystem, name: str) -> Component:
    cluster = system.nats
    if not isinstance(cluster, NatsCluster):
        raise ValueError(f"{name} needs a NATS cluster (python -m chaos --cluster)")
    chosen: list[NatsNode] = []

    async def kill() -> None:
        # The leader is whoever leads at the moment of the kill (it moves after every election).
        node = await cluster.leader_of(LED_STREAM) if name == "nats-leader" else cluster.nodes[-1]
        chosen[:] = [node]
        await asyncio.to_thread(node.kill)

    async def restart() -> None:
        await chosen[0].start()
        await cluster.wait_ready()

    return Component(name, kill, restart)
