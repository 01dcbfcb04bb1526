"""The simulated month's script (pure, seeded): who calls when, what each unit does and when, how callers rate.

Every case gets a profile and a rating drawn from the stated mix; its actions are placed on the hour (7 minutes
past), counted in working days after receipt on the same calendar the deadline activities use, so "in time" and
"late" here mean what they mean to the workflows (items the policy gives windows of their own, in hours for the
utility outages, are left out). The plan also says what the workflows should make of it
(breaches, escalation level, closing reason), which the run checks.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, time, timedelta

from bench.month_plan import (
    ACTION_MINUTE,
    PROFILE_MIX,
    RATING_MIX,
    RERATED_AFTER_REWORK,
    Action,
    CasePlan,
    MonthPlan,
    Profile,
    Rating,
    Target,
)
from services.contracts.case_actions import (
    COORDINATION_CENTRE,
    ExtensionDecision,
    ExtensionRequest,
    FeedbackReport,
    JointHandlingRequest,
    JointParticipant,
    ProgressReport,
    RatingSubmission,
    TransferRequest,
    UnitAction,
)
from services.contracts.case_policy import DeadlinePolicy
from services.contracts.case_view import DeadlineKind, JointRole, RatingLevel
from services.contracts.case_workflow import CaseUpdate, JointTaskUpdate
from services.contracts.catalog import CatalogItem, Complexity, ResponsibilityCatalog, TownshipRole
from services.workflows.calendar.working_calendar import CHINA_TZ, WorkingCalendar
from tests.workflows.harness import routed_case

MONTH_DAYS = 30
# Arrivals by hour of day (China time): a morning and an afternoon peak, a trickle at night.
HOURLY_WEIGHTS = (1, 1, 1, 1, 1, 1, 2, 4, 8, 12, 13, 11, 6, 7, 11, 11, 10, 8, 6, 6, 5, 4, 3, 2)
# Weekends and public holidays get about a third of a working day's calls.
DAY_OFF_WEIGHT = 0.35


class CaseClock:
    """Hours counted from a case's receipt: `day(k, h)` is h:07 China time on the k-th working day after it."""

    def __init__(self, calendar: WorkingCalendar, received_at: datetime) -> None:
        self._calendar = calendar
        self.received_at = received_at
        self.local = received_at.astimezone(CHINA_TZ)

    def day(self, k: int, hour: int) -> datetime:
        return self.after(self.received_at, k, hour)

    def after(self, moment: datetime, k: int, hour: int) -> datetime:
        """h:07 on the k-th working day after `moment`'s date (k = 0: that date itself)."""
        end = self._calendar.add_working_days(moment, k).at if k else moment
        local_date = end.astimezone(CHINA_TZ).date()
        return datetime.combine(local_date, time(hour, ACTION_MINUTE), tzinfo=CHINA_TZ).astimezone(UTC)

    def first_move(self, rng: random.Random) -> tuple[int, int]:
        """When a punctual unit first acts: later the same working day, else the next working morning."""
        if self._calendar.is_working_day(self.local.date()) and self.local.hour <= 14:
            return 0, self.local.hour + rng.randint(1, 2)
        return 1, rng.randint(9, 10)


def month_start_after(now: datetime) -> datetime:
    """Midnight China time after `now`: the simulated month starts on a day boundary."""
    tomorrow = now.astimezone(CHINA_TZ).date() + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=CHINA_TZ).astimezone(UTC)


