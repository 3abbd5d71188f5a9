"""党建工作责任制: an organisation's responsibilities for a year and its 责任书 (received from above, signed
with the organisations below, their ranking); one 责任书 with its indicators and the scoring form of the
higher level; the records behind a computed indicator.

Reads go through accounts.access (a letter is visible with its responsible organisation); writes through
responsibility.services."""
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dangjian.accounts.access import can_manage_org, visible_orgs
from dangjian.core.dates import today
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.organizations.models import LEADERSHIP_TYPES
from dangjian.responsibility import services
from dangjian.responsibility.metrics import METRICS, as_of_for
from dangjian.responsibility.models import Duty, Indicator, Letter, Responsibility
from dangjian.responsibility.queries import indicator_result, letter_result, ranking

from ..forms import add_domain_error, blank, form_errors
from .base import staff_required
from .dues import year_from


class ResponsibilityForm(forms.Form):
    duty = forms.ChoiceField(label="责任", choices=blank(Duty.choices))
    member = forms.ModelChoiceField(label="责任人", queryset=Member.objects.none(), required=False,
                                    help_text="主体责任不填；其余为当年的班子成员")
    areas = forms.CharField(label="分管领域/责任内容", max_length=300, required=False)

    def __init__(self, *args, org, year, **kwargs):
        super().__init__(*args, **kwargs)
        ids = services.posts_in_year(org, year).values_list("member_id", flat=True)
        self.fields["member"].queryset = Member.objects.filter(pk__in=ids).order_by("name")


class ScoreForm(forms.Form):
    score = forms.CharField(label="得分", max_length=12)
    evidence = forms.CharField(label="评分依据", widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)
    scored_on = forms.DateField(label="评分日期", required=False)
    evidence_file = forms.FileField(label="佐证材料", required=False)


def visible_letters(user):
    """Letters whose responsible organisation the user may see (the higher level sees it too: it is above)."""
    return Letter.objects.select_related("from_org", "to_org").filter(to_org__in=visible_orgs(user))


def _org(request, code):
    org = get_object_or_404(visible_orgs(request.user), code=code)
    if org.org_type not in LEADERSHIP_TYPES:
        raise PermissionDenied("党小组不单独落实党建工作责任制")
    return org


def _here(org, year):
    return reverse("responsibility_org", args=[org.code]) + f"?year={year}"


@staff_required
def responsibility_org(request, code):
    """?year=: the responsibilities, the letter received, the letters signed with those below (ranked)."""
    org = _org(request, code)
    year, year_error = year_from(request.GET)
    manage = can_manage_org(request.user, org)
    records = Responsibility.objects.filter(org=org, year=year).select_related("member")
    received = visible_letters(request.user).filter(to_org=org, year=year)
    context = {
        "org": org, "year": year, "year_error": year_error, "can_manage": manage, "records": records,
        "received": [letter_result(letter) for letter in received], "ranked": ranking(org, year),
        "form": ResponsibilityForm(org=org, year=year) if manage else None,
        "prev_year": year - 1, "next_year": year + 1,
    }
    return render(request, "web/responsibility_org.html", context, status=400 if year_error else 200)


def _year_posted(request):
    year, error = year_from(request.POST)
    if error:
        raise DomainError(error, field="year")
    return year


