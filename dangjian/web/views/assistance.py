"""帮扶: an organisation's assistance projects (its whole subtree) in a year or all years, with the totals
the 述职报告 reports, and the forms of one project. Reads go through accounts.access; writes through
assistance.services."""
import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, visible_members, visible_orgs
from dangjian.assistance import services
from dangjian.assistance.models import Project
from dangjian.assistance.queries import projects_in, totals_of
from dangjian.core.errors import DomainError
from dangjian.core.idcard import normalize
from dangjian.organizations.models import OrgType, under

from ..education_forms import ProjectForm
from .base import ServiceFormView, staff_required
from .dues import year_from

FULL_ID = re.compile(r"^[0-9]{17}[0-9X]$")


@staff_required
def org_assistance(request, code):
    """帮扶 of the organisation's subtree: the projects running in a year (?year=, default the reference year;
    ?year=all: every year) with the money put in, the yearly return and the first secretaries stationed."""
    user = request.user
    org = get_object_or_404(visible_orgs(user).select_related("parent"), code=code)
    every = request.GET.get("year") == "all"
    year, year_error = (None, "") if every else year_from(request.GET)
    visible = set(visible_orgs(user).filter(under(org.path)).values_list("pk", flat=True))
    projects = [p for p in projects_in(org, year) if p.org_id in visible]
    people = set(visible_members(user).filter(pk__in=[p.member_id for p in projects if p.member_id])
                 .values_list("pk", flat=True))
    context = {"org": org, "year": year, "every": every, "year_error": year_error, "totals": totals_of(projects),
               "rows": [(p, p.member_id in people, can_manage_org(user, p.org)) for p in projects],
               "can_manage": can_manage_org(user, org) and org.org_type != OrgType.PARTY_GROUP,
               "prev_year": (year or 0) - 1, "next_year": (year or 0) + 1}
    return render(request, "web/assistance_org.html", context)


def _project_orgs(user):
    return visible_orgs(user).exclude(org_type=OrgType.PARTY_GROUP).filter(dissolved_on__isnull=True)


class ProjectFormView(ServiceFormView):
    form_class = ProjectForm

    def form_extras(self):
        return {"orgs": _project_orgs(self.request.user)}

    def member_from(self, form):
        """The member the form names by full 身份证号, among those the user may see (None when empty)."""
        text = normalize(form.cleaned_data.get("member_id_number") or "")
        if not text:
            return None
        found = visible_members(self.request.user).filter(id_number=text).first() if FULL_ID.match(text) else None
        if found is None:
            raise DomainError("未找到该身份证号的党员（须为您管理范围内的党员，填写完整18位）", field="member_id_number",
                              code="MEMBER_NOT_FOUND")
        return found

    def values(self, form):
        data = form.cleaned_data
        return {"org": data["org"], "target": data["target"], "kind": data["kind"], "name": data["name"],
                "started_on": data["started_on"], "ended_on": data["ended_on"], "invested": data["invested"],
                "annual_return": data["annual_return"], "member": self.member_from(form), "results": data["results"]}

    def call(self, service, *args, **kwargs):
        """Run the service; its DomainError about `member` lands on the 身份证号 field."""
        try:
            return service(*args, actor=self.request.user, **kwargs)
        except DomainError as exc:
            if exc.field == "member":
                exc.field = "member_id_number"
            raise


class ProjectCreate(ProjectFormView):
    """登记帮扶项目 run by the organisation of the URL (or another the user manages)."""

    submit_label = "登记"
    success_message = "帮扶项目已登记"

    def load(self):
        self.org = get_object_or_404(visible_orgs(self.request.user), code=self.kwargs["code"])

    def allowed(self):
        return can_manage_org(self.request.user, self.org)

    def get_title(self):
        return f"登记帮扶项目：{self.org.name}"

    def get_initial(self):
        return {"org": self.org}

    def cancel_url(self):
        return reverse("org_assistance", args=[self.org.code])

    def perform(self, form):
        project = self.call(services.create_project, code=form.cleaned_data["code"], **self.values(form))
        return reverse("org_assistance", args=[project.org.code]) + f"?year={project.started_on.year}"


def visible_projects(user):
    return Project.objects.select_related("org", "member").filter(org__in=visible_orgs(user))


class ProjectEdit(ProjectFormView):
    """修改 a project (or delete it: the page's second button)."""

    def load(self):
        self.project = get_object_or_404(visible_projects(self.request.user), pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.project.org)

    def form_extras(self):
        return super().form_extras() | {"editing": True}

    def get_title(self):
        return f"修改帮扶项目：{self.project.code}"

    def get_initial(self):
        p = self.project
        return {"org": p.org, "target": p.target, "kind": p.kind, "name": p.name, "started_on": p.started_on,
                "ended_on": p.ended_on, "invested": "" if p.invested is None else str(p.invested),
                "annual_return": "" if p.annual_return is None else str(p.annual_return),
                "member_id_number": "", "results": p.results}

    def get_context_data(self, **kwargs):
        return super().get_context_data(project=self.project, delete_label="删除这个项目",
                                        delete_url=reverse("org_project_delete", args=[self.project.pk]), **kwargs)

    def cancel_url(self):
        return reverse("org_assistance", args=[self.project.org.code])

    def values(self, form):
        values = super().values(form)
        if values["member"] is None:
            values["member"] = self.project.member  # blank keeps who is recorded (the form never shows the ID)
        return values

    def perform(self, form):
        changed = self.call(services.update_project, self.project, **self.values(form))
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return self.cancel_url()


@require_POST
@staff_required
def project_delete(request, pk):
    project = get_object_or_404(visible_projects(request.user), pk=pk)
    if not can_manage_org(request.user, project.org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    code, org_code = project.code, project.org.code
    services.delete_project(project, actor=request.user)
    messages.success(request, f"已删除帮扶项目{code}")
    return redirect("org_assistance", org_code)


__all__ = ["org_assistance", "ProjectCreate", "ProjectEdit", "project_delete"]
