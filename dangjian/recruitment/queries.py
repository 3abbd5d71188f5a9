"""What a recruitment case is on a date, computed from its dated steps (never stored): its stage and status,
the member events its decisions call for, its next step and when that falls due.

The services use the same computations to decide which member events a step creates, so the roster and
the case can never tell two stories.
"""
import datetime
from dataclasses import dataclass

from django.db.models import Prefetch, Q

from dangjian.core.dates import add_months, reference_day
from dangjian.meetings.models import VoteResult
from dangjian.meetings.services import vote_outcome
from dangjian.rules import parameters

from .models import CaseStep
from .process import BY_NO, DEADLINE, EARLIEST, EVERY, PROBATION, PROBATION_END, STAGES, STEPS, Conclusion

ADMISSION, CONFIRMATION_MEETING, CONFIRMATION_APPROVAL = 15, 23, 24
# The steps every case goes through up to the admission, in order (the optional ones are left out).
REQUIRED_BEFORE_ADMISSION = tuple(s.no for s in STEPS if not s.optional and s.no <= ADMISSION)

OPEN, PROBATIONARY, CONFIRMED = "open", "probationary", "confirmed"
DISCONTINUED, CANCELLED = "discontinued", "cancelled"
STATUS_LABELS = {OPEN: "培养考察中", PROBATIONARY: "预备党员", CONFIRMED: "已转正", DISCONTINUED: "已终止培养",
                 CANCELLED: "已取消预备党员资格"}


def timeline_key(record):
    """Steps in the order they happened: by date, then by step number, then as entered."""
    return record.date, record.step, record.pk or float("inf")


def vote_passes(record):
    """True/False for a recorded vote (DEV-12/DEV-20: quorum and majority counted against those who should
    attend with a vote, as MTG-02); None when the vote was not recorded (an old ledger row)."""
    if record.expected is None or record.present is None or record.yes is None:
        return None
    return vote_outcome(record.expected, record.present, record.yes, record.date) == VoteResult.PASSED


def decisions(ordered):
    """The 转正 decisions: pairs (支部大会讨论 23, 上级党委审批 24 or None), each approval taking the latest
    meeting not yet approved. A meeting followed by another meeting before any approval was superseded."""
    pairs, pending = [], None
    for record in ordered:
        if record.step == CONFIRMATION_MEETING:
            if pending is not None:
                pairs.append((pending, None))
            pending = record
        elif record.step == CONFIRMATION_APPROVAL:
            pairs.append((pending, record))
            pending = None
    if pending is not None:
        pairs.append((pending, None))
    return pairs


@dataclass(frozen=True)
class Roster:
    """The member events the steps call for. `admitted_on` is the admitting branch meeting (入党日期);
    `confirmed_on` the end of probation (DEV-19: 党龄 counts from it, not from the approval);
    `cancelled_on` the approval of a cancellation; `probation_ends` the end of probation with the approved
    extensions."""

    admitted_on: datetime.date | None = None
    confirmed_on: datetime.date | None = None
    cancelled_on: datetime.date | None = None
    probation_ends: datetime.date | None = None
    extension_months: int = 0

    @property
    def events(self):
        return self.admitted_on, self.confirmed_on, self.cancelled_on


def roster_effects(records):
    """The Roster the steps call for. A branch meeting admits when its vote passed (or, in an old ledger
    row, was not recorded): a failing vote never admits. An approved decision whose meeting's vote failed
    changes nothing (DEV-20 reports it)."""
    ordered = sorted(records, key=timeline_key)
    admission = next((r for r in ordered if r.step == ADMISSION), None)
    if admission is None or vote_passes(admission) is False:
        return Roster()
    admitted = admission.date
    probation = parameters.value(PROBATION.months, admitted)
    extension, confirmed, cancelled = 0, None, None
    for meeting, approval in decisions(ordered):
        if meeting is None or approval is None or vote_passes(meeting) is False:
            continue
        if meeting.conclusion == Conclusion.EXTENDED and meeting.months:
            extension += meeting.months
        elif meeting.conclusion == Conclusion.CONFIRMED:
            confirmed = add_months(admitted, probation + extension)
            break
        elif meeting.conclusion == Conclusion.CANCELLED:
            cancelled = approval.date
            break
    return Roster(admitted, confirmed, cancelled, add_months(admitted, probation + extension), extension)


@dataclass(frozen=True)
class CaseState:
    """A case on a date. `next_step` is the next step to take (a process.Step) and `due_on` its deadline
    (`due_kind` "deadline": overdue the day after) or the earliest day it may be taken ("earliest": never
    overdue)."""

    on: datetime.date
    stage: int
    status: str
    next_step: object
    due_on: datetime.date | None
    due_kind: str | None
    overdue: bool
    roster: Roster

    @property
    def stage_label(self):
        return STAGES[self.stage]

    @property
    def status_label(self):
        return STATUS_LABELS[self.status]

    @property
    def admitted_on(self):
        return self.roster.admitted_on

    @property
    def probation_ends(self):
        return self.roster.probation_ends


