"""The sheets of the ledger workbook (LEDGER.md) as data: headers, how each cell is read, which service
field it feeds, the key. Adding a sheet = one more `Sheet` here + a row handler in `handlers.py`."""
from dataclasses import dataclass

from dangjian.meetings.models import Facility, MeetingType, Topic
from dangjian.assistance.models import ProjectKind
from dangjian.education.models import TrainingKind
from dangjian.governance.models import DecidingBody, MatterCategory
from dangjian.members.models import DuesCategory, Education, EventKind, PostCategory, Sex
from dangjian.organizations.models import OrgType, Post
from dangjian.recruitment.process import Conclusion
from dangjian.rectification.models import ProblemSource

from . import cells, handlers


class Choice:
    """A fixed list of Chinese labels mapped to model values (for lists that are not a TextChoices)."""

    def __init__(self, pairs):
        self.choices = pairs


CATEGORY = Choice([("probationary", "预备党员"), ("full", "正式党员")])
EVENT = Choice([(EventKind.TRANSFERRED, "转接"), (EventKind.SUSPENDED, "停止党籍"), (EventKind.RESTORED, "恢复党籍"),
                (EventKind.WITHDREW, "退党"), (EventKind.STRUCK_OFF, "除名"), (EventKind.EXPELLED, "开除党籍"),
                (EventKind.PERSUADED, "劝退"), (EventKind.DIED, "死亡")])

REVIEW = Choice([(v, v) for v in Conclusion.REVIEW])
CONFIRMATION = Choice([(v, v) for v in Conclusion.CONFIRMATION])


@dataclass(frozen=True)
class Column:
    header: str
    field: str                # the key in the parsed row, named as the service's argument
    parse: callable = cells.text
    required: bool = False
    note: str = ""            # for the template's 说明 sheet
    aliases: tuple = ()       # other DomainError.field names that point at this column


@dataclass(frozen=True)
class Sheet:
    name: str
    columns: tuple
    key: tuple                # fields forming the row key (a duplicate within the sheet is an error)
    handler: callable
    note: str = ""
    # Processing order inside the sheet (e.g. parent first, date order); default: the sheet's order.
    order: callable = None
    extra: bool = False       # a sheet the project added to LEDGER.md's list (documented in docs/ledger.md)
    finish: callable = None   # runs after the last row (checks deferred to the end of the sheet)
    fallback_column: str = ""  # the column for errors whose field names no column (e.g. FORBIDDEN)

    @property
    def headers(self):
        return [c.header for c in self.columns]

    def column_for(self, name):
        """The header of the column a DomainError's `field` is about."""
        for c in self.columns:
            if name == c.field or name in c.aliases:
                return c.header
        return self.fallback_column


def C(header, field, parse=cells.text, required=False, note="", aliases=()):
    return Column(header, field, parse, required, note, aliases)


ID = cells.id_number
D = cells.date
B = cells.boolean
N = cells.integer

ORGS = Sheet(
    "组织",
    (C("组织编码", "code", required=True, note="唯一，字母数字"),
     C("组织名称", "name", required=True),
     C("组织类别", "org_type", cells.choice(OrgType), required=True, note="、".join(OrgType.labels)),
     C("上级组织编码", "parent", note="仅根组织可空", aliases=("parent_code",)),
     C("成立日期", "founded_on", D, required=True),
     C("所在单位", "unit_name"),
     C("单位职工人数", "unit_employees", N),
     C("设立纪委", "has_discipline_committee", B, note="是/否，仅党委"),
     C("设立党务工作机构", "has_party_office", B, note="是/否"),
     C("专职党务人员数", "party_staff_count", N),
     C("撤销日期", "dissolved_on", D)),
    key=("code",), handler=handlers.organization_row, order=handlers.parents_first, fallback_column="组织编码",
    note="党组织，按组织编码匹配",
)

LINKS = Sheet(
    "隶属关系",
    (C("组织编码", "code", required=True, aliases=("org",)),
     C("上级组织编码", "parent", note="空=根组织"),
     C("起始日期", "valid_from", D, required=True, aliases=("moved_on",)),
     C("说明", "note")),
    key=("code", "valid_from"), handler=handlers.link_row, order=handlers.by_date("valid_from"),
    finish=handlers.finish_links, extra=True, fallback_column="组织编码",
    note="隶属关系历史：每个组织的第一行是成立时的位置，其后每行是一次隶属关系调整",
)

