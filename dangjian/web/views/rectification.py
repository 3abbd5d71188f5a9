"""问题整改: the 整改台账 of the chosen subtree for a year (problems found that year and those carried over
from earlier years until closed), with filters and its xlsx export; a problem's page with its history and the
forms of each step: progress notes with evidence, completion (the responsible organisation), verification and
closing or refusal (the level above only).

Reads go through accounts.access (a problem is visible when its organisation is); every write goes through
rectification.services, whose DomainError lands on the form field it names. Status is computed from the
dates on the day the ledger looks at, never stored."""
import datetime
import re

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, can_reveal, home_org, visible_members, visible_orgs
from dangjian.audit.services import log_action
from dangjian.core.dates import reference_day, today
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.organizations.models import Organization, under
from dangjian.rectification import services
from dangjian.rectification.models import OVERDUE, STATUS_LABELS, ProblemEvent, ProblemSource, ProblemState
from dangjian.rectification.queries import problems_for_year, status_counts

from ..exports import tables_workbook
from ..forms import ChineseDateField, ChineseForm, MemberChoice, OrgLabelChoice, add_domain_error, blank
from ..scope import current_scope
from .base import ServiceFormView, staff_required

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
YEAR = re.compile(r"^[0-9]{4}$")
# The ledger's status filter: "open" is every problem not completed on the day (overdue ones included).
ONGOING = "ongoing"  # the filter for 整改中 alone: "open" is every unfinished problem, overdue included
STATUS_FILTERS = (("", "全部"), ("open", "未完成（含逾期）"), (ONGOING, "整改中（未逾期）"), (OVERDUE, "逾期未完成"),
                  (ProblemState.COMPLETED, "已完成待销号"), (ProblemState.CLOSED, "已销号"))
STATUS_CLASS = {OVERDUE: "state-overdue", ProblemState.OPEN: "state-ending", ProblemState.COMPLETED: "",
                ProblemState.CLOSED: "state-current"}
EXPORT_HEADERS = ("问题编号", "责任组织", "组织编码", "年度", "问题来源", "问题描述", "原因分析", "整改措施", "责任人",
                  "责任人身份证号", "整改时限", "完成日期", "销号日期", "状态", "上年度结转")
EXPORT_WIDTHS = (16, 20, 10, 6, 10, 40, 30, 30, 10, 22, 12, 12, 12, 12, 10)


# ---- forms (they only parse; the service decides) ----

class TextArea(forms.Textarea):
    def __init__(self, rows=3):
        super().__init__(attrs={"rows": rows})


