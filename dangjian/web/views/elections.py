"""换届选举: the page that walks an organisation through its re-election — the plan reported to the higher
organisation and its 批复, the candidates, the election meeting with its attendance, the tallies, the new
committee's posts and the term they open. One page per election (`election_process`) shows what is done and
the form of the next step; each step posts to `election_step`, which calls one service of
organizations.elections. The organisation's own staff prepare; the higher organisation approves."""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, visible_members, visible_orgs
from dangjian.core.dates import today
from dangjian.core.errors import DomainError
from dangjian.members.models import Stage
from dangjian.organizations import elections, services
from dangjian.organizations.models import ElectionProcess
from dangjian.organizations.queries import term_status

from ..forms import CaseMeetingChoice, CasePeopleChoice, ChineseDateField, ChineseForm, add_domain_error
from .base import ServiceFormView, staff_required
from .orgs import OrgFormMixin

# ---- forms: they parse; organizations.elections checks ----


class ElectionPlanForm(ChineseForm):
    seats = forms.IntegerField(label="应选人数", min_value=1, max_value=elections.MAX_SEATS,
                               help_text="新一届委员会委员名额（支部委员会一般3至5人，不超过7人）")
    term_years = forms.IntegerField(label="任期年数", min_value=0, max_value=99)
    requested_on = ChineseDateField(label="请示日期", help_text="向上级党组织报送换届选举请示（工作方案）的日期")
    planned_on = ChineseDateField(label="拟选举日期", required=False)


class ApprovalForm(ChineseForm):
    approved_on = ChineseDateField(label="批复日期")
    approval_no = forms.CharField(label="批复文号", max_length=60, help_text="如 甲党委〔2026〕12号")


