"""Small trees for the rule tests, built through the services (test_rules_orgs, test_rules_meetings)."""
import datetime
import itertools

from dangjian.core.idcard import make_id_number
from dangjian.members.services import create_member
from dangjian.organizations.models import OrgType
from dangjian.organizations.services import create_organization, create_post
from dangjian.rules.engine import Window, run_checks

D = datetime.date
FOUNDED = D(2016, 1, 1)
_numbers = itertools.count(1)


def org(code, org_type=OrgType.BRANCH, parent=None, founded=FOUNDED, **kw):
    return create_organization(actor=None, code=code, name=f"{code}组织", org_type=org_type, parent=parent,
                               founded_on=founded, **kw)


def member(at, admitted=D(2010, 7, 1), confirmed=D(2011, 7, 1), **kw):
    """A member of `at` with a generated, valid ID (a new one at each call)."""
    n = next(_numbers)
    id_number = make_id_number("450103", D(1970 + n // 700, 5, 1 + n % 28), n, "M")
    return create_member(actor=None, id_number=id_number, name=f"党员{n}", org=at, admitted_on=admitted,
                         confirmed_on=confirmed, **kw)


def post(at, kind, started=D(2016, 3, 1), ended=None, person=None):
    """A post held in `at` (by a new member of it, or of the branch for a 党小组's 组长)."""
    person = person or member(at if at.org_type != OrgType.PARTY_GROUP else at.parent)
    return create_post(actor=None, org=at, member=person, post=kind, started_on=started, ended_on=ended)


def findings(rule, as_of=D(2018, 12, 31), root=None):
    return run_checks(root=root, window=Window(as_of), rules=[rule])