class ProblemForm(ChineseForm):
    org = OrgLabelChoice(label="责任组织", queryset=None)
    number = forms.CharField(label="问题编号", max_length=40, help_text="唯一，如 A0101-2018-01")
    year = forms.IntegerField(label="年度", min_value=1900, max_value=2999, help_text="发现问题的年度")
    source = forms.ChoiceField(label="问题来源", choices=blank(ProblemSource.choices, "请选择"))
    description = forms.CharField(label="问题描述", max_length=2000, widget=TextArea(4))
    cause = forms.CharField(label="原因分析", max_length=2000, required=False, widget=TextArea())
    measures = forms.CharField(label="整改措施", max_length=2000, required=False, widget=TextArea())
    owner = MemberChoice(label="责任人", queryset=None, required=False, empty_label="（未指定）")
    deadline = ChineseDateField(label="整改时限")

    def __init__(self, *args, orgs, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = orgs
        self.fields["owner"].queryset = people


class ProblemCreateForm(ProblemForm):
    on = ChineseDateField(label="登记日期", required=False, help_text="列入问题清单的日期，留空为今天")


class ProgressForm(ChineseForm):
    on = ChineseDateField(label="日期")
    text = forms.CharField(label="整改进展", max_length=2000, widget=TextArea())
    file = forms.FileField(label="佐证材料", required=False, help_text="照片、扫描件等，可不上传")


class CompleteForm(ChineseForm):
    on = ChineseDateField(label="完成日期")
    note = forms.CharField(label="整改完成情况", max_length=2000, required=False, widget=TextArea())
    file = forms.FileField(label="佐证材料", required=False)


class CloseForm(ChineseForm):
    on = ChineseDateField(label="销号日期")
    note = forms.CharField(label="验收意见", max_length=2000, widget=TextArea())


class ReturnForm(ChineseForm):
    on = ChineseDateField(label="退回日期")
    note = forms.CharField(label="退回原因", max_length=2000, widget=TextArea(), help_text="验收未通过的理由")


def _initial_day():
    """The date offered in the step forms: the reference day (the demo's 2018-12-31), never after today."""
    return min(today(), reference_day())


# ---- the ledger (整改台账) ----

def ledger_root(request):
    """Where the ledger starts: the chosen scope, else the role's own organisation (None: everything)."""
    return current_scope(request) or home_org(request.user)


def _year(params):
    text = (params.get("year") or "").strip()
    default = reference_day().year
    if not text:
        return default, ""
    if YEAR.match(text) and 1900 <= int(text) <= 2999:
        return int(text), ""
    return default, f"年度“{text}”不正确，应为四位数字，如{default}"


def ledger_as_of(year):
    """The day a year's ledger reads the status on: the year's end, or the reference day in a running year."""
    return min(reference_day(), datetime.date(year, 12, 31))


def ledger_rows(request, params):
    """The ledger of the user's subtree for the filters in `params`: a dict for the page and the export."""
    year, error = _year(params)
    status = params.get("status", "")
    status = status if status in dict(STATUS_FILTERS) else ""
    source = params.get("source", "")
    source = source if source in ProblemSource.values else ""
    root = ledger_root(request)
    day = ledger_as_of(year)
    qs = problems_for_year(root, year, qs=services.visible_problems(request.user)).order_by("org__path", "year",
                                                                                            "number")
    problems = list(qs)
    counts = status_counts(problems, day)
    shown = []
    for p in problems:
        state = p.status_on(day)
        if source and p.source != source:
            continue
        if status == "open" and state not in (ProblemState.OPEN, OVERDUE):
            continue
        if status == ONGOING and state != ProblemState.OPEN:
            continue
        if status and status not in ("open", ONGOING) and state != status:
            continue
        shown.append({"problem": p, "status": state, "label": STATUS_LABELS[state], "css": STATUS_CLASS[state],
                      "carried": p.year < year})
    return {"year": year, "year_error": error, "status": status, "source": source, "root": root, "as_of": day,
            "rows": shown, "counts": [(STATUS_LABELS[k], v, STATUS_CLASS[k]) for k, v in counts.items()],
            "by_status": counts, "total": len(problems), "carried": sum(1 for p in problems if p.year < year),
            "status_choices": STATUS_FILTERS, "source_choices": ProblemSource.choices}


def rectification_summary(request, year):
    """The workbench's 整改 figures: the problems of the year's ledger for the chosen subtree by status on the
    day the ledger reads them (ledger_as_of), each linking to the ledger filtered to that status."""
    data = ledger_rows(request, {"year": str(year)})
    ledger = reverse("rectification_ledger") + f"?year={year}"
    filters = {ProblemState.OPEN: ONGOING}  # 整改中 alone; the others filter by their own status
    return {"rectification": {
        "year": year, "as_of": data["as_of"], "total": data["total"], "url": ledger, "carried": data["carried"],
        "overdue": data["by_status"][OVERDUE],
        "by_status": [(STATUS_LABELS[k], n, f"{ledger}&status={filters.get(k, k)}")
                      for k, n in data["by_status"].items()],
    }}


def _query(data):
    return "&".join(f"{k}={data[k]}" for k in ("year", "status", "source") if data[k])


@staff_required
def rectification_ledger(request):
    data = ledger_rows(request, request.GET)
    data["query"] = _query(data)
    data["can_create"] = _creatable_orgs(request.user, data["root"]).exists()
    return render(request, "web/rectification_ledger.html", data, status=400 if data["year_error"] else 200)


def _revealable(user, members):
    ids = [m.pk for m in members]
    return {m.pk for m in visible_members(user).filter(pk__in=ids) if can_reveal(user, m)}


@staff_required
def rectification_export(request):
    """The ledger as shown (same filters) in xlsx: 责任人's ID masked unless the role may reveal it; audited."""
    data = ledger_rows(request, request.GET)
    owners = [r["problem"].owner for r in data["rows"] if r["problem"].owner_id]
    revealable = _revealable(request.user, owners)
    rows = []
    for r in data["rows"]:
        p = r["problem"]
        owner_id = "" if not p.owner_id else (
            p.owner.id_number if p.owner_id in revealable else p.owner.masked_id_number)
        rows.append((p.number, p.org.name, p.org.code, p.year, p.get_source_display(), p.description, p.cause,
                     p.measures, p.owner.name if p.owner_id else "", owner_id, p.deadline, p.completed_on, p.closed_on,
                     r["label"], "是" if r["carried"] else ""))
    root = data["root"] or Organization.objects.filter(parent=None).order_by("path").first()
    if root is not None:
        log_action(actor=request.user, action="problem.export", obj=root, org=root,
                   label=f"{root.name}{data['year']}年度整改台账（{len(rows)}项）",
                   after={"year": data["year"], "count": len(rows),
                          "id_numbers": "完整" if owners and len(revealable) == len({o.pk for o in owners}) else
                          ("部分完整" if revealable else "脱敏")})
    sheet = (f"{data['year']}年度整改台账", EXPORT_HEADERS, rows, EXPORT_WIDTHS)
    response = HttpResponse(tables_workbook([sheet]), content_type=XLSX)
    code = data["root"].code if data["root"] else "全部"
    response["Content-Disposition"] = content_disposition_header(True, f"整改台账-{code}-{data['year']}.xlsx")
    return response


# ---- one problem ----

def _problem(request, pk):
    return get_object_or_404(services.visible_problems(request.user), pk=pk)


def _forms(problem, user):
    """The step forms the user may use on the problem as it stands: {name: form or None}."""
    state, day = problem.state, _initial_day()
    manage, verify = can_manage_org(user, problem.org), services.can_verify(user, problem.org)
    return {
        "progress_form": ProgressForm(initial={"on": day}) if manage and state != ProblemState.CLOSED else None,
        "complete_form": CompleteForm(initial={"on": day}) if manage and state == ProblemState.OPEN else None,
        "close_form": CloseForm(initial={"on": day}) if verify and state == ProblemState.COMPLETED else None,
        "return_form": ReturnForm(initial={"on": day}) if verify and state == ProblemState.COMPLETED else None,
    }


def _render_problem(request, problem, status=200, **bound):
    user = request.user
    day = reference_day()
    history = list(ProblemEvent.objects.filter(problem=problem).order_by("date", "id"))
    context = {
        "problem": problem, "org": problem.org, "history": history, "status": problem.status_on(day),
        "status_label": problem.status_label_on(day), "status_css": STATUS_CLASS[problem.status_on(day)],
        "as_of": day, "can_manage": can_manage_org(user, problem.org) and problem.state != ProblemState.CLOSED,
        "can_verify": services.can_verify(user, problem.org), "max_evidence_mb": services.MAX_EVIDENCE_BYTES >> 20,
        "owner_link": problem.owner_id and visible_members(user).filter(pk=problem.owner_id).exists(),
        "org_link": visible_orgs(user).filter(pk=problem.org_id).exists(),
    } | _forms(problem, user) | bound
    return render(request, "web/rectification_detail.html", context, status=status)


@staff_required
def rectification_detail(request, pk):
    return _render_problem(request, _problem(request, pk))


def _step(request, pk, form_class, name, allowed, perform, done):
    """POST of one step's form: 403 when the user may not take it; the service's refusal on its field."""
    problem = _problem(request, pk)
    if not allowed(request.user, problem.org):
        raise PermissionDenied("无权操作：" + ("验收销号须由上级党组织进行" if allowed is services.can_verify
                                           else "该组织不在您的管理范围内"))
    form = form_class(request.POST, request.FILES)
    if form.is_valid():
        try:
            perform(problem, request.user, form.cleaned_data)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, done)
            return redirect(reverse("rectification_detail", args=[problem.pk]) + "#history")
    return _render_problem(request, problem, status=400, **{name: form})


