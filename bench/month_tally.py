"""What the simulated month's workflows did, read from their final views and published events, checked against the
plan, and shown as a table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from bench.interpreters import describe
from bench.month_plan import RATING_MIX, MonthPlan
from services.contracts.case_view import CaseView, ExtensionStatus
from services.contracts.events import Audience, EventKind, NotificationEvent
from services.workflows.calendar.working_calendar import CHINA_TZ

LEVELS = (1, 2, 3)


def tally(plan: MonthPlan, views: Mapping[str, CaseView | None], events: Sequence[NotificationEvent]) -> dict[str, Any]:
    """Counts from the workflows themselves, and every case checked against what its script should have caused."""
    finished = [view for view in views.values() if view is not None]
    unique = {event.event_id: event for event in events}
    published = Counter(event.kind.value for event in unique.values())
    breach_events = Counter(
        event.deadline_kind
        for event in unique.values()
        if event.kind is EventKind.DEADLINE_BREACHED and event.audience in (Audience.UNIT, Audience.COORDINATION)
    )
    joint_breach_events = sum(
        1
        for event in unique.values()
        if event.kind is EventKind.JOINT_TASK_BREACHED
        and event.audience is Audience.UNIT
        and event.unit != event.handling_unit
    )
    breaches = Counter(breach.kind.value for view in finished for breach in view.breaches)
    # How long after its deadline each breach was handled (server time): a loaded worker handles a burst of
    # 23:59:59 deadlines late, and one handled after midnight dates its chase-up and ladder step a day later.
    lags = sorted((b.at - b.due).total_seconds() for view in finished for b in view.breaches)
    after_midnight = sum(
        b.at.astimezone(CHINA_TZ).date() != b.due.astimezone(CHINA_TZ).date() for v in finished for b in v.breaches
    )
    scheduled = Counter(kind.value for case in plan.cases for kind in case.expected_breaches)
    tasks = [task for view in finished for phase in view.joint_phases for task in phase.tasks]
    return {
        "final_status": dict(Counter(view.status.value for view in finished)) | _unfinished(views),
        "closed_reason": dict(Counter(view.closed_reason or "-" for view in finished)),
        "breaches": {
            "by_kind": dict(breaches),
            "scheduled_by_kind": dict(scheduled),
            "published_by_kind": dict(breach_events),
            "cases_breached": sum(bool(view.breaches) for view in finished),
            "cases_scheduled_to_breach": sum(bool(case.expected_breaches) for case in plan.cases),
            "joint_tasks_overdue": sum(task.overdue for task in tasks),
            "joint_task_breach_events": joint_breach_events,
            "handling_lag_seconds": _spread(lags),
            "handled_after_midnight": after_midnight,
        },
        "escalation": {
            "cases_reaching_level": {
                str(level): sum(v.escalation_level >= level for v in finished) for level in LEVELS
            },
            "top_level_coordinations": sum(
                any(e.action == "top_level_coordination" for e in view.timeline) for view in finished
            ),
            "chase_ups": published.get(EventKind.CHASE_UP.value, 0),
            "escalated_events": published.get(EventKind.ESCALATED.value, 0),
        },
        "reminders": published.get(EventKind.REMINDER.value, 0),
        "transfers": sum(len(view.transfers) for view in finished),
        "joint_phases": sum(len(view.joint_phases) for view in finished),
        "joint_tasks": len(tasks),
        "reworks": sum(view.reworks for view in finished),
        "extensions_approved": sum(e.status is ExtensionStatus.APPROVED for view in finished for e in view.extensions),
        "provisional_deadline_cases": sum(any(t.provisional for t in view.tracked_deadlines) for view in finished),
        "events": {
            "published": sum(published.values()),
            # An activity timed out by a time skip and retried publishes its event again (same event id).
            "deliveries_repeated": len(events) - len(unique),
        },
        "accounting": check(plan, views),
    }


def check(plan: MonthPlan, views: Mapping[str, CaseView | None]) -> dict[str, Any]:
    """Every case: closed as its caller's script says, with exactly the breaches and ladder level its units earned."""
    mismatches: list[dict[str, Any]] = []
    for case in plan.cases:
        view = views.get(case.case.case_id)
        evidence: dict[str, Any] = {}
        got: dict[str, Any] = (
            {"status": "not finished"}
            if view is None
            else {
                "status": view.status.value,
                "closed_reason": view.closed_reason,
                "breaches": sorted(b.kind.value for b in view.breaches),
                "level": view.escalation_level,
                "overdue_joint_tasks": sum(t.overdue for p in view.joint_phases for t in p.tasks),
            }
        )
        if view is not None:
            # Not compared: shown with a mismatch, to tell when each breach was handled and chased.
            evidence = {
                "breaches_due_and_handled": [
                    (b.kind.value, b.due.isoformat(), b.at.isoformat()) for b in view.breaches
                ],
                "chase_ups": [t.chase_up_at.isoformat() for t in view.tracked_deadlines if t.chase_up_at],
            }
        wanted = {
            "status": "closed",
            "closed_reason": case.expected_closed_reason,
            "breaches": sorted(kind.value for kind in case.expected_breaches),
            "level": case.expected_level,
            "overdue_joint_tasks": case.expected_overdue_joint_tasks,
        }
        wrong = {
            key: {"expected": value, "got": got.get(key)} for key, value in wanted.items() if got.get(key) != value
        }
        if wrong:
            mismatches.append({"case_id": case.case.case_id, "profile": case.profile.value, **wrong, **evidence})
    return {
        "cases": len(plan.cases),
        "accounted_for": sum(1 for case in plan.cases if case.case.case_id in views),
        "as_scripted": len(plan.cases) - len(mismatches),
        "mismatches": len(mismatches),
        "examples": mismatches[:10],
    }