MEMBERS = Sheet(
    "党员",
    (C("身份证号", "id_number", ID, required=True, note="文本格式，18位"),
     C("姓名", "name", required=True),
     C("性别", "sex", cells.choice(Sex), note="男/女"),
     C("民族", "ethnicity"),
     C("出生日期", "birth_date", D),
     C("学历", "education", cells.choice(Education), note="、".join(Education.labels)),
     C("人员类别", "category", cells.choice(CATEGORY), required=True, note="正式党员/预备党员"),
     C("入党日期", "admitted_on", D, required=True),
     C("转正日期", "confirmed_on", D),
     C("所属组织编码", "org", required=True),
     C("党小组编码", "party_group"),
     C("工作岗位", "post_category", cells.choice(PostCategory), note="、".join(PostCategory.labels)),
     C("领导干部", "is_leading_cadre", B, note="是/否"),
     C("手机号码", "phone", cells.phone, note="文本格式"),
     C("党费类别", "dues_category", cells.choice(DuesCategory), note="、".join(DuesCategory.labels)),
     C("减免党费", "dues_reduced", B, note="是/否")),
    key=("id_number",), handler=handlers.member_row, fallback_column="所属组织编码",
    note="党员名册，按身份证号匹配",
)

EVENTS = Sheet(
    "党员变动",
    (C("身份证号", "id_number", ID, required=True, aliases=("member",)),
     C("事件", "kind", cells.choice(EVENT), required=True, note="、".join(label for _, label in EVENT.choices)),
     C("日期", "date", D, aliases=("transferred_on",)),
     C("组织编码", "org", note="转接：转入组织", aliases=("to_org",)),
     C("转出组织编码", "from_org", note="转接：转出组织"),
     C("说明", "note")),
    key=("id_number", "kind", "date"), handler=handlers.event_row, order=handlers.by_date("date"),
    finish=handlers.finish_events, extra=True, fallback_column="身份证号",
    note="党员的组织关系转接、停止/恢复党籍和出党记录（入党、转正在“党员”表）",
)

POSTS = Sheet(
    "班子",
    (C("组织编码", "org", required=True),
     C("身份证号", "id_number", ID, required=True, aliases=("member",)),
     C("职务", "post", cells.choice(Post), required=True, note="、".join(Post.labels)),
     C("任职日期", "started_on", D, required=True),
     C("离任日期", "ended_on", D),
     C("兼任行政职务", "admin_post"),
     C("专职", "full_time", B, note="是/否")),
    key=("org", "id_number", "post", "started_on"), handler=handlers.post_row, order=handlers.by_date("started_on"),
    fallback_column="组织编码", note="班子成员任职",
)

ELECTIONS = Sheet(
    "换届",
    (C("组织编码", "org", required=True),
     C("选举日期", "held_on", D, required=True),
     C("任期年数", "term_years", N, required=True),
     C("应到人数", "expected", N, required=True),
     C("实到人数", "present", N, required=True),
     C("应选人数", "seats", N, required=True),
     C("候选人数", "candidates", N, required=True),
     C("批准延期至", "postponed_to", D)),
    key=("org", "held_on"), handler=handlers.election_row, finish=handlers.finish_elections,
    fallback_column="组织编码", note="换届选举",
)

MEETINGS = Sheet(
    "组织生活",
    (C("组织编码", "org", required=True),
     C("会议类型", "types", cells.choices(MeetingType), required=True,
       note=f"{'、'.join(MeetingType.labels)}；一次会议可算作几种（如 支部党员大会;主题党日）"),
     C("日期", "held_on", D, required=True),
     C("主题", "subject", required=True),
     C("主持人身份证号", "chair", ID, note="文本格式；党员的身份证号"),
     C("讲课人身份证号", "lecturer", ID, note="文本格式；党课的讲课人"),
     C("应到人数", "expected", N, required=True),
     C("实到人数", "present", N, required=True, note="填写了出席人时须与出席人数一致"),
     C("出席人身份证号", "attendance", cells.id_numbers, note="逐人登记出席时填写，文本格式"),
     C("议题类别", "topics", cells.choices(Topic), note="、".join(Topic.labels)),
     C("表决事项", "matter", note="每次会议一项表决；填写时须填赞成票", aliases=("expected_voters", "present_voters")),
     C("赞成票", "yes", N, note="表决结果按应到、实到人数和赞成票计算（未达法定人数或未过半数照样登记）"),
     C("地点", "location", note="本系统增加的列（可省略）"),
     C("会议记录", "minutes", note="本系统增加的列（可省略）")),
    key=("org", "types", "held_on", "subject"), handler=handlers.meeting_row, fallback_column="组织编码",
    note="组织生活：按组织编码、会议类型（不计顺序）、日期和主题匹配",
)

