"""The fixed cast every test builds on, created through the services (healthchecks' and STYLE.md's way).

    JT   集团党委 (设立纪委)
    ├── A01   甲市分公司党委
    │   ├── A0101  甲市一支部 ── A0101G1 第一党小组
    │   └── A0102  甲市二支部
    └── B01   乙市分公司党委
        └── B0101  乙市一支部

Users: admin (系统管理员), zuzhibu (党务管理员 JT), a01admin (党务管理员 A01), b01admin (党务管理员 B01),
shuji (支部书记 A0101), dangyuan (党员 in A0101), outsider (no role). Password: "Cast-pass-2018".
"""
import datetime
from types import SimpleNamespace

from dangjian.accounts.services import create_user
from dangjian.core.idcard import make_id_number
from dangjian.members.services import create_member
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import create_organization, create_post, record_election

PASSWORD = "Cast-pass-2018"
D = datetime.date


def person_id(n, sex="M", birth=D(1980, 5, 17)):
    """A valid, generated resident ID: n distinguishes people with the same birth date."""
    return make_id_number("450103", birth.replace(day=1 + n % 28), n, sex)


def build_cast():
    c = SimpleNamespace()
    org = create_organization
    c.jt = org(actor=None, code="JT", name="集团党委", org_type=OrgType.COMMITTEE, parent=None,
               founded_on=D(2016, 1, 1), has_discipline_committee=True, unit_name="文化传媒集团")
    c.a01 = org(actor=None, code="A01", name="甲市分公司党委", org_type=OrgType.COMMITTEE, parent=c.jt,
                founded_on=D(2016, 1, 1), unit_name="甲市分公司")
    c.a0101 = org(actor=None, code="A0101", name="甲市一支部", org_type=OrgType.BRANCH, parent=c.a01,
                  founded_on=D(2016, 1, 1))
    c.a0101g1 = org(actor=None, code="A0101G1", name="甲市一支部第一党小组", org_type=OrgType.PARTY_GROUP,
                    parent=c.a0101, founded_on=D(2016, 1, 1))
    c.a0102 = org(actor=None, code="A0102", name="甲市二支部", org_type=OrgType.BRANCH, parent=c.a01,
                  founded_on=D(2016, 1, 1))
    c.b01 = org(actor=None, code="B01", name="乙市分公司党委", org_type=OrgType.COMMITTEE, parent=c.jt,
                founded_on=D(2016, 1, 1), unit_name="乙市分公司")
    c.b0101 = org(actor=None, code="B0101", name="乙市一支部", org_type=OrgType.BRANCH, parent=c.b01,
                  founded_on=D(2016, 1, 1))

    def member(n, name, at, **kw):
        return create_member(actor=None, id_number=person_id(n, kw.pop("sex", "M")), name=name, org=at,
                             admitted_on=kw.pop("admitted_on", D(2010, 7, 1)),
                             confirmed_on=kw.pop("confirmed_on", D(2011, 7, 1)), phone=kw.pop("phone", "13812345678"),
                             **kw)

    c.zhang = member(1, "张建国", c.a0101, party_group=c.a0101g1)
    c.li = member(2, "李秀英", c.a0101, sex="F")
    c.wang = member(3, "王志强", c.a0101, admitted_on=D(2018, 3, 1), confirmed_on=None)
    c.zhao = member(4, "赵丽", c.a0102, sex="F")
    c.chen = member(5, "陈刚", c.b0101)
    c.secretary_post = create_post(actor=None, org=c.a0101, member=c.zhang, post="secretary",
                                   started_on=D(2016, 3, 1))
    c.election = record_election(actor=None, org=c.a0101, held_on=D(2016, 3, 1), term_years=3, expected=3,
                                 present=3, seats=3, candidates=4)

    def user(name, kind, **kw):
        return create_user(actor=None, username=name, password=PASSWORD, kind=kind, **kw)

    c.admin = user("admin", "admin")
    c.zuzhibu = user("zuzhibu", "org_admin", org=c.jt)
    c.a01admin = user("a01admin", "org_admin", org=c.a01)
    c.b01admin = user("b01admin", "org_admin", org=c.b01)
    c.shuji = user("shuji", "branch_officer", org=c.a0101)
    c.dangyuan = user("dangyuan", "member", member=c.li)
    from django.contrib.auth import get_user_model
    c.outsider = get_user_model().objects.create_user("outsider", password=PASSWORD)
    return c
