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
from dangjian.rectification.models import OVERDUE
from dangjian.rules.engine import ERROR

from ..charts import charts
from ..scope import STAFF_KINDS, scoped_members, scoped_orgs
from .base import role_required
from .compliance import workbench_summary
from .dues import dues_summary
from .recruitment import recruitment_summary
from .rectification import rectification_summary


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
    day = today()  # the roster and the tree as they stand: their figures open today's lists
    checked = reference_day()  # the records' year (the demo's 2018-12-31, else today): checks, terms, posts
    members = scoped_members(request).current()
    orgs = scoped_orgs(request)
    leadership = [o for o in orgs.existing_on(checked) if o.org_type in LEADERSHIP_TYPES]
    terms = sorted((t for t in term_statuses(leadership, checked) if t.state in ("ending", "overdue")),
                   key=lambda t: t.due_on)
    with_secretary = set(CommitteePost.objects.held_on(checked).filter(post=Post.SECRETARY, org__in=leadership)
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
        "terms": terms,
        "terms_overdue": [t for t in terms if t.state == "overdue"],
        "terms_ending": [t for t in terms if t.state == "ending"],
        "vacant": [o for o in leadership if o.pk not in with_secretary],
    }
    context["checked"] = checked
    context |= workbench_summary(request, checked)  # 合规检查: the year's findings by rule and unit, what falls due
    context |= recruitment_summary(request)  # 发展党员: cases by stage, next steps due within 30 days
    context |= dues_summary(request, checked)  # 党费: the month's collection and the year's months
    context |= rectification_summary(request, checked.year)  # 整改: the year's ledger by status
    context["overdue"] = overdue_items(context)
    context["charts"] = charts(context)
    return render(request, "web/dashboard.html", context)


def overdue_items(context):
    """逾期事项: what is already late in the subtree, one line per kind, each linking to its list."""
    compliance, dues = context["compliance"], context["dues"]
    rectification, recruitment = context["rectification"], context["recruitment"]
    return [
        ("合规检查错误", compliance["errors"], "条", f"{compliance['url']}&severity={ERROR}"),
        ("应换未换的组织", len(context["terms_overdue"]), "个", "#terms-overdue"),
        ("发展党员逾期事项", recruitment["overdue"], "项", f"{recruitment['url']}?overdue=1"),
        ("逾期未完成的整改问题", rectification["overdue"], "个", f"{rectification['url']}&status={OVERDUE}"),
        (f"{dues['month'].year}年{dues['month'].month}月未交党费", dues["unpaid"], "人", dues["unpaid_url"]),
        ("书记空缺的组织", len(context["vacant"]), "个", "#vacant"),
    ]
