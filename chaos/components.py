"""The components the suite kills with SIGKILL and starts again, each on its own port and data."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from tests.support.system import RunningSystem

# In the order the suite kills them: the four services, the two engines, then the case records and their database.
COMPONENT_NAMES = ("intake", "router", "workflows", "notifier", "nats", "temporal", "records", "postgres")
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
    """One of `COMPONENT_NAMES` of this system."""
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
