"""合规检查: the rule engine's findings for the chosen subtree and date, grouped by rule and organisation;
their xlsx export; the rule reference with its parameters; and the workbench's compliance card.

The engine runs once per request, set-wise, for the subtree root (the chosen scope, else the role's own
organisation). What the role may see is then kept by organisation through accounts.access.visible_orgs:
a branch secretary checking their branch sees its findings and its 党小组's, never a sibling's."""
import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header

from dangjian.accounts.access import home_org, is_admin, visible_members, visible_orgs
from dangjian.audit.services import log_action
from dangjian.core import dates
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_id_number
from dangjian.organizations.models import PATH_STEP, under
from dangjian.rules.engine import (
    ERROR,
    FIRST_YEAR,
    SEVERITY_LABELS,
    WARNING,
    Window,
    all_rules,
    run_checks,
    upcoming,
    window_from,
)
from dangjian.rules.parameters import PARAMETERS

from ..exports import findings_workbook
from ..scope import current_scope
from .base import staff_required

PAGE_SIZE = 200  # findings per page: a whole group for a year is thousands of rows
UPCOMING_DAYS = 30
UPCOMING_SHOWN = 10
RECORD_LABELS = {"meeting": "会议记录", "election": "换届记录", "post": "任职记录", "problem": "整改问题",
                 "matter": "三重一大事项"}


def parse_window(as_of_text, year_text):
    """(Window, error message) from ?as_of=YYYY-MM-DD or ?year=YYYY (as_of wins); default: as of today."""
    try:
        return window_from(year=year_text, as_of=as_of_text or (None if year_text else dates.reference_day())), ""
    except DomainError as exc:
        return None, exc.message


def check_root(request):
    """Where the check starts: the chosen scope, else the role's own organisation (None: the whole tree)."""
    return current_scope(request) or home_org(request.user)


def visible_orgs_under(user, root):
    """{pk: Organization} the user may see in the subtree at `root` (one query)."""
    qs = visible_orgs(user)
    if root is not None:
        qs = qs.filter(under(root.path))
    fields = ("pk", "code", "name", "path", "org_type", "parent_id", "founded_on", "dissolved_on")
    return {o.pk: o for o in qs.only(*fields)}


def reveals_ids(user):
    """Full 身份证号 in an export: only the system administrators (组织部), whose export is audited; every
    other role gets them masked, as in the roster export."""
    return is_admin(user)


@dataclass
class Check:
    """One run of the page's query: the window, the subtree, the findings the user may see (`visible`),
    those matching the organisation search (`base`, which the counts describe) and those shown."""

    as_of_text: str = ""
    year_text: str = ""
    severity: str = ""
    rule: str = ""
    q: str = ""
    org: object = None  # ?org=CODE: that organisation and those under it (?own=1: only itself)
    own: bool = False
    org_error: str = ""  # ?org= names no organisation the user may see here: nothing is shown
    window: Window | None = None
    error: str = ""
    root: object = None
    orgs: dict = field(default_factory=dict)
    visible: list = field(default_factory=list)
    base: list = field(default_factory=list)
    shown: list = field(default_factory=list)


def run_check(request):
    params = request.GET
    check = Check(as_of_text=params.get("as_of", "").strip(), year_text=params.get("year", "").strip(),
                  q=params.get("q", "").strip())
    rule_ids = {r.id for r in all_rules()}
    check.severity = params.get("severity", "") if params.get("severity") in SEVERITY_LABELS else ""
    check.rule = params.get("rule", "") if params.get("rule") in rule_ids else ""
    check.root = check_root(request)
    check.window, check.error = parse_window(check.as_of_text, check.year_text)
    if check.window is None:
        return check
    if check.as_of_text:  # as_of wins: the form shows what was checked
        check.year_text = ""
    check.orgs = visible_orgs_under(request.user, check.root)
    check.visible = [f for f in run_checks(root=check.root, window=check.window) if f.org_id in check.orgs]
    check.base = check.visible
    code = params.get("org", "").strip()
    check.org = next((o for o in check.orgs.values() if o.code == code), None) if code else None
    check.own = check.org is not None and params.get("own") == "1"
    if code and check.org is None:  # a link from elsewhere or a typo: showing everything would mislead
        check.org_error = f"组织编码“{code}”不存在或不在当前查看范围内，没有显示检查结果。"
        check.base = []
    if check.org is not None:
        check.base = [f for f in check.base if _in_chosen(check.orgs[f.org_id], check.org, check.own)]
    if check.q:
        needle = check.q.lower()
        check.base = [f for f in check.base
                      if needle in check.orgs[f.org_id].code.lower() or needle in check.orgs[f.org_id].name.lower()]
    check.shown = [f for f in check.base if (not check.severity or f.severity == check.severity)
                   and (not check.rule or f.rule == check.rule)]
    return check


