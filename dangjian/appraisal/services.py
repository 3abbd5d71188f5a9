"""Writes of the 述职评议: each checks, saves in a transaction and audits. The higher level (the round's
organisation) sets the round up and enters paper ballots; a rater votes online once."""
import hashlib
import hmac

from django.conf import settings
from django.db import transaction
from django.db.models import Max

from dangjian.accounts.access import can_manage_org, require_manage_org, role_of, visible_orgs
from dangjian.accounts.models import RoleKind
from dangjian.audit.services import log_action
from dangjian.core.dates import parse_date
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.text import check_lengths
from dangjian.organizations.models import LEADERSHIP_TYPES
from dangjian.organizations.queries import secretary_on

from .models import Ballot, Channel, Mark, OnlineVote, RaterGroup, Rating, ReportForm, Reporter, Round


def _open(round_):
    if round_.closed_on:
        raise DomainError(f"{round_.title}已于{round_.closed_on}结束计票，不能再录入评议票", code="ROUND_CLOSED")


@transaction.atomic
def create_round(*, actor, org, year, held_on, title=""):
    require_manage_org(actor, org)
    if org.org_type not in LEADERSHIP_TYPES:
        raise DomainError("述职评议由党委（党总支）组织", field="org", code="ORG_TYPE")
    held_on = parse_date(held_on, field="held_on")
    if held_on is None:
        raise DomainError("请填写述职评议日期", field="held_on", code="REQUIRED")
    year = int(year)
    if held_on.year not in (year, year + 1):
        raise DomainError(f"{year}年度的述职评议应在{year}年底或{year + 1}年初进行", field="held_on", code="DATE_RANGE")
    title = (title or "").strip() or f"{org.name}{year}年度基层党组织书记抓党建工作述职评议"
    check_lengths(Round, {"title": title})
    if Round.objects.filter(org=org, year=year).exists():
        raise DomainError(f"{org.name}{year}年度述职评议已登记", field="year", code="DUPLICATE")
    round_ = Round.objects.create(org=org, year=year, held_on=held_on, title=title)
    log_action(actor=actor, action="appraisal.create", obj=round_, org=org, after=round_.snapshot())
    return round_


@transaction.atomic
def add_reporter(round_, *, actor, org, member=None, form=ReportForm.ON_SITE):
    """A secretary reports for `org` (below the round's organisation); `member` defaults to its 书记 on the
    day of the round."""
    require_manage_org(actor, round_.org)
    _open(round_)
    if org.pk == round_.org_id or not org.path.startswith(round_.org.path) or org.org_type not in LEADERSHIP_TYPES:
        raise DomainError(f"{org.name}不是{round_.org.name}下级的党组织", field="org", code="NOT_BELOW")
    if member is None:
        post = secretary_on(org, round_.held_on)
        if post is None:
            raise DomainError(f"{org.name}在{round_.held_on}没有书记，请指定述职人", field="member", code="NO_SECRETARY")
        member = post.member
    if form not in ReportForm.values:
        raise DomainError("请选择述职方式", field="form", code="CHOICE")
    if Reporter.objects.filter(round=round_, org=org).exists():
        raise DomainError(f"{org.name}的书记已列入本次述职", field="org", code="DUPLICATE")
    order = (Reporter.objects.filter(round=round_).aggregate(m=Max("order"))["m"] or 0) + 1
    reporter = Reporter.objects.create(round=round_, org=org, member=member, form=form, order=order)
    log_action(actor=actor, action="appraisal.reporter", obj=reporter, org=round_.org, after=reporter.snapshot(),
               label=f"{round_.title}：{reporter}")
    return reporter


@transaction.atomic
def add_reporters_from_children(round_, *, actor):
    """Each organisation directly below with a secretary on the day reports (those listed are kept)."""
    require_manage_org(actor, round_.org)
    listed = set(Reporter.objects.filter(round=round_).values_list("org_id", flat=True))
    added = []
    for child in round_.org.children.filter(org_type__in=LEADERSHIP_TYPES).order_by("path"):
        if child.pk in listed or not child.exists_on(round_.held_on) or secretary_on(child, round_.held_on) is None:
            continue
        added.append(add_reporter(round_, actor=actor, org=child))
    return added