RECRUITMENT = Sheet(
    "发展党员",
    (C("身份证号", "id_number", ID, required=True, note="文本格式，18位；申请人"),
     C("姓名", "name", required=True),
     C("出生日期", "birth_date", D),
     C("性别", "sex", cells.choice(Sex), note="男/女"),
     C("所属组织编码", "org", required=True, note="培养考察的党支部（或党总支）"),
     C("申请日期", "applied_on", D, required=True, note="1 递交入党申请书"),
     C("谈话日期", "talk_on", D, note="2 党组织派人谈话"),
     C("确定积极分子日期", "activist_on", D, note="3 确定入党积极分子"),
     C("培养联系人身份证号", "contacts", cells.id_numbers, note="5 培养联系人（1至2名正式党员），文本格式；日期为确定积极分子日期"),
     C("确定发展对象日期", "candidate_on", D, note="7 确定发展对象"),
     C("入党介绍人身份证号", "sponsors", cells.id_numbers, note="9 入党介绍人（2名正式党员），文本格式；日期为确定发展对象日期"),
     C("政审日期", "review_on", D, note="10 政治审查"),
     C("政审结论", "review_result", cells.choice(REVIEW), note="、".join(Conclusion.REVIEW)),
     C("培训开始日期", "training_from", D, note="11 集中培训"),
     C("培训结束日期", "training_to", D),
     C("培训学时", "training_hours", cells.number, note="最多一位小数"),
     C("支委会审查日期", "committee_review_on", D, note="12 支部委员会审查"),
     C("预审日期", "prereview_on", D, note="13 上级党委预审"),
     C("支部大会日期", "admission_on", D, note="15 支部大会讨论接收预备党员（即入党日期）"),
     C("支部大会应到人数", "admission_expected", N, note="有表决权的党员"),
     C("支部大会实到人数", "admission_present", N),
     C("支部大会赞成票", "admission_yes", N, note="表决结果按应到、实到人数和赞成票计算（未通过的照样登记，不接收为预备党员）"),
     C("上级谈话日期", "higher_talk_on", D, note="16 上级党委派人谈话"),
     C("审批日期", "approval_on", D, note="17 上级党委审批"),
     C("入党宣誓日期", "oath_on", D, note="20 入党宣誓"),
     C("转正申请日期", "confirmation_applied_on", D, note="22 提出转正申请"),
     C("转正支部大会日期", "confirmation_meeting_on", D, note="23 支部大会讨论转正（最近一次）"),
     C("转正应到人数", "confirmation_expected", N),
     C("转正实到人数", "confirmation_present", N),
     C("转正赞成票", "confirmation_yes", N),
     C("转正结果", "confirmation_result", cells.choice(CONFIRMATION), note="、".join(Conclusion.CONFIRMATION)),
     C("延长月数", "extension_months", N, note="转正结果为延长预备期时填写"),
     C("转正审批日期", "confirmation_approval_on", D, note="24 上级党委审批（按期转正的，转正日期为预备期满之日）"),
     C("终止培养日期", "discontinued_on", D, aliases=("on",)),
     C("终止原因", "discontinued_reason", aliases=("reason",)),
     C("前次转正支部大会日期", "prev_meeting_on", D, note="本系统增加的列（可省略）：延长预备期等前一次转正讨论"),
     C("前次转正应到人数", "prev_expected", N, note="本系统增加的列（可省略）"),
     C("前次转正实到人数", "prev_present", N, note="本系统增加的列（可省略）"),
     C("前次转正赞成票", "prev_yes", N, note="本系统增加的列（可省略）"),
     C("前次转正结果", "prev_result", cells.choice(CONFIRMATION), note="本系统增加的列（可省略）"),
     C("前次延长月数", "prev_months", N, note="本系统增加的列（可省略）"),
     C("前次转正审批日期", "prev_approval_on", D, note="本系统增加的列（可省略）")),
    key=("id_number",), handler=handlers.case_row, order=handlers.people_first, finish=handlers.finish_cases,
    fallback_column="所属组织编码",
    note="发展党员：每人一行，每个步骤一列（日期）；按身份证号匹配。支部大会通过即成为预备党员，无需在“党员”表中填写",
)

DUES = Sheet(
    "党费",
    (C("身份证号", "id_number", ID, required=True, note="文本格式；党员的身份证号", aliases=("member",)),
     C("月份", "month", cells.month, required=True, note="所属月份，YYYY-MM（文本格式）"),
     C("缴费基数", "base", cells.number, note="元；填写后自该月起按此基数计算（与当时的基数相同则不重复申报）"),
     C("实缴金额", "amount", cells.number, required=True, note="元，精确到分"),
     C("缴纳日期", "paid_on", D)),
    key=("id_number", "month"), handler=handlers.dues_row, order=handlers.by_date("month"),
    fallback_column="身份证号", note="党费：每人每月一行（按月交纳的党费），按身份证号和月份匹配",
)

