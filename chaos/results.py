"""The suite's results per phase (a steady stretch, or one component's outage) and the targets they must meet.

Targets: no ticket answered 202 lost, no duplicate case, workflow start or `case_assigned` event id, every
ticket accepted in the end, every outage recovered, every probed deadline due inside its outage and fired
exactly once, and no message left unfinished on the pipeline's consumers. Where the system runs the case records:
every case recorded once with every event of its log once and in order, and the records caught up after each outage.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from chaos.deadline_probes import ProbeVerdict
from chaos.reconcile import Tally
from chaos.records_reconcile import RecordTally


@dataclass(frozen=True)
class PhaseResult:
    component: str
    kills: int
    tally: Tally
    tickets_in_outage: int = 0
    down_seconds: list[float] = field(default_factory=list)
    # Informational, not a target: tickets answered only 503 ("nothing recorded") before being accepted, whose case
    # was received by one of the refused attempts. Harmless when the platform retries with the same external id.
    refused_yet_recorded: int = 0
    restart_seconds: float | None = None
    accepted_seconds: float | None = None
    recovery_seconds: float | None = None
    recovered: bool = True
    probes: list[ProbeVerdict] = field(default_factory=list)
    # The case records of the phase's tickets (None: the system runs no records), and from the last restart until
    # the records had applied the log as it stood when the component served again.
    records: RecordTally | None = None
    catch_up_seconds: float | None = None
    caught_up: bool = True

    @property
    def deadlines_fired(self) -> int:
        return sum(1 for probe in self.probes if probe.fired_once)

    def failures(self) -> list[str]:
        """What this phase missed, each as a sentence (empty: every target met)."""
        tally, name = self.tally, self.component
        missed = []
        if tally.lost:
            missed.append(f"{name}: {tally.lost} tickets answered 202 lost (no case, or its unit never told)")
        if tally.duplicate_cases:
            missed.append(f"{name}: {tally.duplicate_cases} duplicate cases")
        if tally.duplicate_starts:
            missed.append(f"{name}: {tally.duplicate_starts} duplicate workflow starts")
        if tally.duplicate_events:
            missed.append(f"{name}: {tally.duplicate_events} extra case_assigned event ids")
        if tally.never_accepted:
            missed.append(f"{name}: {tally.never_accepted} tickets never accepted")
        if not self.recovered:
            missed.append(f"{name}: did not recover within the time allowed")
        if self.records is not None:
            missed.extend(self.records.failures(name))
        if not self.caught_up:
            missed.append(f"{name}: the case records did not catch up with the event log within the time allowed")
        for probe in self.probes:
            if not probe.due_in_outage:
                missed.append(f"{name}: deadline probe {probe.case_id} was not due inside the outage ({probe.due})")
            if not probe.fired_once:
                missed.append(
                    f"{name}: deadline of {probe.case_id} did not fire exactly once (breaches {probe.breaches}, "
                    f"timeline {probe.timeline_entries}, events {probe.events_per_audience})"
                )
        return missed


@dataclass(frozen=True)
class SuiteResult:
    phases: list[PhaseResult]
    total: Tally
    backlog: dict[str, int]
    orphan_cases: list[str]
    wall_seconds: float
    records: RecordTally | None = None

    def failures(self) -> list[str]:
        missed = [failure for phase in self.phases for failure in phase.failures()]
        unfinished = {name: count for name, count in self.backlog.items() if count}
        if unfinished:
            missed.append(f"messages left unfinished once everything was back: {unfinished}")
        if self.orphan_cases:
            missed.append(f"{len(self.orphan_cases)} cases no ticket was answered for: {self.orphan_cases[:5]}")
        return missed

    @property
    def targets_met(self) -> bool:
        return not self.failures()
