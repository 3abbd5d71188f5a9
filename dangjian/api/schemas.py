"""Request and response bodies. Choice fields travel as the model values ("branch", "probationary");
every response also carries the Chinese label (`org_type_label`, `stage_label` ...). Dates are
YYYY-MM-DD (requests also accept YYYY/MM/DD and YYYY年M月D日, like the pages and the importer).
Values a service checks (choices, dates, ID numbers) are strings here, so that a wrong one is answered
400 with the service's Chinese message rather than a 422 in English."""
import datetime

from ninja import Field, Schema
from pydantic import ConfigDict

from dangjian.members.models import EXIT_KINDS, DuesCategory, Education, PostCategory, Sex
from dangjian.organizations.models import OrgType

MAX_INT = 2_147_483_647
EXIT_KIND_VALUES = [k.value for k in EXIT_KINDS]


def choice(values, description, default=...):
    return Field(default, description=description, json_schema_extra={"enum": list(values)})


def a_date(description, default=...):
    return Field(default, description=f"{description}（YYYY-MM-DD）", json_schema_extra={"format": "date"})


class In(Schema):
    model_config = ConfigDict(extra="forbid")


class Error(Schema):
    code: str = Field(description="稳定的错误代码，如 FORBIDDEN、ID_CHECK_DIGIT、NOT_FOUND")
    message: str = Field(description="中文说明，可直接展示给用户")
    field: str | None = Field(None, description="出错的字段")


# ---- organisations ----

class OrgOut(Schema):
    code: str
    name: str
    org_type: str
    org_type_label: str
    parent: str | None = Field(description="上级组织编码")
    parent_name: str | None
    depth: int
    founded_on: datetime.date
    dissolved_on: datetime.date | None
    unit_name: str
    unit_employees: int | None
    has_discipline_committee: bool
    has_party_office: bool
    party_staff_count: int | None


class PostOut(Schema):
    post: str
    post_label: str
    member_id: int
    member_name: str
    started_on: datetime.date
    ended_on: datetime.date | None
    admin_post: str
    full_time: bool
    one_shoulder: bool = Field(description="一肩挑：书记兼任董事长或总经理")


class ElectionOut(Schema):
    held_on: datetime.date
    term_years: int
    expected: int
    present: int
    seats: int
    candidates: int
    postponed_to: datetime.date | None
    term_ends_on: datetime.date
    due_on: datetime.date


class TermOut(Schema):
    state: str = Field(description="none 无换届记录 / current 任期内 / ending 即将届满 / overdue 应换未换")
    label: str
    ends_on: datetime.date | None
    due_on: datetime.date | None


class OrgDetailOut(OrgOut):
    committee: list[PostOut] = Field(description="今天在任的班子成员")
    last_election: ElectionOut | None
    term: TermOut | None = Field(description="任期状态（党小组为 null）")


class OrgPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[OrgOut]


class OrgCreateIn(In):
    code: str = Field(max_length=32, description="组织编码（字母、数字、点、横线、下划线）")
    name: str = Field(max_length=120)
    org_type: str = choice(OrgType.values, "组织类别")
    parent: str | None = Field(None, description="上级组织编码；不填为根党委（仅系统管理员）")
    founded_on: str = a_date("成立日期")
    dissolved_on: str | None = a_date("撤销日期", None)
    unit_name: str = Field("", max_length=120)
    unit_employees: int | None = Field(None, le=MAX_INT)
    has_discipline_committee: bool = False
    has_party_office: bool = False
    party_staff_count: int | None = Field(None, le=MAX_INT)


class OrgPatchIn(In):
    """Only the fields sent are changed. The parent is changed by /move, not here."""
    name: str = Field(None, max_length=120)
    org_type: str = choice(OrgType.values, "组织类别", None)
    founded_on: str = a_date("成立日期", None)
    dissolved_on: str | None = a_date("撤销日期（撤销组织：仍有党员或未撤销的下级组织时拒绝）", None)
    unit_name: str = Field(None, max_length=120)
    unit_employees: int | None = Field(None, le=MAX_INT)
    has_discipline_committee: bool = None
    has_party_office: bool = None
    party_staff_count: int | None = Field(None, le=MAX_INT)


