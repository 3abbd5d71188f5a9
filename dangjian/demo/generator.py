"""The demonstration group (演示集团): a fictional provincial cultural media group shaped like the seed's
2018 述职报告, built only through the service functions with actor=None.

    DF    地方党委（属地管理）   the local committees that held the county organisations until 2018
    JT    桂江文化传媒集团党委   (设立纪委, 党务工作机构)
    ├── JTB01..JTB07           group departments' branches and the retirees' branch
    └── JT01..JT14             city 二级党委 with 纪委, founded 2018-06-29, secretary = 总经理 (一肩挑)
        ├── JTnn00             the city office's 机关党支部 (under DF until 2018-06-30)
        ├── JTnn01..           county 党支部 / 党总支 (under DF until 2018-06-30: 隶属关系调整)
        │   ├── JTnnCCGk       党小组 inside the larger branches
        │   └── JTnnCCbb       branches under a 党总支
        └── (new branches founded in the second half of 2018: 应建未建 fixed)

The whole group is planned in memory first with one `random.Random(SEED)` (the same plan every run), then
written through the services in one transaction. Historical facts carry fixed dates; the few facts that
must look "current" whenever the demo is built (the latest elections, recent admissions) are placed
relative to `today`, so a dashboard built today shows terms ending soon and terms overdue.
"""
import datetime
import hashlib
import math
import random
import time
from dataclasses import dataclass, field

from django.db import transaction

from dangjian.accounts.models import RoleKind
from dangjian.accounts.services import create_user
from dangjian.audit.services import new_batch
from dangjian.core.dates import add_months, add_years
from dangjian.core.dates import today as local_today
from dangjian.core.idcard import make_id_number
from dangjian.dues.models import BaseDeclaration, Payment
from dangjian.members.models import DuesCategory, Education, EventKind, Member, MemberEvent, PostCategory
from dangjian.members.services import (
    confirm_member,
    create_member,
    record_exit,
    restore_member,
    suspend_member,
    transfer_member,
)
from dangjian.meetings.models import Attendance, Meeting, MeetingKind, MeetingType, PartyHome, Topic, Vote, VoteResult
from dangjian.meetings.services import create_party_home, record_meeting, record_vote, vote_outcome
from dangjian.organizations.models import (
    BRANCH_TYPES,
    COMMITTEE_POSTS,
    LEADERSHIP_TYPES,
    CommitteePost,
    Election,
    Organization,
    OrgType,
    ParentLink,
    Post,
)
from dangjian.organizations.services import (
    create_organization,
    create_post,
    default_term_years,
    dissolve_organization,
    move_organization,
    record_election,
)
from dangjian.recruitment.models import Case, CaseStep
from dangjian.responsibility.models import Indicator, Responsibility
from dangjian.rules import parameters

from .appraisal import write_appraisal
from .assistance import write_assistance
from .dues import write_dues
from .education import write_education
from .governance import write_governance
from .recruitment import plan_cases, write_cases
from .rectification import write_rectification
from .reports import write_report
from .responsibility import write_responsibility

SEED = 20181231
DEMO_PASSWORD = "demo1234"
ROOT_CODE = "JT"
LOCAL_CODE = "DF"
DEFAULT_MEMBERS = 5000
GROUP_NAME = "桂江文化传媒集团"
CITY_FOUNDED = datetime.date(2018, 6, 29)
MOVED_ON = datetime.date(2018, 6, 30)
MOVE_NOTE = "隶属关系调整：由属地管理调整为集团党委垂直管理"
DEMO_BRANCH = "JT0101"  # the branch of the `shuji` and `dangyuan` logins
VACANT_SECRETARY = ("JT0204", "JT0904", "JT1204")  # county branches whose secretary left (TERM-04)
D = datetime.date

# Fictional cities (with how many county subsidiaries each has). Region codes 45nn.. are Guangxi-shaped.
CITIES = (("邕城", 10), ("柳岸", 7), ("桂山", 11), ("梧川", 6), ("北湾", 3), ("防港", 3), ("钦江", 4),
          ("贵川", 4), ("玉岭", 6), ("百溪", 11), ("贺阳", 4), ("河川", 11), ("来岭", 5), ("崇湖", 7))
# Counties where a branch was founded only in 2018 (应建未建), one per listed city.
NEW_2018_CITIES = (1, 3, 4, 6, 10, 12, 13, 14)
# County units that are 党总支 with branches under them: (city, county number).
GENERAL_BRANCHES = ((1, 3), (3, 2), (3, 7), (10, 4), (12, 1), (14, 5))
DEPARTMENTS = (("JTB01", "集团党委办公室党支部", "党委办公室"), ("JTB02", "集团组织人事部党支部", "组织人事部"),
               ("JTB03", "集团宣传文化部党支部", "宣传文化部"), ("JTB04", "集团财务审计部党支部", "财务审计部"),
               ("JTB05", "集团网络技术中心党支部", "网络技术中心"), ("JTB06", "集团市场经营部党支部", "市场经营部"),
               ("JTB07", "集团离退休党支部", "离退休人员管理中心"))

SURNAMES = ("黄韦李陈梁覃刘莫陆蒙王张杨林何罗周吴赵谭廖邓唐卢农黎甘蓝欧凌苏潘冯钟曾彭蒋谢蔡许"
            "胡朱郑徐高宋韩曹袁邱龙秦石文汤方阮骆温叶孙马贺姚易")
SURNAME_WEIGHTS = [14, 10, 10, 9, 9, 8, 7, 6, 6, 5] + [2] * (len(SURNAMES) - 10)
GIVEN_MALE = "伟强军杰磊勇涛明超斌刚平辉鹏华飞鑫波宁峰健俊帆浩凯林坤宇振志建国文海东亮成庆森春荣德新永忠福祥光毅"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞燕玲婷雪慧红梅琳兰萍丹莉秀英华玉珍凤洁晶颖倩琴云佳欣悦蓉薇月媛"
COUNTY_FIRST = "安平永兴隆德宁融昭富凌乐天东西南上横灵三恭钟容陆龙凤那都田扶宜罗环"
COUNTY_SECOND = "山川江水阳林源田安城溪岭浦州丰和化宁"
ETHNICITIES = (("汉族", 62), ("壮族", 30), ("瑶族", 3), ("苗族", 2), ("侗族", 1), ("仫佬族", 1), ("毛南族", 1))
OTHER_REGIONS = ("430102", "440106", "520102", "530102", "360102")


@dataclass
class OrgPlan:
    code: str
    name: str
    org_type: str
    parent: str | None
    founded_on: datetime.date
    kind: str                       # root, local, dept, city, office, county, general, sub, new, group
    region: str = "450103"
    unit_name: str = ""
    unit_employees: int | None = None
    discipline: bool = False
    office: bool = False
    staff: int | None = None
    move_to: str | None = None
    weight: int = 0                 # share of the members it holds
    minimum: int = 0                # members it must hold at least
    election: str = "current"       # current, ending, overdue, postponed, none, fixed
    count: int = 0                  # members it holds today (planned)


@dataclass
class Person:
    n: int
    org: str                        # the organisation holding the membership today (or at exit)
    name: str = ""
    sex: str = "M"
    birth: datetime.date = D(1980, 1, 1)
    id_number: str = ""
    ethnicity: str = "汉族"
    admitted_on: datetime.date = D(2000, 1, 1)
    confirmed_on: datetime.date | None = None
    first_org: str = ""             # where admitted (differs when transferred later)
    transferred_on: datetime.date | None = None
    suspended_on: datetime.date | None = None
    restored_on: datetime.date | None = None
    exit: str | None = None
    exited_on: datetime.date | None = None
    education: str = ""
    post_category: str = ""
    dues_category: str = DuesCategory.EMPLOYED
    dues_reduced: bool = False
    leading: bool = False
    group: str | None = None
    phone: str = ""
    senior: bool = False

    @property
    def stable(self):
        return self.exit is None and self.suspended_on is None

    def holds(self, org_code, day):
        """Holds membership in `org_code` on `day` and stays a member in good standing."""
        if not self.stable or self.admitted_on >= day:
            return False
        if self.transferred_on and self.transferred_on > day:
            return self.first_org == org_code
        return self.org == org_code


@dataclass
class PostPlan:
    org: str
    person: int
    post: str
    started_on: datetime.date
    ended_on: datetime.date | None = None
    admin_post: str = ""
    full_time: bool = False


@dataclass
class ElectionPlan:
    org: str
    held_on: datetime.date
    term_years: int
    expected: int
    present: int
    seats: int
    candidates: int
    postponed_to: datetime.date | None = None


@dataclass
class Plan:
    orgs: list = field(default_factory=list)
    people: list = field(default_factory=list)
    posts: list = field(default_factory=list)
    elections: list = field(default_factory=list)
    shuji: int = 0
    dangyuan: int = 0
    meetings: list = field(default_factory=list)     # 2018 (plan_year)
    homes: list = field(default_factory=list)
    findings: list = field(default_factory=list)


def _day(rng, start, end):
    """A day between start and end inclusive (start when the range is empty)."""
    span = (end - start).days
    return start if span <= 0 else start + datetime.timedelta(days=rng.randint(0, span))


def _county_names(rng, count):
    names, seen = [], set()
    while len(names) < count:
        name = rng.choice(COUNTY_FIRST) + rng.choice(COUNTY_SECOND)
        if name not in seen and name[0] != name[1]:
            seen.add(name)
            names.append(name)
    return names


# ---------------------------------------------------------------- the plan (pure Python)

def plan_orgs(rng):
    orgs = []
    add = orgs.append
    add(OrgPlan(LOCAL_CODE, "地方党委（属地管理）", OrgType.COMMITTEE, None, D(1990, 1, 1), "local",
                election="none", unit_name="各市、县地方党委"))
    add(OrgPlan(ROOT_CODE, f"中共{GROUP_NAME}有限公司委员会", OrgType.COMMITTEE, None, D(1996, 6, 18), "root",
                unit_name=f"{GROUP_NAME}有限公司", unit_employees=11860, discipline=True, office=True, staff=12,
                election="fixed"))
    for code, name, unit in DEPARTMENTS:
        retirees = code == "JTB07"
        add(OrgPlan(code, name, OrgType.BRANCH, ROOT_CODE, _day(rng, D(1996, 7, 1), D(2004, 12, 31)), "dept",
                    unit_name=f"{GROUP_NAME}有限公司{unit}", weight=rng.randint(12, 26) if not retirees else 24,
                    minimum=2))
    county_names = _county_names(rng, sum(n for _, n in CITIES) + len(NEW_2018_CITIES))
    general = set(GENERAL_BRANCHES)
    for i, (city, counties) in enumerate(CITIES, start=1):
        cc = f"JT{i:02d}"
        unit = f"{GROUP_NAME}有限公司{city}市分公司"
        add(OrgPlan(cc, f"中共{unit}委员会", OrgType.COMMITTEE, ROOT_CODE, CITY_FOUNDED, "city",
                    region=f"45{i:02d}02", unit_name=unit, unit_employees=rng.randint(260, 1400), discipline=True,
                    office=i not in (6, 11), staff=rng.randint(1, 3) if i not in (6, 11) else None,
                    election="fixed"))
        add(OrgPlan(f"{cc}00", f"{city}市分公司机关党支部", OrgType.BRANCH, LOCAL_CODE,
                    _day(rng, D(1993, 1, 1), D(1999, 12, 31)), "office", region=f"45{i:02d}02",
                    unit_name=f"{unit}本部", unit_employees=rng.randint(60, 200), move_to=cc,
                    weight=rng.randint(25, 45), minimum=3))
        for k in range(1, counties + 1):
            county = county_names.pop(0)
            code = f"{cc}{k:02d}"
            region = f"45{i:02d}{20 + k:02d}"
            cunit = f"{unit}{county}县分公司"
            founded = _day(rng, D(1996, 1, 1), D(2010, 12, 31))
            if (i, k) in general:
                add(OrgPlan(code, f"{county}县分公司党总支", OrgType.GENERAL_BRANCH, LOCAL_CODE, founded,
                            "general", region=region, unit_name=cunit, unit_employees=rng.randint(120, 300),
                            move_to=cc))
                for b, sub in enumerate(("机关", "营业部", "网络运维部")[:rng.randint(2, 3)], start=1):
                    add(OrgPlan(f"{code}{b:02d}", f"{county}县分公司{sub}党支部", OrgType.BRANCH, code,
                                _day(rng, founded, D(2012, 12, 31)), "sub", region=region,
                                unit_name=f"{cunit}{sub}", weight=rng.randint(15, 35), minimum=1))
                continue
            # A few tiny branches (fewer than 3 full members) and a few oversized ones (more than 50).
            weight = rng.choice((1, 1, 2)) if k % 9 == 5 else rng.randint(55, 70) if k % 9 == 7 else rng.randint(8, 45)
            if code == DEMO_BRANCH:
                weight = 30
            add(OrgPlan(code, f"{county}县分公司党支部", OrgType.BRANCH, LOCAL_CODE, founded, "county",
                        region=region, unit_name=cunit, unit_employees=rng.randint(30, 180), move_to=cc,
                        weight=weight, minimum=4 if code == DEMO_BRANCH else 1))
        if i in NEW_2018_CITIES:
            county = county_names.pop(0)
            k = counties + 1
            add(OrgPlan(f"{cc}{k:02d}", f"{county}县分公司党支部", OrgType.BRANCH, cc,
                        _day(rng, D(2018, 8, 1), D(2018, 11, 30)), "new", region=f"45{i:02d}{20 + k:02d}",
                        unit_name=f"{unit}{county}县分公司", unit_employees=rng.randint(20, 60),
                        weight=rng.randint(6, 14), minimum=1))
    _assign_election_kinds(orgs)
    return orgs


