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
from dangjian.members.models import DuesCategory, Education, EventKind, Member, MemberEvent, PostCategory
from dangjian.members.services import (
    confirm_member,
    create_member,
    record_exit,
    restore_member,
    suspend_member,
    transfer_member,
)
from dangjian.organizations.models import CommitteePost, Election, Organization, OrgType, ParentLink, Post
from dangjian.organizations.services import (
    create_organization,
    create_post,
    default_term_years,
    dissolve_organization,
    move_organization,
    record_election,
)
from dangjian.rules import parameters

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
    by_org = {}
    for p in people:
        by_org.setdefault(p.org, []).append(p)
        if p.first_org != p.org:
            by_org.setdefault(p.first_org, []).append(p)

    def holders(codes, day, exclude=()):
        found = [p for code in codes for p in by_org.get(code, []) if p.holds(code, day) and p.n not in exclude]
        return sorted(found, key=lambda p: (not p.senior, p.admitted_on, p.n))

    def subtree_codes(code):
        return [o.code for o in plan.orgs if o.code == code or _is_under(o, code, by_code)]

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
            day = add_years(day, -term) + datetime.timedelta(days=rng.randint(-20, 20))
        elections.reverse()
    seats = 5 if size >= 20 else 3 if size >= 7 else 1
    for index, held in enumerate(elections):
        expected = max(1, size + rng.randint(-3, 3))
        present = expected - rng.randint(0, max(0, expected // 10))
        candidates = math.ceil(seats * 1.2) + (1 if rng.random() < 0.3 else 0)
        if held.year == 2018 and seats >= 3 and org.code.endswith("2"):
            candidates = seats  # 等额选举: the kind of flaw ELE-02 finds
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
    return plan


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
        record_election(actor=None, org=orgs[e.org], held_on=e.held_on, term_years=e.term_years,
                        expected=e.expected, present=min(e.present, e.expected), seats=e.seats,
                        candidates=e.candidates, postponed_to=e.postponed_to)
    for p in plan.posts:
        create_post(actor=None, org=orgs[p.org], member=people[p.person], post=p.post, started_on=p.started_on,
                    ended_on=p.ended_on, admin_post=p.admin_post, full_time=p.full_time)
    out(f"换届：{len(plan.elections)} 次；班子成员任职：{len(plan.posts)} 条")


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
    )
    h = hashlib.sha256()
    for queryset, fields in tables:
        for row in queryset.values_list(*fields):
            h.update(repr(row).encode())
    return h.hexdigest()
