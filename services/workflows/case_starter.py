"""Starts one `FirstContactCase` per routed case; a redelivered message finds it already started."""

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
from services.contracts.case_ids import workflow_id_for
from services.contracts.cases import CaseStatus, RoutedCase
from services.engines.pull_consumer import DEFAULT_RETRY, Outcome, RetryPolicy
from services.workflows.first_contact_case import FirstContactCase
from services.workflows.workflow_start import start_once

log = structlog.get_logger(__name__)

STARTS = Counter(
    "hotline_case_workflow_starts_total",
    "Routed cases handled by the case starter, by result (started, duplicate).",
    ["result"],
)


class CaseStarter:
    """Handler for the `case-starter` consumer on `cases.routed.>`."""

    def __init__(self, client: Client, *, retry: RetryPolicy = DEFAULT_RETRY) -> None:
        self._client = client
        self._retry = retry

    async def handle(self, msg: Msg) -> Outcome:
        # An unreadable payload raises ValidationError: the consumer loop terminates the message.
        routed = RoutedCase.model_validate_json(msg.data)
        if routed.routing.unit is None:
            return Outcome.give_up(f"routed case {routed.case_id} names no unit")
        bound = log.bind(case_id=routed.case_id, unit=routed.routing.unit)
        return await start_once(
            self._client,
            FirstContactCase.run,
            routed,
            workflow_id=workflow_id_for(routed.case_id),
            search_attributes=initial_search_attributes(routed),
            msg=msg,
            retry=self._retry,
            starts=STARTS,
            log=bound,
        )


def initial_search_attributes(routed: RoutedCase) -> TypedSearchAttributes:
    """Visible in the Web UI from the first moment, before the workflow's first task runs."""
    unit = routed.routing.unit
    assert unit is not None
    pairs: list[SearchAttributePair[Any]] = [
        SearchAttributePair(sa.CASE_ID, routed.case_id),
        SearchAttributePair(sa.CASE_STATUS, CaseStatus.ASSIGNED.value),
        SearchAttributePair(sa.CHANNEL, routed.ticket.channel.value),
        SearchAttributePair(sa.FIRST_CONTACT_UNIT, unit),
        SearchAttributePair(sa.HANDLING_UNIT, unit),
        SearchAttributePair(sa.ESCALATION_LEVEL, 0),
        SearchAttributePair(sa.OVERDUE, False),
    ]
    township = routed.routing.township or routed.ticket.township
    if township:
        pairs.append(SearchAttributePair(sa.TOWNSHIP, township))
    if routed.routing.item:
        pairs.append(SearchAttributePair(sa.CATALOG_ITEM, routed.routing.item))
    return TypedSearchAttributes(pairs)