def mix_drawn(plan: MonthPlan) -> dict[str, Any]:
    """The intended shares and the counts actually drawn."""
    return {
        "profiles_intended": {p.value: share for p, share in plan.mix.items()},
        "ratings_intended": {r.value: share for r, share in RATING_MIX.items()},
        **plan.driven(),
    }


def _spread(values: Sequence[float]) -> dict[str, float]:
    """p50, p99 and max of sorted values (0 when there are none)."""
    if not values:
        return {"p50": 0.0, "p99": 0.0, "max": 0.0}
    return {
        "p50": round(values[len(values) // 2], 1),
        "p99": round(values[min(len(values) - 1, int(len(values) * 0.99))], 1),
        "max": round(values[-1], 1),
    }


def _unfinished(views: Mapping[str, CaseView | None]) -> dict[str, int]:
    missing = sum(view is None for view in views.values())
    return {"not finished": missing} if missing else {}


def table(result: Mapping[str, Any]) -> str:
    """A readable summary of one run's result."""
    breaches, escalation = result["breaches"], result["escalation"]
    accounting = result["accounting"]
    driven = result["mix"]["profiles"]
    intended = result["mix"]["profiles_intended"]
    rows = [
        ("cases", f"{result['cases']} (seed {result['seed']})"),
        ("wall time", f"{result['wall_seconds']:.1f} s ({result['cases_per_wall_second']:.1f} cases/s)"),
        (
            "shards",
            f"{result['shards']}, {result['parallel']} at a time on {result['cores']} cores, cases"
            f" {result['shard_cases']}, each driven in {result['shard_seconds']} s",
        ),
        ("  start to end", f"{result['shard_lane_seconds']} s (with the process's start and wrap-up)"),
        ("simulated span", f"{result['simulated_span_days']:.1f} days from {result['month_start']}"),
        (
            "updates sent",
            f"{result['updates_sent']} ({result['updates_refused']} refused, {result['updates_stranded']} stranded)",
        ),
        ("cpu seconds", ", ".join(f"{k} {v}" for k, v in result["cpu_seconds"].items())),
        ("cpu ms per case", ", ".join(f"{k} {v}" for k, v in result["cpu_ms_per_case"].items())),
        ("workflow tasks per case", _history(result["histories"])),
        (
            "resident memory",
            f"{result['rss_mib']} MiB at most at once ({result['parallel']} at a time; the largest shard, its worker, "
            f"cache and driver: {max(result['shard_rss_mib'], default=0)} MiB)",
        ),
        ("load average", f"{result['load_average_before']} → {result['load_average_after']}"),
        ("host yardstick", _yardstick(result["host_yardstick_seconds"])),
        ("interpreter", describe(result["interpreter"])),
        ("mix (drawn / intended)", ", ".join(f"{p} {driven[p]}/{intended[p]:.0%}" for p in intended)),
        ("breaches by kind", _pairs(breaches["by_kind"])),
        ("  scheduled to miss", _pairs(breaches["scheduled_by_kind"])),
        ("  breach events", _pairs(breaches["published_by_kind"])),
        ("cases breached", f"{breaches['cases_breached']} (scheduled {breaches['cases_scheduled_to_breach']})"),
        ("  handled after due (s)", _pairs(breaches["handling_lag_seconds"])),
        ("  handled after midnight", str(breaches["handled_after_midnight"])),
        ("joint tasks overdue", f"{breaches['joint_tasks_overdue']} ({breaches['joint_task_breach_events']} events)"),
        ("cases reaching level", _pairs(escalation["cases_reaching_level"])),
        ("top-level coordinations", str(escalation["top_level_coordinations"])),
        ("chase-ups / reminders", f"{escalation['chase_ups']} / {result['reminders']}"),
        ("transfers", str(result["transfers"])),
        ("joint phases / tasks", f"{result['joint_phases']} / {result['joint_tasks']}"),
        ("reworks / extensions", f"{result['reworks']} / {result['extensions_approved']}"),
        ("final status", _pairs(result["final_status"])),
        ("closed because", _pairs(result["closed_reason"])),
        ("provisional deadlines", f"{result['provisional_deadline_cases']} cases (a year with no holiday schedule)"),
        ("as scripted", f"{accounting['as_scripted']}/{accounting['cases']} ({accounting['mismatches']} mismatches)"),
    ]
    width = max(len(name) for name, _ in rows)
    return "\n".join(f"  {name:<{width}}  {value}" for name, value in rows)


def _yardstick(seconds: Mapping[str, float]) -> str:
    return f"{seconds['before']} s before, {seconds['after']} s after (bench/host_speed.py; lower: a faster host)"


def _history(sample: Mapping[str, Any]) -> str:
    return (
        f"{sample['workflow_tasks_per_case']} ({sample['history_events_per_case']} history events;"
        f" {sample['workflow_tasks_failed_or_timed_out']} failed or timed out; sample of {sample['cases']} cases)"
    )


def _pairs(counts: Mapping[str, Any]) -> str:
    return ", ".join(f"{key} {value}" for key, value in sorted(counts.items())) or "none"