MATTERS = Sheet(
    "三重一大",
    (C("事项编号", "number", required=True, note="唯一"),
     C("组织编码", "org", required=True, note="企业党委的组织编码"),
     C("事项名称", "name", required=True),
     C("事项类别", "category", cells.choice(MatterCategory), required=True, note="、".join(MatterCategory.labels)),
     C("前置研究日期", "studied_on", D, note="党委会前置研究讨论的日期；该党委当天的党委会（党委扩大会）自动关联",
       aliases=("study_meeting",)),
     C("决策机构", "deciding_body", cells.choice(DecidingBody), required=True, note="、".join(DecidingBody.labels)),
     C("决策日期", "decided_on", D, required=True),
     C("金额(万元)", "amount", cells.number, note="万元，最多两位小数"),
     C("决策情况", "decision_note", note="本系统增加的列（可省略）：董事会、经理层的会议及决议文号")),
    key=("number",), handler=handlers.matter_row, finish=handlers.finish_matters, fallback_column="事项编号",
    note="三重一大事项：按事项编号匹配；未经前置研究或研究晚于决策的按台账原样导入，并提示SOE-03",
)

PARTY_HOMES = Sheet(
    "党员之家",
    (C("组织编码", "org", required=True),
     C("名称", "name", required=True),
     C("建成日期", "opened_on", D, required=True),
     C("设施", "facilities", cells.choices(Facility), note="、".join(Facility.labels))),
    key=("org", "name"), handler=handlers.party_home_row, fallback_column="组织编码",
    note="党员之家：按组织编码和名称匹配",
)

PROBLEMS = Sheet(
    "问题整改",
    (C("问题编号", "number", required=True, note="唯一"),
     C("组织编码", "org", required=True, note="责任组织"),
     C("年度", "year", N, required=True, note="发现问题的年度，四位数字"),
     C("问题来源", "source", cells.choice(ProblemSource), required=True, note="、".join(ProblemSource.labels)),
     C("问题描述", "description", required=True),
     C("原因分析", "cause"),
     C("整改措施", "measures"),
     C("责任人身份证号", "owner", ID, note="文本格式；党员的身份证号"),
     C("整改时限", "deadline", D, required=True),
     C("完成日期", "completed_on", D, note="责任组织完成整改的日期"),
     C("销号日期", "closed_on", D, note="上级党组织验收销号的日期，不早于完成日期")),
    key=("number",), handler=handlers.problem_row, fallback_column="问题编号",
    note="问题整改：按问题编号匹配；完成日期、销号日期按台账原样登记（销号须由上级党组织导入），已登记的日期导入不能改写",
)

TRAINING = Sheet(
    "培训",
    (C("身份证号", "id_number", ID, required=True, note="文本格式；党员的身份证号", aliases=("member",)),
     C("日期", "held_on", D, required=True),
     C("内容", "subject", required=True),
     C("学时", "hours", cells.number, required=True, note="大于0，最多一位小数（全天8学时、半天4学时、1小时1学时）"),
     C("形式", "kind", cells.choice(TrainingKind), note="、".join(TrainingKind.labels))),
    key=("id_number", "held_on", "subject"), handler=handlers.training_row, order=handlers.by_date("held_on"),
    fallback_column="身份证号",
    note="学习培训学时：每人每次一行，按身份证号、日期和内容匹配；党员参加的党课（逐人登记出席的）另按每次4学时计入，"
         "同日已有形式为党课的培训行的不重复计算",
)

ASSISTANCE = Sheet(
    "帮扶",
    (C("项目编号", "code", required=True, note="唯一"),
     C("组织编码", "org", required=True, note="实施帮扶的党组织"),
     C("帮扶对象", "target", required=True, note="村或户"),
     C("项目类型", "kind", cells.choice(ProjectKind), required=True, note="、".join(ProjectKind.labels)),
     C("项目名称", "name", required=True),
     C("开始日期", "started_on", D, required=True),
     C("投入金额(万元)", "invested", cells.number, note="万元，最多两位小数"),
     C("年收益(万元)", "annual_return", cells.number, note="每年给村集体的收益或分红，万元"),
     C("人员身份证号", "member", ID, note="文本格式；驻村第一书记必填"),
     C("结束日期", "ended_on", D, note="空=仍在实施"),
     C("成效", "results", note="本系统增加的列（可省略）")),
    key=("code",), handler=handlers.assistance_row, fallback_column="项目编号",
    note="帮扶项目：按项目编号匹配",
)

# The order of LEDGER.md, with the project's history sheets right after the sheet they complete.
SHEETS = (ORGS, LINKS, MEMBERS, EVENTS, POSTS, ELECTIONS, MEETINGS, RECRUITMENT, DUES, MATTERS, PROBLEMS, TRAINING,
          ASSISTANCE, PARTY_HOMES)
BY_NAME = {s.name: s for s in SHEETS}
# Sheets of LEDGER.md this version does not read yet: ignored with a warning that says so.
LATER_SHEETS = ()
# The explanation sheet of the template: read by people, skipped by the importer.
HELP_SHEET = "说明"
