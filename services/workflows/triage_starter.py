"""Starts one `TriageCase` per case sent to triage; a redelivered message finds it already started."""

from __future__ import annotations

from typing import Any

import structlog
from nats.aio.msg import Msg
from prometheus_client import Counter
from temporalio.client import Client
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
)

from services.contracts import search_attributes as sa
from services.contracts.case_ids import triage_workflow_id
from services.contracts.cases import CaseStatus, RoutedCase
from services.engines.pull_consumer import DEFAULT_RETRY, Outcome, RetryPolicy
from services.workflows.triage_case import TriageCase
from services.workflows.workflow_start import start_once

log = structlog.get_logger(__name__)

STARTS = Counter(
    "hotline_triage_workflow_starts_total",
    "Cases sent to triage handled by the triage starter, by result (started, duplicate).",
    ["result"],
)


class TriageStarter:
    """Handler for the `triage-starter` consumer on `cases.triage`."""

    def __init__(self, client: Client, *, retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self._client = client
        self._retry = retry

    async def handle(self, msg: Msg) -> Outcome:
        # An unreadable payload raises ValidationError: the consumer loop terminates the message.
        routed = RoutedCase.model_validate_json(msg.data)
        workflow_id = triage_workflow_id(routed.case_id)
        bound = log.bind(case_id=routed.case_id, workflow_id=workflow_id)
        return await start_once(
            self._client,
            TriageCase.run,
            routed,
            workflow_id=workflow_id,
            search_attributes=_initial_search_attributes(routed),
            msg=msg,
            retry=self._retry,
            starts=STARTS,
            log=bound,
        )


def _initial_search_attributes(routed: RoutedCase) -> TypedSearchAttributes:
    """`CaseStatus = 'triage'` lists the cases waiting for the coordination centre."""
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.CASE_ID, routed.case_id),
        SearchAttributePair(sa.CASE_STATUS, CaseStatus.TRIAGE.value),
        SearchAttributePair(sa.CHANNEL, routed.ticket.channel.value),
        SearchAttributePair(sa.OVERDUE, False),
    ]
    township = routed.routing.township or routed.ticket.township
    if township:
        pairs.append(SearchAttributePair(sa.TOWNSHIP, township))
    return TypedSearchAttributes(pairs)