def _marks(round_, marks):
    """[(reporter, rating)] from {reporter or pk: rating}; a blank is no mark (the rater left it empty)."""
    reporters = {r.pk: r for r in Reporter.objects.filter(round=round_).select_related("member", "org")}
    out, seen = [], set()
    for key, rating in marks.items():
        reporter = reporters.get(getattr(key, "pk", key))
        if reporter is None:
            raise DomainError("评议票中有不属于本次述职的述职人", field="marks", code="NOT_REPORTER")
        if reporter.pk in seen:
            raise DomainError(f"一张票对{reporter.member.name}只能有一个评价", field="marks", code="DUPLICATE")
        seen.add(reporter.pk)
        rating = (rating or "").strip()
        if not rating:
            continue
        if rating not in Rating.values:
            raise DomainError(f"对{reporter.member.name}的评价“{rating}”不是好、较好、一般、差之一", field="marks",
                              code="CHOICE")
        out.append((reporter, rating))
    if not out:
        raise DomainError("这张票没有任何评价（空白票不录入）", field="marks", code="BLANK_BALLOT")
    return out


def _save_ballot(round_, group, channel, marks):
    if group not in RaterGroup.values:
        raise DomainError("请选择评议人类别", field="group", code="CHOICE")
    number = (Ballot.objects.filter(round=round_).aggregate(m=Max("number"))["m"] or 0) + 1
    ballot = Ballot.objects.create(round=round_, group=group, channel=channel, number=number)
    Mark.objects.bulk_create([Mark(ballot=ballot, reporter=r, rating=rating) for r, rating in marks])
    return ballot


@transaction.atomic
def record_paper_ballot(round_, *, actor, group, marks):
    """录入一张纸质评议票: `marks` = {reporter: 好/较好/一般/差 or blank}."""
    require_manage_org(actor, round_.org)
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _open(round_)
    ballot = _save_ballot(round_, group, Channel.PAPER, _marks(round_, marks))
    log_action(actor=actor, action="appraisal.ballot", obj=ballot, org=round_.org,
               after={"group": group, "channel": Channel.PAPER, "number": ballot.number, "marks": ballot.marks.count()})
    return ballot


def voter_key(round_, user):
    """A keyed hash of (round, user): enough to refuse a second vote, not enough to find the voter's ballot."""
    message = f"appraisal:{round_.pk}:{user.pk}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def online_group(round_, user):
    """The group an online rater votes in, from their role: the round's own leadership (its 党务管理员 or a
    system administrator) as 上级领导; a branch officer as 其他书记; a member as 党员代表. None: may not vote."""
    role = role_of(user)
    if role is None:
        return None
    if role.kind == RoleKind.ADMIN or (role.kind == RoleKind.ORG_ADMIN and can_manage_org(user, round_.org)):
        return RaterGroup.LEADERS
    if role.kind == RoleKind.MEMBER:  # a member of an organisation in the round's subtree
        member = role.member
        return RaterGroup.MEMBERS if member and member.org.path.startswith(round_.org.path) else None
    if not visible_orgs(user).filter(path__startswith=round_.org.path).exists():
        return None
    return RaterGroup.SECRETARIES


@transaction.atomic
def cast_online_ballot(round_, *, user, marks):
    """网上评议: `user` rates the secretaries once. The ballot does not name them; the audit records only
    that they voted in the round."""
    group = online_group(round_, user)
    if group is None:
        raise PermissionDenied("您不在本次述职评议的评议人范围内")
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _open(round_)
    key = voter_key(round_, user)
    if OnlineVote.objects.filter(round=round_, voter_key=key).exists():
        raise DomainError("您已参加本次网上评议，每人只能投一次", code="ALREADY_VOTED")
    checked = _marks(round_, marks)
    OnlineVote.objects.create(round=round_, voter_key=key)
    _save_ballot(round_, group, Channel.ONLINE, checked)
    log_action(actor=user, action="appraisal.vote", obj=round_, org=round_.org, label=f"{round_.title}：网上评议")
    return group


@transaction.atomic
def close_round(round_, *, actor, on):
    require_manage_org(actor, round_.org)
    on = parse_date(on, field="closed_on")
    if on is None or on < round_.held_on:
        raise DomainError(f"计票结束日期不能早于述职评议日期（{round_.held_on}）", field="closed_on", code="DATE_ORDER")
    _open(round_)
    before = round_.snapshot()
    round_.closed_on = on
    round_.save(update_fields=["closed_on"])
    log_action(actor=actor, action="appraisal.close", obj=round_, org=round_.org, before=before,
               after=round_.snapshot())
    return round_


@transaction.atomic
def raise_problem(reporter, *, actor, description, deadline, measures="", cause="", on=None):
    """A problem the 评议 raised about a secretary's organisation becomes a rectification item of that
    organisation (问题来源 述职评议), with the next free 问题编号; next year's report starts from it."""
    from dangjian.rectification.services import next_number, record_problem

    round_ = reporter.round
    require_manage_org(actor, round_.org)
    return record_problem(actor=actor, number=next_number(reporter.org, round_.year), org=reporter.org,
                          year=round_.year, source="述职评议", description=description, deadline=deadline,
                          cause=cause, measures=measures, owner=reporter.member, on=on or round_.held_on)
