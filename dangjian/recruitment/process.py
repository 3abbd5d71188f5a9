"""The recruitment procedure as data: 5 stages and 25 steps (发展党员工作细则 2014; 中组部组织一局《发展党员
工作流程图》), each with who acts, what it records besides its date (and the papers it produces), which
steps must come before it, its timing rule, and the 发展党员 sheet column that carries its date.

A timing rule (`Timing`) names the parameter in `rules.parameters` that holds its number of months (every
interval is a parameter, dated, so a revision changes numbers without touching code), the step it counts
from and the DEV-* rule behind it: a deadline (the talk within a month of the application), a minimum
interval (a year as an activist before becoming a candidate), a periodic duty (an assessment every six
months). Probation (`PROBATION`) runs from the admitting branch meeting and may be extended once.
`recruitment.queries` computes each open case's next step and due date from these.

The rule version is stored on each case (`Case.rule_version`): when the regulation is revised, a new
process is added here under a new version and old cases keep theirs.
"""
from dataclasses import dataclass

RULE_VERSION = "2014"

STAGES = {
    1: "申请入党",
    2: "入党积极分子的确定和培养教育",
    3: "发展对象的确定和考察",
    4: "预备党员的接收",
    5: "预备党员的教育考察和转正",
}

# What a step records besides its date.
PEOPLE = "people"            # members named (培养联系人, 入党介绍人)
CONCLUSION = "conclusion"    # 政审结论 合格/不合格, 转正结果
TRAINING = "training"        # training end date and hours
VOTE = "vote"                # 应到、实到、赞成 (voting members only)
MONTHS = "months"            # 延长月数

# Timing rules.
DEADLINE = "deadline"        # at the latest `months` after the start: overdue the day after
EARLIEST = "earliest"        # at the earliest `months` after the start: never overdue
EVERY = "every"              # at most `months` apart, from the start or the last time it was done
PROBATION_END = "probation_end"  # a deadline at the end of probation, its extensions included


@dataclass(frozen=True)
class Timing:
    kind: str                # DEADLINE, EARLIEST or EVERY
    param: str               # the rules.parameters name with the number of months
    start: object            # the step number whose (latest) date it counts from, or PROBATION_END
    rule: str                # the DEV-* rule


@dataclass(frozen=True)
class Probation:
    """预备期: `months` from the admitting branch meeting (`start`), extended at most `extensions` times by
    `extension_min` to `extension_max` months (parameter names)."""

    start: int = 15
    months: str = "probation_months"
    extension_min: str = "extension_months_min"
    extension_max: str = "extension_months_max"
    extensions: int = 1


PROBATION = Probation()


@dataclass(frozen=True)
class Step:
    no: int
    stage: int
    code: str
    title: str
    actor: str
    records: tuple = ()
    after: tuple = ()        # step numbers that must be recorded before this one
    column: str = ""         # the 发展党员 sheet column with its date
    repeatable: bool = False  # may be recorded more than once (periodic assessments, a second 转正 meeting)
    optional: bool = False   # not required for the next steps (filing, archiving)
    timing: Timing = None    # when it falls due (None: no deadline of its own)
    documents: tuple = ()    # the papers it produces or files (kept on paper; the note may say where)


