"""Our four services as real subprocesses (`python -m services.<name>`), configured by environment."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.support.engines import free_port

SERVICE_NAMES = ("intake", "router", "workflows", "notifier")
# The case records and the assessment on them: started where a test system asks for them, with PostgreSQL.
RECORDS = "records"
# The assessment service (classes of cases, special rectifications) works on the records: started with them.
ASSESSMENT = "assessment"
# The staff console: a web app on the intake API, started after intake (it needs its address).
CONSOLE = "console"
# The services with a Temporal client, which serve the SDK's own metrics on a port of their own, as in production.
TEMPORAL_CLIENTS = ("intake", "workflows", ASSESSMENT)
REPO_ROOT = Path(__file__).resolve().parents[2]


@dataclass
class ServiceProcess:
    name: str
    port: int
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    sdk_metrics_port: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def sdk_metrics_url(self) -> str:
        """Where the Temporal SDK's own metrics of this service are served."""
        assert self.sdk_metrics_port is not None, f"{self.name} has no Temporal client"
        return f"http://127.0.0.1:{self.sdk_metrics_port}/metrics"

    async def start(self, *, timeout: float = 60.0) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", f"services.{self.name}"],
            env=self.env,
            cwd=REPO_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        await self.wait_healthy(timeout=timeout)

    async def wait_healthy(self, *, timeout: float = 60.0) -> None:
        deadline = asyncio.get_running_loop().time() + timeout
        async with httpx.AsyncClient(timeout=2) as http:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"{self.name} exited with {self.process.returncode}; see {self.log_path}")
                try:
                    if (await http.get(f"{self.base_url}/healthz")).status_code == 200:
                        return
                except httpx.HTTPError:
                    pass
                if asyncio.get_running_loop().time() > deadline:
                    raise TimeoutError(f"{self.name} not healthy after {timeout}s; see {self.log_path}")
                await asyncio.sleep(0.1)

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, sig)
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def log_text(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")


# Where every test system's notifier sends email and SMS. Nothing listens there unless a test starts a local SMTP
# server or SMS gateway on these ports (tests/integration/test_notifications_channels.py); only units that a test
# gives an email address or phones use them.
SMTP_PORT = free_port()
SMS_GATEWAY_PORT = free_port()
SMS_GATEWAY_KEY = "gateway-key-1"
SMS_BODY_TEMPLATE = (
    '{"mobile": "{{ phone }}", "sign": "市民热线", "content": {{ text | tojson }}, "outId": "{{ event_id }}"}'
)


def service_env(*, nats_url: str, temporal_address: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for every service: the engines under test, fast retries, development mode."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("HOTLINE_")}
    env.update(
        {
            "HOTLINE_ENVIRONMENT": "development",
            "HOTLINE_NATS_URL": nats_url,
            "HOTLINE_TEMPORAL_ADDRESS": temporal_address,
            "HOTLINE_NOTIFIER_RETRY_BASE_SECONDS": "0.2",
            "HOTLINE_NOTIFIER_RETRY_MAX_SECONDS": "1",
            "HOTLINE_NOTIFIER_WEBHOOK_TIMEOUT_SECONDS": "2",
            # A receiver failing five times in a row is probed twice a second, not every 30 s, in tests.
            "HOTLINE_NOTIFIER_BREAKER_PROBE_SECONDS": "0.5",
            # The records count open and overdue cases for /metrics every second, not every minute.
            "HOTLINE_RECORDS_CASE_GAUGES_SECONDS": "1",
            # Tests poll the API fast from one key; the rate limit itself is tested on an intake of its own.
            "HOTLINE_INTAKE_RATE_LIMIT": "100/second",
            # Attachments over 2 MiB are refused, so the tests of the limit upload little.
            "HOTLINE_INTAKE_ATTACHMENT_MAX_BYTES": str(2 * 1024 * 1024),
            "HOTLINE_NOTIFIER_SMTP__HOST": "127.0.0.1",
            "HOTLINE_NOTIFIER_SMTP__PORT": str(SMTP_PORT),
            "HOTLINE_NOTIFIER_SMTP__SENDER": "河口市12345热线 <hotline@hekou.example.gov.cn>",
            "HOTLINE_NOTIFIER_SMTP__TIMEOUT_SECONDS": "2",
            "HOTLINE_NOTIFIER_SMS__URL": f"http://127.0.0.1:{SMS_GATEWAY_PORT}/sms/send",
            "HOTLINE_NOTIFIER_SMS__HEADERS": json.dumps({"X-Api-Key": SMS_GATEWAY_KEY}),
            "HOTLINE_NOTIFIER_SMS__BODY_TEMPLATE": SMS_BODY_TEMPLATE,
            "HOTLINE_NOTIFIER_SMS__SUCCESS_FIELD": "code",
            "HOTLINE_NOTIFIER_SMS__SUCCESS_VALUE": "0",
        }
    )
    env.update(extra or {})
    return env


def replica_key(name: str, replica: int) -> str:
    """How a system names a service's replica: `intake`, then `intake-2`, `intake-3`."""
    return name if replica == 1 else f"{name}-{replica}"


def build_services(
    env: dict[str, str], workdir: Path, names: tuple[str, ...] = SERVICE_NAMES, *, replicas: int = 1
) -> dict[str, ServiceProcess]:
    """`replicas` processes per service (keyed by `replica_key`), each on its own free ports."""
    processes: dict[str, ServiceProcess] = {}
    for name, replica in ((name, replica) for name in names for replica in range(1, replicas + 1)):
        key = replica_key(name, replica)
        port = free_port()
        own = dict(env)
        if name in ("intake", CONSOLE):
            own[f"HOTLINE_{name.upper()}_PORT"] = str(port)
        else:
            own[f"HOTLINE_{name.upper()}_OPS_PORT"] = str(port)
        sdk_metrics_port = free_port() if name in TEMPORAL_CLIENTS else None
        if sdk_metrics_port is not None:
            own["HOTLINE_TEMPORAL_METRICS_ADDRESS"] = f"127.0.0.1:{sdk_metrics_port}"
        processes[key] = ServiceProcess(name, port, own, workdir / f"{key}.log", sdk_metrics_port=sdk_metrics_port)
    return processes
