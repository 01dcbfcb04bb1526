"""Where webhooks, robots and callbacks may go: never into the system's own network unless the city lists it."""

from __future__ import annotations

import ipaddress
import re

import pytest

from services.contracts.outbound_targets import OutboundTargets

PRODUCTION = OutboundTargets.parse(allow_private=False)
CITY = OutboundTargets.parse(allow_private=False, networks="10.20.0.0/16, fd00:1::/32", hosts="receiver.egov.local")


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("https://water.example.gov.cn/hook", None),
        ("https://203.0.113.9/hook", "203.0.113.9 is a private address"),  # documentation range
        ("https://8.8.8.8/hook", None),
        ("http://127.0.0.1:7233/", "127.0.0.1 is a loopback address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("http://[::ffff:10.0.0.1]/", "::ffff:a00:1 is a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://10.0.0.5/hook", "10.0.0.5 is a private address"),
        ("http://192.168.1.1/hook", "192.168.1.1 is a private address"),
        ("http://0.0.0.0/hook", "0.0.0.0 is an unspecified address"),
        ("http://224.0.0.1/hook", "224.0.0.1 is a multicast address"),
        ("http://localhost:8222/varz", "localhost names a local host"),
        ("http://nats.nats.svc.cluster.local:8222/", "nats.nats.svc.cluster.local names a local host"),
        ("http://temporal-frontend.temporal.svc:7233/", "temporal-frontend.temporal.svc names a local host"),
        ("ftp://water.example.gov.cn/", "not an http(s) URL with a host"),
        ("http:///nohost", "not an http(s) URL with a host"),
    ],
)
def test_production_refuses_urls_into_its_own_network(url: str, refusal: str | None) -> None:
    assert PRODUCTION.refuse_url(url) == refusal


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("http://10.20.3.4/hook", None),  # the city's e-government network
        ("http://10.21.3.4/hook", "10.21.3.4 is a private address"),
        ("http://[fd00:1::7]/hook", None),
        ("https://receiver.egov.local/hook", None),  # a listed name, whatever it resolves to
        ("https://RECEIVER.egov.local./hook", None),
        ("https://other.egov.local/hook", "other.egov.local names a local host"),
    ],
)
def test_the_citys_networks_and_hosts_are_allowed(url: str, refusal: str | None) -> None:
    assert CITY.refuse_url(url) == refusal


def test_development_allows_anything_local() -> None:
    development = OutboundTargets.parse(allow_private=True)
    assert development.refuse_url("http://127.0.0.1:9000/hook") is None
    assert development.refuse_address(ipaddress.ip_address("10.0.0.1")) is None


def test_an_operators_gateway_is_allowed_by_its_host() -> None:
    targets = PRODUCTION.allowing("http://sms-gateway.internal:8080/send")
    assert targets.refuse_url("http://sms-gateway.internal:8080/send") is None
    assert targets.refuse_url("http://other.internal/") == "other.internal names a local host"


def test_a_network_that_is_not_one_is_named() -> None:
    with pytest.raises(ValueError, match=re.escape("not a network: '10.0.0.300/8'")):
        OutboundTargets.parse(allow_private=False, networks="10.0.0.0/8,10.0.0.300/8")