@require_POST
@staff_required
def rectification_progress(request, pk):
    return _step(request, pk, ProgressForm, "progress_form", can_manage_org,
                 lambda p, user, d: services.add_progress(p, actor=user, on=d["on"], text=d["text"], upload=d["file"]),
                 "已登记整改进展")


@require_POST
@staff_required
def rectification_complete(request, pk):
    return _step(request, pk, CompleteForm, "complete_form", can_manage_org,
                 lambda p, user, d: services.complete_problem(p, actor=user, on=d["on"], note=d["note"],
                                                              upload=d["file"]),
                 "已登记完成整改，待上级党组织验收销号")


@require_POST
@staff_required
def rectification_close(request, pk):
    return _step(request, pk, CloseForm, "close_form", services.can_verify,
                 lambda p, user, d: services.close_problem(p, actor=user, on=d["on"], note=d["note"]),
                 "验收通过，已销号")


@require_POST
@staff_required
def rectification_return(request, pk):
    return _step(request, pk, ReturnForm, "return_form", services.can_verify,
                 lambda p, user, d: services.return_problem(p, actor=user, on=d["on"], reason=d["note"]),
                 "验收未通过，已退回整改")


@staff_required
def rectification_evidence(request, pk):
    """An evidence file is served only to a user who may see the problem's organisation (never from /media/)."""
    events = ProblemEvent.objects.select_related("problem").filter(
        problem__in=services.visible_problems(request.user)).exclude(file="")
    event = get_object_or_404(events, pk=pk)
    try:
        handle = event.file.open("rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404("佐证材料文件已不存在，请联系系统管理员") from None
    return FileResponse(handle, as_attachment=True, filename=event.file_name)


# ---- registering and correcting ----

def _creatable_orgs(user, root):
    """Organisations of the subtree at `root` the user may put a problem on (those they manage)."""
    # For every staff role the organisations it sees are those it manages (accounts.access).
    qs = visible_orgs(user).filter(dissolved_on__isnull=True)
    if root is not None:
        qs = qs.filter(under(root.path))
    return qs.order_by("path")


def _owner_choices(user, root):
    qs = visible_members(user).filter(pk__in=Member.objects.current().values("pk"))
    if root is not None:
        qs = qs.filter(under(root.path, "org__path"))
    return qs.order_by("org__path", "name")


class ProblemCreate(ServiceFormView):
    """登记问题 for an organisation of the current scope (?org=CODE chooses it)."""

    form_class = ProblemCreateForm
    title = "登记整改问题"
    submit_label = "登记"
    success_message = "问题已登记"

    def load(self):
        self.root = ledger_root(self.request)
        self.orgs = _creatable_orgs(self.request.user, self.root)

    def allowed(self):
        return self.orgs.exists()

    def form_extras(self):
        return {"orgs": self.orgs, "people": _owner_choices(self.request.user, self.root)}

    def get_initial(self):
        code = self.request.GET.get("org", "")
        org = self.orgs.filter(code=code).first() if code else (self.orgs.first() if self.root else None)
        year = reference_day().year
        initial = {"year": year, "org": org}
        if org is not None:
            initial["number"] = services.next_number(org, year)
        return initial

    def cancel_url(self):
        return reverse("rectification_ledger")

    def perform(self, form):
        data = form.cleaned_data
        problem = services.record_problem(actor=self.request.user, **data)
        self.success_message = f"问题{problem.number}已登记"
        return reverse("rectification_detail", args=[problem.pk])


class ProblemEdit(ServiceFormView):
    """修改问题 (not its completion or closing: those are the steps on its page)."""

    form_class = ProblemForm
    success_message = "已保存"

    def load(self):
        self.problem = _problem(self.request, self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.problem.org)

    def get_title(self):
        return f"修改整改问题：{self.problem.number}"

    def form_extras(self):
        user = self.request.user
        orgs = _creatable_orgs(user, None) | Organization.objects.filter(pk=self.problem.org_id)
        people = _owner_choices(user, None)
        if self.problem.owner_id:
            people = people | Member.objects.filter(pk=self.problem.owner_id)
        return {"orgs": orgs.distinct().order_by("path"), "people": people.distinct().order_by("org__path", "name")}

    def get_initial(self):
        p = self.problem
        return {f: getattr(p, f) for f in services.PROBLEM_FIELDS}

    def cancel_url(self):
        return reverse("rectification_detail", args=[self.problem.pk])

    def perform(self, form):
        changed = services.update_problem(self.problem, actor=self.request.user, **form.cleaned_data)
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return self.cancel_url()


__all__ = ["rectification_ledger", "rectification_export", "rectification_detail", "rectification_progress",
           "rectification_complete", "rectification_close", "rectification_return", "rectification_evidence",
           "ProblemCreate", "ProblemEdit"]
