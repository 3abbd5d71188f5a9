"""党费: the collection of the chosen subtree for a month, a branch's month (the single collection form and
the month's statement), its year (the yearly disclosure to members), the bases declared for a whole branch,
one member's dues (their own page shows them, a member role included), single payments, and the xlsx
exports.

Reads go through accounts.access (visible_orgs, visible_members, can_manage_org, can_reveal); every write
goes through dues.services, whose DomainError lands on the field (or the row) it names. What is due is
computed by dues.queries, never stored."""
import datetime
import re
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, can_reveal, home_org, visible_members, visible_orgs
from dangjian.accounts.models import RoleKind
from dangjian.audit.services import log_action
from dangjian.core.dates import add_months, parse_month, reference_day, today
from dangjian.core.errors import DomainError
from dangjian.dues import services
from dangjian.dues.models import BaseDeclaration, Payment, PaymentKind
from dangjian.dues.queries import (
    member_dues,
    month_lines_by_org,
    month_statement,
    months_lines_by_org,
    year_statement,
)
from dangjian.dues.queries import Totals
from dangjian.dues.services import FLAT, NONE_DUE, PAID, SHORT, STATUSES, UNPAID, ZERO, month_label
from dangjian.organizations.models import MEMBERSHIP_TYPES, under
from dangjian.rules import parameters

from ..exports import DUES_LINE_HEADERS, DUES_LINE_WIDTHS, tables_workbook
from ..forms import DuesBaseForm, DuesBranchBasesForm, DuesCollectionForm, DuesPaymentForm, add_domain_error
from ..scope import STAFF_KINDS, current_scope
from .base import ServiceFormView, role_required, staff_required

