"""The whole system on real binaries: nats-server, the Temporal dev server and our four services (and, where asked,
PostgreSQL with the records and assessment services).

Used by the integration tests, the benchmarks (`bench/`) and the fault suite (`chaos/`).
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.credentials import ActAsBody, dev_keys
from tests.support.engines import NatsCluster, NatsServer, PostgresServer, SeaweedServer, TemporalDevServer
from tests.support.load_balancer import RoundRobin
from tests.support.services import (
    ASSESSMENT,
    CONSOLE,
    RECORDS,
    SERVICE_NAMES,
    ServiceProcess,
    build_services,
    service_env,
)


@dataclass
class RunningSystem:
    nats: NatsServer | NatsCluster
    temporal: TemporalDevServer
    services: dict[str, ServiceProcess]
    workdir: Path
    keys: dict[str, str] = field(default_factory=dict)
    postgres: PostgresServer | None = None
    object_store: SeaweedServer | None = None

    @property
    def api_url(self) -> str:
        return self.services["intake"].base_url

    @property
    def console_url(self) -> str:
        return self.services[CONSOLE].base_url

    @classmethod
    async def start(
        cls,
        workdir: Path,
        *,
        extra_env: dict[str, str] | None = None,
        with_records: bool = False,
        with_console: bool = False,
        with_object_store: bool = False,
        nats_nodes: int = 1,
        replicas: int = 1,
    ) -> RunningSystem:
        """Engines first, then the services, each waited on until healthy; `extra_env` overrides settings;
        `with_records`: PostgreSQL, the records service and the assessment service too; `with_console`: the staff
        console, once intake answers; `with_object_store`: SeaweedFS's S3 gateway (attachments), started beside
        Temporal (about 4 s, so only for the tests that need it). `nats_nodes` > 1: a NATS cluster of that many, every stream and bucket at 3
        replicas (the production topology); `replicas`: processes of each service (the API then load-balanced)."""
        nats = NatsCluster.at(workdir, size=nats_nodes) if nats_nodes > 1 else NatsServer.at(workdir)
        running = cls(nats, TemporalDevServer.at(workdir), {}, workdir)
        await running.nats.start()
        running.keys = await dev_keys(workdir, running.nats.url, replicas=min(nats_nodes, 3))
        engines = [running.temporal.start()]
        if with_object_store:
            running.object_store = SeaweedServer.at(workdir)
            engines.append(running.object_store.start())
        await asyncio.gather(*engines)
        object_store_env = running.object_store.env() if running.object_store is not None else {}
        env = service_env(
            nats_url=running.nats.url,
            temporal_address=running.temporal.address,
            extra={**object_store_env, **(extra_env or {})},
        )
        env["HOTLINE_NATS_REPLICAS"] = str(min(nats_nodes, 3))
        names = SERVICE_NAMES
        if with_records:
            running.postgres = PostgresServer.at(workdir)
            await running.postgres.start()
            env["HOTLINE_RECORDS_DATABASE_URL"] = running.postgres.url
            env["HOTLINE_ASSESSMENT_DATABASE_URL"] = running.postgres.url
            names = (*SERVICE_NAMES, RECORDS, ASSESSMENT)
        running.services = build_services(env, workdir, names, replicas=replicas)
        for process in running.services.values():
            if process.name == "notifier":  # the links its deliveries carry point at intake
                process.env["HOTLINE_NOTIFIER_PUBLIC_API_URL"] = running.api_url
        await asyncio.gather(*(process.start() for process in running.services.values()))
        if with_console:
            console_env = {
                **env,
                "HOTLINE_CONSOLE_API_URL": running.api_url,
                "HOTLINE_CONSOLE_API_KEY": running.keys["console"],
                "HOTLINE_CONSOLE_REFRESH_SECONDS": "1",
            }
            console = build_services(console_env, workdir, (CONSOLE,))[CONSOLE]
            running.services[CONSOLE] = console
            await console.start()
        return running

    def client(self) -> httpx.AsyncClient:
        """An API client that speaks as whoever each request is for (see `tests/support/credentials.py`); with
        several intakes, through a round-robin balancer that passes over one that does not answer."""
        intakes = [process.base_url for key, process in self.services.items() if process.name == "intake"]
        transport = RoundRobin(intakes) if len(intakes) > 1 else None
        return httpx.AsyncClient(base_url=self.api_url, timeout=30, auth=ActAsBody(self.keys), transport=transport)

    def stop(self) -> None:
        """The services all at once (each waited on), then the engines they were using."""
        with ThreadPoolExecutor(max_workers=len(self.services) or 1) as pool:
            list(pool.map(ServiceProcess.stop, self.services.values()))
        self.temporal.stop()
        self.nats.stop()
        if self.postgres is not None:
            self.postgres.stop()
        if self.object_store is not None:
            self.object_store.stop()
