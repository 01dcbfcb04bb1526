"""nats-py's errors when JetStream does not take, acknowledge or answer a request: the bus is passing through a
failure (a server gone, a leader being elected, a connection being re-made). Retried a moment by ticket intake,
then answered 503 by the error handlers."""

from __future__ import annotations

import nats.errors
import nats.js.errors

NATS_UNAVAILABLE: tuple[type[Exception], ...] = (
    nats.errors.TimeoutError,
    nats.errors.NoRespondersError,
    nats.errors.ConnectionClosedError,
    nats.errors.OutboundBufferLimitError,
    nats.js.errors.ServiceUnavailableError,
    nats.js.errors.NoStreamResponseError,
)
