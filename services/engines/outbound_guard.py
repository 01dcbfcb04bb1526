"""Guarding the requests the system makes to URLs others gave it (webhooks, robots, callbacks, attachment links):
the checks before a request, and a resolver that lets a connection reach only addresses that passed them.

Shared by the notifier (which POSTs) and intake (which fetches tickets' attachment links); `OutboundTargets` in the
contracts says which networks are allowed.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
import urllib.request
from urllib.parse import urlsplit

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.helpers import get_env_proxy_for_url
from aiohttp.resolver import DefaultResolver
from yarl import URL

from services.contracts.outbound_targets import OutboundTargets


class UnresolvableHost(OSError):
    """The URL's host name does not resolve (a failure that may pass: DNS down, a record not yet published)."""


class CheckedResolver(AbstractResolver):
    """aiohttp's resolver, keeping only the addresses the targets allow: the connection then goes to an address that
    was checked, so a name that resolves outward for the check and inward a moment later (DNS rebinding) leads
    nowhere. Names on the city's list, and the environment's proxies, are not filtered."""

    def __init__(self, targets: OutboundTargets) -> None:
        self._targets = targets
        self._inner = DefaultResolver()
        self._proxies = frozenset(
            (urlsplit(url).hostname or "").lower() for url in urllib.request.getproxies_environment().values()
        )

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        results = await self._inner.resolve(host, port, family)
        if self._targets.host_allowed(host) or host.lower() in self._proxies:
            return results
        allowed = [r for r in results if self._targets.refuse_address(ipaddress.ip_address(r["host"])) is None]
        if not allowed:
            raise OSError(f"{host} resolves only to addresses the system may not send to")
        return allowed

    async def close(self) -> None:
        await self._inner.close()


def guarded_session(
    targets: OutboundTargets | None, *, timeout_seconds: float, max_connections: int
) -> aiohttp.ClientSession:
    """A pooled session to others' URLs: connections only to addresses the targets allow, the whole request within
    `timeout_seconds`, and a city network's HTTP(S)_PROXY and NO_PROXY applied."""
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=timeout_seconds),
        connector=aiohttp.TCPConnector(limit=max_connections, resolver=checked_resolver(targets)),
        trust_env=True,
    )


def checked_resolver(targets: OutboundTargets | None) -> CheckedResolver | None:
    """The resolver a session to others' URLs uses: None (aiohttp's own) where every target is allowed."""
    return CheckedResolver(targets) if targets is not None and not targets.allow_private else None


async def refuse_target(targets: OutboundTargets | None, url: str) -> str | None:
    """Why the system may not send to `url`, or None: its scheme or literal address, else every address its host
    resolves to (a name on the city's list, and a URL the environment's proxy carries, are not resolved here).
    Raises UnresolvableHost when the host does not resolve."""
    if targets is None or targets.allow_private:
        return None
    refusal = targets.refuse_url(url)
    host = urlsplit(url).hostname or ""
    if refusal is not None or targets.host_allowed(host) or is_literal(host) or proxied(url):
        return refusal
    try:
        port = urlsplit(url).port or 443
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError) as exc:
        raise UnresolvableHost(f"cannot resolve {host}: {exc}") from exc
    for info in infos:
        address_refusal = targets.refuse_address(ipaddress.ip_address(info[4][0]))
        if address_refusal is not None:
            return f"{host} resolves to {address_refusal}"
    return None


def is_literal(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def proxied(url: str) -> bool:
    """Whether the environment's proxy carries this request (the proxy resolves the host, and guards the egress);
    asked as aiohttp asks it for `trust_env`."""
    try:
        get_env_proxy_for_url(URL(url))
    except (LookupError, ValueError):
        return False
    return True
