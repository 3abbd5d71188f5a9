"""工作台: the figures of the current subtree, each linking to the list it counts."""
from urllib.parse import urlencode

from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse

from dangjian.accounts.access import role_of
from dangjian.accounts.models import RoleKind
from dangjian.core.dates import reference_day, today
from dangjian.members.models import Education, PostCategory, Sex, Stage
from dangjian.organizations.models import LEADERSHIP_TYPES, CommitteePost, OrgType, Post
from dangjian.organizations.queries import term_statuses

from ..scope import STAFF_KINDS, scoped_members, scoped_orgs
from .base import role_required
from .compliance import workbench_summary
from .dues import dues_summary
from .recruitment import recruitment_summary


def _roster(**params):
    return reverse("roster") + "?" + urlencode(params)


def _breakdown(members, field, choices):
    """[(label, count, roster link)] for each value of `field`, in the order of the choices."""
    counts = dict(members.values_list(field).annotate(n=Count("pk")).order_by())
    rows = [(label, counts.get(value, 0), _roster(**{field: value})) for value, label in choices]
    if counts.get(""):
        rows.append(("未填写", counts[""], None))
    return rows


@role_required(*STAFF_KINDS, RoleKind.MEMBER)
def dashboard(request):
    role = role_of(request.user)
    if role.kind == RoleKind.MEMBER:  # a member's workbench is their own record
        return redirect("member_detail", role.member_id)
    day = today()
    members = scoped_members(request).current()
    orgs = scoped_orgs(request)
    living = list(orgs.existing_on(day))
    leadership = [o for o in living if o.org_type in LEADERSHIP_TYPES]
    terms = [t for t in term_statuses(leadership, day) if t.state in ("ending", "overdue")]
    with_secretary = set(CommitteePost.objects.held_on(day).filter(post=Post.SECRETARY, org__in=leadership)
                         .values_list("org_id", flat=True))
    by_type = dict(orgs.existing_on(day).values_list("org_type").annotate(n=Count("pk")).order_by())
    stage_counts = dict(members.values_list("stage").annotate(n=Count("pk")).order_by())
    context = {
        "day": day,
        "total": sum(stage_counts.values()),
        "by_stage": [(s.label, stage_counts.get(s.value, 0), _roster(stage=s.value))
                     for s in (Stage.PROBATIONARY, Stage.FULL, Stage.SUSPENDED)],
        "by_post": _breakdown(members, "post_category", PostCategory.choices),
        "by_education": _breakdown(members, "education", Education.choices),
        "by_sex": _breakdown(members, "sex", Sex.choices),
        "leading": (members.filter(is_leading_cadre=True).count(), _roster(leading="1")),
        "by_type": [(label, by_type.get(value, 0), reverse("org_tree") + "?" + urlencode({"type": value}))
                    for value, label in OrgType.choices],
        "terms": sorted(terms, key=lambda t: t.due_on),
        "vacant": [o for o in leadership if o.pk not in with_secretary],
    }
    context |= workbench_summary(request, reference_day())  # 合规检查: this year's findings and what falls due
    context |= recruitment_summary(request, reference_day())  # 发展党员: next steps due within 30 days
    context |= dues_summary(request, reference_day())  # 党费: the month's collection rate
    return render(request, "web/dashboard.html", context)
