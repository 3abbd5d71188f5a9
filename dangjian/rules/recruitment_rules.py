"""DEV-*: recruitment (发展党员), judged per case (RULES.md "Recruitment"): `person` = the applicant's 身份证号,
`org` = the case's branch, `period` null.

Every case of the subtree with a step dated on or before the as-of date is judged, as it stood on that
date: steps dated later are not seen (CheckContext.recruitment_cases). The deadline rules (DEV-02, 14, 15,
18) compare a missing step with the as-of date, or with the 终止培养日期 when the case was discontinued on
or before the as-of date: a deadline that passed while the case was open is still a finding, one falling
after the discontinuation is not. A branch meeting whose admission vote failed admits nobody: DEV-12
reports it, and no approval (DEV-14) or probation (DEV-15) follows. `date` is the deadline for the deadline
rules and the date of the step concerned otherwise (see docs/decisions/0004-rule-engine.md).
"""
from decimal import Decimal

from dangjian.core.dates import add_months, age_on
from dangjian.recruitment.process import BY_CODE, BY_NO, Conclusion
from dangjian.recruitment.queries import decisions, vote_passes

from . import parameters
from .engine import ERROR, WARNING, Rule, register
from .meeting_rules import _at_most_share

APPLICATION, TALK, ACTIVIST, CONTACTS, CANDIDATE, SPONSORS, REVIEW, TRAINING, COMMITTEE_REVIEW, PREREVIEW, \
    ADMISSION, APPROVAL, CONFIRMATION_APPLICATION, CONFIRMATION_MEETING, CONFIRMATION_APPROVAL = (
        BY_CODE[code].no for code in (
            "application", "talk", "activist", "contacts", "candidate", "sponsors", "review", "training",
            "committee_review", "prereview", "admission_meeting", "approval", "confirmation_application",
            "confirmation_meeting", "confirmation_approval"))

# DEV-ORDER: RULES.md's two chains of dated steps.
ORDER_CHAINS = (
    (APPLICATION, TALK, ACTIVIST, CANDIDATE, COMMITTEE_REVIEW, PREREVIEW, ADMISSION, APPROVAL),
    (ADMISSION, CONFIRMATION_APPLICATION, CONFIRMATION_MEETING, CONFIRMATION_APPROVAL),
)


def label(step):
    """The 发展党员 sheet column of a step's date (申请日期, 谈话日期, …)."""
    return BY_NO[step].column


def reference_day(ctx, case):
    """The day a missing step is judged on: the as-of date, or the 终止培养日期 when the case was
    discontinued on or before it."""
    if case.discontinued_on is not None and case.discontinued_on <= ctx.as_of:
        return case.discontinued_on
    return ctx.as_of


def admitted_on(case):
    """The 支部大会日期 that starts probation: None when there is none, or when its vote failed (a failing
    vote admits nobody: DEV-12 reports it, and nothing waits for an approval or a 转正)."""
    meeting = case.first(ADMISSION)
    return meeting.date if meeting is not None and vote_passes(meeting) is not False else None


def people_of(case, step):
    """The distinct people named in the records of `step`, in order."""
    return list(dict.fromkeys(p for s in case.of_step(step) for p in s.people))


def vote_problems(expected, present, yes, on):
    """RULES.md's ×2 comparisons (the shares are parameters): what is wrong with a vote, [] if nothing
    (or when 应到 is not recorded)."""
    if expected is None:
        return []
    problems = []
    if present is not None and _at_most_share(present, expected, parameters.value("vote_quorum_share", on)):
        problems.append(f"实到{present}人，未超过应到{expected}人的半数")
    if yes is not None and _at_most_share(yes, expected, parameters.value("vote_pass_share", on)):
        problems.append(f"赞成{yes}票，未超过应到{expected}人的半数")
    return problems


class CaseRule(Rule):
    """A rule judged on each case: `judge(ctx, case)` yields (message, date) pairs."""

    severity = ERROR

    def check(self, ctx):
        for case in ctx.recruitment_cases:
            org = ctx.orgs_by_id[case.org_id]
            for message, date in self.judge(ctx, case):
                yield self.finding(org, f"{case.name}：{message}", date=date, person=case.id_number,
                                   records=[("case", case.id)])

    def judge(self, ctx, case):
        raise NotImplementedError


