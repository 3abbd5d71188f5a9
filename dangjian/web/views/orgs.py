"""The organisation tree, one organisation's page, and the forms that change organisations, posts
and elections (each through organizations.services)."""
from django.contrib import messages
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, can_manage_tree, home_org, is_admin, visible_members, visible_orgs
from dangjian.core.dates import parse_date, today
from dangjian.core.errors import DomainError
from dangjian.organizations import services
from dangjian.organizations.models import LEADERSHIP_TYPES, CommitteePost, Election, OrgType, under
from dangjian.organizations.queries import term_status, tree_on

from ..forms import (
    ElectionCreateForm,
    ElectionEditForm,
    OrgCreateForm,
    OrgEditForm,
    OrgMoveForm,
    PostCreateForm,
    PostEditForm,
)
from ..scope import TREE_KINDS, OrgNamer, current_scope, kind_of, scoped_orgs, set_scope
from .base import ServiceFormView, staff_required


def _with_children_flag(user, qs):
    """Mark which nodes have (visible) children, so the tree shows an expander only where useful."""
    return qs.annotate(has_children=Exists(visible_orgs(user).filter(parent=OuterRef("pk"))))


def _tops(request):
    """Where the tree starts: the chosen scope, else the role's own organisation (all roots for admin)."""
    visible = visible_orgs(request.user)
    scope = current_scope(request)
    if scope is not None:
        return visible.filter(pk=scope.pk)
    home = home_org(request.user)
    return visible.filter(pk=home.pk) if home else visible.filter(parent__isnull=True)


@staff_required
def org_tree(request):
    """One URL for the page and its htmx partial: `?node=CODE` from htmx returns that node's children."""
    user = request.user
    visible = visible_orgs(user)
    node_code = request.GET.get("node", "")
    if node_code and request.htmx:
        node = get_object_or_404(visible, code=node_code)
        children = _with_children_flag(user, visible.filter(parent=node).order_by("code"))
        return render(request, "web/_org_children.html", {"nodes": children})
    q, org_type = request.GET.get("q", "").strip(), request.GET.get("type", "")
    context = {"q": q, "org_type": org_type, "types": OrgType.choices, "date_text": request.GET.get("date", "")}
    if context["date_text"]:
        try:
            day = parse_date(context["date_text"], field="date")
        except DomainError as exc:
            context["date_error"] = exc.message
        else:
            context["day"] = day
            visible_pks = None if is_admin(user) else set(visible.values_list("pk", flat=True))
            if current_scope(request) is None and is_admin(user):
                rows = tree_on(day)
            else:
                rows = [row for top in _tops(request) for row in tree_on(day, root=top)]
            context["dated_rows"] = [(depth, org) for depth, org in rows
                                     if visible_pks is None or org.pk in visible_pks]
    elif q or org_type:
        results = scoped_orgs(request)
        if q:
            results = results.filter(Q(name__icontains=q) | Q(code__icontains=q))
        if org_type:
            results = results.filter(org_type=org_type)
        context["results"] = results.select_related("parent")
    else:
        tops = _tops(request)
        if node_code:  # without htmx (no script), the node's link opens the tree from that node
            tops = visible.filter(code=node_code)
            if not tops:
                raise Http404("组织不存在或不在您的范围内")
        context["nodes"] = _with_children_flag(user, tops)
    context["can_create"] = kind_of(user) in TREE_KINDS
    return render(request, "web/org_tree.html", context)


@require_POST
@staff_required
def choose_scope(request):
    """选为当前范围 (or, with no code, 全部): every list is then filtered to this subtree."""
    code = request.POST.get("org", "")
    org = get_object_or_404(visible_orgs(request.user), code=code) if code else None
    set_scope(request, org)
    messages.success(request, f"当前范围：{org.name}" if org else "已恢复为全部范围")
    target = request.POST.get("next") or reverse("org_tree")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("org_tree")
    return redirect(target)


@staff_required
def org_detail(request, code):
    user = request.user
    org = get_object_or_404(visible_orgs(user).select_related("parent"), code=code)
    day = today()
    namer = OrgNamer(user)
    members = visible_members(user).current()
    context = {
        "org": org, "day": day,
        "ancestors": [(a, namer.linkable(a)) for a in org.ancestors() if namer.shows(a)],
        "parent_name": namer.name(org.parent) if org.parent_id else "（根组织）",
        "parent_link": namer.linkable(org.parent),
        "posts": org.posts.select_related("member").by_rank(),
        "elections": org.elections.order_by("-held_on"),
        "term": term_status(org, day) if org.org_type in LEADERSHIP_TYPES else None,
        "parent_links": [(link, namer.name(link.parent) if link.parent_id else "（根组织）",
                          namer.linkable(link.parent)) for link in org.parent_links.select_related("parent")],
        "children": visible_orgs(user).filter(parent=org).order_by("code"),
        "held_here": members.filter(org=org).count(),
        "held_below": members.filter(under(org.path, "org__path")).count(),
        "can_manage": can_manage_org(user, org),
        "can_tree": can_manage_tree(user, org),
        "is_leadership": org.org_type in LEADERSHIP_TYPES,
        "latest_meetings": org.meetings.prefetch_related("kinds").order_by("-held_on", "-id")[:5],
    }
    return render(request, "web/org_detail.html", context)


