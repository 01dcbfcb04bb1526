"""A console of a test's own beside the running system's (other settings: OpenID Connect, a short idle limit, no
development sign-in), and the OpenID Connect provider it signs people in with.

The console is started from the system console's own environment (its API, its key, development mode), with
`overrides` on top and a port of its own; the provider is `oidc-provider-mock` (Authlib on Flask) in a thread of
the test process, accepting any client id and secret, with predefined people whose claims the test chooses.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass

from oidc_provider_mock import User, run_server_in_thread

from tests.support.engines import free_port
from tests.support.services import CONSOLE, ServiceProcess
from tests.support.system import RunningSystem

OIDC_CLIENT_ID = "hotline-console"
OIDC_CLIENT_SECRET = "console-test-secret"


@dataclass(frozen=True)
class Person:
    """Someone the provider knows: their `sub` and the claims it gives the console."""

    sub: str
    claims: dict[str, object]


@contextmanager
def oidc_provider(people: Sequence[Person]) -> Iterator[str]:
    """The provider's issuer URL while it runs (`localhost`: its issuer is the host it is asked on)."""
    users = [User(sub=person.sub, claims=dict(person.claims)) for person in people]
    with run_server_in_thread(user_claims=users) as server:
        yield f"http://localhost:{server.server_port}"


def oidc_env(issuer: str) -> dict[str, str]:
    """The settings that point a console at the provider."""
    return {
        "HOTLINE_CONSOLE_OIDC_ISSUER": issuer,
        "HOTLINE_CONSOLE_OIDC_CLIENT_ID": OIDC_CLIENT_ID,
        "HOTLINE_CONSOLE_OIDC_CLIENT_SECRET": OIDC_CLIENT_SECRET,
    }


@asynccontextmanager
async def extra_console(system: RunningSystem, name: str, overrides: dict[str, str]) -> AsyncIterator[ServiceProcess]:
    """Another console process on the running system's API, with `overrides`; stopped afterwards."""
    port = free_port()
    env = {**system.services[CONSOLE].env, "HOTLINE_CONSOLE_PORT": str(port), **overrides}
    console = ServiceProcess(CONSOLE, port, env, system.workdir / f"console-{name}.log")
    await console.start()
    try:
        yield console
    finally:
        console.stop()
