"""The roster (search, filters, pagination, export), one member's page with the reveal button and
timeline, and the forms of a member's life (each through members.services)."""
import re

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, can_reveal, home_org, role_of, visible_members, visible_orgs
from dangjian.accounts.models import RoleKind
from dangjian.audit.services import log_action
from dangjian.core.dates import parse_date, today
from dangjian.core.errors import DomainError
from dangjian.core.idcard import normalize
from dangjian.members import services
from dangjian.members.models import TRANSITIONS, EventKind, Stage, ordered_events
from dangjian.organizations.models import MEMBERSHIP_TYPES, OrgType

from ..exports import roster_workbook
from ..forms import ConfirmForm, EventForm, ExitForm, MemberCreateForm, MemberEditForm, RosterFilter, TransferForm
from ..scope import STAFF_KINDS, TREE_KINDS, OrgNamer, current_scope, kind_of, scoped_members
from .base import ServiceFormView, role_required, staff_required

PAGE_SIZE = 50
FULL_ID = re.compile(r"^[0-9]{17}[0-9X]$")
ID_TAIL = re.compile(r"^[0-9]{3,16}[0-9X]$")
SHOWN_TAIL = re.compile(r"^[0-9]{3}[0-9X]$")


def filter_roster(request):
    """(filter form, queryset) for the roster and its export: the same rows in both."""
    form = RosterFilter(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    qs = scoped_members(request)
    q = (data.get("q") or "").strip()
    if q:
        match = Q(name__icontains=q) | Q(org__code__iexact=q) | Q(org__name__icontains=q)
        ident = normalize(q)
        if kind_of(request.user) in TREE_KINDS:  # roles that may see full IDs may search by them
            if FULL_ID.match(ident):
                match |= Q(id_number=ident)
            elif ID_TAIL.match(ident):  # 尾号: at least four characters, so a short number finds few people
                match |= Q(id_number__endswith=ident)
        elif SHOWN_TAIL.match(ident):
            # Others search by the four characters the mask shows: a longer tail would let them read
            # the hidden digits one by one.
            match |= Q(id_number__endswith=ident)
        qs = qs.filter(match)
    for field in ("stage", "post_category", "education", "sex", "dues_category"):
        if data.get(field):
            qs = qs.filter(**{field: data[field]})
    if data.get("leading"):
        qs = qs.filter(is_leading_cadre=data["leading"] == "1")
    if data.get("org"):
        qs = qs.filter(org__code=data["org"])
    if not data.get("include_left") and data.get("stage") != Stage.LEFT:
        qs = qs.exclude(stage=Stage.LEFT)
    return form, qs


@staff_required
def roster(request):
    """One URL for the page and the htmx partial (the table alone, when the filters change)."""
    form, qs = filter_roster(request)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "total": page.paginator.count, "query": request.GET.urlencode()}
    partial = request.htmx and not request.htmx.history_restore_request
    response = render(request, "web/_roster_table.html" if partial else "web/roster.html", context)
    patch_vary_headers(response, ("HX-Request",))
    return response


