"""The production topology on loopback: a three-node NATS cluster (every stream and bucket at three replicas) and two
replicas of intake, router, workflows worker, notifier and records, under load. One NATS server, one replica of
intake (behind the balancer), of the router (a JetStream pull consumer, as the notifier and the records are) and of
the workflows worker (a Temporal poller), then the server leading the tickets' stream are killed with `kill -9` in
turn (`make chaos --cluster` kills a replica of the notifier and of the records too): nothing is lost or duplicated,
and every notification reaches its receiver."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import nats
import pytest
import pytest_asyncio

from chaos.components import CLUSTER_COMPONENT_NAMES
from chaos.deadline_probes import write_short_deadline_policy
from chaos.suite import SuitePlan
from services.contracts.subjects import BUCKETS, OBJECT_STORES, STREAMS
from tests.support.engines import NatsCluster, nats_servers
from tests.support.fault_runs import run_fault_suite
from tests.support.system import RunningSystem

pytestmark = pytest.mark.integration

# One replica of each way a service shares work; the notifier's and the records' replicas share it as the router's
# do (a durable pull consumer), and `make chaos --cluster` kills them too. Two phases fewer keep the suite short.
KILLED = ("nats-node", "intake-2", "router-2", "workflows-2", "nats-leader")
assert set(KILLED) <= set(CLUSTER_COMPONENT_NAMES)
DEADLINE_HOURS = 0.003  # 10.8 s: a probe sent just before a kill falls due while the part is down


@pytest_asyncio.fixture(scope="module")
async def cluster(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[RunningSystem]:
    workdir: Path = tmp_path_factory.mktemp("cluster")
    policy = write_short_deadline_policy(workdir / "policy.json", hours=DEADLINE_HOURS)
    running = await RunningSystem.start(
        workdir,
        extra_env={"HOTLINE_WORKFLOWS_POLICY_FILE": str(policy)},
        with_records=True,
        nats_nodes=3,
        replicas=2,
    )
    try:
        yield running
    finally:
        running.stop()


async def test_every_stream_bucket_and_object_store_has_three_replicas(cluster: RunningSystem) -> None:
    assert isinstance(cluster.nats, NatsCluster)
    nc = await nats.connect(nats_servers(cluster.nats.url))
    try:
        js = nc.jetstream()
        names = [s.name for s in STREAMS] + [f"KV_{b.name}" for b in BUCKETS] + [f"OBJ_{o.name}" for o in OBJECT_STORES]
        replicas = {name: (await js.stream_info(name)).config.num_replicas for name in names}
    finally:
        await nc.close()
    assert replicas == dict.fromkeys(names, 3)


async def test_killing_a_nats_server_a_replica_of_each_service_and_a_stream_leader_loses_nothing(
    cluster: RunningSystem,
) -> None:
    plan = SuitePlan(
        components=KILLED,
        warmup_seconds=3.0,
        outage_seconds=4.0,
        second_kills=0,
        recovery_timeout_seconds=90.0,
        drain_timeout_seconds=90.0,
    )
    _suite, result = await run_fault_suite(cluster, plan)

    assert result.failures() == []
    for phase in result.phases[1:]:
        assert phase.kills == 1 and phase.recovered, phase.component
        assert (phase.tally.lost, phase.tally.duplicated, phase.tally.never_accepted) == (0, 0, 0), phase.component
        assert all(probe.due_in_outage and probe.fired_once for probe in phase.probes), phase.component
    # While one replica of a service was down the other served: the API refused no ticket. (A NATS server's death
    # may cost a 503 while an intake reconnects or the stream elects a leader; those tickets went in when resent.)
    replica_phases = [
        phase for phase in result.phases if phase.component.startswith("one ") and "NATS" not in phase.component
    ]
    assert len(replica_phases) == 3
    assert [phase.tally.unavailable for phase in replica_phases] == [0] * 3
    assert result.backlog == {"router": 0, "case-starter": 0, "notifier": 0, "records": 0}