def build_month(
    cases: int,
    *,
    seed: int,
    start: datetime,
    calendar: WorkingCalendar,
    catalog: ResponsibilityCatalog,
    policy: DeadlinePolicy,
    mix: Mapping[Profile, float] = PROFILE_MIX,
) -> MonthPlan:
    """Draw `cases` arrivals over 30 days from `start` and script each one, profiles drawn from `mix`."""
    rng = random.Random(seed)
    # Drawn first, so the same seed gives the same mix whatever day the month starts on.
    profiles = rng.choices(list(mix), weights=list(mix.values()), k=cases)
    ratings = rng.choices(list(RATING_MIX), weights=list(RATING_MIX.values()), k=cases)
    hours = _arrival_hours(start, calendar)
    weights = [weight for _, weight in hours]
    arrivals = sorted(rng.choices([moment for moment, _ in hours], weights=weights, k=cases))
    items = [
        item for item in catalog.items.values() if item.primary_unit is not None and item.item_code not in policy.items
    ]
    departments = sorted({item.primary_unit for item in items if item.primary_unit})
    townships = sorted(unit.code for unit in catalog.townships())
    plans = []
    for received_at, profile, rating in zip(arrivals, profiles, ratings, strict=True):
        case_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        scripter = CaseScripter(rng, CaseClock(calendar, received_at), items, departments, townships)
        plans.append(scripter.script(case_id, profile, rating))
    return MonthPlan(start=start, cases=plans, seed=seed, mix=mix)


def _arrival_hours(start: datetime, calendar: WorkingCalendar) -> list[tuple[datetime, float]]:
    hours = []
    for day in range(MONTH_DAYS):
        midnight = start + timedelta(days=day)
        local_day = midnight.astimezone(CHINA_TZ).date()
        day_weight = 1.0 if calendar.is_working_day(local_day) else DAY_OFF_WEIGHT
        hours += [(midnight + timedelta(hours=h), day_weight * w) for h, w in enumerate(HOURLY_WEIGHTS)]
    return hours