@staff_required
def roster_export(request):
    """The filtered roster as xlsx, IDs and phones masked; the export itself is audited."""
    _, qs = filter_roster(request)
    rows = list(qs)
    log_action(actor=request.user, action="member.export", obj=request.user,
               org=current_scope(request) or home_org(request.user), label=f"党员名册（{len(rows)}人）",
               after={"count": len(rows), "filters": request.GET.urlencode()})
    response = HttpResponse(roster_workbook(rows),
                            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = content_disposition_header(True, f"党员名册-{today():%Y%m%d}.xlsx")
    return response


@role_required(*STAFF_KINDS, RoleKind.MEMBER)
def member_detail(request, pk):
    user = request.user
    member = get_object_or_404(visible_members(user), pk=pk)
    events = ordered_events(list(member.events.select_related("org")))
    day, date_error = today(), None
    if request.GET.get("date"):
        try:
            day = parse_date(request.GET["date"], field="date")
        except DomainError as exc:
            date_error = exc.message
    stage, org = member.state_on(day)
    role = role_of(user)
    own = role.kind == RoleKind.MEMBER and role.member_id == member.pk
    # A member sees the organisations of their own history; others only what their role reaches.
    namer = OrgNamer(user, also={e.org_id for e in events if own and e.org_id})
    manage = can_manage_org(user, member.org)
    allowed = set(TRANSITIONS[member.stage]) if manage else set()
    context = {
        "member": member, "day": day, "date_text": request.GET.get("date", ""), "date_error": date_error,
        "state_stage": Stage(stage).label if stage else "尚未入党", "state_org": namer.name(org) if org else "—",
        "timeline": [(e, namer.name(e.org) if e.org_id else "") for e in events],
        "posts": [(p, namer.name(p.org), namer.linkable(p.org)) for p in member.posts.select_related("org")],
        "org_name": namer.name(member.org), "org_link": namer.linkable(member.org),
        "can_manage": manage, "can_reveal": can_reveal(user, member),
        "can_confirm": EventKind.CONFIRMED in allowed, "can_transfer": EventKind.TRANSFERRED in allowed,
        "can_suspend": EventKind.SUSPENDED in allowed, "can_restore": EventKind.RESTORED in allowed,
        "can_exit": EventKind.WITHDREW in allowed,
    }
    return render(request, "web/member_detail.html", context)


@require_POST
@role_required(*STAFF_KINDS, RoleKind.MEMBER)
def member_reveal(request, pk):
    """显示: the full ID and phone, through the audited service; 403 when the role may not."""
    member = get_object_or_404(visible_members(request.user), pk=pk)
    try:
        values = services.reveal_member(member, actor=request.user)
    except DomainError as exc:
        if request.htmx:
            return HttpResponse(f'<span class="error">{exc.message}</span>', status=403)
        return JsonResponse({"error": exc.message}, status=403)
    if request.htmx:
        return render(request, "web/_identity.html", {"member": member, "id_number": values["id_number"],
                                                      "phone": values["phone"], "revealed": True,
                                                      "birth_date": values["birth_date"].isoformat()})
    return JsonResponse(values)


# ---- forms ----

def _membership_orgs(user):
    return visible_orgs(user).filter(org_type__in=MEMBERSHIP_TYPES, dissolved_on__isnull=True)


class MemberFormMixin:
    """Loads the member named in the URL through the visible queryset (404 outside)."""

    def load(self):
        self.member = get_object_or_404(visible_members(self.request.user), pk=self.kwargs["pk"])

    def allowed(self):
        return can_manage_org(self.request.user, self.member.org)

    def get_title(self):
        return f"{self.title}：{self.member.name}"

    def cancel_url(self):
        return reverse("member_detail", args=[self.member.pk])


class MemberCreate(ServiceFormView):
    form_class = MemberCreateForm
    title = "接收党员"
    success_message = "党员已登记"

    def form_extras(self):
        user = self.request.user
        return {"orgs": _membership_orgs(user), "groups": visible_orgs(user).filter(org_type=OrgType.PARTY_GROUP)}

    def get_initial(self):
        return {"org": _membership_orgs(self.request.user).filter(code=self.request.GET.get("org", "")).first()}

    def cancel_url(self):
        return reverse("roster")

    def perform(self, form):
        data = form.cleaned_data | {"sex": form.cleaned_data["sex"] or None}
        member = services.create_member(actor=self.request.user, **data)
        return reverse("member_detail", args=[member.pk])


class MemberEdit(MemberFormMixin, ServiceFormView):
    form_class = MemberEditForm
    title = "修改党员信息"

    def form_extras(self):
        groups = visible_orgs(self.request.user).filter(org_type=OrgType.PARTY_GROUP, parent=self.member.org_id)
        return {"groups": groups, "masked_phone": self.member.masked_phone}

    def get_initial(self):
        return {f: getattr(self.member, f) for f in services.ATTRIBUTE_FIELDS if f not in ("phone", "birth_date")}

    def perform(self, form):
        data = dict(form.cleaned_data)
        if not data["phone"]:
            del data["phone"]  # blank keeps the recorded number (the form never shows it in full)
        changed = services.update_member(self.member, actor=self.request.user, **data)
        self.success_message = "已保存" if changed else "没有需要保存的修改"
        return self.cancel_url()


class MemberEventView(MemberFormMixin, ServiceFormView):
    """A dated event with a note: `service` is the members.services function, `date_arg` its date."""

    form_class = EventForm
    service = None
    date_arg = ""

    def perform(self, form):
        data = form.cleaned_data
        type(self).service(self.member, actor=self.request.user, **{self.date_arg: data["date"]}, note=data["note"])
        return self.cancel_url()


class MemberConfirm(MemberEventView):
    form_class = ConfirmForm
    title, submit_label, success_message = "转为正式党员", "转正", "已转为正式党员"
    service, date_arg = services.confirm_member, "confirmed_on"


class MemberTransfer(MemberFormMixin, ServiceFormView):
    form_class = TransferForm
    title = "组织关系转接"
    submit_label = "转接"
    success_message = "组织关系已转接"

    def form_extras(self):
        return {"orgs": _membership_orgs(self.request.user).exclude(pk=self.member.org_id)}

    def perform(self, form):
        data = form.cleaned_data
        services.transfer_member(self.member, actor=self.request.user, to_org=data["to_org"],
                                 transferred_on=data["date"], note=data["note"])
        # The member may now be outside the actor's reach: go to the roster, not to a 404.
        if visible_members(self.request.user).filter(pk=self.member.pk).exists():
            return self.cancel_url()
        return reverse("roster")


class MemberExit(MemberFormMixin, ServiceFormView):
    form_class = ExitForm
    title = "出党登记"
    submit_label = "登记"
    success_message = "出党已登记"

    def perform(self, form):
        data = form.cleaned_data
        services.record_exit(self.member, actor=self.request.user, kind=data["kind"], exited_on=data["date"],
                             note=data["note"])
        return self.cancel_url()


class MemberSuspend(MemberEventView):
    title, submit_label, success_message = "停止党籍", "停止党籍", "已登记停止党籍"
    service, date_arg = services.suspend_member, "suspended_on"


class MemberRestore(MemberEventView):
    title, submit_label, success_message = "恢复党籍", "恢复党籍", "已恢复党籍"
    service, date_arg = services.restore_member, "restored_on"
