"""述职评议考核: the higher level's round for a year (reporters, paper ballots, the tally with the 考核
score and the combined grade, problems raised, the xlsx export) and the online ballot of a rater.

Reads go through accounts.access; writes through appraisal.services."""
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, visible_orgs
from dangjian.accounts.models import RoleKind
from dangjian.appraisal import services
from dangjian.appraisal.models import OnlineVote, RaterGroup, Rating, Round
from dangjian.appraisal.queries import tally
from dangjian.audit.services import log_action
from dangjian.core.errors import DomainError
from dangjian.organizations.models import LEADERSHIP_TYPES

from ..exports import tables_workbook
from ..scope import STAFF_KINDS
from .base import role_required, staff_required
from .dues import XLSX, year_from


def _org(request, code):
    org = get_object_or_404(visible_orgs(request.user), code=code)
    if org.org_type not in LEADERSHIP_TYPES:
        raise Http404("党小组不组织述职评议")
    return org


def _manage(request, org):
    if not can_manage_org(request.user, org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")


def _round(request, pk):
    """A round the user may see: its organisation is visible to them."""
    return get_object_or_404(Round.objects.select_related("org").filter(org__in=visible_orgs(request.user)), pk=pk)


def _page(round_):
    return reverse("appraisal_org", args=[round_.org.code]) + f"?year={round_.year}"


@staff_required
def appraisal_org(request, code):
    org = _org(request, code)
    year, year_error = year_from(request.GET)
    round_ = Round.objects.filter(org=org, year=year).first()
    context = {"org": org, "year": year, "year_error": year_error, "round": round_,
               "can_manage": can_manage_org(request.user, org), "ratings": Rating.values,
               "groups": RaterGroup.choices, "prev_year": year - 1, "next_year": year + 1}
    if round_:
        context |= {"tallies": tally(round_), "ballots": round_.ballots.count(),
                    "online": OnlineVote.objects.filter(round=round_).count()}
    return render(request, "web/appraisal_org.html", context, status=400 if year_error else 200)


def _done(request, round_or_url, message):
    messages.success(request, message)
    return redirect(round_or_url if isinstance(round_or_url, str) else _page(round_or_url))


def _refused(request, url, exc):
    messages.error(request, exc.message)
    return redirect(url)


@require_POST
@staff_required
def appraisal_create(request, code):
    org = _org(request, code)
    _manage(request, org)
    url = reverse("appraisal_org", args=[org.code]) + f"?year={request.POST.get('year', '')}"
    try:
        round_ = services.create_round(actor=request.user, org=org, year=request.POST.get("year"),
                                       held_on=request.POST.get("held_on"))
        added = services.add_reporters_from_children(round_, actor=request.user)
    except (DomainError, ValueError) as exc:
        return _refused(request, url, exc if isinstance(exc, DomainError) else DomainError("年度不正确"))
    return _done(request, round_, f"已登记述职评议，述职人{len(added)}名（下级党组织书记）")


@require_POST
@staff_required
def appraisal_ballot(request, pk):
    """录入纸质评议票: the rater's group and one rating per secretary (blank: not rated)."""
    round_ = _round(request, pk)
    _manage(request, round_.org)
    marks = {r.pk: request.POST.get(f"rating_{r.pk}", "") for r in round_.reporters.all()}
    try:
        ballot = services.record_paper_ballot(round_, actor=request.user, group=request.POST.get("group", ""),
                                              marks=marks)
    except DomainError as exc:
        return _refused(request, _page(round_) + "#ballot", exc)
    return _done(request, _page(round_) + "#ballot", f"已录入第{ballot.number}号评议票")


@require_POST
@staff_required
def appraisal_close(request, pk):
    round_ = _round(request, pk)
    _manage(request, round_.org)
    try:
        services.close_round(round_, actor=request.user, on=request.POST.get("closed_on"))
    except DomainError as exc:
        return _refused(request, _page(round_), exc)
    return _done(request, round_, "已结束计票")


@require_POST
@staff_required
def appraisal_problem(request, pk, reporter_pk):
    """A problem the 评议 raised: it becomes a rectification item of the secretary's organisation."""
    round_ = _round(request, pk)
    _manage(request, round_.org)
    reporter = get_object_or_404(round_.reporters.select_related("org", "member"), pk=reporter_pk)
    try:
        problem = services.raise_problem(reporter, actor=request.user, description=request.POST.get("description"),
                                         measures=request.POST.get("measures", ""),
                                         deadline=request.POST.get("deadline"))
    except DomainError as exc:
        return _refused(request, _page(round_) + "#problems", exc)
    return _done(request, _page(round_) + "#problems", f"已列入整改台账：{problem.number}")


@staff_required
def appraisal_export(request, pk):
    round_ = _round(request, pk)
    headers = ("述职组织", "述职人", "好", "较好", "一般", "差", "有效票", "好票率", "好和较好票率", "评议得分",
               "考核得分", "综合得分", "综合评价")
    rows = []
    for t in tally(round_):
        rows.append((t.reporter.org.name, t.reporter.member.name, *[t.counts[r] for r in Rating.values], t.valid,
                     t.good_share, t.good_or_fair_share, t.rating_score, t.assessment, t.combined,
                     t.grade or "（缺考核得分或评议票）"))
    log_action(actor=request.user, action="appraisal.export", obj=round_, org=round_.org,
               label=f"{round_.title}计票结果")
    widths = (24, 10, 6, 6, 6, 6, 8, 9, 12, 9, 9, 9, 12)
    content = tables_workbook([(f"{round_.year}年度述职评议", headers, rows, widths)])
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"述职评议-{round_.org.code}-{round_.year}.xlsx")
    return response


@role_required(*STAFF_KINDS, RoleKind.MEMBER)
def appraisal_vote(request, pk):
    """网上评议: a rater rates each secretary once; the ballot does not name them."""
    round_ = get_object_or_404(Round.objects.select_related("org"), pk=pk)
    group = services.online_group(round_, request.user)
    if group is None:
        raise Http404("您不在本次述职评议的评议人范围内")
    voted = OnlineVote.objects.filter(round=round_, voter_key=services.voter_key(round_, request.user)).exists()
    if request.method == "POST" and not voted:
        marks = {r.pk: request.POST.get(f"rating_{r.pk}", "") for r in round_.reporters.all()}
        try:
            services.cast_online_ballot(round_, user=request.user, marks=marks)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "评议票已提交，谢谢参与。评议票不记名。")
            return redirect("appraisal_vote", round_.pk)
    return render(request, "web/appraisal_vote.html", {
        "round": round_, "group": RaterGroup(group).label, "voted": voted, "ratings": Rating.values,
        "reporters": round_.reporters.select_related("member", "org")})


__all__ = ["appraisal_org", "appraisal_create", "appraisal_ballot", "appraisal_close", "appraisal_problem",
           "appraisal_export", "appraisal_vote"]
