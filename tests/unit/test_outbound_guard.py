"""The guard on requests to others' URLs: the pre-request check and the resolver connections go through."""

from __future__ import annotations

import ipaddress
import socket

import pytest

from services.contracts.outbound_targets import OutboundTargets
from services.engines.outbound_guard import CheckedResolver, UnresolvableHost, checked_resolver, refuse_target

PRODUCTION = OutboundTargets.parse(allow_private=False)
DEVELOPMENT = OutboundTargets.parse(allow_private=True)


@pytest.mark.parametrize(
    ("targets", "url", "refused"),
    [
        (None, "http://10.0.0.1/x", False),
        (DEVELOPMENT, "http://127.0.0.1/x", False),
        (PRODUCTION, "http://127.0.0.1/x", True),
        (PRODUCTION, "https://10.1.2.3/photo.jpg", True),
        (PRODUCTION, "https://169.254.169.254/latest/meta-data", True),
        (PRODUCTION, "https://[::1]/x", True),
        (PRODUCTION, "https://8.8.8.8/x", False),
        (OutboundTargets.parse(allow_private=False, networks="10.1.0.0/16"), "https://10.1.2.3/photo.jpg", False),
        (OutboundTargets.parse(allow_private=False, hosts="localhost"), "https://localhost/x", False),
    ],
)
async def test_a_target_is_refused_by_its_address(targets: OutboundTargets | None, url: str, refused: bool) -> None:
    assert (await refuse_target(targets, url) is not None) is refused


async def test_a_local_name_is_refused_and_one_that_does_not_resolve_fails() -> None:
    assert await refuse_target(PRODUCTION, "https://localhost:8443/x") == "localhost names a local host"
    with pytest.raises(UnresolvableHost, match="cannot resolve"):
        await refuse_target(PRODUCTION, "https://no-such-host.invalid/x")


async def test_development_connects_without_the_checked_resolver() -> None:
    assert checked_resolver(DEVELOPMENT) is None
    assert checked_resolver(None) is None
    resolver = checked_resolver(PRODUCTION)
    assert isinstance(resolver, CheckedResolver)
    await resolver.close()


async def test_the_connection_resolver_keeps_only_allowed_addresses() -> None:
    """A name re-resolved at connection time to an inward address (DNS rebinding) finds nothing to connect to."""
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, 80, type=socket.SOCK_STREAM)}
    except OSError:
        pytest.skip(f"{name} does not resolve here")
    if all(PRODUCTION.refuse_address(ipaddress.ip_address(address)) is None for address in addresses):
        pytest.skip(f"{name} resolves to public addresses here: {addresses}")
    refusing = CheckedResolver(PRODUCTION)
    with pytest.raises(OSError, match="resolves only to addresses the system may not send to"):
        await refusing.resolve(name, 80)
    await refusing.close()

    listed = CheckedResolver(OutboundTargets.parse(allow_private=False, hosts=name))
    assert {result["host"] for result in await listed.resolve(name, 80)} >= {a for a in addresses if ":" not in a}
    await listed.close()