class ApplicantUnderAge(CaseRule):
    id = "DEV-01"
    title = "申请入党时未满18周岁"
    source = "党章 第一条；发展党员工作细则 第五、六条"
    regulation = "年满十八岁的中国工人、农民、军人、知识分子和其他社会阶层的先进分子，可以申请加入中国共产党。"
    parameters = ("min_admission_age",)

    def judge(self, ctx, case):
        applied = case.date(APPLICATION)
        if applied is None:
            return
        least = parameters.value("min_admission_age", applied)
        if age_on(case.birth_date, applied) < least:
            yield f"申请入党时（{applied}）未满{least}周岁", applied


class TalkLate(CaseRule):
    id = "DEV-02"
    title = "未在一个月内派人谈话"
    source = "发展党员工作细则 第七条"
    regulation = "党组织收到入党申请书后，应当在一个月内派人同入党申请人谈话，了解基本情况。"
    parameters = ("talk_within_months",)

    def judge(self, ctx, case):
        applied = case.date(APPLICATION)
        if applied is None:
            return
        months = parameters.value("talk_within_months", applied)
        deadline = add_months(applied, months)
        talked = case.date(TALK)
        if talked is not None:
            if talked > deadline:
                yield f"申请日期{applied}，谈话日期{talked}，超过{months}个月（最迟应于{deadline}）", deadline
        elif reference_day(ctx, case) > deadline:
            yield f"申请日期{applied}，最迟应于{deadline}派人谈话，截至{reference_day(ctx, case)}未谈话", deadline


class TrainingContactsInvalid(CaseRule):
    id = "DEV-04"
    title = "培养联系人不符合要求"
    source = "发展党员工作细则 第九条"
    regulation = "党组织应当指定一至两名正式党员作为入党积极分子的培养联系人。"
    parameters = ("training_contacts_min", "training_contacts_max")

    def judge(self, ctx, case):
        day = case.date(ACTIVIST)
        if day is None:
            return
        least = parameters.value("training_contacts_min", day)
        most = parameters.value("training_contacts_max", day)
        contacts = people_of(case, CONTACTS)
        problems = []
        if not contacts:
            problems.append("未指定培养联系人")
        elif len(contacts) < least:
            problems.append(f"培养联系人{len(contacts)}名，少于{least}名")
        elif len(contacts) > most:
            problems.append(f"培养联系人{len(contacts)}名，多于{most}名")
        not_full = [p for p in contacts if not ctx.is_full_member(p, day)]
        if not_full:
            problems.append(f"{len(not_full)}名培养联系人在确定积极分子日期（{day}）不是正式党员")
        if problems:
            yield "；".join(problems), day


class ActivistPeriodTooShort(CaseRule):
    id = "DEV-06"
    title = "积极分子培养不满一年即确定为发展对象"
    source = "发展党员工作细则 第十三条"
    regulation = "对经过一年以上培养教育和考察、基本具备党员条件的入党积极分子，在听取党小组、培养联系人、党员和群众意见的" \
                 "基础上，支部委员会讨论同意并报上级党委备案后，可列为发展对象。"
    parameters = ("activist_training_months",)

    def judge(self, ctx, case):
        activist, candidate = case.date(ACTIVIST), case.date(CANDIDATE)
        if activist is None or candidate is None:
            return
        months = parameters.value("activist_training_months", candidate)
        earliest = add_months(activist, months)
        if candidate < earliest:
            yield f"确定积极分子日期{activist}，确定发展对象日期{candidate}，培养不满{months}个月（应不早于{earliest}）", \
                candidate


class SponsorsInvalid(CaseRule):
    id = "DEV-07"
    title = "入党介绍人不符合要求"
    source = "发展党员工作细则 第十四条；党章 第五条"
    regulation = "发展对象应当有两名正式党员作入党介绍人。受留党察看处分、尚未恢复党员权利的党员，不能作入党介绍人。"
    parameters = ("sponsors_required",)

    def judge(self, ctx, case):
        day = case.date(CANDIDATE)
        if day is None:
            return
        required = parameters.value("sponsors_required", day)
        sponsors = people_of(case, SPONSORS)
        problems = []
        if len(sponsors) != required:
            problems.append(f"入党介绍人{len(sponsors)}名，应为{required}名" if sponsors else "未确定入党介绍人")
        not_full = [p for p in sponsors if not ctx.is_full_member(p, day)]
        if not_full:
            problems.append(f"{len(not_full)}名入党介绍人在确定发展对象日期（{day}）不是正式党员")
        if problems:
            yield "；".join(problems), day


