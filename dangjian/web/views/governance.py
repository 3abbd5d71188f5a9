"""三重一大: an enterprise 党委's matters of a year with their prior-study status (前置研究 done, missing, or after
the decision: SOE-03), its 前置研究事项清单 in force; the forms to record and correct a matter (linking the 党委会
that studied it first) and to adopt a version of the list.

Only a 党委 keeps the register. Reads go through accounts.access (an organisation out of reach is 404); every
write goes through governance.services, whose DomainError lands on the form field it names."""
import datetime

from django import forms
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from dangjian.accounts.access import can_manage_org, visible_orgs
from dangjian.governance import services
from dangjian.governance.models import DecidingBody, Matter, MatterCategory, StudyStatus
from dangjian.governance.queries import list_entry, list_versions, matters_of_year, status_counts, version_in_force
from dangjian.meetings.models import Meeting
from dangjian.organizations.models import OrgType
from dangjian.rules.engine import REGISTRY, all_rules

from ..forms import ChineseDateField, ChineseForm, blank
from .base import ServiceFormView, staff_required
from .dues import year_from

STATUS_CLASS = {StudyStatus.DONE: "state-current", StudyStatus.MISSING: "state-overdue",
                StudyStatus.LATE: "state-overdue", StudyStatus.COMMITTEE: ""}
# The categories whose list item may carry a 金额起点 (money is what makes them "major").
FLOOR_CATEGORIES = (MatterCategory.PROJECT, MatterCategory.FUNDS)


def _soe03():
    all_rules()  # registers the rules on first use
    return REGISTRY["SOE-03"]


def _committee(request, code):
    """The 党委 through the visible queryset (404 outside reach, and for what is not a 党委)."""
    org = get_object_or_404(visible_orgs(request.user), code=code)
    if org.org_type != OrgType.COMMITTEE:
        raise Http404("三重一大事项由企业党委登记")
    return org


def _page(org, year=None):
    url = reverse("governance_org", args=[org.code])
    return url + (f"?year={year}" if year else "")


# ---- forms (they only parse; the service decides) ----

class MeetingChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.held_on:%Y-%m-%d} {obj.type_labels}：{obj.subject}"