class CaseScripter:
    """Writes one case's actions for its profile and rating."""

    def __init__(
        self,
        rng: random.Random,
        clock: CaseClock,
        items: Sequence[CatalogItem],
        departments: Sequence[str],
        townships: Sequence[str],
    ) -> None:
        self.rng = rng
        self.clock = clock
        self.items = items
        self.departments = departments
        self.townships = townships

    def script(self, case_id: str, profile: Profile, rating: Rating) -> CasePlan:
        rng, clock = self.rng, self.clock
        township = rng.choice(self.townships)
        item = self._item(profile)
        unit = item.primary_unit
        assert unit is not None
        routed_unit = rng.choice([d for d in self.departments if d != unit]) if profile is Profile.TRANSFER else unit
        case = routed_case(
            received_at=clock.received_at,
            unit=routed_unit,
            item=item.item_code,
            complexity=item.complexity.value,
            urgent=profile is Profile.URGENT,
            urgent_allowed=item.urgent_allowed,
            major=item.major,
            township=township,
            case_id=case_id,
        )
        plan = CasePlan(case=case, profile=profile, rating=rating)
        resolved_at = self._handle(plan, item, unit, township)
        self._rate(plan, unit, resolved_at)
        return plan

    def _item(self, profile: Profile) -> CatalogItem:
        if profile is Profile.URGENT:
            return self.rng.choice([i for i in self.items if i.urgent_allowed])
        if profile in (Profile.JOINT, Profile.JOINT_LATE_TASK):
            return self.rng.choice([i for i in self.items if i.supporting_units])
        if profile is Profile.LATE_RESOLUTION:
            # Late against 7 working days; a complex item's 30 would still be running.
            return self.rng.choice([i for i in self.items if i.complexity is Complexity.NORMAL and not i.major])
        if profile is Profile.NEGLECTED:
            # Only a major matter climbs past the unit leader by itself.
            return self.rng.choice([i for i in self.items if i.major])
        return self.rng.choice(self.items)

    def _handle(self, plan: CasePlan, item: CatalogItem, unit: str, township: str) -> datetime:
        """Add the units' actions up to the (first) resolution; returns when the case is resolved."""
        rng, clock, add = self.rng, self.clock, plan.actions.append
        profile = plan.profile
        if profile is Profile.URGENT:
            # 2-hour windows to sign for and answer, 24 hours to resolve (around the clock).
            first = clock.received_at + timedelta(hours=1, minutes=ACTION_MINUTE)
            add(Action(first, CaseUpdate.ACCEPT, UnitAction(unit=unit, note="已派员赶赴现场")))
            add(Action(first, CaseUpdate.FEEDBACK, FeedbackReport(unit=unit, message="已到场处置")))
            resolved = first + timedelta(hours=rng.randint(3, 19))
            add(Action(resolved, CaseUpdate.RESOLVE, UnitAction(unit=unit, note="险情已排除")))
            return resolved
        k, hour = clock.first_move(rng)
        if profile is Profile.TRANSFER:
            assert plan.case.routing.unit is not None
            transfer = TransferRequest(
                unit=plan.case.routing.unit,
                to_unit=unit,
                reason="不属本单位职责，按清单转办",
                catalog_item=item.item_code,
            )
            add(Action(clock.day(k, hour), CaseUpdate.TRANSFER, transfer))
            k, hour = (k, hour + 1) if hour + 1 <= 17 else (k + 1, 9)
        if profile is Profile.LATE_SIGN_FOR:
            k, hour = 2, rng.randint(10, 14)  # after the 09:00 chase-up of the missed sign-for
            plan.expected_breaches, plan.expected_level = frozenset({DeadlineKind.SIGN_FOR}), 1
        if profile is Profile.NEGLECTED:
            k, hour = 5, rng.randint(10, 12)  # level 1 at the end of day 1, 2 at day 3, 3 at day 4 (major items)
            plan.expected_breaches = frozenset({DeadlineKind.SIGN_FOR, DeadlineKind.FEEDBACK})
            plan.expected_level = 3
        add(Action(clock.day(k, hour), CaseUpdate.ACCEPT, UnitAction(unit=unit, note="已签收")))
        if profile is Profile.LATE_FEEDBACK:
            k, hour = 4, rng.randint(10, 13)
            plan.expected_breaches, plan.expected_level = frozenset({DeadlineKind.FEEDBACK}), 1
        elif profile in (Profile.LATE_SIGN_FOR, Profile.NEGLECTED):
            hour += 1
        else:
            k, hour = k + 1, rng.randint(9, 11)
        add(Action(clock.day(k, hour), CaseUpdate.FEEDBACK, FeedbackReport(unit=unit, message="已联系来电人")))
        if plan.expected_breaches:
            explanation = ProgressReport(unit=unit, done="已安排处理", explanation="人手不足，未能按时办理")
            add(Action(clock.day(k, hour + 1), CaseUpdate.PROGRESS, explanation))
        if profile in (Profile.JOINT, Profile.JOINT_LATE_TASK):
            return self._joint(plan, item, unit, township, k)
        if profile is Profile.EXTENSION:
            asked = clock.day(6, rng.randint(10, 14))
            add(
                Action(
                    asked,
                    CaseUpdate.REQUEST_EXTENSION,
                    ExtensionRequest(unit=unit, reason="需协调外单位配合", working_days=5),
                )
            )
            decision = ExtensionDecision(unit=COORDINATION_CENTRE, approved=True, note="同意延期5个工作日")
            add(Action(asked + timedelta(hours=1), CaseUpdate.DECIDE_EXTENSION, decision))
            resolve_day = rng.randint(8, 11)  # past the first deadline (day 7), inside the extended one (day 12)
        elif profile is Profile.LATE_RESOLUTION:
            # The chase-up window ends with day 9: day 10 is a second step, held where the automatic ladder ends.
            resolve_day = rng.choice((8, 8, 10))
            plan.expected_breaches = frozenset({DeadlineKind.RESOLUTION})
            plan.expected_level = 1
        else:
            resolve_day = rng.randint(max(k + 1, 3), 6)
        resolved = clock.day(resolve_day, rng.randint(14, 17))
        add(Action(resolved, CaseUpdate.RESOLVE, UnitAction(unit=unit, note="已办结")))
        return resolved

    def _joint(self, plan: CasePlan, item: CatalogItem, lead: str, township: str, k: int) -> datetime:
        """Joint handling asked the day of the feedback; each participant finishes within days; the lead resolves."""
        rng, clock, add = self.rng, self.clock, plan.actions.append
        others = [u for u in item.supporting_units if u != lead][:2]
        participants = [JointParticipant(unit=lead, role=JointRole.LEAD, task="牵头处置")]
        participants += [JointParticipant(unit=u, role=JointRole.CO_MANAGING, task="配合核查") for u in others]
        if item.township_role is TownshipRole.SUPPORT and township not in others:
            participants.append(JointParticipant(unit=township, role=JointRole.TOWNSHIP, task="属地配合"))
        late = participants[-1].unit if plan.profile is Profile.JOINT_LATE_TASK and len(participants) > 1 else None
        if late is not None:
            # Two working days for the late one (the others have the default five); it finishes on the third.
            participants[-1] = participants[-1].model_copy(update={"working_days": 2})
            plan.expected_overdue_joint_tasks = 1
        request = JointHandlingRequest(unit=lead, reason="需多部门联合处置", participants=participants)
        add(Action(clock.day(k, 13), CaseUpdate.REQUEST_JOINT_HANDLING, request))
        last_done = k + 1
        for participant in participants:
            add(_joint(clock.day(k, 15), JointTaskUpdate.ACCEPT, participant.unit))
            done_day = k + 3 if participant.unit == late else k + rng.randint(1, 3)
            last_done = max(last_done, done_day)
            add(_joint(clock.day(done_day, rng.randint(9, 12)), JointTaskUpdate.COMPLETE, participant.unit))
        plan.actions.sort(key=lambda action: action.at)
        resolved = clock.day(last_done + 1, rng.randint(14, 17))
        add(Action(resolved, CaseUpdate.RESOLVE, UnitAction(unit=lead, note="联合处置完毕")))
        return resolved

    def _rate(self, plan: CasePlan, unit: str, resolved_at: datetime) -> None:
        rng, add = self.rng, plan.actions.append
        rated_at = resolved_at + timedelta(hours=rng.randint(2, 60))
        rating = plan.rating
        if rating is Rating.NONE:
            plan.expected_closed_reason = "not rated"
            return
        add(Action(rated_at, CaseUpdate.RATE, _submission(rating)))
        if rating is not Rating.UNSATISFIED:
            return
        # Rework: a new resolution window from the rating (24 hours when urgent); resolved again in it.
        if plan.profile is Profile.URGENT:
            resolved_again = rated_at + timedelta(hours=rng.randint(2, 12))
        else:
            resolved_again = self.clock.after(rated_at, rng.randint(1, 3), rng.randint(10, 16))
        add(Action(resolved_again, CaseUpdate.RESOLVE, UnitAction(unit=unit, note="已重新处理")))
        if rng.random() < RERATED_AFTER_REWORK:
            add(
                Action(
                    resolved_again + timedelta(hours=rng.randint(2, 48)), CaseUpdate.RATE, _submission(Rating.SATISFIED)
                )
            )
        else:
            plan.expected_closed_reason = "not rated"


def _joint(at: datetime, update: JointTaskUpdate, unit: str) -> Action:
    return Action(at, update, UnitAction(unit=unit, note="已完成"), target=Target.JOINT_TASK, joint_unit=unit)


def _submission(rating: Rating) -> RatingSubmission:
    levels = {
        Rating.SATISFIED: (RatingLevel.SATISFIED, RatingLevel.SATISFIED),
        Rating.BASICALLY_SATISFIED: (RatingLevel.BASICALLY_SATISFIED, RatingLevel.BASICALLY_SATISFIED),
        Rating.SLOW_BUT_SOLVED: (RatingLevel.UNSATISFIED, RatingLevel.SATISFIED),
        Rating.UNSATISFIED: (RatingLevel.BASICALLY_SATISFIED, RatingLevel.UNSATISFIED),
    }
    speed, outcome = levels[rating]
    return RatingSubmission(
        speed=speed, outcome=outcome, comment="" if rating is not Rating.UNSATISFIED else "问题未解决"
    )