class ReviewMissing(CaseRule):
    id = "DEV-08"
    title = "未经政治审查或政审不合格即接收"
    source = "发展党员工作细则 第十六条"
    regulation = "对发展对象进行政治审查，形成结论性材料。凡是未经政治审查或政治审查不合格的，不能发展入党。"
    parameters = ()

    def judge(self, ctx, case):
        admitted = case.date(ADMISSION)
        if admitted is None:
            return
        reviews = case.of_step(REVIEW)
        if any(r.conclusion == Conclusion.REVIEW_PASSED and r.date <= admitted for r in reviews):
            return
        if not reviews:
            problem = "无政治审查记录"
        elif any(r.conclusion == Conclusion.REVIEW_PASSED for r in reviews):
            problem = "政审结论为合格的日期晚于支部大会日期"
        else:
            problem = f"政审结论为“{reviews[-1].conclusion or '未填写'}”"
        yield f"支部大会（{admitted}）讨论接收时{problem}", admitted


class IntensiveTrainingShort(CaseRule):
    id = "DEV-09"
    title = "集中培训不足三天且不足24学时"
    source = "发展党员工作细则 第十七条"
    regulation = "对发展对象进行短期集中培训，培训时间一般不少于三天（或不少于二十四个学时）。未经培训的，除个别特殊情况外，" \
                 "不能发展入党。"
    parameters = ("intensive_training_days", "intensive_training_hours")

    def judge(self, ctx, case):
        admitted = case.date(ADMISSION)
        if admitted is None:
            return
        trainings = case.of_step(TRAINING)
        days = sum(max(((t.ended_on or t.date) - t.date).days + 1, 0) for t in trainings)  # both days counted
        hours = sum((t.hours or Decimal(0) for t in trainings), Decimal(0))
        least_days = parameters.value("intensive_training_days", admitted)
        least_hours = parameters.value("intensive_training_hours", admitted)
        if days < least_days and hours < least_hours:
            what = f"集中培训{days}天、{hours.normalize():f}学时" if trainings else "无集中培训记录"
            yield f"支部大会（{admitted}）接收时{what}，不足{least_days}天且不足{least_hours}学时", admitted


class AdmissionVoteInvalid(CaseRule):
    id = "DEV-12"
    title = "接收预备党员的支部大会表决无效"
    source = "发展党员工作细则 第二十二条；支部工作条例 第十一条"
    regulation = "支部大会讨论接收预备党员，有表决权的到会人数必须超过应到会有表决权人数的半数；赞成人数超过应到会有表决权的" \
                 "正式党员的半数，才能通过接收预备党员的决议。"
    parameters = ("vote_quorum_share", "vote_pass_share")

    def judge(self, ctx, case):
        for meeting in case.of_step(ADMISSION):
            problems = vote_problems(meeting.expected, meeting.present, meeting.yes, meeting.date)
            if problems:
                yield f"{meeting.date}支部大会讨论接收预备党员：" + "；".join(problems), meeting.date


def late_approval(ctx, case, start, done, months):
    """(message, deadline) when the 党委's approval `done` (a date or None) is more than `months` after
    `start`, or missing with the reference day past the deadline; else None."""
    deadline = add_months(start, months)
    if done is not None:
        if done > deadline:
            return f"上级党委{done}审批，超过{months}个月（最迟应于{deadline}）", deadline
    elif reference_day(ctx, case) > deadline:
        return f"上级党委最迟应于{deadline}审批，截至{reference_day(ctx, case)}未审批", deadline
    return None


class ApprovalLate(CaseRule):
    id = "DEV-14"
    title = "上级党委未在三个月内审批接收预备党员"
    source = "发展党员工作细则 第二十五条"
    regulation = "上级党委对支部大会通过接收的预备党员，应当在三个月内审批，并报再上一级党委组织部门备案。"
    parameters = ("approval_within_months",)

    def judge(self, ctx, case):
        admitted = admitted_on(case)
        if admitted is None:
            return
        months = parameters.value("approval_within_months", admitted)
        found = late_approval(ctx, case, admitted, case.date(APPROVAL), months)
        if found:
            yield f"支部大会日期{admitted}，" + found[0], found[1]


class ProbationOverdue(CaseRule):
    id = "DEV-15"
    title = "预备期满未讨论转正"
    severity = WARNING
    source = "党章 第七条；发展党员工作细则 第五章"
    regulation = "预备党员的预备期为一年，从支部大会通过其为预备党员之日算起。预备期满，党的支部应当及时讨论其能否转为正式党员。"
    parameters = ("probation_months",)

    def judge(self, ctx, case):
        """RULES.md: the probation has ended and there is no 转正支部大会日期. Once a 转正 meeting is recorded
        (an extension included) the rule is silent; the case's next step (recruitment.queries.case_state)
        then tracks the end of an extended probation and the meeting that must follow it."""
        admitted = admitted_on(case)
        if admitted is None or case.of_step(CONFIRMATION_MEETING):
            return
        ends = add_months(admitted, parameters.value("probation_months", admitted))
        if ends <= reference_day(ctx, case):
            yield f"支部大会日期{admitted}，预备期已于{ends}期满，未召开支部大会讨论转正", ends