class CandidatesForm(ChineseForm):
    members = CasePeopleChoice(label="候选人", queryset=None, widget=forms.CheckboxSelectMultiple,
                               help_text="本组织的正式党员；人数不少于应选人数的1.2倍（有小数的进为整数）")

    def __init__(self, *args, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = people


class ElectionMeetingForm(ChineseForm):
    meeting = CaseMeetingChoice(label="选举大会", queryset=None,
                                help_text="本组织在批复后召开的党员大会（或党员代表大会）的会议记录")
    expected = forms.IntegerField(label="应到会有选举权人数", min_value=0, required=False,
                                  help_text="不填则为会议的应到人数；预备党员没有选举权")
    present = forms.IntegerField(label="实到会有选举权人数", min_value=0, required=False,
                                 help_text="不填则为会议的实到人数")

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings


class TalliesForm(ChineseForm):
    """One 得票数 box per candidate (field `votes_<candidate pk>`, the name the service's errors give)."""

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        for c in candidates:
            self.fields[f"votes_{c.pk}"] = forms.IntegerField(label=f"{c.member.name}得票数", min_value=0)
            self.fields[f"votes_{c.pk}"].error_messages["required"] = f"请填写{c.member.name}的得票数"

    def votes(self):
        return {c.pk: self.cleaned_data[f"votes_{c.pk}"] for c in self.candidates}


class CommitteeForm(ChineseForm):
    """One 职务 per elected candidate (field `post_<candidate pk>`)."""

    def __init__(self, *args, elected, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.elected = elected
        for c in elected:
            self.fields[f"post_{c.pk}"] = forms.ChoiceField(label=f"{c.member.name}职务",
                                                            choices=[("", "请选择")] + list(choices))
            self.fields[f"post_{c.pk}"].error_messages["required"] = f"请为{c.member.name}选择职务"

    def posts(self):
        return {c.pk: self.cleaned_data[f"post_{c.pk}"] for c in self.elected}


# ---- reading ----

def visible_processes(user):
    """Re-elections are seen with their organisation (the higher organisation sees those below it)."""
    return ElectionProcess.objects.filter(org__in=visible_orgs(user)).select_related(
        "org", "org__parent", "approver", "meeting", "election")


def _candidates(process):
    return list(process.candidates.select_related("member", "post_record").order_by("-elected", "-votes", "id"))


def _form_for(step, process, user, data=None):
    """The form of `step` for `process` (bound to `data` when posted)."""
    if step == "approve":
        return ApprovalForm(data, prefix=step, initial={"approved_on": today()})
    if step == "candidates":
        people = (visible_members(user).in_subtree(process.org).filter(stage=Stage.FULL).order_by("name", "pk"))
        chosen = [c.member_id for c in process.candidates.all()]
        return CandidatesForm(data, prefix=step, people=people, initial={"members": chosen})
    if step == "meeting":
        return ElectionMeetingForm(data, prefix=step, meetings=elections.meeting_choices(process),
                                   initial={"meeting": process.meeting_id})
    if step == "tallies":
        return TalliesForm(data, prefix=step, candidates=_candidates(process))
    if step == "committee":
        return CommitteeForm(data, prefix=step, elected=[c for c in _candidates(process) if c.elected],
                             choices=elections.committee_posts())
    return None


def _allowed(user, process, step):
    return elections.can_approve(user, process) if step == "approve" else can_manage_org(user, process.org)


def _steps(process, stage):
    """The six steps with a mark each: done, the ones that may be taken now, pending."""
    order = ["plan", "approve", "candidates", "meeting", "tallies", "committee"]
    reached = {elections.REQUESTED: 1, elections.APPROVED: 2, elections.NOMINATED: 3, elections.MEETING: 4,
               elections.COUNTED: 5, elections.DONE: 6}[stage]
    titles = {"plan": "换届请示"} | elections.STEP_TITLES
    who = {"plan": "本组织", "approve": "上级党组织"}
    return [{"key": key, "no": i + 1, "title": titles[key], "actor": who.get(key, "本组织"),
             "mark": "done" if i < reached else "next" if key in elections.NEXT[stage] else "pending"}
            for i, key in enumerate(order)]


def _context(request, process, *, form=None, step=None):
    user = request.user
    stage = elections.stage_of(process)
    forms_shown = []
    for key in elections.NEXT[stage]:
        if _allowed(user, process, key):
            bound = form if key == step else _form_for(key, process, user)
            # A step that may be taken again (the candidates until the meeting, the meeting until the
            # tallies) is offered folded below the next one.
            again = key != elections.NEXT[stage][-1]
            forms_shown.append({"key": key, "title": elections.STEP_TITLES[key], "form": bound, "again": again,
                                "submit": SUBMIT[key], "open": not again or key == step})
    election = process.election
    return {
        "process": process, "org": process.org, "stage": stage, "stage_label": elections.STAGES[stage],
        "steps": _steps(process, stage), "candidates": _candidates(process), "forms": forms_shown,
        "least": elections.counting.min_candidates(process.seats, process.held_on or today()),
        "meeting_link": process.meeting_id and can_manage_org(user, process.org),
        "term": term_status(process.org, max(today(), election.held_on)) if election else None,
        "can_manage": can_manage_org(user, process.org), "can_approve": elections.can_approve(user, process),
        "can_cancel": can_manage_org(user, process.org) and not process.election_id,
        "waiting_for_higher": stage == elections.REQUESTED and not elections.can_approve(user, process),
    }


@staff_required
def election_process(request, pk):
    process = get_object_or_404(visible_processes(request.user), pk=pk)
    return render(request, "web/election_process.html", _context(request, process))


SUBMIT = {"approve": "登记上级批复", "candidates": "确定候选人", "meeting": "登记选举大会", "tallies": "登记计票结果",
          "committee": "登记委员分工"}
MESSAGES = {"approve": "已登记上级批复", "candidates": "候选人已确定", "meeting": "选举大会已登记",
            "tallies": "计票结果已登记，新一届任期已开始", "committee": "委员分工已登记，新一届委员会已产生"}


@require_POST
@staff_required
def election_step(request, pk, step):
    """One step through its service; a refusal re-shows the page with the message on its field."""
    process = get_object_or_404(visible_processes(request.user), pk=pk)
    if step not in elections.STEP_TITLES:
        raise PermissionDenied("没有这一步骤")
    if not _allowed(request.user, process, step):
        raise PermissionDenied("无权操作：换届选举请示须由上级党组织批复" if step == "approve"
                               else "无权操作：该组织不在您的管理范围内")
    form = _form_for(step, process, request.user, request.POST)
    if form.is_valid():
        try:
            _perform(step, process, request.user, form)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, MESSAGES[step])
            return redirect(reverse("election_process", args=[process.pk]) + "#steps")
    return render(request, "web/election_process.html", _context(request, process, form=form, step=step))


def _perform(step, process, user, form):
    data = form.cleaned_data
    if step == "approve":
        elections.approve_election_plan(process, actor=user, **data)
    elif step == "candidates":
        elections.set_candidates(process, actor=user, members=list(data["members"]))
    elif step == "meeting":
        elections.record_election_meeting(process, actor=user, **data)
    elif step == "tallies":
        elections.record_tallies(process, actor=user, votes=form.votes())
    else:
        elections.fill_committee(process, actor=user, posts=form.posts())


@require_POST
@staff_required
def election_cancel(request, pk):
    process = get_object_or_404(visible_processes(request.user), pk=pk)
    if not can_manage_org(request.user, process.org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    org = process.org
    try:
        elections.cancel_election_plan(process, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("election_process", process.pk)
    messages.success(request, "已撤销该换届选举")
    return redirect(reverse("org_detail", args=[org.code]) + "#elections")


class ElectionPlanCreate(OrgFormMixin, ServiceFormView):
    """换届请示: starts the page of a new re-election."""

    form_class = ElectionPlanForm
    submit_label = "报送请示"
    success_message = "换届选举请示已登记，待上级党组织批复"

    def get_title(self):
        return f"换届选举请示：{self.org.name}"

    def get_initial(self):
        return {"term_years": services.default_term_years(self.org.org_type), "requested_on": today()}

    def perform(self, form):
        process = elections.plan_election(actor=self.request.user, org=self.org, **form.cleaned_data)
        return reverse("election_process", args=[process.pk])