def _in_chosen(org, chosen, own):
    return org.pk == chosen.pk if own else org.is_within(chosen)


class RecordLinks:
    """Links to the records a finding is about: a meeting's page; for elections and posts, their section
    of the organisation's page (where they are listed)."""

    SECTIONS = {"election": "#elections", "post": "#committee"}

    def __call__(self, finding, org):
        org_url = reverse("org_detail", args=[org.code])
        links = []
        for kind, pk in finding.records:
            url = reverse("meeting_detail", args=[pk]) if kind == "meeting" else org_url + self.SECTIONS.get(kind, "")
            if kind == "problem":  # RECT-01: the problem's own page
                url = reverse("rectification_detail", args=[pk])
            if kind == "matter":  # SOE-03: the matter's row on its 党委's page of the decision's year
                url = reverse("governance_org", args=[org.code]) + f"?year={finding.date.year}#matter-{pk}"
            links.append((RECORD_LABELS.get(kind, "相关记录"), url))
        return links


def _people(user, findings):
    """{身份证号: (member pk, name)} for the persons of `findings` the user may see (one query)."""
    numbers = {f.person for f in findings if f.person}
    if not numbers:
        return {}
    return {n: (pk, name) for n, pk, name in
            visible_members(user).filter(id_number__in=numbers).values_list("id_number", "pk", "name")}


def group_findings(check, findings, user):
    """[{rule, count, orgs: [{org, rows}]}] for `findings` (a page of those shown) in the order of RULES.md's
    tables, organisations in tree order; `count` is the rule's number among all those shown."""
    links, people = RecordLinks(), _people(user, findings)
    rules = {r.id: r for r in all_rules()}
    totals = Counter(f.rule for f in check.shown)
    groups = {}
    for f in findings:
        org = check.orgs[f.org_id]
        group = groups.setdefault(f.rule, {"rule": rules.get(f.rule), "id": f.rule, "count": totals[f.rule],
                                           "orgs": {}, "severities": set()})
        group["severities"].add(f.severity)
        by_org = group["orgs"].setdefault(org.pk, {"org": org, "rows": []})
        person = people.get(f.person) if f.person else None
        by_org["rows"].append({
            "finding": f, "severity_label": SEVERITY_LABELS[f.severity], "links": links(f, org),
            "person_masked": mask_id_number(f.person) if f.person else "",
            "person_name": person[1] if person else "", "person_pk": person[0] if person else None,
        })
    order = {r.id: i for i, r in enumerate(all_rules())}
    out = []
    for rule_id in sorted(groups, key=lambda r: order.get(r, 999)):
        group = groups[rule_id]
        group["orgs"] = list(group["orgs"].values())
        # TERM-04 is an error past 90 days, a warning before: the badge shows every severity that occurs.
        group["badges"] = [(s, SEVERITY_LABELS[s]) for s in (ERROR, WARNING) if s in group["severities"]]
        out.append(group)
    return out


def _counts(check):
    by_severity = Counter(f.severity for f in check.base)
    by_rule = Counter(f.rule for f in check.base)
    return {
        "by_severity": [(s, SEVERITY_LABELS[s], by_severity.get(s, 0)) for s in (ERROR, WARNING)],
        "by_rule": [(r.id, r.title, by_rule[r.id]) for r in all_rules() if by_rule.get(r.id)],
        "total": len(check.base),
    }


@staff_required
def compliance(request):
    check = run_check(request)
    context = {
        "check": check, "as_of": check.window.as_of if check.window else None,
        "rules": [(r.id, r.title) for r in all_rules()], "severities": list(SEVERITY_LABELS.items()),
        "query": request.GET.urlencode(),
        "filtered": bool(check.severity or check.rule or check.q or check.org or check.org_error),
        "default_day": dates.reference_day(),
    }
    if check.window is not None:
        page = Paginator(check.shown, PAGE_SIZE).get_page(request.GET.get("page"))
        context |= {"counts": _counts(check), "page": page,
                    "groups": group_findings(check, page.object_list, request.user)}
    # One URL for the page and the htmx partial (the findings alone, from the pager).
    partial = request.htmx and not request.htmx.history_restore_request and not check.error
    response = render(request, "web/compliance_findings.html" if partial else "web/compliance.html", context,
                      status=400 if check.error else 200)
    patch_vary_headers(response, ("HX-Request",))
    return response