class ExtensionOutOfRange(CaseRule):
    id = "DEV-17"
    title = "延长预备期的期限不符合规定"
    source = "党章 第七条；发展党员工作细则 第五章"
    regulation = "预备党员不完全具备党员条件、需要继续考察和教育的，可以延长预备期，但不能超过一年（最短半年）。"
    parameters = ("extension_months_min", "extension_months_max")

    def judge(self, ctx, case):
        for meeting in case.of_step(CONFIRMATION_MEETING):
            if meeting.conclusion != Conclusion.EXTENDED:
                continue
            least = parameters.value("extension_months_min", meeting.date)
            most = parameters.value("extension_months_max", meeting.date)
            if meeting.months is None:
                yield f"{meeting.date}支部大会决定延长预备期，未记录延长月数（应为{least}至{most}个月）", meeting.date
            elif not least <= meeting.months <= most:
                yield f"{meeting.date}支部大会决定延长预备期{meeting.months}个月，应为{least}至{most}个月", meeting.date


class ConfirmationApprovalLate(CaseRule):
    id = "DEV-18"
    title = "上级党委未在三个月内审批转正"
    severity = WARNING
    source = "发展党员工作细则 第五章"
    regulation = "上级党委对支部大会通过的预备党员转正（延长预备期、取消预备党员资格）的决议，应当在三个月内审批。"
    parameters = ("confirmation_approval_within_months",)

    def judge(self, ctx, case):
        # The 转正 decisions as the recruitment services pair them: each approval takes the latest meeting
        # not yet approved; a meeting followed by another before any approval was superseded (it waits for
        # no approval); an approval with no meeting is DEV-ORDER's.
        pairs = decisions(case.steps)
        for i, (meeting, approval) in enumerate(pairs):
            superseded = approval is None and any(m is not None for m, _ in pairs[i + 1:])
            if meeting is None or superseded:
                continue
            months = parameters.value("confirmation_approval_within_months", meeting.date)
            found = late_approval(ctx, case, meeting.date, approval.date if approval else None, months)
            if found:
                yield f"转正支部大会日期{meeting.date}，" + found[0], found[1]


class ConfirmationVoteInvalid(CaseRule):
    id = "DEV-20"
    title = "讨论转正的支部大会表决无效"
    source = "发展党员工作细则 第五章；支部工作条例 第十一条"
    regulation = "支部大会讨论预备党员转正，表决必须有半数以上有表决权的党员到会方可进行；赞成人数超过应到会有表决权的正式党员" \
                 "的半数为通过。"
    parameters = ("vote_quorum_share", "vote_pass_share")

    def judge(self, ctx, case):
        for meeting in case.of_step(CONFIRMATION_MEETING):
            problems = vote_problems(meeting.expected, meeting.present, meeting.yes, meeting.date)
            if problems:
                yield f"{meeting.date}支部大会讨论转正：" + "；".join(problems), meeting.date


class StepsOutOfOrder(CaseRule):
    id = "DEV-ORDER"
    title = "发展党员步骤日期顺序颠倒"
    source = "发展党员工作细则 第二章至第五章"
    regulation = "发展党员应当按照入党申请、确定入党积极分子、确定发展对象、接收预备党员、预备党员转正的程序依次进行，" \
                 "不得颠倒、省略。"
    parameters = ()

    def judge(self, ctx, case):
        problems, first_date = [], None
        for chain in ORDER_CHAINS:
            dated = [(step, case.date(step)) for step in chain if case.date(step) is not None]
            for (before, before_on), (after, after_on) in zip(dated, dated[1:]):
                if after_on < before_on:
                    problems.append(f"{label(after)}（{after_on}）早于{label(before)}（{before_on}）")
                    first_date = first_date or after_on
        if problems:
            yield "；".join(problems), first_date


for rule in (ApplicantUnderAge(), TalkLate(), TrainingContactsInvalid(), ActivistPeriodTooShort(), SponsorsInvalid(),
             ReviewMissing(), IntensiveTrainingShort(), AdmissionVoteInvalid(), ApprovalLate(), ProbationOverdue(),
             ExtensionOutOfRange(), ConfirmationApprovalLate(), ConfirmationVoteInvalid(), StepsOutOfOrder()):
    register(rule)
