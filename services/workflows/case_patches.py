"""Which code path a case takes where the workflow changed under cases still open: the patch ids, and the decision.

A patch id is asked with `workflow.patched`: a case that recorded the id's marker (or starts now) takes the new path,
an older one replays the path it took. Runs only inside `FirstContactCase`.
"""

from __future__ import annotations

from temporalio import workflow

# The policy and deadline arithmetic (pure computation on data every worker holds: the policy, the official
# calendar) and the publishing of events (one JetStream publish, de-duplicated by the event id) run as local
# activities: recorded as markers in the history, with no round trip through the server's task queues for each.
# A case reaches its unit in one workflow task instead of seven. A local activity repeated after a worker crash
# publishes the same event id again, which JetStream and the notifier drop, as they did for a retried activity.
# Cases started before this change replay with the activities they scheduled; the patch marker tells them apart.
LOCAL_ACTIVITIES_PATCH = "local-activities"

# A case refreshes its search attributes after every change, and used to upsert all eleven each time: an encoded
# command in the history and a visibility write on the server, mostly of values that had not changed (the simulated
# month: a sixth of the workflow code's CPU). Only changed values are upserted now; cases started before replay as
# they were recorded.
CHANGED_SEARCH_ATTRIBUTES_PATCH = "changed-search-attributes"

# Deadlines started together (a case's first four, a transfer's) used to be counted by one local activity each:
# a marker in the history and a workflow activation apiece. They are counted by one now; cases started before
# replay the activities they recorded. Decided once, before the case's first local activity (`decide_patches`):
# a query that arrives while local activities run makes the worker complete the workflow task early, and on replay
# a local activity's recorded result reaches the workflow before the patch markers of the next task are known, so a
# `patched` call after one could read "not patched" on replay where the run had read "patched".
BATCHED_DEADLINES_PATCH = "batched-deadlines"

# The chase-up (next working day) and the next ladder step count from the deadline that was missed, not from when
# the worker got round to it: a breach due at 23:59:59 handled a second late (a busy worker at the end-of-day
# burst, a worker restarting) must not give the unit an extra working day. Cases that handled a breach before this
# change replay counting from the handling time, as they did; the patch marker tells them apart.
ESCALATION_FROM_DUE_PATCH = "escalation-from-due"

# A new case resolved its policy and then counted its first deadlines under it: two local activities, each a marker
# in the history and an activation of the workflow, one after the other in the case's first workflow task. They
# are one now (`start_case`); cases started before replay the two they recorded.
POLICY_WITH_FIRST_DEADLINES_PATCH = "policy-with-first-deadlines"

# Each `patched` call that answers yes on a new case records a marker, and the SDK upserts `TemporalChangeVersion`
# with it (a visibility write on the server): for decisions every new case makes the same way, one marker stands
# for them all. Each consolidation names the patches it stands for; a new case records the newest, older cases
# replay the one they recorded, or ask each patch as they did before the first. A patch added after the newest is
# asked on its own until the next consolidation folds it in.
FIRST_CONSOLIDATED_PATCH = "case-engine-2026-12"
CONSOLIDATED_PATCH = "case-engine-2026-12b"
CONSOLIDATIONS: dict[str, frozenset[str]] = {  # newest first
    CONSOLIDATED_PATCH: frozenset(
        {
            LOCAL_ACTIVITIES_PATCH,
            CHANGED_SEARCH_ATTRIBUTES_PATCH,
            BATCHED_DEADLINES_PATCH,
            ESCALATION_FROM_DUE_PATCH,
            POLICY_WITH_FIRST_DEADLINES_PATCH,
        }
    ),
    FIRST_CONSOLIDATED_PATCH: frozenset(
        {LOCAL_ACTIVITIES_PATCH, CHANGED_SEARCH_ATTRIBUTES_PATCH, BATCHED_DEADLINES_PATCH, ESCALATION_FROM_DUE_PATCH}
    ),
}
CONSOLIDATED_PATCHES = CONSOLIDATIONS[CONSOLIDATED_PATCH]


# Asked in `decide`, before the case's first activity, and the answer kept (see BATCHED_DEADLINES_PATCH above): both
# choose what the first workflow task's local activities are.
DECIDED_AT_START = (BATCHED_DEADLINES_PATCH, POLICY_WITH_FIRST_DEADLINES_PATCH)


class CasePatches:
    """The case's answers: its consolidation and DECIDED_AT_START asked once at the start of `run` (before any
    activity); the others asked where they are used."""

    def __init__(self) -> None:
        self.consolidated: frozenset[str] = frozenset()  # the patches the case's consolidation marker stands for
        self._decided: dict[str, bool] = {}

    def decide(self) -> None:
        # A new case records the newest marker and asks no further; an older one finds the marker it recorded (or
        # none) as it replays, and `patched` records nothing while replaying.
        self.consolidated = next(
            (patches for patch_id, patches in CONSOLIDATIONS.items() if workflow.patched(patch_id)), frozenset()
        )
        self._decided = {patch_id: self._ask(patch_id) for patch_id in DECIDED_AT_START}

    def has(self, patch_id: str) -> bool:
        """Whether the case takes the path of this patch: always, for a case whose consolidation stands for it."""
        decided = self._decided.get(patch_id)
        return self._ask(patch_id) if decided is None else decided

    def _ask(self, patch_id: str) -> bool:
        if patch_id in self.consolidated:
            return True
        return workflow.patched(patch_id)
