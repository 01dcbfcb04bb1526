"""Stretches of a run on the monotonic clock: steady load, or one component's kills, outages and recovery."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

from chaos.deadline_probes import DeadlineProbe
from chaos.load import Submission


@dataclass(frozen=True)
class Outage:
    """From the kill to the restart command; `serving_at` when the restarted component answered its health check."""

    killed_at: float
    restarted_at: float
    serving_at: float
    killed_utc: datetime
    restarted_utc: datetime

    def holds(self, moment: float) -> bool:
        return self.killed_at <= moment < self.restarted_at

    @property
    def restart_seconds(self) -> float:
        return self.serving_at - self.restarted_at


@dataclass
class Phase:
    """A ticket belongs to the phase in which it was first sent; recovery runs from the last restart."""

    component: str
    started_at: float
    ended_at: float = math.inf
    outages: list[Outage] = field(default_factory=list)
    recovered_at: float | None = None
    probes: list[DeadlineProbe] = field(default_factory=list)
    # Where the case event log ended once the component served again, and when the records had applied that much.
    log_end_at_restart: int | None = None
    records_caught_up_at: float | None = None

    @property
    def kills(self) -> int:
        return len(self.outages)

    def holds(self, submission: Submission) -> bool:
        return self.started_at <= submission.first_sent_at < self.ended_at

    def in_outage(self, submission: Submission) -> bool:
        return any(outage.holds(submission.first_sent_at) for outage in self.outages)

    def sent_before_last_restart(self, submission: Submission) -> bool:
        if not self.outages:
            return False
        return self.holds(submission) and submission.first_sent_at < self.outages[-1].restarted_at

    @property
    def restart_seconds(self) -> float | None:
        """The slowest restart of the phase, from the command until the component served."""
        return max((outage.restart_seconds for outage in self.outages), default=None)

    @property
    def recovery_seconds(self) -> float | None:
        if not self.outages or self.recovered_at is None:
            return None
        return self.recovered_at - self.outages[-1].restarted_at

    @property
    def catch_up_seconds(self) -> float | None:
        """From the last restart until the records had applied every event logged by the time it served."""
        if not self.outages or self.records_caught_up_at is None:
            return None
        return max(0.0, self.records_caught_up_at - self.outages[-1].restarted_at)

    @property
    def probed_outage(self) -> tuple[datetime, datetime] | None:
        """The first outage, which the deadline probes are due in."""
        first = self.outages[0] if self.outages else None
        return (first.killed_utc, first.restarted_utc) if first else None