@staff_required
def compliance_export(request):
    """The findings the page shows, as xlsx; IDs masked unless the role may reveal them; audited."""
    check = run_check(request)
    if check.error:
        return HttpResponse(check.error, status=400, content_type="text/plain; charset=utf-8")
    full = reveals_ids(request.user)
    rows = []
    for f in check.shown:
        org = check.orgs[f.org_id]
        person = (f.person if full else mask_id_number(f.person)) if f.person else ""
        rows.append((f.rule, SEVERITY_LABELS[f.severity], org.code, org.name, person, f.period or "", f.date,
                     f.message, f.source))
    as_of = check.window.as_of
    log_action(actor=request.user, action="findings.export", obj=request.user,
               org=check.root, label=f"检查结果（截至{as_of}，{len(rows)}条）",
               after={"count": len(rows), "as_of": as_of.isoformat(), "filters": request.GET.urlencode(),
                      "id_numbers": "完整" if full else "脱敏"})
    response = HttpResponse(findings_workbook(rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"检查结果-{as_of:%Y%m%d}.xlsx")
    return response


@staff_required
def compliance_rules(request):
    """Every rule with its source, the regulation's text and its parameters (each version, with the date it
    took effect and its source; the one in force today marked)."""
    day = dates.today()
    rows = []
    for rule in all_rules():
        params = []
        for name in rule.parameters:
            versions = sorted((p for p in PARAMETERS if p.name == name), key=lambda p: p.effective_from)
            in_force = [p for p in versions if p.effective_from <= day]
            current = in_force[-1] if in_force else None
            params.append({"name": name, "versions": [(p, p is current) for p in versions]})
        rows.append({"rule": rule, "severity_label": SEVERITY_LABELS.get(rule.severity, rule.severity),
                     "params": params})
    return render(request, "web/compliance_rules.html", {"rows": rows, "day": day,
                                                         "epoch": datetime.date(FIRST_YEAR, 1, 1)})


def workbench_summary(request, day):
    """The workbench's cards: this year's findings as of `day` by severity, by rule and by organisation (the
    root's own, then each organisation directly below it with its subtree), and what falls due in the next
    30 days (TERM-03's terms ending, meetings of the running period not yet held) for the chosen subtree.
    One engine run and one `upcoming` call, both set-wise. Every count links to the compliance page
    filtered to the findings it counts."""
    root = check_root(request)
    orgs = visible_orgs_under(request.user, root)
    findings = [f for f in run_checks(root=root, window=Window(day)) if f.org_id in orgs]
    counts = Counter(f.severity for f in findings)
    due = [f for f in upcoming(root=root, as_of=day, days=UPCOMING_DAYS) if f.org_id in orgs]
    links = RecordLinks()
    url = f"{reverse('compliance')}?as_of={day.isoformat()}"
    by_rule = Counter(f.rule for f in findings)
    units_of = root
    tops = [o for o in orgs.values() if len(o.path) == PATH_STEP]
    if units_of is None and len(tops) == 1:  # the whole tree of one group: by the units below its committee
        units_of = tops[0]
    return {"compliance": {
        "total": len(findings), "url": url, "as_of": day, "errors": counts.get(ERROR, 0), "root": units_of,
        "by_severity": [(label, counts.get(s, 0), f"{url}&severity={s}") for s, label in SEVERITY_LABELS.items()],
        "by_rule": [(r.id, r.title, by_rule[r.id], f"{url}&rule={r.id}") for r in all_rules() if by_rule.get(r.id)],
        "by_org": _findings_by_org(findings, orgs, units_of, url, day),
        "upcoming": [{"finding": f, "org": orgs[f.org_id], "links": links(f, orgs[f.org_id])}
                     for f in due[:UPCOMING_SHOWN]],
        "upcoming_total": len(due), "upcoming_days": UPCOMING_DAYS,
    }}


def _findings_by_org(findings, orgs, root, url, day):
    """[{org, label, errors, warnings, total, url}] for the root's own findings ("本级") and each organisation
    directly below the root (with its whole subtree), in tree order. Those below with no findings are listed
    while they exist on `day`, so a clean unit shows as 0 rather than missing."""
    depth = len(root.path) + PATH_STEP if root is not None else PATH_STEP
    heads = {o.path: o for o in orgs.values() if len(o.path) == depth}
    tally = defaultdict(Counter)
    for f in findings:
        path = orgs[f.org_id].path
        tally[path[:depth] if len(path) >= depth else None][f.severity] += 1
    rows = []
    if root is not None and tally.get(None):
        rows.append(_org_row(root, f"{root.name}（本级）", tally[None], f"{url}&org={root.code}&own=1"))
    for path in sorted(heads):
        head = heads[path]
        if tally.get(path) or head.exists_on(day):
            rows.append(_org_row(head, head.name, tally.get(path, Counter()), f"{url}&org={head.code}"))
    return rows


def _org_row(org, label, counts, url):
    return {"org": org, "label": label, "errors": counts[ERROR], "warnings": counts[WARNING],
            "total": counts[ERROR] + counts[WARNING], "url": url,
            "errors_url": f"{url}&severity={ERROR}", "warnings_url": f"{url}&severity={WARNING}"}
