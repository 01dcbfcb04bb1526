"""Deadline and escalation policy as versioned data; a case records the version it started under."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator


class Window(BaseModel):
    """A span of time: working days on the official calendar, or hours around the clock."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    working_days: int | None = Field(default=None, ge=1, le=365)
    hours: float | None = Field(default=None, gt=0, le=24 * 30)

    @model_validator(mode="after")
    def _exactly_one(self) -> Window:
        if (self.working_days is None) == (self.hours is None):
            raise ValueError("a window has exactly one of working_days and hours")
        return self

    def label(self) -> str:
        if self.working_days is not None:
            return f"{self.working_days} working days"
        return f"{self.hours:g} hours"


class WindowSet(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sign_for: Window
    transfer: Window
    feedback: Window
    resolution: Window


class WindowOverrides(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    sign_for: Window | None = None
    transfer: Window | None = None
    feedback: Window | None = None
    resolution: Window | None = None


class ItemPolicy(BaseModel):
    """Overrides for one catalog item, per urgency."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    normal: WindowOverrides = WindowOverrides()
    urgent: WindowOverrides = WindowOverrides()


class EscalationLevel(IntEnum):
    """The rungs of the escalation ladder the rules name (`escalation_level` in API v1); the policy file's ladder
    gives each its name and who is told."""

    UNIT = 0
    UNIT_LEADER = 1
    CITY_LEADER = 2  # reached by a request with a plan, or climbing
    TOP_LEVEL = 3  # top-level coordination (顶格调度)


class AfterPause(StrEnum):
    """What a deadline that stood still does when the case is back in its unit's hands (docs/case-lifecycle.md)."""

    RESUME = "resume"  # with the time it had left when it stopped
    RESTART = "restart"  # with its whole window again, from the hand-back


class LadderStep(BaseModel):
    """One rung of the escalation ladder and who is told when a case reaches it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    level: int = Field(ge=0)
    name: str
    notify: str = Field(description="'handling_unit', 'handling_unit_leader', or an actor code such as 'city-leader'.")
    also_notify: tuple[str, ...] = Field(
        default=(), description="Actor codes also told of the escalation, such as 'coordination-centre'."
    )


class DeadlinePolicy(BaseModel):
    """The whole policy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    normal: WindowSet
    urgent: WindowSet
    complex_resolution: Window
    items: dict[str, ItemPolicy] = Field(default_factory=dict)
    reminder_fraction: float = Field(default=0.75, gt=0, lt=1)
    remind_on_last_working_day: bool = True
    max_transfers: int = Field(default=2, ge=0)
    arbitration: Window
    after_arbitration: AfterPause = Field(
        default=AfterPause.RESUME,
        description="The feedback and resolution deadlines stand still while the case awaits arbitration; then this.",
    )
    chase_up_window: Window = Field(description="After a chase-up notice, time to act before the next escalation step.")
    escalation_ladder: list[LadderStep] = Field(min_length=2)
    automatic_escalation_max_level: int = Field(
        default=1,
        ge=0,
        description="How far missed deadlines climb the ladder by themselves; higher only by a decision (an "
        "escalation request), or for items the catalog marks major, which climb to the top.",
    )
    joint_task: Window
    triage: Window = Field(
        default=Window(working_days=1), description="For the coordination centre to decide a case sent to triage."
    )
    max_extension_working_days: int = Field(default=30, ge=1)
    max_reworks: int = Field(default=2, ge=0)
    rating_wait_days: int = Field(default=7, ge=1, description="Calendar days to wait for a rating.")
    unreasonable_demand_window: Window = Field(
        default=Window(working_days=3),
        description="After an unsatisfied rating, time for the coordination centre to judge the demand unreasonable.",
    )
    top_level_review_days: int = Field(default=7, ge=1)
    top_level_reviews_per_run: int = Field(
        default=26, ge=1, description="Weekly reviews before top-level coordination continues as new (bounded history)."
    )
    max_progress_reports: int = Field(
        default=100, ge=1, description="Interim reports a case takes in all: a case is not a chat (bounded history)."
    )
    max_joint_phases: int = Field(default=5, ge=1, description="Joint handling phases a case may open in all.")
    continue_as_new_after_events: int = Field(
        default=4000,
        ge=100,
        le=40_000,
        description="A case's workflow continues as new (its state carried over) past this many history events, "
        "or sooner when the server suggests it; Temporal's hard limit is 51,200.",
    )

    @model_validator(mode="after")
    def _ladder_in_order(self) -> DeadlinePolicy:
        if [step.level for step in self.escalation_ladder] != list(range(len(self.escalation_ladder))):
            raise ValueError("escalation_ladder: levels must be 0, 1, 2, ... in order")
        # The rules name the rungs (an escalation request goes to the city leader, level 2; level 3 starts top-level
        # coordination): a ladder of another height would load and then be misread.
        if len(self.escalation_ladder) != len(EscalationLevel):
            names = ", ".join(f"{level.value} {level.name.lower()}" for level in EscalationLevel)
            raise ValueError(f"escalation_ladder: must have the {len(EscalationLevel)} levels the rules name ({names})")
        if self.automatic_escalation_max_level > self.escalation_ladder[-1].level:
            raise ValueError("automatic_escalation_max_level: must not be above the ladder's top level")
        return self


class CasePolicy(BaseModel):
    """The policy as it applies to one case (its item, complexity and urgency); never changes under the case.

    Immutable all through (frozen models, a tuple for the ladder), hence hashable: see `shared_policy`.
    """

    model_config = ConfigDict(frozen=True)

    version: str
    urgency: str
    windows: WindowSet
    reminder_fraction: float
    remind_on_last_working_day: bool
    max_transfers: int
    arbitration: Window
    after_arbitration: AfterPause = AfterPause.RESUME  # the default for policies recorded before it existed
    chase_up_window: Window
    escalation_ladder: tuple[LadderStep, ...]
    # None: up to the top (a policy recorded before automatic climbing had an end).
    automatic_escalation_max_level: int | None = None
    joint_task: Window
    triage: Window = Window(working_days=1)
    max_extension_working_days: int
    max_reworks: int
    rating_wait_days: int
    unreasonable_demand_window: Window = Window(working_days=3)
    top_level_review_days: int
    top_level_reviews_per_run: int
    max_progress_reports: int = 100
    max_joint_phases: int = 5
    continue_as_new_after_events: int = 4000

    @property
    def top_level(self) -> int:
        return self.escalation_ladder[-1].level

    @property
    def automatic_top(self) -> int:
        """The highest level missed deadlines reach by themselves."""
        if self.automatic_escalation_max_level is None:
            return self.top_level
        return min(self.automatic_escalation_max_level, self.top_level)

    def step(self, level: int) -> LadderStep:
        return self.escalation_ladder[min(level, self.top_level)]


# Distinct case policies are few (urgency × complexity × the items with overrides, per policy version).
SHARED_POLICIES = 1024


@lru_cache(maxsize=SHARED_POLICIES)
def shared_policy(policy: CasePolicy) -> CasePolicy:
    """The first policy equal to `policy` that this process kept, else `policy`, kept from now on.

    Each case decodes its policy from its own history: ~30 tracked objects (14 models) that a full garbage
    collection walks for every case the workflows worker keeps in memory. Equal policies are the same immutable
    value, so the cases of one process can share one instance: same behaviour, same replay, fewer objects.
    """
    return policy


class PolicyError(ValueError):
    """A policy file that cannot be used; the message names the file and the field."""


def policy_for_case(
    policy: DeadlinePolicy,
    *,
    item: str | None,
    complexity: str,
    urgent: bool,
    urgent_allowed: bool = True,
    major: bool = False,
) -> CasePolicy:
    """Resolve the windows for one case: urgency (if the item allows it), complexity, then item overrides; and how
    far missed deadlines climb by themselves (to the top for a major item)."""
    urgency = "urgent" if urgent and urgent_allowed else "normal"
    windows = policy.urgent if urgency == "urgent" else policy.normal
    if urgency == "normal" and complexity == "complex":
        windows = windows.model_copy(update={"resolution": policy.complex_resolution})
    overrides = policy.items.get(item or "")
    if overrides is not None:
        chosen = overrides.urgent if urgency == "urgent" else overrides.normal
        # Window objects, not their dumps: a dict in a model field is accepted but warned about on every dump.
        windows = windows.model_copy(update={name: window for name, window in chosen if window is not None})
    shared = policy.model_dump(exclude={"normal", "urgent", "complex_resolution", "items"})
    if major:
        shared["automatic_escalation_max_level"] = policy.escalation_ladder[-1].level
    return CasePolicy.model_validate({**shared, "urgency": urgency, "windows": windows.model_dump()})


def default_policy_path() -> Path:
    return Path(str(resources.files("services.contracts") / "data" / "policy" / "deadline-policy.json"))


def load_policy(path: Path | None = None) -> DeadlinePolicy:
    """Read and check a policy file (JSON)."""
    path = path or default_policy_path()
    try:
        return DeadlinePolicy.model_validate_json(path.read_bytes())
    except FileNotFoundError as exc:
        raise PolicyError(f"{path}: file not found") from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        field = ".".join(str(part) for part in error["loc"])
        raise PolicyError(f"{path}: {field}: {error['msg']}") from exc
