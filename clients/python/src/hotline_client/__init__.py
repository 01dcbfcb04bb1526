"""A Python client for the city hotline intake API (v1), for the platforms that send it tickets."""

from hotline_client.client import AsyncHotlineClient, HotlineClient, Retries
from hotline_client.errors import HotlineError, ProblemError, Unreachable
from hotline_client.models import (
    CallbackSecret,
    Case,
    Event,
    FieldProblem,
    NotificationSummary,
    Problem,
    Rating,
    Receipt,
    Ticket,
    TicketCaller,
    TicketLocation,
    TicketView,
)
from hotline_client.signatures import verify_signature

__all__ = [
    "AsyncHotlineClient",
    "CallbackSecret",
    "Case",
    "Event",
    "FieldProblem",
    "HotlineClient",
    "HotlineError",
    "NotificationSummary",
    "Problem",
    "ProblemError",
    "Rating",
    "Receipt",
    "Retries",
    "Ticket",
    "TicketCaller",
    "TicketLocation",
    "TicketView",
    "Unreachable",
    "verify_signature",
]
