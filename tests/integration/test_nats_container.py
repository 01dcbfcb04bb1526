"""The testcontainers path: the same JetStream declarations and intake on a NATS container, where Docker runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from services.contracts.subjects import CASE_INDEX_BUCKET
from services.contracts.tickets import Ticket
from services.engines.jetstream import declare_buckets, declare_streams, key_value
from services.engines.records_db.connection import open_records
from services.intake.case_records import CaseRecords
from services.intake.ticket_intake import TicketIntake
from tests.support.tickets import ticket_body


def docker_reachable() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:
        return False
    return True


pytestmark = pytest.mark.skipif(not docker_reachable(), reason="no Docker engine reachable: binaries are used instead")


@pytest.fixture(scope="module")
def nats_container_url() -> Iterator[str]:
    from testcontainers.community.nats import NatsContainer

    with NatsContainer(jetstream=True) as container:
        yield container.nats_uri()


async def test_intake_is_idempotent_on_a_nats_container(nats_container_url: str) -> None:
    import nats

    nc = await nats.connect(nats_container_url)
    try:
        js = nc.jetstream()
        await declare_streams(js)
        await declare_buckets(js)
        # No database beside the container: a fresh ticket is taken all the same (docs/case-records.md).
        records = CaseRecords(open_records("postgresql+asyncpg://postgres@/postgres?host=/nonexistent"))
        intake = TicketIntake(
            js=js,
            case_index=await key_value(js, CASE_INDEX_BUCKET),
            records=records,
            key_lifetime=timedelta(days=30),
            publish_timeout=5,
            records_timeout=1,
        )
        ticket = Ticket.model_validate(ticket_body())
        first, created = await intake.submit(ticket)
        again, created_again = await intake.submit(ticket)
        assert created and not created_again
        assert first == again
        await records.engine.dispose()
    finally:
        await nc.close()
