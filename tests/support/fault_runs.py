"""The fault suite run as the tests run it: a webhook receiver for the deliveries, a client, a run id of its own."""

from __future__ import annotations

import uuid

from chaos.suite import FaultSuite, SuitePlan, SuiteResult
from tests.support.receiver import WebhookReceiver
from tests.support.system import RunningSystem


async def run_fault_suite(system: RunningSystem, plan: SuitePlan) -> tuple[FaultSuite, SuiteResult]:
    """Run `plan` on the system, its webhooks delivered to a receiver of its own (stopped after); the suite (its
    submissions) and its result."""
    receiver = WebhookReceiver()
    await receiver.start()
    try:
        async with system.client() as api:
            suite = FaultSuite(system, api, receiver, plan, run=uuid.uuid4().hex[:8])
            return suite, await suite.run()
    finally:
        await receiver.stop()