STATUS_CLASS = {PAID: "paid", SHORT: "short", UNPAID: "unpaid", NONE_DUE: "none"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = re.compile(r"^[0-9]{4}$")


# ---- months, years, organisations ----

def month_code(month):
    return f"{month.year:04d}-{month.month:02d}"


def default_month():
    """The month the pages look at unless told: the reference day's (the demo's records are of 2018)."""
    return reference_day().replace(day=1)


def _in_range(year):
    return 1900 <= year <= 2999


def _month_or_404(text):
    try:
        month = parse_month(text, field="month")
    except DomainError:
        raise Http404("月份格式不正确，应为YYYY-MM") from None
    if not _in_range(month.year):
        raise Http404("月份超出范围")
    return month


def _year_or_404(text):
    if not YEAR.match(str(text)) or not _in_range(int(text)):
        raise Http404("年份不正确")
    return int(text)


def month_from(params, name="month"):
    """(month, error message) from ?month=YYYY-MM; the default month when absent or wrong."""
    text = (params.get(name) or "").strip()
    if not text:
        return default_month(), ""
    try:
        month = parse_month(text, field=name)
    except DomainError as exc:
        return default_month(), exc.message
    if not _in_range(month.year):
        return default_month(), "月份超出范围"
    return month, ""


def year_from(params, name="year"):
    text = (params.get(name) or "").strip()
    if not text:
        return reference_day().year, ""
    if YEAR.match(text) and _in_range(int(text)):
        return int(text), ""
    return reference_day().year, f"年份“{text}”不正确，应为四位数字，如{reference_day().year}"


def _dues_org(request, code):
    """The organisation through the visible queryset (404 outside). Only an organisation that holds
    memberships (党支部, 党总支, 党委) collects dues: a 党小组's members pay through their branch."""
    org = get_object_or_404(visible_orgs(request.user).select_related("parent"), code=code)
    if org.org_type not in MEMBERSHIP_TYPES:
        raise Http404("党小组不单独收缴党费，请在所属党支部查看")
    return org


def default_paid_on(month):
    """The 缴纳日期 offered: today, or in the demo (whose records are of 2018) the reference day; never
    before the month itself unless that is after today."""
    return min(today(), max(reference_day(), month))


def _next_url(request, default):
    """Where to go after a form: ?next= when it is a path of this site, else `default`."""
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url.startswith("/") and url_has_allowed_host_and_scheme(url, allowed_hosts={request.get_host()},
                                                                 require_https=request.is_secure()):
        return url
    return default


def rate_text(totals):
    """收缴率: the share of what is due that has been paid (underpayments count only what was paid; a month
    paid beyond its due does not make up another's), or "—" when nothing known is due."""
    if totals.due <= 0:
        return "—"
    covered = totals.due - totals.missing
    return f"{(covered * 100 / totals.due).quantize(Decimal('0.1'))}%"


def _who(lines):
    """[(status, css class, lines)] in the order 已交, 少交, 未交, 无需交纳."""
    grouped = defaultdict(list)
    for line in lines:
        grouped[line.status].append(line)
    return [(status, STATUS_CLASS[status], grouped[status]) for status in STATUSES]


# ---- the subtree's collection (/dues/ and the workbench card) ----

@dataclass
class OrgCollection:
    org: object
    lines: list
    totals: Totals = field(default_factory=Totals)

    @property
    def rate(self):
        return rate_text(self.totals)

    @property
    def missing_count(self):
        return self.totals.by_status[UNPAID] + self.totals.by_status[SHORT]


def dues_root(request):
    """Where the overview starts: the chosen scope, else the role's own organisation (None: everything)."""
    return current_scope(request) or home_org(request.user)


def subtree_collection(user, root, month):
    """[OrgCollection] of the organisations holding memberships in `root`'s subtree that the user may see
    and that held members in `month`, in tree order (dues.queries.month_lines_by_org: four queries)."""
    orgs = _collecting_orgs(user, root)
    by_pk = {o.pk: o for o in orgs.order_by("path")}
    if not by_pk:
        return []
    lines = month_lines_by_org(orgs, month)
    return [OrgCollection(org, lines[pk], Totals.of(lines[pk])) for pk, org in by_pk.items() if lines[pk]]


def _collecting_orgs(user, root):
    """The organisations holding memberships in `root`'s subtree (None: everywhere) that the user may see."""
    orgs = visible_orgs(user).filter(org_type__in=MEMBERSHIP_TYPES)
    return orgs.filter(under(root.path)) if root is not None else orgs


# ?status= of the overview: the members the workbench's 未交, 少交 and 未申报基数 figures count, across the
# subtree: (heading, which lines)
LISTED = {
    "unpaid": ("未交党费的党员", lambda line: line.status == UNPAID),
    "short": ("少交党费的党员", lambda line: line.status == SHORT),
    "unknown": ("未申报缴费基数的党员", lambda line: line.due is None),
}


def overview_url(month, status=None):
    query = f"?month={month_code(month)}"
    return reverse("dues_overview") + (query + f"&status={status}" if status else query)


def status_from(params):
    """(status, error message) from ?status=unpaid|short|unknown; none when absent or wrong."""
    code = (params.get("status") or "").strip()
    if not code or code in LISTED:
        return code, ""
    return "", f"名单“{code}”不正确，可选：unpaid（未交）、short（少交）、unknown（未申报基数）"


@staff_required
def dues_overview(request):
    """Each organisation's collection in the month (?month=YYYY-MM, default the reference day's month);
    with ?status=unpaid|short|unknown, also the members of that list, organisation by organisation."""
    month, month_error = month_from(request.GET)
    status, status_error = status_from(request.GET)
    root = dues_root(request)
    rows = subtree_collection(request.user, root, month)
    totals = Totals.of(line for row in rows for line in row.lines)
    context = {
        "month": month, "month_code": month_code(month), "errors": [e for e in (month_error, status_error) if e],
        "status": status or None,  # None: the month links and the form drop a wrong ?status=
        "root": root, "rows": rows, "totals": totals, "rate": rate_text(totals),
        "missing_count": totals.by_status[UNPAID] + totals.by_status[SHORT],
        "prev_code": month_code(add_months(month, -1)), "next_code": month_code(add_months(month, 1)),
        "this_code": month_code(default_month()),
    }
    if status:
        heading, wanted = LISTED[status]
        context |= {"listed_heading": heading,
                    "listed": [(row.org, line) for row in rows for line in row.lines if wanted(line)]}
    return render(request, "web/dues_overview.html", context, status=400 if context["errors"] else 200)


def dues_summary(request, day):
    """The workbench's 党费 cards for the chosen subtree: the month of `day` (collection rate, amounts, who
    is missing) and each month of its year up to it, from one ledger read, linking to the statements."""
    months = [datetime.date(day.year, m, 1) for m in range(1, day.month + 1)]
    orgs = _collecting_orgs(request.user, dues_root(request))
    by_month = months_lines_by_org(orgs, months)
    holding = {month: [pk for pk, lines in by_month[month].items() if lines] for month in months}
    codes = dict(orgs.filter(pk__in={pk for pks in holding.values() for pk in pks}).values_list("pk", "code"))
    rows = []
    for month in months:
        totals = Totals.of(line for lines in by_month[month].values() for line in lines)
        url = overview_url(month)
        if len(holding[month]) == 1:  # one branch: its own month page, the statement and the form
            url = reverse("dues_month", args=[codes[holding[month][0]], month_code(month)])
        rows.append({"month": month, "totals": totals, "rate": rate_text(totals), "url": url,
                     "orgs": len(holding[month]), "unpaid": totals.by_status[UNPAID], "short": totals.by_status[SHORT],
                     "unknown": totals.unknown_due, **{f"{code}_url": overview_url(month, code) for code in LISTED}})
    current = rows[-1]
    return {"dues": current | {"months": rows}}


# ---- a branch's month: the single collection form and the statement ----

@staff_required
def dues_org(request, code):
    """/orgs/<code>/dues/: the month the pages look at."""
    org = _dues_org(request, code)
    return redirect("dues_month", org.code, month_code(default_month()))


def _month_rows(statement, form, manage):
    rows = []
    fields = {line.member.pk: bound for line, bound in form.amount_rows} if form is not None else {}
    for line in statement.lines:
        rows.append({"line": line, "css": STATUS_CLASS[line.status], "field": fields.get(line.member.pk),
                     "manage": manage})
    return rows


def _collection_form(statement, data=None, month=None):
    open_lines = [line for line in statement.lines if line.payment_id is None]
    if data is not None:
        return DuesCollectionForm(data, lines=open_lines)
    initial = {"paid_on": default_paid_on(month)}
    for line in open_lines:
        if line.due is not None and line.due > 0:
            initial[f"amount_{line.member.pk}"] = str(line.due)
    return DuesCollectionForm(initial=initial, lines=open_lines)


@staff_required
def dues_month(request, code, month):
    """The branch's month: 收缴党费 in one form (every member held that month, the amount due pre-filled,
    one 缴纳日期 for all; all or nothing through record_branch_payments), the members already recorded
    shown as paid with a link to correct them, and the month's statement."""
    org = _dues_org(request, code)
    month = _month_or_404(month)
    if request.method == "GET" and request.GET.get("month"):  # the month picker
        chosen, error = month_from(request.GET)
        if not error:
            return redirect("dues_month", org.code, month_code(chosen))
        messages.error(request, error)
    user = request.user
    manage = can_manage_org(user, org)
    if request.method == "POST" and not manage:
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    statement = month_statement(org, month)
    form = _collection_form(statement, month=month) if manage else None
    if request.method == "POST":
        form = _collection_form(statement, request.POST)
        if form.is_valid():
            rows = form.rows()
            if not any(amount for _, amount in rows):
                form.add_error(None, "请至少填写一人的实缴金额（留空的视为本次未交，不登记）")
            else:
                try:
                    written = services.record_branch_payments(org, actor=user, month=month, rows=rows,
                                                              paid_on=form.cleaned_data["paid_on"])
                except DomainError as exc:
                    add_domain_error(form, exc)
                else:
                    messages.success(request, f"已登记{month_label(month)}党费{written}人")
                    return redirect(reverse("dues_month", args=[org.code, month_code(month)]) + "#statement")
    here = reverse("dues_month", args=[org.code, month_code(month)])
    context = {
        "org": org, "view": "month", "month": month, "month_code": month_code(month), "statement": statement,
        "totals": statement.totals, "rate": rate_text(statement.totals), "who": _who(statement.lines),
        "rows": _month_rows(statement, form, manage), "form": form, "can_manage": manage, "here": here,
        "prev_code": month_code(add_months(month, -1)), "next_code": month_code(add_months(month, 1)),
        "this_code": month_code(default_month()),
    }
    return render(request, "web/dues_month.html", context)


# ---- the year (the yearly disclosure to members) ----

@staff_required
def dues_year(request, code, year):
    """Per member and month of `year` (up to this month): what was paid, the status, and totals per member,
    per month and for the year."""
    org = _dues_org(request, code)
    year = _year_or_404(year)
    statement = year_statement(org, year)
    rows = [{"member": row.member, "totals": row.totals,
             "cells": [(cell, STATUS_CLASS[cell.status] if cell else "out") for cell in row.months]}
            for row in statement.rows]
    context = {
        "org": org, "view": "year", "year": year, "statement": statement, "rows": rows,
        "months": [(m, month_code(m)) for m in statement.months],
        "month_totals": statement.month_totals, "totals": statement.totals, "rate": rate_text(statement.totals),
        "can_manage": can_manage_org(request.user, org), "this_year": reference_day().year,
    }
    return render(request, "web/dues_year.html", context)


# ---- exports (masked unless the role may reveal; audited) ----

def _revealable(user, members):
    """The pks among `members` whose full 身份证号 the user may see (accounts.access.can_reveal)."""
    ids = [m.pk for m in members]
    return {m.pk for m in visible_members(user).filter(pk__in=ids) if can_reveal(user, m)}


def _id_for(member, revealable):
    return member.id_number if member.pk in revealable else member.masked_id_number


def _line_row(line, revealable):
    return (line.member.name, _id_for(line.member, revealable), line.month_code, line.category_label,
            "是" if line.reduced else "否", line.base, line.due, line.paid, line.paid_on, line.extra or None,
            line.missing, line.status)


def _totals_row(label, totals):
    return (label, "", "", "", "", None, totals.due, totals.paid, None, totals.extra, totals.missing,
            f"已交{totals.by_status[PAID]}、少交{totals.by_status[SHORT]}、未交{totals.by_status[UNPAID]}、"
            f"无需交纳{totals.by_status[NONE_DUE]}")


def _id_note(members, revealable):
    if not members or not revealable:
        return "脱敏"
    return "完整" if len(revealable) == len({m.pk for m in members}) else "部分完整"


def _xlsx(content, filename):
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@staff_required
def dues_month_export(request, code, month):
    org = _dues_org(request, code)
    month = _month_or_404(month)
    statement = month_statement(org, month)
    members = [line.member for line in statement.lines]
    revealable = _revealable(request.user, members)
    rows = [_line_row(line, revealable) for line in statement.lines] + [_totals_row("合计", statement.totals)]
    log_action(actor=request.user, action="dues.export", obj=org, org=org,
               label=f"{org.name}{month_label(month)}党费收缴情况（{len(members)}人）",
               after={"period": month_code(month), "count": len(members),
                      "id_numbers": _id_note(members, revealable)})
    sheet = (f"{month.year}年{month.month}月", DUES_LINE_HEADERS, rows, DUES_LINE_WIDTHS)
    return _xlsx(tables_workbook([sheet]), f"党费收缴-{org.code}-{month_code(month)}.xlsx")


@staff_required
def dues_year_export(request, code, year):
    org = _dues_org(request, code)
    year = _year_or_404(year)
    statement = year_statement(org, year)
    members = [row.member for row in statement.rows]
    revealable = _revealable(request.user, members)
    headers = (("姓名", "身份证号") + tuple(f"{m.month}月" for m in statement.months)
               + ("应交合计", "实交合计", "自愿多交", "差额", "未交月数", "少交月数"))
    summary = []
    for row in statement.rows:
        cells = []
        for cell in row.months:
            if cell is None:
                cells.append("—")  # not a member of the organisation that month
            elif cell.paid is not None and cell.paid > 0:
                cells.append(cell.paid)
            else:
                cells.append(cell.status)
        t = row.totals
        summary.append((row.member.name, _id_for(row.member, revealable), *cells, t.due, t.paid, t.extra,
                        t.missing, t.by_status[UNPAID], t.by_status[SHORT]))
    t = statement.totals
    summary.append(("合计", "", *[mt.paid for mt in statement.month_totals], t.due, t.paid, t.extra, t.missing,
                    t.by_status[UNPAID], t.by_status[SHORT]))
    detail = [_line_row(cell, revealable) for row in statement.rows for cell in row.months if cell is not None]
    detail.append(_totals_row("合计", t))
    widths = (10, 22) + (9,) * len(statement.months) + (10, 10, 10, 10, 9, 9)
    log_action(actor=request.user, action="dues.export", obj=org, org=org,
               label=f"{org.name}{year}年度党费交纳情况（{len(members)}人）",
               after={"period": str(year), "count": len(members), "id_numbers": _id_note(members, revealable)})
    content = tables_workbook([(f"{year}年度汇总", headers, summary, widths),
                             ("逐月明细", DUES_LINE_HEADERS, detail, DUES_LINE_WIDTHS)])
    return _xlsx(content, f"党费年度-{org.code}-{year}.xlsx")


# ---- bases for a whole branch ----

@staff_required
def dues_bases(request, code):
    """申报缴费基数 for every member the branch holds in the month (?month=, the first month the new bases
    apply to): a new base per member (blank: unchanged), the category and 减免. All or nothing."""
    org = _dues_org(request, code)
    user = request.user
    if not can_manage_org(user, org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    month, month_error = month_from(request.GET)
    statement = month_statement(org, month)
    lines = statement.lines
    initial = {}
    for line in lines:
        initial[f"category_{line.member.pk}"] = line.category
        initial[f"reduced_{line.member.pk}"] = line.reduced
    if request.method == "POST" and not month_error:
        form = DuesBranchBasesForm(request.POST, lines=lines, initial=initial)
        if form.is_valid():
            try:
                declared = _declare_bases(form, user, month)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if declared:
                    messages.success(request, f"已申报{declared}人自{month_label(month)}起的缴费基数")
                else:
                    messages.success(request, "没有需要保存的修改")
                return redirect(reverse("dues_bases", args=[org.code]) + f"?month={month_code(month)}")
    else:
        form = DuesBranchBasesForm(lines=lines, initial=initial)
    context = {"org": org, "view": "bases", "month": month, "month_code": month_code(month),
               "month_error": month_error, "form": form, "can_manage": True,
               "prev_code": month_code(add_months(month, -1)), "next_code": month_code(add_months(month, 1))}
    return render(request, "web/dues_bases.html", context, status=400 if month_error else 200)


@transaction.atomic
def _declare_bases(form, user, month):
    """declare_base for each row with a new base (or a changed category or 减免: the base applying then is
    kept). The first refusal refuses the whole form, on its row."""
    declared = 0
    for line, base_field, category_field, reduced_field in form.base_rows:
        member = line.member
        base = (form.cleaned_data.get(base_field.name) or "").strip()
        category = form.cleaned_data.get(category_field.name) or line.category
        reduced = bool(form.cleaned_data.get(reduced_field.name))
        if not base and category == line.category and reduced == line.reduced:
            continue
        if not base:
            if line.base is not None:
                base = line.base
            elif category in FLAT or reduced:
                base = ZERO
            else:
                raise DomainError(f"{member.name}：请填写缴费基数", field=base_field.name, code="REQUIRED")
        try:
            _, changed = services.declare_base(member, actor=user, month=month, base=base, category=category,
                                               reduced=reduced)
        except DomainError as exc:
            message = exc.message if exc.message.startswith(member.name) else f"{member.name}：{exc.message}"
            target = category_field.name if exc.field == "category" else base_field.name
            raise DomainError(message, field=target, code=exc.code) from exc
        declared += bool(changed)
    return declared


# ---- one member's dues (their page shows them; a member role sees their own) ----

@role_required(*STAFF_KINDS, RoleKind.MEMBER)
def member_dues_page(request, pk):
    """The member's months of a year (?year=): the card of the member's page (htmx) or a page of its own.
    A member role reaches only their own record (visible_members): anyone else is 404."""
    user = request.user
    member = get_object_or_404(visible_members(user), pk=pk)
    year, year_error = year_from(request.GET)
    dues = member_dues(member, year)
    manage = can_manage_org(user, member.org)
    here = reverse("member_detail", args=[member.pk]) + "#dues"
    context = {
        "member": member, "year": year, "year_error": year_error, "dues": dues,
        "lines": [(line, STATUS_CLASS[line.status]) for line in dues.lines], "totals": dues.totals,
        "can_manage": manage, "here": here, "prev_year": year - 1, "next_year": year + 1,
        "bases": list(BaseDeclaration.objects.filter(member=member).order_by("-month")),
    }
    if manage:
        context["base_form"] = DuesBaseForm(initial={"month": default_month(), "category": member.dues_category,
                                                     "reduced": member.dues_reduced})
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "web/_dues_member.html" if partial else "web/dues_member.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


class DuesBaseDeclare(ServiceFormView):
    """申报缴费基数 for one member (the form is also on the member's page)."""

    form_class = DuesBaseForm
    submit_label = "申报"
    success_message = "缴费基数已申报"

    def load(self):
        self.member = get_object_or_404(visible_members(self.request.user), pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.member.org)

    def get_title(self):
        return f"申报缴费基数：{self.member.name}"

    def get_initial(self):
        return {"month": default_month(), "category": self.member.dues_category,
                "reduced": self.member.dues_reduced}

    def cancel_url(self):
        return reverse("member_detail", args=[self.member.pk]) + "#dues"

    def perform(self, form):
        data = form.cleaned_data
        declaration, changed = services.declare_base(
            self.member, actor=self.request.user, month=data["month"], base=data["base"],
            category=data["category"], reduced=data["reduced"], note=data["note"])
        self.success_message = (f"已申报{self.member.name}自{month_label(declaration.month)}起的缴费基数"
                                if changed else "没有需要保存的修改")
        return self.cancel_url()


# ---- single payments ----

def visible_payments(user):
    """Payments the user may see: collected by an organisation they see, or of a member they see."""
    return (Payment.objects.select_related("member", "org")
            .filter(Q(org__in=visible_orgs(user)) | Q(member__in=visible_members(user))))


class PaymentFormView(ServiceFormView):
    form_class = DuesPaymentForm
    template_name = "web/dues_payment_form.html"

    def get_context_data(self, **kwargs):
        months = parameters.value("dues_backpay_months", today())  # DUES-11, shown with the form
        return super().get_context_data(member=self.member, next=self.request.GET.get("next", ""),
                                        backpay_months=months, **kwargs)


class DuesPaymentCreate(PaymentFormView):
    """登记党费 for one member and month (a back-payment, or a voluntary extra payment with ?kind=extra)."""

    submit_label = "登记"
    success_message = "党费已登记"

    def load(self):
        self.member = get_object_or_404(visible_members(self.request.user), pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.member.org)

    def get_title(self):
        extra = self.request.GET.get("kind") == PaymentKind.EXTRA
        return f"{'登记自愿多交党费' if extra else '登记党费'}：{self.member.name}"

    def get_initial(self):
        month, _ = month_from(self.request.GET)
        kind = PaymentKind.EXTRA if self.request.GET.get("kind") == PaymentKind.EXTRA else PaymentKind.REGULAR
        initial = {"month": month, "kind": kind, "paid_on": default_paid_on(month)}
        if kind == PaymentKind.REGULAR:
            due = services.due_for(self.member, month)
            if due is not None and due > 0:
                initial["amount"] = str(due)
        return initial

    def cancel_url(self):
        return _next_url(self.request, reverse("member_detail", args=[self.member.pk]) + "#dues")

    def perform(self, form):
        data = form.cleaned_data
        payment = services.record_payment(self.member, actor=self.request.user, month=data["month"],
                                          amount=data["amount"], paid_on=data["paid_on"], kind=data["kind"],
                                          note=data["note"])
        what = "自愿多交党费" if payment.kind == PaymentKind.EXTRA else "党费"
        self.success_message = f"已登记{self.member.name}{month_label(payment.month)}{what}{payment.amount}元"
        return self.cancel_url()


class DuesPaymentEdit(PaymentFormView):
    """修改 a payment (or delete it: the page's second button)."""

    success_message = "已保存"

    def load(self):
        self.payment = get_object_or_404(visible_payments(self.request.user), pk=self.kwargs["pk"])
        self.member = self.payment.member

    def allowed(self):
        return can_manage_org(self.request.user, self.payment.org)

    def get_title(self):
        return f"修改党费：{self.member.name}{month_label(self.payment.month)}"

    def get_initial(self):
        p = self.payment
        return {"month": p.month, "amount": str(p.amount), "paid_on": p.paid_on, "kind": p.kind, "note": p.note}

    def get_context_data(self, **kwargs):
        return super().get_context_data(payment=self.payment,
                                        delete_url=reverse("dues_payment_delete", args=[self.payment.pk]),
                                        delete_label="删除这笔记录", **kwargs)

    def cancel_url(self):
        p = self.payment
        return _next_url(self.request, reverse("dues_month", args=[p.org.code, month_code(p.month)]))

    def perform(self, form):
        data = form.cleaned_data
        changed = services.update_payment(self.payment, actor=self.request.user, month=data["month"],
                                          amount=data["amount"], paid_on=data["paid_on"], kind=data["kind"],
                                          note=data["note"])
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return self.cancel_url()


@require_POST
@staff_required
def dues_payment_delete(request, pk):
    payment = get_object_or_404(visible_payments(request.user), pk=pk)
    if not can_manage_org(request.user, payment.org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    default = reverse("dues_month", args=[payment.org.code, month_code(payment.month)])
    label = f"{payment.member.name}{month_label(payment.month)}{payment.get_kind_display()}{payment.amount}元"
    services.delete_payment(payment, actor=request.user)
    messages.success(request, f"已删除党费记录：{label}")
    return redirect(_next_url(request, default))


__all__ = ["dues_overview", "dues_org", "dues_month", "dues_month_export", "dues_year", "dues_year_export",
           "dues_bases", "member_dues_page", "DuesBaseDeclare", "DuesPaymentCreate", "DuesPaymentEdit",
           "dues_payment_delete", "dues_summary"]