def _assign_election_kinds(orgs):
    """Most organisations are within their term; every tenth is overdue (应换未换), every tenth ends within
    six months, a few have no election on record and one has an approved postponement."""
    branches = [o for o in orgs if o.kind in ("county", "general", "sub", "new", "office", "dept")]
    for index, org in enumerate(branches):
        if org.code == DEMO_BRANCH:
            continue
        org.election = {3: "overdue", 7: "ending"}.get(index % 10, "current")
        if index % 23 == 11:
            org.election = "none"
    next(o for o in orgs if o.kind == "general").election = "postponed"


def allocate(orgs, total):
    """Share `total` members among the organisations that hold membership, by weight, with minimums."""
    holders = [o for o in orgs if o.weight]
    need = sum(o.minimum for o in holders)
    if total < need:
        raise ValueError(f"演示集团至少需要{need}名党员")
    weights = sum(o.weight for o in holders)
    spare = total - need
    shares = [(o.weight * spare / weights, o) for o in holders]
    for share, o in shares:
        o.count = o.minimum + int(share)
    left = total - sum(o.count for o in holders)
    for _, o in sorted(shares, key=lambda s: (-(s[0] - int(s[0])), s[1].code))[:left]:
        o.count += 1


def plan_people(rng, orgs, today):
    by_code = {o.code: o for o in orgs}
    people, ids = [], set()
    office_of = {o.code: f"{o.code[:4]}00" for o in orgs if o.kind == "new"}
    old_branches = [o for o in orgs if o.weight and o.kind != "new"]
    for org in [o for o in orgs if o.weight]:
        # Committee material: enough long-standing members for the posts the branch will have.
        seniors = 6 if org.kind in ("office", "dept") else 1 if org.count < 7 else 3 if org.count < 20 else 5
        # A branch founded in 2018 took its first members over from the city office's branch.
        since = by_code[office_of[org.code]].founded_on if org.kind == "new" else org.founded_on
        for j in range(org.count):
            p = Person(n=len(people) + 1, org=org.code, first_org=org.code, senior=j < seniors)
            _person_attributes(rng, p, org, since, today, ids)
            if org.kind == "new" and p.admitted_on < org.founded_on:
                p.first_org, p.transferred_on = office_of[org.code], org.founded_on
            people.append(p)
    _lifecycle(rng, people, by_code, old_branches, today)
    _groups(rng, people, orgs)
    return people


def _person_attributes(rng, p, org, since, today, ids):
    p.sex = "M" if rng.random() < 0.62 else "F"
    if org.code == "JTB07":
        age = rng.randint(60, 69)
    elif p.senior:
        age = rng.randint(40, 56)
    else:
        age = min(69, max(20, int(rng.triangular(20, 70, 38))))
    p.birth = add_years(today, -age) - datetime.timedelta(days=rng.randint(1, 360))
    p.name = rng.choices(SURNAMES, SURNAME_WEIGHTS)[0] + "".join(
        rng.choice(GIVEN_MALE if p.sex == "M" else GIVEN_FEMALE) for _ in range(1 if rng.random() < 0.35 else 2))
    region = org.region if rng.random() < 0.8 else rng.choice(
        OTHER_REGIONS if rng.random() < 0.15 else ("450103", "450203", "450305", "450502", "451002", "451202"))
    sequence = rng.randint(0, 99)
    while True:
        p.id_number = make_id_number(region, p.birth, sequence, p.sex)
        if p.id_number not in ids:
            break
        sequence += 1
    ids.add(p.id_number)
    p.ethnicity = rng.choices([e for e, _ in ETHNICITIES], [w for _, w in ETHNICITIES])[0]
    joined_age = rng.triangular(19, 45, 26)
    natural = p.birth + datetime.timedelta(days=int(joined_age * 365.25))
    adult = add_years(p.birth, parameters.value("min_admission_age"))
    earliest = max(adult + datetime.timedelta(days=30), since + datetime.timedelta(days=30))
    if p.senior:  # committee material: a member of long standing
        latest = min(D(2012, 12, 31), add_years(p.birth, 40))
        p.admitted_on = max(min(natural, latest), earliest) if earliest < latest else earliest
    else:
        recent = today - datetime.timedelta(days=20)
        if natural <= recent:
            p.admitted_on = max(natural, earliest)
        elif earliest < today - datetime.timedelta(days=400):  # young: admitted a while ago all the same
            p.admitted_on = _day(rng, earliest, today - datetime.timedelta(days=400))
        else:
            p.admitted_on = _day(rng, min(earliest, recent), recent)
    probation = parameters.value("probation_months")
    confirm = add_months(p.admitted_on, probation) + datetime.timedelta(days=rng.randint(0, 25))
    p.confirmed_on = confirm if confirm < today else None
    retire_age = 60 if p.sex == "M" else 55
    p.education = rng.choices(Education.values, (6, 45, 30, 8, 7, 4) if age < 50 else (2, 25, 33, 15, 15, 10))[0]
    if age >= retire_age or org.code == "JTB07":
        p.post_category, p.dues_category = PostCategory.RETIRED, DuesCategory.RETIRED
    elif age <= 23 and rng.random() < 0.3:
        p.post_category, p.dues_category = PostCategory.STUDENT, DuesCategory.STUDENT
    else:
        p.post_category = rng.choices((PostCategory.FRONTLINE, PostCategory.PROFESSIONAL, PostCategory.MANAGEMENT,
                                       PostCategory.OTHER), (40, 30, 22, 8))[0]
        p.dues_category = DuesCategory.EMPLOYED
        if p.post_category == PostCategory.OTHER:
            p.dues_category = rng.choices((DuesCategory.EMPLOYED, DuesCategory.FARMER, DuesCategory.UNEMPLOYED,
                                           DuesCategory.SUBSISTENCE), (4, 3, 2, 1))[0]
    p.dues_reduced = rng.random() < 0.005
    if rng.random() < 0.95:
        p.phone = rng.choice(("13", "15", "18", "17", "19")) + f"{rng.randint(0, 999999999):09d}"


def _lifecycle(rng, people, by_code, old_branches, today):
    """Transfers, suspensions and exits: the first ordinary members get one of each (so even a small demo
    shows every kind), the rest by chance."""
    forced = [EventKind.DIED, EventKind.WITHDREW, EventKind.STRUCK_OFF, EventKind.EXPELLED, EventKind.PERSUADED,
              "suspend", "suspend_restore", "transfer", "transfer", "probationary", "probationary"]
    ordinary = [p for p in people if not p.senior and not p.transferred_on and p.org != DEMO_BRANCH]
    if len(ordinary) < len(forced):  # a very small demo: borrow county seniors (not the logins' branch)
        ordinary += [p for p in people if p.senior and by_code[p.org].kind == "county" and p.org != DEMO_BRANCH
                     and by_code[p.org].count > 1][:len(forced) - len(ordinary)]
    for index, p in enumerate(ordinary):
        if index < len(forced):
            what = forced[index]
            if what == "probationary":  # admitted within the last year, not yet due for 转正
                p.admitted_on, p.confirmed_on = today - datetime.timedelta(days=rng.randint(30, 300)), None
                continue
        else:
            r = rng.random()
            what = (None if r > 0.045 else "transfer" if r < 0.015 else "suspend" if r < 0.019 else
                    rng.choices((EventKind.DIED, EventKind.WITHDREW, EventKind.STRUCK_OFF, EventKind.EXPELLED,
                                 EventKind.PERSUADED), (35, 10, 25, 20, 10))[0])
        last = p.confirmed_on or p.admitted_on
        start = max(last + datetime.timedelta(days=30), D(2016, 1, 1))
        end = today - datetime.timedelta(days=10)
        if what is None or start >= end:
            continue
        if what == "transfer":
            choices = [o for o in old_branches if o.code != p.org and o.founded_on < p.admitted_on]
            if not choices:
                continue
            p.first_org = rng.choice(choices).code
            p.transferred_on = _day(rng, start, end)
            p.group = None
        elif what in ("suspend", "suspend_restore"):
            p.suspended_on = _day(rng, start, end - datetime.timedelta(days=200))
            if what == "suspend_restore":
                p.restored_on = p.suspended_on + datetime.timedelta(days=rng.randint(90, 180))
        else:
            p.exit, p.exited_on = what, _day(rng, start, end)


def _groups(rng, people, orgs):
    """党小组 in about half of the branches with 35 or more members; most of their members belong to one."""
    for org in list(orgs):
        if org.kind not in ("county", "office", "sub") or org.count < 35:
            continue
        if rng.random() < 0.5 and org.code != DEMO_BRANCH:
            continue
        n = 2 if org.count < 55 else 3
        codes = [f"{org.code}G{k}" for k in range(1, n + 1)]
        founded = max(org.founded_on, D(2016, 3, 1)) + datetime.timedelta(days=rng.randint(0, 400))
        for k, code in enumerate(codes, start=1):
            orgs.append(OrgPlan(code, f"{org.name}第{'一二三'[k - 1]}党小组", OrgType.PARTY_GROUP, org.code,
                                founded, "group", election="none"))
        members = [p for p in people if p.org == org.code and not p.transferred_on]
        for index, p in enumerate(members):
            if rng.random() < 0.8:
                p.group = codes[index % n]
    by_code = {o.code: o for o in orgs}
    orgs.sort(key=lambda o: (o.kind == "group", _depth(o, by_code)))  # parents before children


def _depth(org, by_code):
    depth = 0
    while org.parent:
        org = by_code[org.parent]
        depth += 1
    return depth


