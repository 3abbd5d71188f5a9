"""党内统计: the tables of dangjian.stats for a subtree as it stood on a date, their xlsx, and behind each
count the list of members (or organisations) it counts.

The organisation asked for must be one the user may see (accounts.access.visible_orgs): a branch secretary
gets their branch, an 党务管理员 any organisation of their subtree. Its figures are those of its subtree as
it stood on the day (aggregate counts). The lists behind the counts show only the members the user may see
now; anyone counted then and out of reach now (transferred away since) is counted in a line, not named."""
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header, urlencode

from dangjian.accounts.access import home_org, visible_members, visible_orgs
from dangjian.core.dates import reference_day
from dangjian.core.errors import DomainError
from dangjian.organizations.models import Organization, OrgType
from dangjian.stats.output import absent_note, parse_as_of, workbook
from dangjian.stats.tables import Row, Statistics, statistics

from ..scope import current_scope
from .base import staff_required

PAGE_SIZE = 200  # members listed per page behind a count

# The roster filters (views/members.py) that say the same as a table line, for the link beside its list: the
# roster shows today's state, so the link is offered as "today's roster", never as the figure's source.
ROSTER_FILTERS = {
    "category": lambda key: {"stage": key},
    "sex": lambda key: {"sex": key},
    "education": lambda key: {"education": key} if key != "none" else None,
    "post": lambda key: {"post_category": key} if key != "none" else None,
    "leading": lambda key: {"leading": "1" if key == "yes" else "0"},
}


@dataclass
class Asked:
    """What the page was asked: the organisation, the day, and the message when either cannot be used."""

    root: Organization | None
    as_of_text: str
    day: object = None
    error: str = ""


def _default_root(request, day):
    """The chosen scope, else the user's own organisation; for an administrator the top of the tree: of the
    roots that existed on the day, the one with the most organisations (a placeholder root such as the demo's
    地方党委, dissolved after its branches moved away, is not where the group's statistics start)."""
    root = current_scope(request) or home_org(request.user)
    if root is None:
        roots = visible_orgs(request.user).filter(parent__isnull=True).order_by("code")
        roots = list(roots.existing_on(day)) or list(roots)  # before any founding: still a root to show
        root = max(roots, key=lambda r: Organization.objects.subtree(r).count(), default=None)
    return root


def read_request(request):
    user, params = request.user, request.GET
    text = params.get("as_of", "").strip()
    try:
        day = parse_as_of(text) if text else reference_day()
    except DomainError as exc:
        return Asked(None, text, error=exc.message)
    code = params.get("org", "").strip()
    if code:
        root = visible_orgs(user).filter(code=code).first()
        if root is None:  # the same answer for an unknown code and one out of reach: nothing leaks
            return Asked(None, text, day, error=f"组织编码“{code}”不存在或不在您的管理范围内")
    else:
        root = _default_root(request, day)
    if root is None:
        return Asked(None, text, day, error="您的管理范围内没有党组织")
    return Asked(root, text, day)


def _org_choices(user):
    """The organisations to choose from (党小组 hold no membership, so they have no statistics of their own)."""
    orgs = visible_orgs(user).exclude(org_type=OrgType.PARTY_GROUP).only("code", "name", "depth", "path")
    return list(orgs.order_by("path"))


def _links(stats: Statistics):
    """Each table with, for each line, the URL of what it counts (None for a derived figure)."""
    base = {"org": stats.root.code, "as_of": stats.as_of.isoformat()}
    out = []
    for table in stats.tables:
        lines = []
        for row in table.rows:
            url = None
            if row.items is not None and row.count:
                url = reverse("stats_records") + "?" + urlencode(base | {"table": table.key, "row": row.key})
            lines.append((row, url))
        out.append((table, lines))
    return out


@staff_required
def stats_page(request):
    asked = read_request(request)
    context = {"asked": asked, "orgs": _org_choices(request.user), "default_day": reference_day()}
    stats = None
    if not asked.error:
        stats = statistics(asked.root, asked.day)
        context |= {"stats": stats, "tables": _links(stats), "absent": absent_note(stats),
                    "query": urlencode({"org": asked.root.code, "as_of": asked.day.isoformat()})}
        context["total_url"] = reverse("stats_records") + "?" + urlencode(
            {"org": asked.root.code, "as_of": asked.day.isoformat(), "table": "category", "row": "all"})
    return render(request, "web/stats.html", context, status=400 if asked.error else 200)


@staff_required
def stats_export(request):
    """The tables as xlsx (counts only: no personal data in it)."""
    asked = read_request(request)
    if asked.error:
        return HttpResponse(asked.error, status=400, content_type="text/plain; charset=utf-8")
    stats = statistics(asked.root, asked.day)
    response = HttpResponse(workbook(stats),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    name = f"党内统计-{asked.root.code}-{asked.day:%Y%m%d}.xlsx"
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


@staff_required
def stats_records(request):
    """The members (or organisations) behind one count: computed by the same function as the count."""
    asked = read_request(request)
    if asked.error:
        return render(request, "web/stats_records.html", {"asked": asked}, status=400)
    stats = statistics(asked.root, asked.day)
    table_key, row_key = request.GET.get("table", ""), request.GET.get("row", "")
    try:
        table = stats.table(table_key)
        if row_key == "all" and table.key == "category":  # the member total: 正式 and 预备 together
            row = Row("all", "党员总数", stats.members, 0, [pk for r in table.rows if r.level == 0 for pk in r.items])
        else:
            row = table.row(row_key)
    except StopIteration:
        raise Http404("没有这一项统计") from None
    if row.items is None:
        raise Http404("该项是计算所得，没有对应的名单")
    dated = bool(row.items) and isinstance(row.items[0], tuple)
    items = [item if dated else (item, None) for item in row.items]
    # What the user may see now, as a set of pks (no IN list of thousands of parameters), then one page of rows.
    scope = visible_orgs(request.user) if table.subject == "org" else visible_members(request.user)
    reach = set(scope.values_list("pk", flat=True))
    items = [item for item in items if item[0] in reach]
    hidden = len(row.items) - len(items)
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    objects = scope.in_bulk([pk for pk, _ in page.object_list])
    lines = [(objects[pk], day) for pk, day in page.object_list]
    roster = None
    make = ROSTER_FILTERS.get(table.key)
    if make and row_key != "all" and make(row.key):
        roster = reverse("roster") + "?" + urlencode(make(row.key))
    context = {"asked": asked, "stats": stats, "table": table, "row": row, "lines": lines, "hidden": hidden,
               "page": page, "dated": dated, "roster": roster, "back": reverse("stats") + "?" + urlencode(
                   {"org": asked.root.code, "as_of": asked.day.isoformat()})}
    return render(request, "web/stats_records.html", context)