@require_POST
@staff_required
def responsibility_add(request, code):
    org = _org(request, code)
    if not can_manage_org(request.user, org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    year, _ = year_from(request.POST)
    form = ResponsibilityForm(request.POST, org=org, year=year)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.assign_responsibility(actor=request.user, org=org, year=year, duty=data["duty"],
                                           member=data["member"], areas=data["areas"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, "已登记")
            return redirect(_here(org, year))
    messages.error(request, f"未登记：{form_errors(form)}")
    return redirect(_here(org, year))


@require_POST
@staff_required
def responsibility_fill(request, code):
    org = _org(request, code)
    if not can_manage_org(request.user, org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    try:
        year = _year_posted(request)
        created = services.assign_from_committee(actor=request.user, org=org, year=year)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("responsibility_org", args=[org.code]))
    messages.success(request, f"已按班子分工登记{len(created)}项责任" if created else "班子成员的责任均已登记")
    return redirect(_here(org, year))


@require_POST
@staff_required
def responsibility_delete(request, pk):
    record = get_object_or_404(Responsibility.objects.filter(org__in=visible_orgs(request.user)), pk=pk)
    if not can_manage_org(request.user, record.org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    org, year = record.org, record.year
    services.remove_responsibility(record, actor=request.user)
    messages.success(request, "已删除")
    return redirect(_here(org, year))


@require_POST
@staff_required
def letters_create(request, code):
    """签订责任书: one with the standard indicators to each organisation directly below."""
    org = _org(request, code)
    if not can_manage_org(request.user, org):
        raise PermissionDenied("无权操作：该组织不在您的管理范围内")
    try:
        year = _year_posted(request)
        letters = services.create_letters_for_children(actor=request.user, from_org=org, year=year,
                                                       signed_on=request.POST.get("signed_on") or None)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(reverse("responsibility_org", args=[org.code]))
    messages.success(request, f"已与{len(letters)}个下级组织签订{year}年度责任书" if letters
                     else "下级组织的责任书均已签订")
    return redirect(_here(org, year) + "#given")


@staff_required
def letter_detail(request, pk):
    letter = get_object_or_404(visible_letters(request.user), pk=pk)
    result = letter_result(letter)
    scorer = can_manage_org(request.user, letter.from_org)
    rows = [{"result": r, "form": ScoreForm(prefix=str(r.indicator.pk), initial={
                 "score": r.indicator.score, "evidence": r.indicator.evidence})
             if scorer and not r.indicator.computed else None} for r in result.results]
    return render(request, "web/letter_detail.html", {"letter": letter, "result": result, "rows": rows,
                                                      "can_score": scorer})


@require_POST
@staff_required
def indicator_score(request, pk):
    indicator = get_object_or_404(Indicator.objects.select_related("letter__from_org", "letter__to_org")
                                  .filter(letter__in=visible_letters(request.user)), pk=pk)
    letter = indicator.letter
    if not can_manage_org(request.user, letter.from_org):
        raise PermissionDenied(f"无权评分：责任书由{letter.from_org.name}考核")
    form = ScoreForm(request.POST, request.FILES, prefix=str(indicator.pk))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.score_indicator(indicator, actor=request.user, score=data["score"], evidence=data["evidence"],
                                     scored_on=data["scored_on"], evidence_file=data["evidence_file"])
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已评分：{indicator.name}")
            return redirect(reverse("letter_detail", args=[letter.pk]) + f"#indicator-{indicator.pk}")
    messages.error(request, f"未评分（{indicator.name}）：{form_errors(form)}")
    return redirect(reverse("letter_detail", args=[letter.pk]) + f"#indicator-{indicator.pk}")


def _row_url(row):
    if row.kind == "meeting":
        return reverse("meeting_detail", args=[row.key])
    if row.kind == "member":
        return reverse("member_detail", args=[row.key])
    if row.kind == "org":
        return reverse("org_detail", args=[row.key])
    if row.kind == "dues":
        return reverse("dues_org", args=[row.key])
    if row.kind == "finding":
        return reverse("compliance") + f"?q={row.key}"
    return ""


@staff_required
def indicator_records(request, pk):
    """The records a computed indicator counts, each linked to its page."""
    indicator = get_object_or_404(Indicator.objects.select_related("letter__from_org", "letter__to_org")
                                  .filter(letter__in=visible_letters(request.user)), pk=pk)
    if not indicator.computed:
        raise PermissionDenied("该指标为手工评分，没有自动计算的记录")
    as_of = as_of_for(indicator.letter.year, today())
    result = indicator_result(indicator, as_of)
    rows = [(row, _row_url(row)) for row in result.value.rows]
    return render(request, "web/indicator_records.html", {
        "indicator": indicator, "letter": indicator.letter, "result": result, "rows": rows,
        "metric": METRICS[indicator.metric], "as_of": as_of})


__all__ = ["responsibility_org", "responsibility_add", "responsibility_fill", "responsibility_delete",
           "letters_create", "letter_detail", "indicator_score", "indicator_records"]