class OrgMoveIn(In):
    parent: str = Field(description="新的上级组织编码")
    moved_on: str = a_date("调整日期")
    note: str = Field("", max_length=200)


# ---- members ----

class MemberOut(Schema):
    id: int
    name: str
    sex: str
    sex_label: str
    ethnicity: str
    birth_date_masked: str = Field(description="出生日期（只显示年份：与脱敏的身份证号同样保护）")
    education: str
    education_label: str
    post_category: str
    post_category_label: str
    is_leading_cadre: bool
    org: str = Field(description="组织关系所在组织编码")
    org_name: str
    party_group: str | None
    party_group_name: str | None
    stage: str
    stage_label: str
    admitted_on: datetime.date
    confirmed_on: datetime.date | None
    dues_category: str
    dues_category_label: str
    dues_reduced: bool
    id_number_masked: str = Field(description="身份证号（脱敏）；完整号码见 /reveal")
    phone_masked: str = Field(description="手机号码（脱敏）")


class EventOut(Schema):
    id: int
    kind: str
    kind_label: str
    date: datetime.date | None
    org: str | None
    org_name: str | None
    note: str


class MemberDetailOut(MemberOut):
    events: list[EventOut] = Field(description="党籍事项时间线")


class MemberPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MemberOut]


class RevealOut(Schema):
    id: int
    name: str
    id_number: str
    phone: str
    birth_date: datetime.date


class MemberCreateIn(In):
    id_number: str = Field(description="18位公民身份号码")
    name: str = Field(max_length=40)
    org: str = Field(description="组织关系所在组织编码（党支部、党总支或党委）")
    admitted_on: str = a_date("入党日期（接收为预备党员）")
    confirmed_on: str | None = a_date("转正日期", None)
    full_member: bool = Field(False, description="无转正日期的历史正式党员")
    sex: str | None = choice(Sex.values, "性别（不填取自身份证号）", None)
    birth_date: str | None = a_date("出生日期（不填取自身份证号）", None)
    ethnicity: str = Field("汉族", max_length=20)
    education: str = choice([""] + Education.values, "学历", "")
    post_category: str = choice([""] + PostCategory.values, "工作岗位", "")
    is_leading_cadre: bool = False
    party_group: str | None = Field(None, description="党小组编码")
    dues_category: str = choice(DuesCategory.values, "党费类别", DuesCategory.EMPLOYED.value)
    dues_reduced: bool = False
    phone: str = Field("", max_length=20)


class MemberPatchIn(In):
    """Only the fields sent are changed. The ID number is the key and cannot be changed; the stage and
    organisation change by the events (/confirm, /transfer, /exit)."""
    name: str = Field(None, max_length=40)
    sex: str = choice(Sex.values, "性别", None)
    ethnicity: str = Field(None, max_length=20)
    birth_date: str = a_date("出生日期", None)
    education: str = choice([""] + Education.values, "学历", None)
    post_category: str = choice([""] + PostCategory.values, "工作岗位", None)
    is_leading_cadre: bool = None
    party_group: str | None = Field(None, description="党小组编码；null 清除")
    dues_category: str = choice(DuesCategory.values, "党费类别", None)
    dues_reduced: bool = None
    phone: str = Field(None, max_length=20)


class TransferIn(In):
    to_org: str = Field(description="转入组织编码")
    date: str = a_date("转接日期")
    note: str = Field("", max_length=200)


class ConfirmIn(In):
    date: str = a_date("转正日期")
    note: str = Field("", max_length=200)


class ExitIn(In):
    kind: str = choice(EXIT_KIND_VALUES, "出党方式：withdrew 退党 / struck_off 除名 / expelled 开除党籍 / "
                       "persuaded 劝退 / died 死亡")
    date: str = a_date("日期")
    note: str = Field("", max_length=200)