def plan_elections_and_posts(rng, plan, today):
    by_code = {o.code: o for o in plan.orgs}
    people = plan.people
    by_org = _people_by_org(people)
    holders = _holders(by_org)

    def subtree_codes(code):
        return _subtree_codes(plan, code, by_code)

    # 集团党委: the old committee elected in 2013, the first congress after the upgrade in 2019, then 2024.
    jt_people = [d[0] for d in DEPARTMENTS[:6]]
    for held in (D(2013, 12, 20), D(2019, 4, 18), D(2024, 4, 19)):
        term = default_term_years(OrgType.COMMITTEE, held)
        plan.elections.append(ElectionPlan(ROOT_CODE, held, term, 186, 179, 9, 11))
    old = holders(jt_people, D(2013, 12, 20))
    new = holders(jt_people, D(2019, 4, 18), exclude={p.n for p in old[:2]})
    if old:
        plan.posts.append(PostPlan(ROOT_CODE, old[0].n, Post.SECRETARY, D(2013, 12, 20), D(2019, 4, 17), "董事长"))
    if len(old) > 1:
        plan.posts.append(PostPlan(ROOT_CODE, old[1].n, Post.DISCIPLINE_SECRETARY, D(2013, 12, 20), D(2019, 4, 17)))
    for person, (post, admin, full) in zip(new, (
            (Post.SECRETARY, "董事长", False), (Post.DEPUTY_SECRETARY, "", True),
            (Post.DEPUTY_SECRETARY, "总经理", False), (Post.DISCIPLINE_SECRETARY, "", True),
            (Post.ORGANIZATION_MEMBER, "组织人事部部长", False), (Post.PUBLICITY_MEMBER, "宣传文化部部长", False))):
        plan.posts.append(PostPlan(ROOT_CODE, person.n, post, D(2019, 4, 18), None, admin, full))

    for org in plan.orgs:
        if org.kind == "city":
            _city(rng, plan, org, subtree_codes(org.code), holders, today)
        elif org.kind in ("county", "general", "sub", "new", "office", "dept"):
            codes = subtree_codes(org.code) if org.org_type == OrgType.GENERAL_BRANCH else [org.code]
            _branch(rng, plan, org, codes, holders, today)
        elif org.kind == "group":
            members = [p for p in people if p.group == org.code and p.stable]
            members = [p for p in members if p.admitted_on < org.founded_on] or members
            if members:
                leader = members[0]
                plan.posts.append(PostPlan(org.code, leader.n, Post.GROUP_LEADER,
                                           max(org.founded_on, leader.admitted_on + datetime.timedelta(days=1))))

    # The logins' branch: its secretary is `shuji`; an ordinary member in good standing is `dangyuan`.
    secretary = next(p for p in plan.posts if p.org == DEMO_BRANCH and p.post == Post.SECRETARY and not p.ended_on)
    plan.shuji = secretary.person
    officers = {p.person for p in plan.posts}
    plan.dangyuan = next(p.n for p in by_org[DEMO_BRANCH]
                         if p.org == DEMO_BRANCH and p.stable and p.n not in officers and p.confirmed_on)
    # 领导干部 (双重组织生活): committee-level officers and county general managers, then others to ~5%.
    leading = {p.person for p in plan.posts if p.org == ROOT_CODE or by_code[p.org].kind == "city"
               or p.admin_post in ("总经理", "副总经理")}
    seniors = [p for p in people if p.senior and p.n not in leading and p.post_category != PostCategory.RETIRED]
    rng.shuffle(seniors)
    target = max(1, round(len(people) * 0.05))
    leading |= {p.n for p in seniors[:max(0, target - len(leading))]}
    for p in people:
        p.leading = p.n in leading
        if p.leading and p.post_category in (PostCategory.FRONTLINE, PostCategory.OTHER):
            p.post_category = PostCategory.MANAGEMENT
        if p.leading and p.dues_category == DuesCategory.EMPLOYED and p.n % 3 == 0:
            p.dues_category = DuesCategory.ANNUAL_SALARY


def _people_by_org(people):
    """{org code: the people who held their membership there at some time}."""
    by_org = {}
    for p in people:
        by_org.setdefault(p.org, []).append(p)
        if p.first_org != p.org:
            by_org.setdefault(p.first_org, []).append(p)
    return by_org


def _holders(by_org):
    """holders(codes, day, exclude=()): the members in good standing held in `codes` on `day`, committee
    material (long-standing members) first."""
    def holders(codes, day, exclude=()):
        found = [p for code in codes for p in by_org.get(code, []) if p.holds(code, day) and p.n not in exclude]
        return sorted(found, key=lambda p: (not p.senior, p.admitted_on, p.n))
    return holders


def _subtree_codes(plan, code, by_code):
    return [o.code for o in plan.orgs if o.code == code or _is_under(o, code, by_code)]


def _is_under(org, code, by_code):
    """Below `code` in today's tree (after the 2018 moves)."""
    while org.move_to or org.parent:
        parent = org.move_to or org.parent
        if parent == code:
            return True
        org = by_code[parent]
    return False


