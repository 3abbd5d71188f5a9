"""Reading the problem list: which problems belong to a year's ledger, and how many are in which status.

A problem carries from year to year until it is closed: a problem of 2017 rectified in 2018 is in 2018's
ledger (and in the 述职报告 of 2018, REPORT.md), one still open at the end of 2018 is in 2019's too."""
import datetime

from django.db.models import Q

from dangjian.organizations.models import Organization, under

from .models import OVERDUE, STATUS_LABELS, Problem, ProblemState


def _of_orgs(qs, orgs):
    """`qs` limited to `orgs`: an Organization (its subtree), a queryset of organisations, or None (all)."""
    if orgs is None:
        return qs
    if isinstance(orgs, Organization):
        return qs.filter(under(orgs.path, "org__path"))
    return qs.filter(org__in=orgs)


def problems_for_year(orgs, year, *, qs=None):
    """The problems of `year`'s ledger for `orgs` (an Organization's subtree, a queryset of organisations,
    or None): found in that year, or found earlier and not yet closed when it began, so also those
    completed or closed during it. A problem completed earlier and closed during the year is in it; one
    closed before it began is not; one found later is not."""
    start = datetime.date(year, 1, 1)
    base = Problem.objects.all() if qs is None else qs
    carried = Q(year__lt=year) & (Q(closed_on__isnull=True) | Q(closed_on__gte=start))
    return _of_orgs(base, orgs).filter(Q(year=year) | carried).select_related("org", "owner")


def carried_over(problem, year):
    """Whether `problem` came into `year`'s ledger from an earlier year (上年度问题)."""
    return problem.year < year


def status_counts(problems, day):
    """{status: count} on `day` for `problems`, in the order the ledger shows them."""
    counts = {status: 0 for status in (ProblemState.OPEN, OVERDUE, ProblemState.COMPLETED, ProblemState.CLOSED)}
    for problem in problems:
        counts[problem.status_on(day)] += 1
    return counts


def status_choices():
    return [(code, label) for code, label in STATUS_LABELS.items()]
