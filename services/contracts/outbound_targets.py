"""Where the system may send a POST: never into its own network unless the city says so (SSRF).

A webhook, robot or callback URL is given by a unit or a platform; left unchecked, it could make the notifier POST to
the cluster's own services (Temporal's frontend, NATS's monitoring port, a cloud's metadata address). Intake refuses
such a URL when it is given (by its literal host); the notifier refuses it again at every delivery, by the addresses
the host resolves to then, since a name's addresses can change after it was accepted.

A city whose units receive on its e-government network (private addresses) lists those networks or host names.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

# Names that mean this machine or its local network whatever DNS says.
_LOCAL_NAMES = ("localhost", ".localhost", ".local", ".internal", ".svc", ".cluster.local")


def _kind_of(address: IpAddress) -> str | None:
    """Which forbidden kind an address is of, or None for a public address."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    for kind, test in (
        ("loopback", address.is_loopback),
        ("link-local", address.is_link_local),
        ("unspecified", address.is_unspecified),
        ("multicast", address.is_multicast),
        ("private", address.is_private),
        ("reserved", address.is_reserved),
    ):
        if test:
            return kind
    return None


@dataclass(frozen=True)
class OutboundTargets:
    """The rule for outbound URLs; `allow_private` (development) lets any address through."""

    allow_private: bool = False
    allowed_networks: tuple[IpNetwork, ...] = ()
    allowed_hosts: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, *, allow_private: bool, networks: str = "", hosts: str = "") -> OutboundTargets:
        """From comma-separated CIDR networks and host names; ValueError names an entry that is not one."""
        parsed: list[IpNetwork] = []
        for entry in (part.strip() for part in networks.split(",")):
            if entry:
                try:
                    parsed.append(ipaddress.ip_network(entry, strict=False))
                except ValueError as exc:
                    raise ValueError(f"not a network: {entry!r}") from exc
        names = frozenset(part.strip().lower().rstrip(".") for part in hosts.split(",") if part.strip())
        return cls(allow_private=allow_private, allowed_networks=tuple(parsed), allowed_hosts=names)

    def allowing(self, url: str) -> OutboundTargets:
        """These targets and the host of `url` (an operator's own gateway, say)."""
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        return replace(self, allowed_hosts=self.allowed_hosts | {host}) if host else self

    def host_allowed(self, host: str) -> bool:
        """Whether a host name is on the city's list (then its addresses are not checked)."""
        return self.allow_private or host.lower().rstrip(".") in self.allowed_hosts

    def refuse_address(self, address: IpAddress) -> str | None:
        """Why the system may not send to this address, or None when it may."""
        if self.allow_private:
            return None
        kind = _kind_of(address)
        if kind is None or any(address in network for network in self.allowed_networks):
            return None
        return f"{address} is {'an' if kind[0] in 'aeiou' else 'a'} {kind} address"

    def refuse_url(self, url: str) -> str | None:
        """Why the system may not send to this URL by its literal host (no DNS), or None when it may."""
        try:
            parts = urlsplit(url)
            host = parts.hostname
        except ValueError:
            return "not a URL"
        if parts.scheme not in ("http", "https") or not host:
            return "not an http(s) URL with a host"
        if self.host_allowed(host):
            return None
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if host.lower().rstrip(".").endswith(_LOCAL_NAMES):
                return f"{host} names a local host"
            return None  # a name: its addresses are checked at each delivery
        return self.refuse_address(address)
