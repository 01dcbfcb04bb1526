"""Reading Open311 service requests: one by its id, several by their ids, or a search by the spec's filters, each as
the spec shows it (the case's view or summary, the ticket's words and place from the records, a link to its photo).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from services.contracts.cases import CaseStatus
from services.contracts.credentials import Principal
from services.intake.authorization import require_reader
from services.intake.case_search import CaseSearch, find_cases, visible_to
from services.intake.dependencies import IntakeServices
from services.intake.errors import ApiError
from services.intake.open311_filters import instant, search_window, statuses_for
from services.intake.open311_mapping import Open311InputError, RequestFacts, service_request
from services.intake.open311_media import media_link
from services.intake.open311_reads import TicketFacts, ticket_facts

# The most requests one `GET requests` answers (the spec lets a server cap it; ours is a search's page).
MAX_REQUESTS = 200


async def one_request(services_: IntakeServices, caller: Principal, case_id: str, *, base_url: str) -> dict[str, Any]:
    view = await services_.cases.view(case_id)
    require_reader(caller, view)
    facts = RequestFacts.of_view(view)
    recorded = await ticket_facts(services_.records, services_.keyring, [case_id])
    media_url = media_link(services_, caller, facts, base_url=base_url)
    return service_request(with_ticket(facts, recorded.get(case_id)), services_.catalog, media_url=media_url)


async def maybe_request(
    services_: IntakeServices, caller: Principal, case_id: str, *, base_url: str
) -> dict[str, Any] | None:
    """One of a list of ids: an id the caller may not read is left out, as an unknown one is."""
    try:
        return await one_request(services_, caller, case_id, base_url=base_url)
    except ApiError as exc:
        if exc.status_code in (403, 404):
            return None
        raise


async def search(services_: IntakeServices, caller: Principal, params: Any, *, base_url: str) -> list[dict[str, Any]]:
    code = params.get("service_code") or None
    if code is not None and services_.catalog.item(code) is None:
        raise Open311InputError("service_code", f"no service {code!r} (see services.json)")
    start, end = search_window(
        instant("start_date", params.get("start_date")),
        instant("end_date", params.get("end_date")),
        now=datetime.now(UTC),
    )
    search = CaseSearch(
        status=statuses_for(params.get("status")),
        item=code,
        received_from=start,
        received_to=end,
        limit=MAX_REQUESTS,
    )
    scope = visible_to(caller)  # an Open311 client: its own requests (services/contracts/tickets.py)
    async with services_.records.reading() as connection:
        page = await find_cases(connection, search, scope=scope, keyring=services_.keyring, by_words=False)
    recorded = await ticket_facts(services_.records, services_.keyring, [case.case_id for case in page.items])
    answers = []
    for summary in page.items:
        facts = RequestFacts(
            case_id=summary.case_id,
            status=CaseStatus(summary.status),
            catalog_item=summary.catalog_item,
            handling_unit=summary.handling_unit,
            received_at=summary.received_at,
            updated_at=summary.closed_at or summary.received_at,
            resolution_deadline=summary.resolution_deadline,
        )
        facts = with_ticket(facts, recorded.get(summary.case_id))
        media_url = media_link(services_, caller, facts, base_url=base_url)
        answers.append(service_request(facts, services_.catalog, media_url=media_url))
    return answers


def with_ticket(facts: RequestFacts, recorded: TicketFacts | None) -> RequestFacts:
    """The request with what the records add: the ticket's words and place, and the case's last change."""
    if recorded is None:
        return facts
    return replace(
        facts,
        description=recorded.description,
        address=recorded.address,
        latitude=recorded.latitude,
        longitude=recorded.longitude,
        updated_at=max(filter(None, (facts.updated_at, recorded.updated_at)), default=None),
        media_attachment_id=facts.media_attachment_id or recorded.media_attachment_id,
    )