STEPS = (
    Step(1, 1, "application", "递交入党申请书", "申请人", column="申请日期", documents=("入党申请书",)),
    Step(2, 1, "talk", "党组织派人谈话", "党支部", after=(1,), column="谈话日期",
         timing=Timing(DEADLINE, "talk_within_months", 1, "DEV-02")),
    Step(3, 2, "activist", "推荐和确定入党积极分子", "支部委员会", after=(2,), column="确定积极分子日期"),
    Step(4, 2, "activist_filing", "上级党委备案", "上级党委", after=(3,), optional=True),
    Step(5, 2, "contacts", "指定培养联系人", "支部委员会", records=(PEOPLE,), after=(3,), column="培养联系人身份证号"),
    Step(6, 2, "activist_assessment", "培养教育考察", "党支部", after=(5,), repeatable=True, optional=True,
         timing=Timing(EVERY, "activist_assessment_months", 3, "DEV-05")),
    Step(7, 3, "candidate", "确定发展对象", "支部委员会", after=(5,), column="确定发展对象日期",
         timing=Timing(EARLIEST, "activist_training_months", 3, "DEV-06")),
    Step(8, 3, "candidate_filing", "报上级党委备案", "上级党委", after=(7,), optional=True),
    Step(9, 3, "sponsors", "确定入党介绍人", "支部委员会", records=(PEOPLE,), after=(7,), column="入党介绍人身份证号"),
    Step(10, 3, "review", "政治审查", "党支部", records=(CONCLUSION,), after=(7,), column="政审日期",
         documents=("政治审查结论性材料",)),
    Step(11, 3, "training", "集中培训", "上级党委", records=(TRAINING,), after=(7,), column="培训开始日期"),
    Step(12, 4, "committee_review", "支部委员会审查", "支部委员会", after=(9, 10, 11), column="支委会审查日期"),
    Step(13, 4, "prereview", "上级党委预审", "上级党委", after=(12,), column="预审日期", documents=("入党志愿书（发放）",)),
    Step(14, 4, "form", "填写入党志愿书", "申请人", after=(13,), optional=True, documents=("入党志愿书",)),
    Step(15, 4, "admission_meeting", "支部大会讨论", "支部大会", records=(VOTE,), after=(13,), column="支部大会日期"),
    Step(16, 4, "higher_talk", "上级党委派人谈话", "上级党委", after=(15,), column="上级谈话日期",
         timing=Timing(DEADLINE, "approval_within_months", 15, "DEV-14")),
    # The 党委 sends someone to talk with the candidate before it approves (细则 第二十四条).
    Step(17, 4, "approval", "上级党委审批", "上级党委", after=(16,), column="审批日期",
         timing=Timing(DEADLINE, "approval_within_months", 15, "DEV-14")),
    Step(18, 4, "approval_filing", "再上一级党委组织部门备案", "上级党委", after=(17,), optional=True),
    Step(19, 5, "placement", "编入党支部和党小组", "党支部", after=(17,), optional=True),
    Step(20, 5, "oath", "入党宣誓", "党支部", after=(17,), column="入党宣誓日期",
         timing=Timing(DEADLINE, "probation_months", PROBATION_END, "DEV-15")),
    Step(21, 5, "probation_assessment", "继续教育考察", "党支部", after=(17,), repeatable=True, optional=True),
    Step(22, 5, "confirmation_application", "提出转正申请", "预备党员", after=(17,), column="转正申请日期",
         timing=Timing(DEADLINE, "probation_months", PROBATION_END, "DEV-15"), documents=("转正申请书",)),
    Step(23, 5, "confirmation_meeting", "支部大会讨论", "支部大会", records=(VOTE, CONCLUSION, MONTHS), after=(22,),
         column="转正支部大会日期", repeatable=True,
         timing=Timing(DEADLINE, "probation_months", PROBATION_END, "DEV-15")),
    Step(24, 5, "confirmation_approval", "上级党委审批", "上级党委", after=(23,), column="转正审批日期",
         repeatable=True, timing=Timing(DEADLINE, "confirmation_approval_within_months", 23, "DEV-18")),
    Step(25, 5, "archive", "材料归档", "党支部", after=(24,), optional=True,
         documents=("入党志愿书", "入党申请书", "政治审查材料", "转正申请书", "培养教育考察材料")),
)

BY_NO = {s.no: s for s in STEPS}
BY_CODE = {s.code: s for s in STEPS}


class Conclusion:
    """The values CaseStep.conclusion takes."""

    REVIEW_PASSED, REVIEW_FAILED = "合格", "不合格"
    CONFIRMED, EXTENDED, CANCELLED = "按期转正", "延长预备期", "取消预备党员资格"
    REVIEW = (REVIEW_PASSED, REVIEW_FAILED)
    CONFIRMATION = (CONFIRMED, EXTENDED, CANCELLED)
