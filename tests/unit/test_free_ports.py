"""Free ports for the engines and receivers tests start: never from the kernel's ephemeral range, never twice."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import engines
from tests.support.engines import IANA_EPHEMERAL_RANGE, ephemeral_range, free_port, pickable_ports


@pytest.fixture
def listening() -> Iterator[int]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield int(sock.getsockname()[1])


def test_the_ephemeral_range_is_read_from_the_kernel_file(tmp_path: Path) -> None:
    source = tmp_path / "ip_local_port_range"
    source.write_text("32768\t60999\n")

    assert ephemeral_range(source) == (32768, 60999)


@pytest.mark.parametrize("content", [None, "", "32768", "low high"])
def test_without_a_readable_range_the_iana_dynamic_range_is_assumed(tmp_path: Path, content: str | None) -> None:
    source = tmp_path / "ip_local_port_range"
    if content is not None:
        source.write_text(content)

    assert ephemeral_range(source) == IANA_EPHEMERAL_RANGE


def test_picked_ports_lie_outside_the_ephemeral_range_and_above_the_registered_servers() -> None:
    pool = pickable_ports((32768, 60999))

    assert min(pool) == engines.LOWEST_PICKED_PORT
    assert 32767 in pool and 61000 in pool and 65535 in pool
    assert not [port for port in pool if 32768 <= port <= 60999]


def test_a_free_port_is_outside_the_ephemeral_range_bindable_and_never_handed_out_twice() -> None:
    low, high = ephemeral_range()
    ports = [free_port() for _ in range(100)]

    assert len(set(ports)) == len(ports)
    assert not [port for port in ports if low <= port <= high]
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", ports[-1]))


def test_a_port_something_listens_on_is_not_picked(listening: int, monkeypatch: pytest.MonkeyPatch) -> None:
    # The only pickable port is the busy one, so the kernel's pick is what comes back.
    monkeypatch.setattr(engines, "LOWEST_PICKED_PORT", listening)

    port = free_port(ephemeral=(listening + 1, 65535))

    assert port != listening


def test_when_the_ephemeral_range_covers_every_port_the_kernel_picks() -> None:
    low, high = ephemeral_range()

    port = free_port(ephemeral=(1024, 65535))

    assert low <= port <= high
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