def case_state(case, on=None):
    """The case as it stood on `on` (default: the pages' reference day), from the steps dated on or before
    it. Reads `case.steps.all()`, so a prefetched list costs no query."""
    on = on or reference_day()
    records = sorted((r for r in case.steps.all() if r.date <= on), key=timeline_key)
    stage = max((BY_NO[r.step].stage for r in records), default=1)
    roster = roster_effects(records)
    if case.discontinued_on and case.discontinued_on <= on:
        status = DISCONTINUED
    elif roster.cancelled_on:
        status = CANCELLED
    elif roster.confirmed_on:
        status = CONFIRMED
    elif roster.admitted_on:
        status = PROBATIONARY
    else:
        status = OPEN
    next_no, due_on, kind = None, None, None
    if status == PROBATIONARY:
        next_no, due_on, kind = _next_in_probation(records, roster)
    elif status == OPEN:
        next_no, due_on, kind = _next_before_admission(records, roster)
    return CaseState(on=on, stage=stage, status=status, next_step=BY_NO[next_no] if next_no else None,
                     due_on=due_on, due_kind=kind if due_on else None,
                     overdue=bool(due_on and kind == DEADLINE and on > due_on), roster=roster)


def _dates(records, no):
    return [r.date for r in records if r.step == no]


def months_text(months):
    """一年, 二年 … for whole years, else N个月."""
    if months % 12 == 0 and 0 < months // 12 <= 10:
        return "一二三四五六七八九十"[months // 12 - 1] + "年"
    return f"{months}个月"


def timing_text(step, on):
    """The step's timing rule in words, with the parameters in force on `on` ("递交入党申请书后1个月内"),
    or "" when it has none."""
    timing = step.timing
    if timing is None:
        return ""
    if timing.start == PROBATION_END:
        return "预备期满前"
    months = months_text(parameters.value(timing.param, on))
    after = BY_NO[timing.start].title
    return {DEADLINE: f"{after}后{months}内", EARLIEST: f"{after}后{months}以上",
            EVERY: f"每{months}一次"}[timing.kind]


def due_of(step, records, roster):
    """(date, kind) when `step` falls due by its timing rule (process.Timing): a deadline, or the earliest
    day it may be taken; (None, None) when it has none or its start is not recorded."""
    timing = step.timing
    if timing is None:
        return None, None
    if timing.start == PROBATION_END:
        return roster.probation_ends, DEADLINE
    starts = _dates(records, timing.start)
    if not starts:
        return None, None
    start = max(starts + (_dates(records, step.no) if timing.kind == EVERY else []))
    due = add_months(start, parameters.value(timing.param, start))
    return due, EARLIEST if timing.kind == EARLIEST else DEADLINE


def _next_before_admission(records, roster):
    recorded = {r.step for r in records}
    if ADMISSION in recorded:  # the branch meeting voted and did not admit: nothing follows
        return None, None, None
    next_no = next(no for no in REQUIRED_BEFORE_ADMISSION if no not in recorded)
    if next_no == 7:
        # A candidate a year after becoming an activist at the earliest (DEV-06); meanwhile an assessment
        # every six months, the next one counted from the last (DEV-05).
        assessment, _ = due_of(BY_NO[6], records, roster)
        earliest, kind = due_of(BY_NO[7], records, roster)
        if assessment < earliest:
            return 6, assessment, DEADLINE
        return 7, earliest, kind
    return (next_no, *due_of(BY_NO[next_no], records, roster))


def _next_in_probation(records, roster):
    pairs = decisions(records)
    recorded = {r.step for r in records}
    if pairs and pairs[-1][1] is None:  # a 转正 decision waits for the 党委's approval (DEV-18)
        next_no = CONFIRMATION_APPROVAL
    elif 17 not in recorded:  # the 党委 talks to the new member and approves (DEV-14)
        next_no = 16 if 16 not in recorded else 17
    else:  # the oath, the application and the 转正 meeting, by the end of probation (DEV-15)
        next_no = next((no for no in (20, 22) if no not in recorded), CONFIRMATION_MEETING)
    return (next_no, *due_of(BY_NO[next_no], records, roster))


def due_cases(cases_qs, on, days=30):
    """The cases still under way on `on` whose next step falls due (or may be taken) within `days` days,
    overdue ones included, soonest first; each with its CaseState as `case.state`. Two queries whatever
    the number of cases: the cases, and their steps."""
    horizon = on + datetime.timedelta(days=days)
    steps = Prefetch("steps", queryset=CaseStep.objects.order_by("date", "step", "id"))
    qs = (cases_qs.filter(Q(discontinued_on__isnull=True) | Q(discontinued_on__gt=on))
          .select_related("org").prefetch_related(steps))
    due = []
    for case in qs:
        state = case_state(case, on)
        if state.status in (OPEN, PROBATIONARY) and state.due_on and state.due_on <= horizon:
            case.state = state
            due.append(case)
    due.sort(key=lambda c: (c.state.due_on, c.pk))
    return due