# ---- forms ----

class OrgFormMixin:
    """Loads the organisation named in the URL through the visible queryset (404 outside)."""

    def load(self):
        self.org = get_object_or_404(visible_orgs(self.request.user), code=self.kwargs["code"])

    def allowed(self):
        return can_manage_org(self.request.user, self.org)

    def cancel_url(self):
        return reverse("org_detail", args=[self.org.code])


def _parent_choices(user):
    return visible_orgs(user).exclude(org_type=OrgType.PARTY_GROUP).filter(dissolved_on__isnull=True)


class OrgCreate(ServiceFormView):
    kinds = TREE_KINDS
    form_class = OrgCreateForm
    title = "新建组织"
    success_message = "组织已建立"

    def form_extras(self):
        return {"parents": _parent_choices(self.request.user)}

    def get_initial(self):
        parent = _parent_choices(self.request.user).filter(code=self.request.GET.get("parent", "")).first()
        return {"parent": parent, "founded_on": today()}

    def cancel_url(self):
        return reverse("org_tree")

    def perform(self, form):
        org = services.create_organization(actor=self.request.user, **form.cleaned_data)
        return reverse("org_detail", args=[org.code])


class OrgEdit(OrgFormMixin, ServiceFormView):
    form_class = OrgEditForm

    def get_title(self):
        return f"修改组织：{self.org.name}"

    def get_initial(self):
        return {f: getattr(self.org, f) for f in services.ORG_FIELDS}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not can_manage_tree(self.request.user, self.org):
            # Retyping and dissolving change the tree: a branch officer edits the facts only.
            for name in ("org_type", "dissolved_on"):
                form.fields.pop(name)
        return form

    def perform(self, form):
        changed = services.update_organization(self.org, actor=self.request.user, **form.cleaned_data)
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return reverse("org_detail", args=[self.org.code])


class OrgMove(OrgFormMixin, ServiceFormView):
    kinds = TREE_KINDS
    form_class = OrgMoveForm
    submit_label = "调整"
    success_message = "隶属关系已调整"

    def allowed(self):
        return can_manage_tree(self.request.user, self.org)

    def get_title(self):
        return f"调整隶属关系：{self.org.name}"

    def form_extras(self):
        # The organisation's own subtree is left out: it cannot sit under itself.
        return {"parents": _parent_choices(self.request.user).exclude(under(self.org.path))}

    def get_initial(self):
        return {"moved_on": today()}

    def perform(self, form):
        data = form.cleaned_data
        services.move_organization(self.org, actor=self.request.user, new_parent=data["parent"],
                                   moved_on=data["moved_on"], note=data["note"])
        return reverse("org_detail", args=[self.org.code])


class PostCreate(OrgFormMixin, ServiceFormView):
    form_class = PostCreateForm
    success_message = "任职已登记"

    def get_title(self):
        return f"登记任职：{self.org.name}"

    def form_extras(self):
        return {"members": visible_members(self.request.user).current().order_by("name")}

    def perform(self, form):
        services.create_post(actor=self.request.user, org=self.org, **form.cleaned_data)
        return reverse("org_detail", args=[self.org.code])


class PostEdit(ServiceFormView):
    form_class = PostEditForm

    def load(self):
        posts = CommitteePost.objects.select_related("org", "member").filter(org__in=visible_orgs(self.request.user))
        self.record = get_object_or_404(posts, pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.record.org)

    def get_title(self):
        return f"修改任职：{self.record.org.name} {self.record.member.name}"

    def cancel_url(self):
        return reverse("org_detail", args=[self.record.org.code])

    def get_initial(self):
        return {f: getattr(self.record, f) for f in ("post", "started_on", "ended_on", "admin_post", "full_time")}

    def perform(self, form):
        changed = services.update_post(self.record, actor=self.request.user, **form.cleaned_data)
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return self.cancel_url()


class ElectionCreate(OrgFormMixin, ServiceFormView):
    form_class = ElectionCreateForm
    success_message = "换届已登记"

    def get_title(self):
        return f"登记换届：{self.org.name}"

    def get_initial(self):
        return {"term_years": services.default_term_years(self.org.org_type)}

    def perform(self, form):
        services.record_election(actor=self.request.user, org=self.org, **form.cleaned_data)
        return reverse("org_detail", args=[self.org.code])


class ElectionEdit(ServiceFormView):
    form_class = ElectionEditForm

    def load(self):
        elections = Election.objects.select_related("org").filter(org__in=visible_orgs(self.request.user))
        self.election = get_object_or_404(elections, pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.election.org)

    def get_title(self):
        return f"修改换届：{self.election.org.name} {self.election.held_on}"

    def cancel_url(self):
        return reverse("org_detail", args=[self.election.org.code])

    def get_initial(self):
        return {f: getattr(self.election, f) for f in services.ELECTION_FIELDS}

    def perform(self, form):
        changed = services.update_election(self.election, actor=self.request.user, **form.cleaned_data)
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return self.cancel_url()