class MatterForm(ChineseForm):
    number = forms.CharField(label="事项编号", max_length=40, help_text="唯一，如 JT-2018-01")
    name = forms.CharField(label="事项名称", max_length=200)
    category = forms.ChoiceField(label="事项类别", choices=blank(MatterCategory.choices, "请选择"))
    amount = forms.CharField(label="金额（万元）", max_length=20, required=False, help_text="涉及资金的填写，最多两位小数")
    deciding_body = forms.ChoiceField(label="决策机构", choices=blank(DecidingBody.choices, "请选择"))
    decided_on = ChineseDateField(label="决策日期")
    study_meeting = MeetingChoice(label="前置研究会议", queryset=Meeting.objects.none(), required=False,
                                  empty_label="（未关联会议）",
                                  help_text="研究该事项的党委会或党委扩大会；选择后前置研究日期按会议日期登记")
    studied_on = ChineseDateField(label="前置研究日期", required=False,
                                  help_text="未选会议时填写；当天有党委会记录的自动关联。董事会、经理层决策的事项，应在决策前（或当天）经党委研究")
    decision_note = forms.CharField(label="决策情况", max_length=300, required=False,
                                    help_text="董事会、经理层的会议及决议文号，如“第三届董事会第五次会议决议”")

    def __init__(self, *args, org, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["study_meeting"].queryset = (
            Meeting.objects.filter(org=org, kinds__kind__in=services.STUDY_MEETING_TYPES).distinct()
            .prefetch_related("kinds").order_by("-held_on", "-id"))


class PriorStudyListForm(ChineseForm):
    title = forms.CharField(label="清单名称", max_length=200, help_text="如《集团党委前置研究讨论重大经营管理事项清单（2018年修订）》")
    valid_from = ChineseDateField(label="施行日期", help_text="自该日起施行，至下一版施行前有效；同一日期再次提交即更正该版")
    note = forms.CharField(label="说明", max_length=500, required=False, help_text="如审议通过的会议、文号")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in MatterCategory.choices:
            self.fields[f"{code}_description"] = forms.CharField(
                label=f"{label}：包括的事项", max_length=500, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                help_text="不填即本版清单不列该类事项")
            if code in FLOOR_CATEGORIES:
                self.fields[f"{code}_floor"] = forms.CharField(label=f"{label}：金额起点（万元）", max_length=20,
                                                               required=False, help_text="达到此金额的列入；不填则不论金额")

    def items(self):
        data = self.cleaned_data
        return [(code, data[f"{code}_description"], data.get(f"{code}_floor"))
                for code in MatterCategory.values if data[f"{code}_description"].strip()]


# ---- the page ----

@staff_required
def governance_org(request, code):
    """?year=: the matters the 党委 decided that year, each with its prior-study status and what the list in force
    on its 决策日期 says of it; the versions of the list in force during the year."""
    org = _committee(request, code)
    year, year_error = year_from(request.GET)
    matters = list(matters_of_year(org, year))
    versions = list_versions(org)
    rule = _soe03()
    rows = [{"matter": m, "status": m.study_status, "label": m.study_status_label, "css": STATUS_CLASS[m.study_status],
             "entry": list_entry(m, versions), "problem": rule.problem(m)} for m in matters]
    first = version_in_force(versions, datetime.date(year, 1, 1))
    in_year = [v for v in reversed(versions) if v == first or v.valid_from.year == year]
    context = {
        "org": org, "year": year, "year_error": year_error, "rows": rows,
        "counts": [(label, n, STATUS_CLASS[s]) for s, label, n in status_counts(matters)],
        "findings": sum(1 for r in rows if r["problem"]), "versions": in_year, "all_versions": versions,
        "can_manage": can_manage_org(request.user, org), "prev_year": year - 1, "next_year": year + 1,
        "rule": rule,
    }
    return render(request, "web/governance_org.html", context, status=400 if year_error else 200)


# ---- recording and correcting ----

def _success(matter):
    problem = _soe03().problem(matter)
    return f"已登记事项{matter.number}" + (f"。注意：{problem}（SOE-03）" if problem else "")


class MatterCreate(ServiceFormView):
    """登记三重一大事项 of the 党委 in the URL, linking the 党委会 that studied it first."""

    form_class = MatterForm
    title = "登记三重一大事项"
    submit_label = "登记"

    def load(self):
        self.org = _committee(self.request, self.kwargs["code"])

    def allowed(self):
        return can_manage_org(self.request.user, self.org)

    def get_title(self):
        return f"登记三重一大事项：{self.org.name}"

    def form_extras(self):
        return {"org": self.org}

    def get_initial(self):
        year, _ = year_from(self.request.GET)
        return {"number": services.next_number(self.org, year)}

    def cancel_url(self):
        return _page(self.org)

    def perform(self, form):
        matter = services.record_matter(actor=self.request.user, org=self.org, **form.cleaned_data)
        self.success_message = _success(matter)
        return _page(self.org, matter.decided_on.year) + f"#matter-{matter.pk}"


class MatterEdit(ServiceFormView):
    """修改三重一大事项 (its 党委 stays: a matter of another enterprise is recorded there)."""

    form_class = MatterForm

    def load(self):
        self.matter = get_object_or_404(Matter.objects.filter(org__in=visible_orgs(self.request.user))
                                        .select_related("org", "study_meeting"), pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.matter.org)

    def get_title(self):
        return f"修改三重一大事项：{self.matter.number}"

    def form_extras(self):
        return {"org": self.matter.org}

    def get_initial(self):
        return {f: getattr(self.matter, f) for f in services.MATTER_FIELDS if f != "org"}

    def cancel_url(self):
        return _page(self.matter.org, self.matter.decided_on.year) + f"#matter-{self.matter.pk}"

    def perform(self, form):
        data = dict(form.cleaned_data)
        # A date typed without choosing a meeting links the 党委会 of that day (the service finds it).
        if data["study_meeting"] is None:
            data.pop("study_meeting")
        changed = services.update_matter(self.matter, actor=self.request.user, **data)
        problem = _soe03().problem(self.matter)
        self.success_message = ("已保存" if changed else "没有需要保存的修改") + (
            f"。注意：{problem}（SOE-03）" if problem else "")
        return _page(self.matter.org, self.matter.decided_on.year) + f"#matter-{self.matter.pk}"


class PriorStudyListCreate(ServiceFormView):
    """印发（或更正）前置研究事项清单的一版."""

    form_class = PriorStudyListForm
    submit_label = "保存清单"

    def load(self):
        self.org = _committee(self.request, self.kwargs["code"])

    def allowed(self):
        return can_manage_org(self.request.user, self.org)

    def get_title(self):
        return f"前置研究事项清单：{self.org.name}"

    def get_initial(self):
        latest = list_versions(self.org)[:1]
        if not latest:
            return {}
        initial = {"title": latest[0].title, "note": latest[0].note}
        for item in latest[0].items.all():
            initial[f"{item.category}_description"] = item.description
            initial[f"{item.category}_floor"] = item.amount_floor
        return initial

    def cancel_url(self):
        return _page(self.org) + "#list"

    def perform(self, form):
        data = form.cleaned_data
        version = services.adopt_prior_study_list(actor=self.request.user, org=self.org, valid_from=data["valid_from"],
                                                  title=data["title"], note=data["note"], items=form.items())
        self.success_message = f"已保存清单：{version.title}（{version.valid_from}起施行）"
        return _page(self.org, version.valid_from.year) + "#list"


__all__ = ["governance_org", "MatterCreate", "MatterEdit", "PriorStudyListCreate"]
