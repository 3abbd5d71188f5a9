"""Derived facts about organisations, computed for any date: the tree as it was, terms, secretaries."""
import datetime
from dataclasses import dataclass

from dangjian.core.dates import add_months
from dangjian.rules import parameters

from .models import LEADERSHIP_TYPES, CommitteePost, Election, Organization, ParentLink, Post


def parents_on(day):
    """{org_id: parent_id} as the tree stood on `day` (from the ParentLink history), for the
    organisations that existed that day. Two queries, whatever the size of the tree."""
    alive = set(Organization.objects.existing_on(day).values_list("pk", flat=True))
    return {org: parent for org, parent in _links_on(day).items() if org in alive}


def _links_on(day):
    current = {}
    links = ParentLink.objects.filter(valid_from__lte=day).order_by("org_id", "valid_from", "id")
    for org_id, parent_id in links.values_list("org_id", "parent_id"):
        current[org_id] = parent_id  # the latest link on or before the day wins
    return current


def tree_on(day, root=None):
    """[(depth, org)] in tree order (children by code) as on `day`; under `root` when given."""
    orgs = {o.pk: o for o in Organization.objects.existing_on(day)}
    links = {org_id: parent_id for org_id, parent_id in _links_on(day).items() if org_id in orgs}
    children = {}
    for org_id, parent_id in links.items():
        children.setdefault(parent_id, []).append(orgs[org_id])
    for items in children.values():
        items.sort(key=lambda o: o.code, reverse=True)  # reversed: taken from the end of the stack
    if root is None:
        stack = [(0, o) for o in children.get(None, [])]
    else:
        stack = [(0, orgs[root.pk])] if root.pk in links else []
    out = []
    while stack:  # depth first without recursion: a deep tree cannot exhaust Python's stack
        depth, org = stack.pop()
        out.append((depth, org))
        stack.extend((depth + 1, child) for child in children.get(org.pk, []))
    return out


@dataclass
class TermStatus:
    org: Organization
    last_election: Election | None
    ends_on: datetime.date | None   # the term's end (held_on + term_years)
    due_on: datetime.date | None    # the end or an approved postponement
    state: str                      # "none", "current", "ending", "overdue"

    @property
    def label(self):
        return {"none": "无换届记录", "current": "任期内", "ending": "即将届满", "overdue": "应换未换"}[self.state]


def term_status(org, day, last=None):
    """The organisation's term on `day`: overdue (TERM-02), ending within the reminder window
    (TERM-03) or current."""
    if last is None:
        last = org.elections.filter(held_on__lte=day).order_by("-held_on").first()
    if last is None:
        return TermStatus(org, None, None, None, "none")
    max_shift = parameters.value("term_max_shift_months", day)
    lead = parameters.value("term_reminder_months", day)
    ends = last.term_ends_on
    due = last.due_on
    if last.postponed_to and last.postponed_to > add_months(ends, max_shift):
        due = add_months(ends, max_shift)  # a postponement beyond the limit does not cover the gap
    if due < day:
        state = "overdue"
    elif due <= add_months(day, lead):
        state = "ending"
    else:
        state = "current"
    return TermStatus(org, last, ends, due, state)


def term_statuses(orgs, day):
    """Term status of each leadership organisation in `orgs` on `day`, two queries in all."""
    orgs = [o for o in orgs if o.org_type in LEADERSHIP_TYPES and o.exists_on(day)]
    latest = {}
    for election in Election.objects.filter(org__in=orgs, held_on__lte=day).order_by("org_id", "held_on"):
        latest[election.org_id] = election
    return [term_status(o, day, latest.get(o.pk)) if o.pk in latest else TermStatus(o, None, None, None, "none")
            for o in orgs]


def secretary_on(org, day):
    return (CommitteePost.objects.held_on(day).filter(org=org, post=Post.SECRETARY)
            .select_related("member").order_by("-started_on").first())


def committee_on(org, day):
    return list(CommitteePost.objects.held_on(day).filter(org=org).select_related("member")
                .by_rank())
