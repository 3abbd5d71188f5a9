"""帮扶 read set-wise: an organisation's projects (its whole subtree) in a year, with the totals the 述职报告
reports: the money put in, the yearly return to the village collectives, the first secretaries stationed."""
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q

from dangjian.organizations.models import under

from .models import Project, ProjectKind

ZERO = Decimal("0.00")


@dataclass
class Totals:
    projects: int
    invested: Decimal
    annual_return: Decimal
    first_secretaries: int
    villages: int
    by_kind: list  # [(label, count)] in ProjectKind's order, kinds with projects only


def projects_in(org, year=None):
    """The projects run by `org`'s subtree (one query), those running on some day of `year` when given."""
    qs = Project.objects.filter(under(org.path, "org__path")).select_related("org", "member")
    if year is not None:
        first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
        qs = qs.filter(started_on__lte=last).filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first))
    return list(qs.order_by("org__path", "started_on", "code"))


def totals_of(projects):
    """The sums over `projects`: 投入金额 and 年收益 (万元, empty counted as nothing), the distinct members
    stationed as 驻村第一书记, the distinct 帮扶对象 and the number per 项目类型."""
    counts = {}
    for p in projects:
        counts[p.kind] = counts.get(p.kind, 0) + 1
    return Totals(
        projects=len(projects),
        invested=sum((p.invested or ZERO for p in projects), ZERO),
        annual_return=sum((p.annual_return or ZERO for p in projects), ZERO),
        first_secretaries=len({p.member_id for p in projects if p.kind == ProjectKind.FIRST_SECRETARY}),
        villages=len({p.target for p in projects}),
        by_kind=[(label, counts[code]) for code, label in ProjectKind.choices if code in counts],
    )