def _city(rng, plan, org, codes, holders, today):
    """二级党委: appointed when founded in 2018 (书记 = 总经理, 专职副书记, 纪委书记), the 两委 elected by the
    first 党员大会 in 2019 and again in 2024 — except two cities still overdue."""
    size = sum(1 for p in plan.people if p.org in codes and p.stable)
    first = _day(rng, D(2019, 3, 1), D(2019, 6, 30))
    held = [first] if org.code in ("JT05", "JT11") else [first, _day(rng, D(2024, 3, 1), D(2024, 6, 30))]
    for day in held:
        plan.elections.append(ElectionPlan(org.code, day, default_term_years(OrgType.COMMITTEE, day), size,
                                           max(1, size - rng.randint(0, size // 12)), 5, 7))
    office = [c for c in codes if c.endswith("00")]
    chosen = holders(office, CITY_FOUNDED) + holders(codes, CITY_FOUNDED)
    seen, people = set(), []
    for p in chosen:
        if p.n not in seen:
            seen.add(p.n)
            people.append(p)
    roles = ((Post.SECRETARY, "总经理", False, CITY_FOUNDED), (Post.DEPUTY_SECRETARY, "", True, CITY_FOUNDED),
             (Post.DISCIPLINE_SECRETARY, "", False, CITY_FOUNDED), (Post.ORGANIZATION_MEMBER, "", False, first),
             (Post.PUBLICITY_MEMBER, "副总经理", False, first))
    for person, (post, admin, full, start) in zip(people, roles):
        plan.posts.append(PostPlan(org.code, person.n, post, start, None, admin, full))


def _branch(rng, plan, org, codes, holders, today):
    term = default_term_years(org.org_type)
    size = sum(1 for p in plan.people if p.org in codes and p.stable)
    kind = org.election if size else "none"
    elections = []
    lead = parameters.value("term_reminder_months")  # TERM-03: "ending" means within this many months
    if kind != "none":
        if kind == "current":
            last = add_months(today, -rng.randint(3, term * 12 - lead - 1))
        elif kind == "ending":
            last = add_years(add_months(today, rng.randint(1, lead - 1)), -term)
        elif kind == "postponed":
            last = add_years(add_months(today, -2), -term)
        else:  # overdue: the term ended one to twenty months ago
            last = add_years(add_months(today, -rng.randint(1, 20)), -term)
        day = last
        while day >= max(org.founded_on + datetime.timedelta(days=30), D(2014, 1, 1)):
            elections.append(day)
            # Held a little before the term ran out, never after: the only overdue terms are those planned.
            day = add_years(day, -term) + datetime.timedelta(days=rng.randint(-20, 20) + 21)
        elections.reverse()
    seats = 5 if size >= 20 else 3 if size >= 7 else 1
    for index, held in enumerate(elections):
        expected = max(1, size + rng.randint(-3, 3))
        present = expected - rng.randint(0, max(0, expected // 10))
        candidates = math.ceil(seats * 1.2) + (1 if rng.random() < 0.3 else 0)
        postponed = add_months(today, 4) if kind == "postponed" and index == len(elections) - 1 else None
        plan.elections.append(ElectionPlan(org.code, held, term, expected, present, seats, candidates, postponed))
    start = elections[-1] if elections else max(org.founded_on + datetime.timedelta(days=20), D(2016, 3, 1))
    people = holders(codes, start)
    if not people:
        return
    secretary_admin = ""
    if org.kind in ("county", "general", "new"):
        secretary_admin = "总经理" if rng.random() < 0.9 else "副总经理"
    posts = [(Post.SECRETARY, secretary_admin)]
    if seats == 5:
        posts += [(Post.DEPUTY_SECRETARY, ""), (Post.ORGANIZATION_MEMBER, ""), (Post.PUBLICITY_MEMBER, ""),
                  (Post.DISCIPLINE_MEMBER, "")]
    elif seats == 3 or org.org_type == OrgType.GENERAL_BRANCH:
        posts += [(Post.ORGANIZATION_MEMBER, ""), (Post.DISCIPLINE_MEMBER, "")]
    if len(posts) > 1 and org.code != DEMO_BRANCH and rng.random() < 0.12:
        posts.pop(rng.randrange(1, len(posts)))  # 应配未配: a committee seat left empty
    # The previous term's secretary, when the branch has elected more than once and the person changed.
    if len(elections) > 1 and len(people) > len(posts) and rng.random() < 0.3:
        previous = holders(codes, elections[-2])
        if previous and previous[-1].n != people[0].n:
            plan.posts.append(PostPlan(org.code, previous[-1].n, Post.SECRETARY, elections[-2],
                                       start - datetime.timedelta(days=1), secretary_admin))
    vacant = org.code in VACANT_SECRETARY
    for person, (post, admin) in zip(people, posts):
        ended = None
        if post == Post.SECRETARY and vacant:
            # 书记空缺: the secretary left and nobody has been appointed since (TERM-04).
            ended = max(start + datetime.timedelta(days=1), today - datetime.timedelta(days=rng.choice((45, 150, 300))))
            if ended >= today:
                ended = None
        plan.posts.append(PostPlan(org.code, person.n, post, start, ended, admin))


def make_plan(members=DEFAULT_MEMBERS, today=None):
    """The whole demo group as data: the same plan for the same (members, today)."""
    today = today or local_today()
    rng = random.Random(SEED)
    plan = Plan()
    plan.orgs = plan_orgs(rng)
    allocate(plan.orgs, members)
    plan.people = plan_people(rng, plan.orgs, today)
    plan_elections_and_posts(rng, plan, today)
    plan_year(plan, today)
    return plan


# ---------------------------------------------------------------- 2018: committees in post and organisational life

YEAR = 2018
YEAR_START, YEAR_END = D(YEAR, 1, 1), D(YEAR, 12, 31)
LEADER_KINDS = ("county", "general", "sub", "new", "office", "dept")
DISSOLVED = {LOCAL_CODE: MOVED_ON + datetime.timedelta(days=1)}

# The planted gaps (plan_year's docstring lists them with what each one is).
THEME_DAY_SKIPPED = {"JT0304": (7, 8), "JT1103": (2,), "JT0702": (10, 11, 12)}      # MTG-09: months
COMMITTEE_SKIPPED = {"JT0203": (1, 2), "JT1003": (8,)}                           # MTG-05: months
GROUP_SKIPPED = {"JT0101G2": (7, 8)}                                             # MTG-06: months
GENERAL_SKIPPED = {"JT0601": 3}                                                  # MTG-01: quarter
LECTURE_SKIPPED = {"JT0901": 2}                                                  # MTG-08: quarter
NO_LIFE_MEETING = "JT1301"                                                       # MTG-10
NO_APPRAISAL = "JT1402"                                                          # MTG-12
NO_QUORUM_VOTE = ("JT0500", D(2018, 6, 22))                                      # MTG-02
NO_QUORUM_COMMITTEE = ("JT0803", 9)                                              # MTG-05Q: month
SILENT_SECRETARY = "JT1206"                                                      # MTG-16
OVERDUE_2018 = ("JT0704", (D(2015, 3, 20), D(2019, 3, 15)))                      # TERM-02: elections
VACANT_2018 = ("JT1010", (D(2016, 4, 15), D(2019, 4, 12)), D(2018, 8, 10))       # TERM-04: elections, left on
# ELE-02 / ELE-05: elections (the 2015 one, then the flawed one of 2018) and the flaw of the 2018 election.
ELECTION_FLAWS_2018 = {"JT0306": ((D(2015, 5, 22), D(2018, 5, 18)), "ELE-02"),    # 等额: as many candidates as seats
                       "JT0603": ((D(2015, 9, 18), D(2018, 9, 14)), "ELE-05")}    # 4/5 or fewer present

# What `dangjian check --year 2018` finds among the rules planted here, for the default demo: the plan's own
# findings (`plan.findings`) equal this with DEFAULT_MEMBERS (tests/test_demo.py holds them to it).
# (rule, org code, period or date: the month, quarter or year missed, the meeting's date, the term's end,
# the day the secretary's post fell vacant, the election's date.)
PLANTED_2018 = (
    ("MTG-01", "JT0601", "2018-Q3"),
    ("MTG-02", "JT0500", "2018-06-22"),
    ("MTG-05", "JT0203", "2018-01"), ("MTG-05", "JT0203", "2018-02"), ("MTG-05", "JT1003", "2018-08"),
    ("MTG-05Q", "JT0803", "2018-09"),
    ("MTG-06", "JT0101G2", "2018-07"), ("MTG-06", "JT0101G2", "2018-08"),
    ("MTG-08", "JT0901", "2018-Q2"),
    ("MTG-09", "JT0304", "2018-07"), ("MTG-09", "JT0304", "2018-08"), ("MTG-09", "JT0702", "2018-10"),
    ("MTG-09", "JT0702", "2018-11"), ("MTG-09", "JT0702", "2018-12"), ("MTG-09", "JT1103", "2018-02"),
    ("MTG-10", "JT1301", "2018"),
    ("MTG-12", "JT1402", "2018"),
    ("MTG-15", "JT", "2018"),
    ("MTG-16", "JT1206", "2018"),
    ("TERM-02", "JT", "2018-12-20"), ("TERM-02", "JT0704", "2018-03-20"),
    ("TERM-04", "JT1010", "2018-08-11"),
    ("ELE-02", "JT0306", "2018-05-18"), ("ELE-05", "JT0603", "2018-09-14"),
)

THEME_DAYS = (5, 8, 10, 12, 15, 18, 20, 25)  # each branch's fixed 主题党日 (每月相对固定1天)
HOLIDAYS = {D(2018, 1, 1), D(2018, 6, 18), D(2018, 9, 24), D(2018, 12, 31)} | {
    D(2018, m, d) for m, days in ((2, range(15, 22)), (4, (5, 6, 7, 29, 30)), (5, (1,)), (10, range(1, 8)))
    for d in days}
ABSENCE_REASONS, ABSENCE_WEIGHTS = ("出差", "病假", "外出学习"), (5, 2, 2)
THEMES = {1: "学习贯彻党的十九大精神", 2: "学习新修订的《中国共产党章程》", 3: "学习宪法修正案，弘扬宪法精神",
          4: "开展“大学习、大调研、大落实”", 5: "纪念马克思诞辰200周年", 6: "重温入党誓词，争做合格党员",
          7: "庆祝中国共产党成立97周年", 8: "学习新修订的《中国共产党纪律处分条例》", 9: "学习全国宣传思想工作会议精神",
          10: "学习习近平新时代中国特色社会主义思想", 11: "学习《中国共产党支部工作条例（试行）》", 12: "庆祝改革开放40周年"}
COMMITTEE_ITEMS = (("研究本月主题党日活动方案", (Topic.PARTY_BUILDING,)), ("研究发展党员工作", (Topic.RECRUITMENT,)),
                   ("通报党费收缴情况", (Topic.DUES,)), ("研究党员教育培训安排", (Topic.STUDY,)),
                   ("研究“三会一课”落实情况", (Topic.PARTY_BUILDING,)), ("研究整改问题清单", (Topic.RECTIFICATION,)))
ROOT_ITEMS = ("研究年度党建工作要点", "研究市分公司党委组建方案", "研究干部任免事项", "研究年度预算调整",
              "研究重大投资项目", "听取纪委工作汇报", "研究党风廉政建设责任制考核", "研究基层党组织换届工作",
              "研究市分公司党委班子配备", "研究“三重一大”事项", "听取巡察整改情况汇报", "研究年度考核方案")
FACILITIES = ("rules_on_wall", "books", "periodicals", "av_equipment", "activity_space")


@dataclass
class VotePlan:
    matter: str
    yes: int
    no: int
    abstain: int
    expected_voters: int
    present_voters: int
    result: str
    resolution: str = ""


@dataclass
class MeetingPlan:
    org: str
    held_on: datetime.date
    subject: str
    types: list
    attendance: list                # [(person, attended, reason)]: the people who should attend
    listed: bool                    # recorded person by person (else head counts only)
    chair: int | None = None
    lecturer: int | None = None
    topics: tuple = ()
    location: str = ""
    minutes: str = ""
    expected: int | None = None     # head counts when not everyone is a member of the roster (a 党委)
    present: int | None = None
    votes: list = field(default_factory=list)
    noted: bool = False             # minutes written once the plan is complete

    def __post_init__(self):
        if self.expected is None:
            self.expected = len(self.attendance)
            self.present = sum(1 for _, came, _ in self.attendance if came)


@dataclass
class HomePlan:
    org: str
    name: str
    opened_on: datetime.date
    facilities: list


def _month_end(month):
    return add_months(D(YEAR, month, 1), 1) - datetime.timedelta(days=1)


def _workday(day):
    """The working day on or before `day` (after it when that would leave the month)."""
    d = day
    while d.weekday() >= 5 or d in HOLIDAYS:
        d -= datetime.timedelta(days=1)
    if d.month != day.month:
        d = day
        while d.weekday() >= 5 or d in HOLIDAYS:
            d += datetime.timedelta(days=1)
    return d


def _cn(day):
    return f"{day.year}年{day.month}月{day.day}日"


def _org_on(p, day):
    """The organisation holding `p`'s membership on `day`, None when not a member in good standing then."""
    if p.admitted_on > day or (p.exited_on and p.exited_on <= day):
        return None
    if p.suspended_on and p.suspended_on <= day and not (p.restored_on and p.restored_on <= day):
        return None
    return p.first_org if p.transferred_on and p.transferred_on > day else p.org


def _full_on(p, day):
    return p.confirmed_on is not None and p.confirmed_on <= day


def plan_year(plan, today):
    """2018年的组织生活: the committees in post through 2018 and a full year of meetings, planned from the group
    with random streams of their own (one per organisation), so the group above stays as it is.

    Each branch holds its 主题党日 every month on a fixed day; a 支部委员会 a few days before it when it has a
    committee (3 or more posts); a 支部党员大会 with the 主题党日 of each quarter's last month; a 党课 with that
    of each quarter's middle month (the 书记 lecturing in May and in the fourth quarter); a 组织生活会 combined
    with 民主评议党员 and a 支部党员大会 in January (for 2017) or December. Each 党小组 holds its 党小组会 a week
    after the branch's 主题党日; each 党总支 a quarterly 党员大会 (in June with its 书记's 党课) and its committee;
    the 集团党委 a monthly 党委会, a 党建工作会议 with its 书记's 党课 and a 党委扩大会; each city 党委 (founded
    2018-06-29) a monthly 党委会 from July, a 党委扩大会 with its 书记's 党课 and a 民主生活会 in December. A
    member admitted or confirmed in 2018 is voted on at a 支部党员大会 that day. Attendance is recorded person
    by person for every meeting of the logins' branch (JT0101), the 支部委员会 of about a third of the
    branches, the 党员大会 of about one branch in eight and the city 党委s' meetings (absences: 出差, 病假,
    外出学习); the other meetings have head counts only. Minutes for JT0101's meetings, the 集团党委's 党委会
    and the city office branches' 组织生活会; a 党员之家 for each city 党委 and a second one at the office
    branch of every other city.

    Planted gaps: what `dangjian check --year 2018` finds for these rules in the default demo (5000
    members). The same list is PLANTED_2018; `plan.findings` is what a plan actually holds (a small demo
    has no branch committees or 党小组, so it lacks the MTG-05, MTG-05Q and MTG-06 ones).

        MTG-09   JT0304 2018-07, 2018-08; JT1103 2018-02; JT0702 2018-10, 11, 12   no 主题党日 that month
        MTG-05   JT0203 2018-01, 2018-02; JT1003 2018-08                          no 支部委员会 that month
        MTG-06   JT0101G2 (第二党小组 of the logins' branch) 2018-07, 2018-08       no 党小组会
        MTG-01   JT0601 2018-Q3        no 支部党员大会 in the third quarter
        MTG-08   JT0901 2018-Q2        no 党课 in the second quarter
        MTG-10   JT1301 2018           民主评议党员 held, no 组织生活会
        MTG-12   JT1402 2018           组织生活会 held, no 民主评议党员
        MTG-02   JT0500 2018-06-22     the city office branch's 支部党员大会 voting on the “两优一先”
                                       nominations with fewer than half present: stored as no_quorum
        MTG-05Q  JT0803 2018-09        a 支部委员会 with fewer than half of its members present
        MTG-16   JT1206 2018           its 书记 gave no 党课 (its 党课 were given by others)
        MTG-15   JT 2018               the 集团党委 held no 民主生活会 in 2018 (put off to the 2019 congress)
        TERM-02  JT                    term ended 2018-12-20 (elected 2013-12-20; congress on 2019-04-18)
        TERM-02  JT0704                term ended 2018-03-20 (elected 2015-03-20; next election 2019-03-15)
        TERM-04  JT1010                书记 left on 2018-08-10, nobody in post until the election of 2019-04-12
        ELE-02   JT0306 2018-05-18     换届选举 with as many candidates as seats (等额, no 20% margin)
        ELE-05   JT0603 2018-09-14     换届选举 with four fifths or fewer of those expected present

    Nothing else is missing for these rules, whatever day the demo is built. The check also reports what the
    group's shape gives as of 2018-12-31 (some 40 findings, varying a little with the day of the build):
    ORG-01 (tiny branches), ORG-02 (over 50 members), ORG-05/ORG-09 (committee seats left empty) and TERM-03
    (terms ending in the first half of 2019). The city 党委s and the branches founded in 2018 did not exist
    all year: only their whole months and quarters count. The current-day facts (VACANT_SECRETARY, overdue
    terms) are about today, not 2018.
    """
    by_code = {o.code: o for o in plan.orgs}
    holders = _holders(_people_by_org(plan.people))
    for code, anchors in (OVERDUE_2018, VACANT_2018[:2]):
        if code in by_code:
            _fixed_terms(plan, by_code[code], anchors, holders, by_code, today)
    for code, (anchors, rule) in ELECTION_FLAWS_2018.items():
        if code in by_code:
            _fixed_terms(plan, by_code[code], anchors, holders, by_code, today)
            _plant_election_flaw(plan, code, anchors[-1], rule)
    for org in plan.orgs:
        if org.kind in LEADER_KINDS:
            _terms_in_year(plan, org, holders, by_code)
    year = _Year(plan)
    for org in plan.orgs:
        rng = random.Random(f"{SEED}:{YEAR}:{org.code}")
        if org.code == ROOT_CODE:
            year.root(rng, org)
        elif org.kind == "city":
            year.city(rng, org)
        elif org.org_type == OrgType.GENERAL_BRANCH:
            year.general(rng, org)
        elif org.org_type in BRANCH_TYPES:
            year.branch(rng, org)
        elif org.org_type == OrgType.PARTY_GROUP:
            year.group(rng, org)
    year.votes_on_members(random.Random(f"{SEED}:{YEAR}:votes"))
    year.secretaries_lecture()
    for m in year.meetings:
        if m.noted:
            m.minutes = year.minutes(m)
    plan.meetings = sorted(year.meetings, key=lambda m: (m.held_on, m.org, m.subject))
    plan.homes = _homes(random.Random(f"{SEED}:{YEAR}:homes"), plan)
    plan.findings = findings_in_year(plan)


def _fixed_terms(plan, org, anchors, holders, by_code, today):
    """Replace an organisation's elections with fixed ones around 2018 (then every term until today) and its
    current committee with the one elected last."""
    old = [e for e in plan.elections if e.org == org.code]
    current = [p for p in plan.posts if p.org == org.code and p.ended_on is None]
    if not old or not current:
        return
    template = old[-1]
    dates = list(anchors)
    while add_years(dates[-1], template.term_years) <= today - datetime.timedelta(days=60):
        dates.append(add_years(dates[-1], template.term_years))
    dates = [d for d in dates if d <= today]
    plan.elections = [e for e in plan.elections if e.org != org.code] + [
        ElectionPlan(org.code, d, template.term_years, template.expected, template.present, template.seats,
                     max(template.candidates, math.ceil(template.seats * 1.2))) for d in dates]
    codes = _subtree_codes(plan, org.code, by_code) if org.org_type == OrgType.GENERAL_BRANCH else [org.code]
    plan.posts = [p for p in plan.posts if p.org != org.code]
    for person, post in zip(holders(codes, dates[-1]), current):
        plan.posts.append(PostPlan(org.code, person.n, post.post, dates[-1], None, post.admin_post))


def _plant_election_flaw(plan, code, held_on, rule):
    """The election of `code` on `held_on` as held with the flaw `rule` finds (recorded as history)."""
    for e in plan.elections:
        if e.org == code and e.held_on == held_on:
            if rule == "ELE-02":
                e.candidates = e.seats
            else:
                e.present = e.expected * 4 // 5


def _terms_in_year(plan, org, holders, by_code):
    """The committee of each earlier term that overlaps 2018 (the plan above holds the current one), elected
    like the current one; and for a branch founded in 2018, its secretary appointed until the first election."""
    own = [p for p in plan.posts if p.org == org.code]
    if not own:
        return
    elections = sorted(e.held_on for e in plan.elections if e.org == org.code)
    start = elections[-1] if elections else min(p.started_on for p in own)
    shape = [(p.post, p.admin_post) for p in own if p.started_on == start] or [(Post.SECRETARY, "")]
    codes = _subtree_codes(plan, org.code, by_code) if org.org_type == OrgType.GENERAL_BRANCH else [org.code]
    current = {p.person for p in own if p.started_on == start}
    for begin, following in zip(elections, elections[1:]):
        end = following - datetime.timedelta(days=1)
        if begin > YEAR_END or end < YEAR_START:
            continue
        staying = {p.n for p in holders(codes, end)}
        people = [p for p in holders(codes, begin) if p.n in staying]
        secretary = next((p for p in own if p.post == Post.SECRETARY and p.started_on <= begin
                          and (p.ended_on is None or p.ended_on >= begin)), None)
        if secretary is None and org.code == VACANT_2018[0]:
            # The secretary who left in 2018 is not one of those elected in 2019.
            people.sort(key=lambda p: p.n in current)
        taken = {secretary.person} if secretary else set()
        people = [p for p in people if p.n not in taken]
        for post, admin in shape:
            if post == Post.SECRETARY and secretary is not None:
                continue
            if not people:
                break
            person = people.pop(0)
            ended = end
            if post == Post.SECRETARY and org.code == VACANT_2018[0] and begin < VACANT_2018[2] < end:
                ended = VACANT_2018[2]
            plan.posts.append(PostPlan(org.code, person.n, post, begin, ended, admin))
    first = min(p.started_on for p in plan.posts if p.org == org.code)
    if org.kind == "new" and first > org.founded_on:
        people = holders(codes, org.founded_on) or holders(codes, first)
        if people:
            plan.posts.append(PostPlan(org.code, people[0].n, Post.SECRETARY, org.founded_on,
                                       first - datetime.timedelta(days=1), "总经理"))


class _Year:
    """Plans the year's meetings (a helper of plan_year)."""

    def __init__(self, plan):
        self.plan = plan
        self.by_code = {o.code: o for o in plan.orgs}
        self.people = {p.n: p for p in plan.people}
        self.by_org = _people_by_org(plan.people)
        self.posts = {}
        for p in plan.posts:
            self.posts.setdefault(p.org, []).append(p)
        self.grouped = {}
        for p in plan.people:
            if p.group:
                self.grouped.setdefault(p.group, []).append(p)
        self.branches_of = {}
        for o in plan.orgs:
            if o.org_type in BRANCH_TYPES and o.parent and self.by_code[o.parent].org_type == OrgType.GENERAL_BRANCH:
                self.branches_of.setdefault(o.parent, []).append(o.code)
        self.theme_day = {}
        self.meetings = []

    # -- who

    def members(self, codes, day):
        return [p for code in codes for p in self.by_org.get(code, ()) if _org_on(p, day) == code]

    def held(self, code, day, kinds=COMMITTEE_POSTS):
        return [p for p in self.posts.get(code, ()) if p.post in kinds and p.started_on <= day
                and (p.ended_on is None or p.ended_on >= day)]

    def secretary(self, code, day):
        held = self.held(code, day, (Post.SECRETARY,))
        return held[0].person if held else None

    def committee(self, code, day):
        seen = []
        for p in self.held(code, day):
            if p.person not in seen:
                seen.append(p.person)
        return [self.people[n] for n in seen]

    def chair(self, code, day, people):
        here = {p.n for p in people}
        for p in self.held(code, day):
            if p.person in here:
                return p.person
        return people[0].n if people else None

    # -- how it went

    @staticmethod
    def turnout(rng, people, keep=(), rate=0.08):
        """[(person, attended, reason)]: most came, and always more than half."""
        rows, absent, limit = [], 0, (len(people) - 1) // 2
        for p in people:
            if p.n not in keep and absent < limit and rng.random() < rate:
                absent += 1
                rows.append((p.n, False, rng.choices(ABSENCE_REASONS, ABSENCE_WEIGHTS)[0]))
            else:
                rows.append((p.n, True, ""))
        return rows

    def add(self, rng, org, day, types, subject, people, *, listed=False, chair=None, lecturer=None, topics=(),
            location="", minutes=False, rows=None, rate=0.08, heads=None):
        """A meeting of `people` (their attendance drawn unless `rows` is given); `heads` = (expected,
        present) for a meeting whose attendance is not that of a roster (a 党委's meetings)."""
        rows = rows if rows is not None else self.turnout(rng, people, {chair, lecturer}, rate)
        m = MeetingPlan(org.code, day, subject, list(types), rows, listed, chair, lecturer, tuple(topics),
                        location or ("党员活动室" if org.org_type in BRANCH_TYPES else "会议室"))
        if heads:
            m.expected, m.present = heads
        m.noted = minutes
        self.meetings.append(m)
        return m

    def voters(self, m):
        """(expected, present) voters: the full members on the list (预备党员 do not vote)."""
        full = [came for n, came, _ in m.attendance if _full_on(self.people[n], m.held_on)]
        return len(full), sum(full)

    def vote(self, rng, m, matter, resolution=""):
        """A vote of the full members present, passed: more than half of all who should attend vote yes."""
        expected, present = self.voters(m)
        if present * 2 <= m.expected:  # a small branch with absences: everyone came to this one
            m.attendance = [(n, True, "") for n, _, _ in m.attendance]
            m.present = m.expected
            expected, present = self.voters(m)
            for v in m.votes:  # the votes already taken, counted again
                v.expected_voters, v.present_voters, v.yes = expected, present, present - v.abstain
            if present * 2 <= m.expected:
                return None
        abstain = 1 if (present - 1) * 2 > m.expected and rng.random() < 0.25 else 0
        yes = present - abstain
        vote = VotePlan(matter, yes, 0, abstain, expected, present,
                        vote_outcome(expected, present, yes, m.held_on), resolution)
        m.votes.append(vote)
        return vote

    def minutes(self, m):
        names = {n: self.people[n].name for n, _, _ in m.attendance}
        away = [f"{names[n]}（{reason}）" for n, came, reason in m.attendance if not came]
        chair = self.people[m.chair].name if m.chair else "（未记录）"
        lines = [f"时间：{_cn(m.held_on)}", f"地点：{m.location}", f"主持人：{chair}",
                 f"应到{m.expected}人，实到{m.present}人" + (f"，缺席：{'、'.join(away)}" if away else "") + "。",
                 f"议题：{m.subject}。"]
        if m.lecturer:
            lines.append(f"{self.people[m.lecturer].name}同志讲授专题党课，与会党员结合工作实际交流学习体会。")
        if MeetingType.LIFE_MEETING in m.types:
            lines.append("支部书记代表支部委员会作对照检查，班子成员和党员逐一发言，开展批评和自我批评，"
                         "会后形成问题清单和整改措施。")
        if MeetingType.APPRAISAL in m.types:
            lines.append("对照党员标准开展民主评议，党员个人自评、党员互评后进行民主测评，支部委员会提出评定等次意见。")
        if MeetingType.BRANCH_COMMITTEE in m.types:
            lines.append("支委逐项讨论，形成意见：按计划组织实施，由组织委员跟进落实，下次支委会通报进展。")
        if MeetingType.THEME_DAY in m.types:
            lines.append("全体党员重温入党誓词，集体学习上级文件精神，并交纳本月党费。")
        for v in m.votes:
            lines.append(f"表决：{v.matter}。应到有表决权的正式党员{v.expected_voters}人，实到{v.present_voters}人，"
                         f"赞成{v.yes}票。{v.resolution}")
        return "\n".join(lines)

    # -- the organisations

    def branch(self, rng, org):
        code, dom = org.code, rng.choice(THEME_DAYS)
        self.theme_day[code] = dom
        listed_general = code == DEMO_BRANCH or rng.random() < 0.12
        detailed = code == DEMO_BRANCH or rng.random() < 0.3  # committee meetings person by person
        for month in range(1, 13):
            day = _workday(D(YEAR, month, dom))
            quarter = (month - 1) // 3 + 1
            people = self.members([code], day) if day >= org.founded_on else []
            if people:
                types = [] if month in THEME_DAY_SKIPPED.get(code, ()) else [MeetingType.THEME_DAY]
                if month % 3 == 0 and GENERAL_SKIPPED.get(code) != quarter:
                    types.append(MeetingType.BRANCH_GENERAL)
                lecturer = None
                if month % 3 == 2 and LECTURE_SKIPPED.get(code) != quarter:
                    types.append(MeetingType.LECTURE)
                    lecturer = self.lecturer(rng, code, day, month)
                if types:
                    self.add(rng, org, day, types, self.subject(types, month, lecturer), people,
                             listed=code == DEMO_BRANCH or (MeetingType.BRANCH_GENERAL in types and listed_general),
                             chair=self.chair(code, day, people), lecturer=lecturer,
                             topics=(Topic.STUDY, Topic.PARTY_BUILDING), minutes=code == DEMO_BRANCH)
            self.committee_meeting(rng, org, month, day, detailed)
        self.life_meeting(rng, org, listed_general)
        if code == NO_QUORUM_VOTE[0]:
            self.no_quorum_vote(rng, org, NO_QUORUM_VOTE[1])

    def lecturer(self, rng, code, day, month):
        secretary = self.secretary(code, day)
        if month in (5, 11) and secretary and code != SILENT_SECRETARY:
            return secretary
        others = [p.person for p in self.held(code, day) if p.post != Post.SECRETARY]
        return rng.choice(others) if others and rng.random() < 0.7 else None

    def subject(self, types, month, lecturer):
        theme = THEMES[month]
        if MeetingType.LECTURE in types and MeetingType.THEME_DAY not in types:
            return f"专题党课：{theme}"
        if MeetingType.LECTURE in types:
            return f"{month}月主题党日暨专题党课：{theme}" + ("" if lecturer else "（邀请市委党校教师授课）")
        if MeetingType.BRANCH_GENERAL in types and MeetingType.THEME_DAY in types:
            return f"第{(month - 1) // 3 + 1}季度支部党员大会暨{month}月主题党日：{theme}"
        if MeetingType.BRANCH_GENERAL in types:
            return f"第{(month - 1) // 3 + 1}季度支部党员大会：{theme}"
        return f"{month}月主题党日：{theme}"

    def committee_meeting(self, rng, org, month, theme_day, detailed):
        code = org.code
        if len(self.held(code, _month_end(month))) < 3 or month in COMMITTEE_SKIPPED.get(code, ()):
            return
        day = _workday(theme_day - datetime.timedelta(days=rng.randint(2, 6)))
        if day.month != month or day < org.founded_on:
            day = theme_day
        if day < org.founded_on:
            return
        people = self.committee(code, day)
        if not people:
            return
        chair = self.chair(code, day, people)
        rows = None
        if (code, month) == NO_QUORUM_COMMITTEE:  # the planted MTG-05Q: half or fewer came
            others = [p.n for p in people if p.n != chair]
            came = {chair, *others[:max(0, len(people) // 2 - 1)]}
            rows = [(p.n, p.n in came, "" if p.n in came else ABSENCE_REASONS[i % 3]) for i, p in enumerate(people)]
        item, topics = rng.choice(COMMITTEE_ITEMS)
        self.add(rng, org, day, [MeetingType.BRANCH_COMMITTEE], f"{month}月支部委员会：{item}", people,
                 listed=detailed or rows is not None, chair=chair, topics=topics, minutes=code == DEMO_BRANCH,
                 rows=rows, rate=0.1)

    def life_meeting(self, rng, org, listed):
        code = org.code
        in_january = org.founded_on <= YEAR_START and rng.random() < 0.55
        day = _workday(D(YEAR, 1, rng.randint(18, 30)) if in_january else D(YEAR, 12, rng.randint(17, 28)))
        people = self.members([code], day) if day >= org.founded_on else []
        if not people:
            return
        types = [MeetingType.BRANCH_GENERAL]
        if GENERAL_SKIPPED.get(code) == (day.month - 1) // 3 + 1:
            types = []
        if code != NO_LIFE_MEETING:
            types.append(MeetingType.LIFE_MEETING)
        if code != NO_APPRAISAL:
            types.append(MeetingType.APPRAISAL)
        of = YEAR - 1 if in_january else YEAR
        subject = {(True, True): f"{of}年度组织生活会暨民主评议党员大会", (True, False): f"{of}年度组织生活会",
                   (False, True): f"{of}年度民主评议党员大会"}[
            (MeetingType.LIFE_MEETING in types, MeetingType.APPRAISAL in types)]
        m = self.add(rng, org, day, types, subject, people, listed=listed or code == DEMO_BRANCH,
                     chair=self.chair(code, day, people), topics=(Topic.APPRAISAL, Topic.PARTY_BUILDING),
                     minutes=code == DEMO_BRANCH or org.kind == "office")
        if MeetingType.APPRAISAL in types and MeetingType.BRANCH_GENERAL in types:
            self.vote(rng, m, f"{of}年度民主评议党员等次（优秀、合格）", "按评议结果确定党员等次，报上级党组织备案。")

    def no_quorum_vote(self, rng, org, day):
        """The planted MTG-02: fewer than half came (many away on business) and the vote is void."""
        people = self.members([org.code], day)
        if not people:
            return
        chair = self.chair(org.code, day, people)
        came = {chair} | {p.n for p in people[1:max(1, len(people) * 2 // 5)]}
        rows = [(p.n, p.n in came, "" if p.n in came else ABSENCE_REASONS[i % 3]) for i, p in enumerate(people)]
        m = self.add(rng, org, day, [MeetingType.BRANCH_GENERAL], "支部党员大会：推荐“两优一先”表彰对象", people,
                     chair=chair, topics=(Topic.PARTY_BUILDING,), rows=rows)
        expected, present = self.voters(m)
        m.votes.append(VotePlan("推荐“优秀共产党员”表彰对象", present, 0, 0, expected, present,
                                vote_outcome(expected, present, present, day), "到会人数不足，择期重新表决。"))

    def general(self, rng, org):
        """党总支: its committee monthly, a 党员大会 each quarter (in June with its secretary's 党课)."""
        code, dom = org.code, rng.choice(THEME_DAYS)
        codes = self.branches_of.get(code, [])
        for month in range(1, 13):
            day = _workday(D(YEAR, month, dom))
            if day < org.founded_on:
                continue
            self.committee_meeting(rng, org, month, day, False)
            if month % 3:
                continue
            people = self.members(codes, day)
            if not people:
                continue
            types, lecturer = [MeetingType.BRANCH_GENERAL], None
            if month == 6 and self.secretary(code, day):
                types.append(MeetingType.LECTURE)
                lecturer = self.secretary(code, day)
            subject = f"第{month // 3}季度党总支党员大会：{THEMES[month]}" + ("（总支书记讲党课）" if lecturer else "")
            self.add(rng, org, day, types, subject, people, chair=self.chair(code, day, people), lecturer=lecturer,
                     topics=(Topic.STUDY, Topic.PARTY_BUILDING), location="会议室")

    def group(self, rng, org):
        dom = self.theme_day.get(org.parent, 10)
        for month in range(1, 13):
            if month in GROUP_SKIPPED.get(org.code, ()):
                continue
            day = _workday(D(YEAR, month, min(28, dom + rng.randint(4, 8))))
            people = [p for p in self.grouped.get(org.code, ()) if _org_on(p, day) == org.parent]
            if day < org.founded_on or not people:
                continue
            leader = self.held(org.code, day, (Post.GROUP_LEADER,))
            chair = leader[0].person if leader and leader[0].person in {p.n for p in people} else people[0].n
            self.add(rng, org, day, [MeetingType.GROUP], f"{month}月党小组学习：{THEMES[month]}", people,
                     listed=org.parent == DEMO_BRANCH, chair=chair, topics=(Topic.STUDY,), location="党员活动室")

    def root(self, rng, org):
        """集团党委: a monthly 党委会 (9 members elected in 2013), the 党建工作会议 with the secretary's 党课,
        a 党委扩大会 after the city committees were founded; its 民主生活会 was put off to 2019 (MTG-15)."""
        for month in range(1, 13):
            day = _workday(D(YEAR, month, rng.randint(8, 16)))
            secretary = self.secretary(org.code, day)
            m = self.add(rng, org, day, [MeetingType.COMMITTEE], f"{month}月党委会：{ROOT_ITEMS[month - 1]}", [],
                         chair=secretary, topics=(Topic.MAJOR_MATTERS, Topic.PARTY_BUILDING), location="集团党委会议室",
                         heads=(9, 9 - rng.choice((0, 0, 1, 1, 2))))
            m.minutes = (f"时间：{_cn(m.held_on)}\n地点：{m.location}\n主持人：{self.people[secretary].name}\n"
                         f"应到9人，实到{m.present}人。\n议题：{m.subject}。\n"
                         "会议按照“三重一大”决策制度逐项研究，形成会议纪要，明确责任部门和完成时限。")
        day = _workday(D(YEAR, 2, 9))
        self.add(rng, org, day, [MeetingType.WORK_CONFERENCE, MeetingType.LECTURE],
                 "2018年党建工作会议暨党委书记专题党课：学习贯彻党的十九大精神", [], chair=self.secretary(org.code, day),
                 lecturer=self.secretary(org.code, day), topics=(Topic.PARTY_BUILDING, Topic.STUDY),
                 location="集团总部大会议室", heads=(126, 118))
        day = _workday(D(YEAR, 7, 17))
        self.add(rng, org, day, [MeetingType.COMMITTEE_EXTENDED], "党委扩大会议：部署市分公司党委组建后的党建工作", [],
                 chair=self.secretary(org.code, day), topics=(Topic.PARTY_BUILDING,), location="集团总部大会议室",
                 heads=(37, 35))

    def city(self, rng, org):
        """A city 党委 founded 2018-06-29: a monthly 党委会 from July, a 党委扩大会 with its secretary's 党课,
        its first 民主生活会 in December."""
        home = f"{CITIES[int(org.code[2:]) - 1][0]}市分公司党员之家"  # opened before December (see _homes)
        for month in range(7, 13):
            day = _workday(D(YEAR, month, rng.randint(9, 16)))
            people = self.committee(org.code, day)
            if day < org.founded_on or not people:
                continue
            self.add(rng, org, day, [MeetingType.COMMITTEE], f"{month}月党委会：{ROOT_ITEMS[(month + 3) % 12]}",
                     people, listed=True, chair=self.chair(org.code, day, people),
                     topics=(Topic.MAJOR_MATTERS, Topic.PARTY_BUILDING), location="党委会议室", rate=0.1)
        day = _workday(D(YEAR, rng.choice((10, 11)), rng.randint(18, 26)))
        secretary = self.secretary(org.code, day)
        if secretary:
            branches = sum(1 for o in self.plan.orgs if o.move_to == org.code or o.parent == org.code)
            self.add(rng, org, day, [MeetingType.COMMITTEE_EXTENDED, MeetingType.LECTURE],
                     f"党委扩大会议暨党委书记专题党课：{THEMES[10]}", [], chair=secretary, lecturer=secretary,
                     topics=(Topic.STUDY, Topic.PARTY_BUILDING), location="党委会议室",
                     heads=(branches + 5, branches + 5 - rng.randint(0, 2)))
        day = _workday(D(YEAR, 12, rng.randint(20, 27)))
        people = self.committee(org.code, day)
        if people:
            self.add(rng, org, day, [MeetingType.DEMOCRATIC_LIFE], "2018年度民主生活会", people, listed=True,
                     chair=self.chair(org.code, day, people), topics=(Topic.PARTY_BUILDING,), location=home, rate=0)

    def votes_on_members(self, rng):
        """A 支部党员大会 the day a member was admitted or confirmed in 2018, voting on it."""
        days = {}
        for p in self.plan.people:
            for day, what in ((p.admitted_on, "admit"), (p.confirmed_on, "confirm")):
                if day and day.year == YEAR:
                    code = _org_on(p, day)
                    if code and GENERAL_SKIPPED.get(code) != (day.month - 1) // 3 + 1:
                        days.setdefault((code, day), []).append((p, what))
        for (code, day), items in sorted(days.items()):
            org = self.by_code[code]
            admitted = {p.n for p, what in items if what == "admit"}
            people = [p for p in self.members([code], day) if p.n not in admitted]
            if not people:
                continue
            names = "、".join(p.name for p, _ in items)
            kinds = {what for _, what in items}
            subject = (f"支部党员大会：讨论接收{names}同志为预备党员" if kinds == {"admit"} else
                       f"支部党员大会：讨论预备党员{names}同志转正" if kinds == {"confirm"} else
                       f"支部党员大会：讨论接收预备党员和预备党员转正（{names}）")
            m = self.add(rng, org, day, [MeetingType.BRANCH_GENERAL], subject, people,
                         chair=self.chair(code, day, people), topics=(Topic.RECRUITMENT,),
                         listed=code == DEMO_BRANCH, minutes=code == DEMO_BRANCH)
            for p, what in items:
                if what == "admit":
                    self.vote(rng, m, f"接收{p.name}同志为中共预备党员", "同意接收，报上级党组织审批。")
                else:
                    self.vote(rng, m, f"{p.name}同志按期转为中共正式党员", "同意按期转正，报上级党组织审批。")

    def secretaries_lecture(self):
        """Every secretary in post at the end of the year gives a 党课 (but the planted one, MTG-16): when the
        plan has none by them, the first later meeting of theirs without a 党课 becomes one."""
        for org in self.plan.orgs:
            if org.org_type not in LEADERSHIP_TYPES or org.code in (SILENT_SECRETARY, LOCAL_CODE):
                continue
            secretary = self.secretary(org.code, YEAR_END)
            if secretary is None or any(m.lecturer == secretary for m in self.meetings):
                continue
            post = self.held(org.code, YEAR_END, (Post.SECRETARY,))[0]
            for m in sorted((m for m in self.meetings if m.org == org.code), key=lambda m: m.held_on):
                came = {n for n, c, _ in m.attendance if c}
                if (m.held_on >= post.started_on and m.lecturer is None and MeetingType.LECTURE not in m.types
                        and (secretary in came or not m.attendance)
                        and m.types[0] in (MeetingType.THEME_DAY, MeetingType.BRANCH_GENERAL, MeetingType.COMMITTEE)):
                    m.types.append(MeetingType.LECTURE)
                    m.lecturer = secretary
                    m.subject += "（书记讲党课）"
                    break
            else:  # elected at the very end of the year: a 党课 of its own
                day = min(YEAR_END, post.started_on + datetime.timedelta(days=2))
                codes = self.branches_of.get(org.code) or [org.code]
                people = self.members(codes, day)
                if people:
                    self.add(random.Random(f"{SEED}:{YEAR}:{org.code}:lecture"), org, day, [MeetingType.LECTURE],
                             f"书记讲党课：{THEMES[12]}", people, chair=secretary, lecturer=secretary,
                             topics=(Topic.STUDY,))


def _homes(rng, plan):
    """党员之家: one for each city 党委 (opened after it was founded), another at every other city's office branch."""
    homes = []
    for i, (city, _) in enumerate(CITIES, start=1):
        cc = f"JT{i:02d}"
        homes.append(HomePlan(cc, f"{city}市分公司党员之家", _day(rng, D(2018, 7, 16), D(2018, 12, 14)),
                              sorted(set(rng.sample(FACILITIES, rng.randint(3, 5))) | {"rules_on_wall"})))
        if i % 2:
            homes.append(HomePlan(f"{cc}00", f"{city}市分公司机关党支部党员活动室", _day(rng, D(2015, 3, 1), D(2017, 12, 20)),
                                  sorted(set(rng.sample(FACILITIES, rng.randint(2, 4))) | {"activity_space"})))
    return homes


def findings_in_year(plan):
    """What `dangjian check --year 2018` should find in the plan for the rules the year plants (RULES.md):
    [(rule, org, period or date)], sorted. Written from RULES.md independently of the rule engine."""
    held = {}
    for m in plan.meetings:
        for t in m.types:
            held.setdefault((m.org, t), []).append(m.held_on)
    posts = {}
    for p in plan.posts:
        posts.setdefault(p.org, []).append(p)

    def whole(org, first, last):
        return org.founded_on <= first and not (org.code in DISSOLVED and DISSOLVED[org.code] < last)

    def had(code, kind, first, last):
        return any(first <= d <= last for d in held.get((code, kind), ()))

    def posts_on(code, day, kinds=COMMITTEE_POSTS):
        return [p for p in posts.get(code, ()) if p.post in kinds and p.started_on <= day
                and (p.ended_on is None or p.ended_on >= day)]

    out = []
    months = [(f"{YEAR}-{m:02d}", D(YEAR, m, 1), _month_end(m)) for m in range(1, 13)]
    quarters = [(f"{YEAR}-Q{q}", D(YEAR, 3 * q - 2, 1), _month_end(3 * q)) for q in range(1, 5)]
    for org in plan.orgs:
        code = org.code
        if org.org_type in BRANCH_TYPES:
            for period, first, last in months:
                if whole(org, first, last):
                    if not had(code, MeetingType.THEME_DAY, first, last):
                        out.append(("MTG-09", code, period))
                    if len(posts_on(code, last)) >= 3 and not had(code, MeetingType.BRANCH_COMMITTEE, first, last):
                        out.append(("MTG-05", code, period))
            for period, first, last in quarters:
                if whole(org, first, last) and not had(code, MeetingType.LECTURE, first, last):
                    out.append(("MTG-08", code, period))
            if whole(org, YEAR_START, YEAR_END):
                for rule, kind in (("MTG-10", MeetingType.LIFE_MEETING), ("MTG-12", MeetingType.APPRAISAL)):
                    if not had(code, kind, YEAR_START, YEAR_END):
                        out.append((rule, code, str(YEAR)))
        if org.org_type in BRANCH_TYPES + (OrgType.GENERAL_BRANCH,):
            for period, first, last in quarters:
                if whole(org, first, last) and not had(code, MeetingType.BRANCH_GENERAL, first, last):
                    out.append(("MTG-01", code, period))
        if org.org_type == OrgType.PARTY_GROUP:
            for period, first, last in months:
                if whole(org, first, last) and not had(code, MeetingType.GROUP, first, last):
                    out.append(("MTG-06", code, period))
        if org.org_type == OrgType.COMMITTEE and whole(org, YEAR_START, YEAR_END):
            if not had(code, MeetingType.DEMOCRATIC_LIFE, YEAR_START, YEAR_END):
                out.append(("MTG-15", code, str(YEAR)))
        if org.org_type in LEADERSHIP_TYPES and whole(org, YEAR_START, YEAR_END):
            secretary = posts_on(code, YEAR_END, (Post.SECRETARY,))
            if secretary and not any(m.lecturer == secretary[0].person and m.held_on.year == YEAR
                                     for m in plan.meetings):
                out.append(("MTG-16", code, str(YEAR)))
        if org.org_type in LEADERSHIP_TYPES and org.founded_on <= YEAR_END and not (
                code in DISSOLVED and DISSOLVED[code] <= YEAR_END):
            out.extend(_terms_on(org, [e for e in plan.elections if e.org == code],
                                 posts.get(code, ()), YEAR_END))
    for m in plan.meetings:
        if MeetingType.BRANCH_GENERAL in m.types and m.votes and (
                m.present * 2 <= m.expected or any(v.yes * 2 <= m.expected or v.result != VoteResult.PASSED
                                                   for v in m.votes)):
            out.append(("MTG-02", m.org, m.held_on.isoformat()))
        if MeetingType.BRANCH_COMMITTEE in m.types and m.present * 2 <= m.expected:
            out.append(("MTG-05Q", m.org, m.held_on.strftime("%Y-%m")))
    for e in plan.elections:  # RULES.md's ELE-02 and ELE-05, for the elections held in the year
        if e.held_on.year == YEAR and e.candidates < math.ceil(e.seats * 1.2):
            out.append(("ELE-02", e.org, e.held_on.isoformat()))
        if e.held_on.year == YEAR and e.present * 5 <= e.expected * 4:
            out.append(("ELE-05", e.org, e.held_on.isoformat()))
    return sorted(set(out))


def _terms_on(org, elections, posts, day):
    """TERM-02 (overdue on `day`, with the term's end) and TERM-04 (secretary vacant more than 90 days, with
    the day it fell vacant) from the planned elections and posts."""
    out = []
    done = [e for e in elections if e.held_on <= day]
    if done:
        last = max(done, key=lambda e: e.held_on)
        ends = add_years(last.held_on, last.term_years)
        limit = add_months(ends, parameters.value("term_max_shift_months", day))
        due = min(max(ends, last.postponed_to), limit) if last.postponed_to else ends
        if due < day:
            out.append(("TERM-02", org.code, ends.isoformat()))
    secretaries = [p for p in posts if p.post == Post.SECRETARY and p.started_on <= day]
    if not any(p.ended_on is None or p.ended_on >= day for p in secretaries):
        since = max((p.ended_on + datetime.timedelta(days=1) for p in secretaries), default=org.founded_on)
        if (day - since).days > parameters.value("secretary_vacancy_days", day):
            out.append(("TERM-04", org.code, since.isoformat()))
    return out


# ---------------------------------------------------------------- writing it through the services

def demo_exists():
    return Organization.objects.filter(code=ROOT_CODE).exists()


def build_demo(members=DEFAULT_MEMBERS, *, today=None, out=None):
    """Build the demo group unless it is there already. Returns the logins as [(username, description)],
    or None when the group existed (nothing is written then)."""
    out = out or (lambda message: None)
    if demo_exists():
        return None
    started = time.monotonic()
    plan = make_plan(members, today)
    out(f"规划完成：{len(plan.orgs)} 个组织、{len(plan.people)} 名党员（{time.monotonic() - started:.1f} 秒）")
    new_batch()
    with transaction.atomic():
        orgs = _write_orgs(plan, out)
        people = _write_people(plan, orgs, out)
        _write_posts_and_elections(plan, orgs, people, out)
        _write_year(plan, orgs, people, out)
        _write_cases(plan, orgs, people, out)
        write_dues(out)
        write_governance(orgs, out)
        write_education(orgs, people, out)
        write_assistance(orgs, people, out)
        write_rectification(orgs, people, out)
        write_responsibility(orgs, out, root_code=ROOT_CODE, seed=SEED + 7)
        write_appraisal(orgs, out, root_code=ROOT_CODE, seed=SEED + 8)
        write_report(orgs, out, root_code=ROOT_CODE)  # last: it reads every record of the year
        logins = _write_users(plan, orgs, people)
    out(f"演示集团生成完毕，用时 {time.monotonic() - started:.1f} 秒")
    return logins


def _write_orgs(plan, out):
    orgs = {}
    for o in plan.orgs:
        orgs[o.code] = create_organization(
            actor=None, code=o.code, name=o.name, org_type=o.org_type, parent=orgs[o.parent] if o.parent else None,
            founded_on=o.founded_on, unit_name=o.unit_name, unit_employees=o.unit_employees,
            has_discipline_committee=o.discipline, has_party_office=o.office, party_staff_count=o.staff)
    for o in plan.orgs:
        if o.move_to:
            orgs[o.code] = move_organization(orgs[o.code], actor=None, new_parent=orgs[o.move_to],
                                             moved_on=MOVED_ON, note=MOVE_NOTE)
    # Every org below DF has moved: the placeholder stops existing the day after the move.
    dissolve_organization(orgs[LOCAL_CODE], actor=None, dissolved_on=MOVED_ON + datetime.timedelta(days=1))
    for code in orgs:  # paths changed with the moves
        orgs[code].refresh_from_db()
    out(f"组织：{len(orgs)} 个（含 {sum(1 for o in plan.orgs if o.move_to)} 次隶属关系调整）")
    return orgs


def _write_people(plan, orgs, out):
    people = {}
    total = len(plan.people)
    for index, p in enumerate(plan.people, start=1):
        later = _later_events(p, orgs)
        # 转正 goes in with the admission unless something else happened first (a transfer in 2018).
        confirm_now = p.confirmed_on and not any(day < p.confirmed_on for day, _, _ in later)
        if p.confirmed_on and not confirm_now:
            later.append((p.confirmed_on, 0, lambda m, day: confirm_member(m, actor=None, confirmed_on=day)))
        member = create_member(
            actor=None, id_number=p.id_number, name=p.name, org=orgs[p.first_org], admitted_on=p.admitted_on,
            confirmed_on=p.confirmed_on if confirm_now else None, sex=p.sex, birth_date=p.birth, ethnicity=p.ethnicity,
            education=p.education, post_category=p.post_category, is_leading_cadre=p.leading,
            party_group=orgs[p.group] if p.group else None, dues_category=p.dues_category,
            dues_reduced=p.dues_reduced, phone=p.phone)
        for day, _, write in sorted(later, key=lambda e: (e[0], e[1])):
            write(member, day)
        people[p.n] = member
        if index % 500 == 0 or index == total:
            out(f"党员：{index}/{total}")
    return people


def _later_events(p, orgs):
    """(date, order, write) for each event after the admission, written in date order."""
    events = []
    if p.transferred_on:
        note = "新建党支部，组织关系转入" if p.first_org.endswith("00") else "工作调动"
        events.append((p.transferred_on, 1, lambda m, day: transfer_member(
            m, actor=None, to_org=orgs[p.org], transferred_on=day, note=note)))
    if p.suspended_on:
        events.append((p.suspended_on, 2, lambda m, day: suspend_member(
            m, actor=None, suspended_on=day, note="失去联系超过六个月")))
    if p.restored_on:
        events.append((p.restored_on, 3, lambda m, day: restore_member(
            m, actor=None, restored_on=day, note="恢复联系，经支部大会讨论")))
    if p.exit:
        events.append((p.exited_on, 4, lambda m, day: record_exit(m, actor=None, kind=p.exit, exited_on=day)))
    return events


def _write_posts_and_elections(plan, orgs, people, out):
    for e in plan.elections:
        record_election(actor=None, history=True, org=orgs[e.org], held_on=e.held_on, term_years=e.term_years,
                        expected=e.expected, present=min(e.present, e.expected), seats=e.seats,
                        candidates=e.candidates, postponed_to=e.postponed_to)
    for p in plan.posts:
        create_post(actor=None, org=orgs[p.org], member=people[p.person], post=p.post, started_on=p.started_on,
                    ended_on=p.ended_on, admin_post=p.admin_post, full_time=p.full_time)
    out(f"换届：{len(plan.elections)} 次；班子成员任职：{len(plan.posts)} 条")


def _write_year(plan, orgs, people, out):
    for h in plan.homes:
        create_party_home(actor=None, org=orgs[h.org], name=h.name, opened_on=h.opened_on, facilities=h.facilities)
    votes = 0
    for index, m in enumerate(plan.meetings, start=1):
        listed = [(people[n], came, why) for n, came, why in m.attendance] if m.listed else None
        meeting = record_meeting(
            actor=None, org=orgs[m.org], held_on=m.held_on, subject=m.subject, types=m.types, expected=m.expected,
            present=m.present, chair=people[m.chair] if m.chair else None,
            lecturer=people[m.lecturer] if m.lecturer else None, topics=m.topics, location=m.location,
            minutes=m.minutes, attendance=listed)
        for v in m.votes:
            counted = None if m.listed else v  # with a list the services count the voters themselves
            record_vote(meeting, actor=None, matter=v.matter, yes=v.yes, no=v.no, abstain=v.abstain,
                        expected_voters=counted and counted.expected_voters,
                        present_voters=counted and counted.present_voters, resolution=v.resolution)
            votes += 1
        if index % 1000 == 0 or index == len(plan.meetings):
            out(f"{YEAR}年组织生活：{index}/{len(plan.meetings)}")
    out(f"党员之家：{len(plan.homes)} 个；表决：{votes} 项")


# The branches whose planted gaps a new 支部党员大会 (a case's admitting meeting) could fill.
GAP_ORGS = (set(THEME_DAY_SKIPPED) | set(COMMITTEE_SKIPPED) | set(GROUP_SKIPPED) | set(GENERAL_SKIPPED)
            | set(LECTURE_SKIPPED) | {NO_LIFE_MEETING, NO_APPRAISAL, NO_QUORUM_VOTE[0], NO_QUORUM_COMMITTEE[0],
                                      SILENT_SECRETARY} | set(VACANT_SECRETARY))


def recruitment_cases(plan):
    """The demo's 发展党员 cases (demo.recruitment.plan_cases) for `plan`."""
    return plan_cases(plan, seed=SEED + 4, demo_branch=DEMO_BRANCH, skip=GAP_ORGS)


def _write_cases(plan, orgs, people, out):
    written = write_cases(recruitment_cases(plan), plan, orgs, people)
    out(f"发展党员：{written} 人")


def _write_users(plan, orgs, people):
    shuji, dangyuan = people[plan.shuji], people[plan.dangyuan]
    branch = orgs[DEMO_BRANCH]
    create_user(actor=None, username="admin", password=DEMO_PASSWORD, kind=RoleKind.ADMIN, check_password=False)
    create_user(actor=None, username="zuzhibu", password=DEMO_PASSWORD, kind=RoleKind.ORG_ADMIN,
                org=orgs[ROOT_CODE], check_password=False)
    create_user(actor=None, username="shuji", password=DEMO_PASSWORD, kind=RoleKind.BRANCH_OFFICER, org=branch,
                member=shuji, check_password=False)
    create_user(actor=None, username="dangyuan", password=DEMO_PASSWORD, kind=RoleKind.MEMBER, member=dangyuan,
                check_password=False)
    return logins()


def logins():
    """The demo logins as [(username, description)], read from the database."""
    from dangjian.accounts.models import Role

    out = []
    for username in ("admin", "zuzhibu", "shuji", "dangyuan"):
        role = Role.objects.select_related("org", "member").filter(user__username=username).first()
        if role is None:
            continue
        where = role.org or (role.member.org if role.member else None)
        text = role.get_kind_display()
        if role.member and role.kind != RoleKind.ADMIN:
            text += f"，{role.member.name}"
        if where:
            text += f"，{where.name}（{where.code}）"
        out.append((username, text))
    return out


def _later_tables():
    """The digest's tables of 三重一大, 整改, 学习培训, 帮扶, the report and the 评议 round (the report's
    stored facts are left out: they carry the time they were read)."""
    from dangjian.appraisal.models import Ballot, Mark, Reporter, Round
    from dangjian.assistance.models import Project
    from dangjian.education.models import Training
    from dangjian.governance.models import Matter
    from dangjian.rectification.models import Problem, ProblemEvent
    from dangjian.reports.models import Report

    return (
        (Matter.objects.order_by("number"), ("number", "org__code", "name", "category", "amount", "deciding_body",
                                             "decided_on", "studied_on", "study_meeting__subject", "decision_note")),
        (Problem.objects.order_by("number"), ("number", "org__code", "year", "source", "description", "cause",
                                              "measures", "owner__id_number", "deadline", "completed_on", "closed_on",
                                              "report_issue")),
        (ProblemEvent.objects.order_by("problem__number", "date", "kind", "text"),
         ("problem__number", "kind", "date", "text", "from_state", "to_state")),
        (Training.objects.order_by("member__id_number", "held_on", "subject"),
         ("member__id_number", "held_on", "subject", "hours", "kind")),
        (Project.objects.order_by("code"), ("code", "org__code", "target", "kind", "name", "started_on", "ended_on",
                                            "invested", "annual_return", "member__id_number", "results")),
        (Report.objects.order_by("org__code", "year"), ("org__code", "year", "status", "narrative", "placement")),
        (Round.objects.order_by("org__code", "year", "held_on"), ("org__code", "year", "held_on", "title",
                                                                  "closed_on")),
        (Reporter.objects.order_by("round__org__code", "round__year", "order", "org__code"),
         ("round__org__code", "round__year", "org__code", "member__id_number", "form", "order")),
        (Ballot.objects.order_by("round__org__code", "round__year", "number"),
         ("round__org__code", "round__year", "group", "channel", "number")),
        (Mark.objects.order_by("ballot__round__org__code", "ballot__number", "reporter__org__code"),
         ("ballot__number", "reporter__org__code", "rating")),
    )


def digest():
    """A fingerprint of everything the demo writes (no database ids), for the determinism test."""
    tables = (
        (Organization.objects.order_by("code"),
         ("code", "name", "parent__code", "org_type", "founded_on", "dissolved_on")),
        (ParentLink.objects.order_by("org__code", "valid_from"), ("org__code", "parent__code", "valid_from", "note")),
        (Member.objects.order_by("id_number"),
         ("id_number", "name", "org__code", "stage", "admitted_on", "confirmed_on", "party_group__code")),
        (MemberEvent.objects.order_by("member__id_number", "date", "kind"),
         ("member__id_number", "kind", "date", "org__code", "note")),
        (CommitteePost.objects.order_by("org__code", "member__id_number", "post", "started_on"),
         ("org__code", "member__id_number", "post", "started_on", "ended_on", "admin_post", "full_time")),
        (Election.objects.order_by("org__code", "held_on"),
         ("org__code", "held_on", "term_years", "expected", "present", "seats", "candidates", "postponed_to")),
        (Meeting.objects.order_by("org__code", "held_on", "subject", "expected", "present"),
         ("org__code", "held_on", "subject", "expected", "present", "chair__id_number", "lecturer__id_number",
          "topics", "location", "minutes")),
        (MeetingKind.objects.order_by("org__code", "held_on", "meeting__subject", "kind"),
         ("org__code", "held_on", "meeting__subject", "kind")),
        (Attendance.objects.order_by("meeting__org__code", "meeting__held_on", "meeting__subject", "member__id_number"),
         ("meeting__org__code", "meeting__held_on", "meeting__subject", "member__id_number", "attended",
          "absence_reason")),
        (Vote.objects.order_by("meeting__org__code", "meeting__held_on", "meeting__subject", "matter"),
         ("meeting__org__code", "meeting__held_on", "matter", "expected_voters", "present_voters", "yes", "no",
          "abstain", "result")),
        (PartyHome.objects.order_by("org__code", "name"), ("org__code", "name", "opened_on", "facilities")),
        (Case.objects.order_by("id_number"), ("id_number", "name", "org__code", "member__id_number",
                                              "discontinued_on", "rule_version")),
        (CaseStep.objects.order_by("case__id_number", "step", "date"),
         ("case__id_number", "step", "date", "conclusion", "ended_on", "hours", "expected", "present", "yes",
          "months", "meeting__subject")),
        (BaseDeclaration.objects.order_by("member__id_number", "month"),
         ("member__id_number", "month", "base", "category", "reduced")),
        (Payment.objects.order_by("member__id_number", "month", "kind", "paid_on"),
         ("member__id_number", "org__code", "month", "amount", "paid_on", "kind")),
        (Responsibility.objects.order_by("org__code", "year", "duty", "member__id_number"),
         ("org__code", "year", "duty", "member__id_number", "areas")),
        (Indicator.objects.order_by("letter__to_org__code", "order"),
         ("letter__from_org__code", "letter__to_org__code", "letter__year", "letter__signed_on", "name", "points",
          "metric", "target", "score", "evidence")),
    ) + _later_tables()
    h = hashlib.sha256()
    for queryset, fields in tables:
        for row in queryset.values_list(*fields):
            h.update(repr(row).encode())
    return h.hexdigest()
