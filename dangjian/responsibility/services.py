"""Writes of the responsibility system: each checks, saves in a transaction and audits (STYLE.md).

Who may do what: an organisation's own staff record its responsibilities; the organisation that issues a
责任书 (the higher level) writes it, its indicators and the scores by hand — the organisation that answers
for it may read it but not score itself."""
import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.db.models import Q

from dangjian.accounts.access import require_manage_org
from dangjian.audit.services import changed_fields, log_action
from dangjian.core.dates import parse_date, today
from dangjian.core.errors import DomainError
from dangjian.core.text import check_lengths
from dangjian.organizations.models import COMMITTEE_POSTS, LEADERSHIP_TYPES, CommitteePost, Post

from .metrics import METRICS
from .models import Direction, Duty, Indicator, Letter, Responsibility

# The indicators a new letter starts with (the group's own practice, not a regulation: edit freely). The
# computed ones read the records; the others are scored by hand with evidence.
STANDARD_INDICATORS = (
    ("落实党建工作责任制，书记抓党建述职评议", Decimal("15"), "", None),
    ("主题党日每月开展", Decimal("15"), "theme_day_share", Decimal("100")),
    ("发展党员计划完成", Decimal("10"), "recruited", Decimal("2")),
    ("党费按时足额收缴", Decimal("10"), "dues_rate", Decimal("100")),
    ("合规检查问题年末清零", Decimal("20"), "open_errors", Decimal("0")),
    ("“三重一大”事项党委前置研究", Decimal("15"), "", None),
    ("问题整改落实和党风廉政建设", Decimal("15"), "", None),
)
MAX_YEAR_SPAN = (1949, 2999)


def _year(value):
    try:
        year = int(str(value).strip())
    except (TypeError, ValueError):
        raise DomainError(f"年度“{value}”不正确，应为四位数年份", field="year", code="YEAR") from None
    if not MAX_YEAR_SPAN[0] <= year <= MAX_YEAR_SPAN[1]:
        raise DomainError(f"年度“{value}”超出范围", field="year", code="YEAR")
    return year


def _decimal(value, *, field, label, places=1, maximum=Decimal("100000")):
    text = str(value).strip() if value is not None else ""
    if not text:
        raise DomainError(f"请填写{label}", field=field, code="REQUIRED")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise DomainError(f"{label}“{text}”不是数字", field=field, code="NUMBER") from None
    if not number.is_finite() or number < 0 or number > maximum:
        raise DomainError(f"{label}应在0至{maximum}之间", field=field, code="NUMBER")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise DomainError(f"{label}最多{places}位小数", field=field, code="NUMBER")
    return number


# ---- who carries which responsibility ----

def posts_in_year(org, year):
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (CommitteePost.objects.filter(org=org, started_on__lte=last)
            .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=first)).select_related("member"))


@transaction.atomic
def assign_responsibility(*, actor, org, year, duty, member=None, areas=""):
    """Record that `member` (None: the committee itself, for 主体责任) carries `duty` in `org` in `year`. A
    member's duty goes with a seat in the organisation's 班子 during that year."""
    require_manage_org(actor, org)
    if org.org_type not in LEADERSHIP_TYPES:
        raise DomainError(f"{org.get_org_type_display()}不设班子，不落实党建工作责任制", field="org", code="ORG_TYPE")
    year = _year(year)
    if duty not in Duty.values:
        raise DomainError("请选择责任类型", field="duty", code="CHOICE")
    areas = (areas or "").strip()
    check_lengths(Responsibility, {"areas": areas})
    if duty == Duty.PRINCIPAL:
        if member is not None:
            raise DomainError("主体责任由党组织（班子集体）承担，不填写责任人", field="member", code="DUTY_MEMBER")
    else:
        if member is None:
            raise DomainError(f"请选择承担{Duty(duty).label}的班子成员", field="member", code="REQUIRED")
        posts = [p for p in posts_in_year(org, year) if p.member_id == member.pk]
        if not posts:
            raise DomainError(f"{member.name}在{year}年不是{org.name}的班子成员", field="member", code="DUTY_NOT_IN_POST")
        if duty == Duty.FIRST and not any(p.post == Post.SECRETARY for p in posts):
            raise DomainError(f"第一责任人应为书记：{member.name}在{year}年未任{org.name}书记", field="member",
                              code="DUTY_NOT_SECRETARY")
    if Responsibility.objects.filter(org=org, year=year, duty=duty, member=member).exists():
        raise DomainError("该责任已登记", field="duty", code="DUPLICATE")
    record = Responsibility.objects.create(org=org, year=year, duty=duty, member=member, areas=areas)
    log_action(actor=actor, action="responsibility.create", obj=record, org=org, after=record.snapshot())
    return record


@transaction.atomic
def remove_responsibility(record, *, actor):
    require_manage_org(actor, record.org)
    log_action(actor=actor, action="responsibility.delete", obj=record, org=record.org, before=record.snapshot())
    record.delete()


@transaction.atomic
def assign_from_committee(*, actor, org, year):
    """Fill the year's responsibilities from the 班子 (nothing typed twice): 主体责任 for the committee, 第一
    责任人 for the secretary, 直接责任 for a full-time deputy secretary, 一岗双责 for every other member of the
    committee; those already recorded are kept. Returns the records created."""
    require_manage_org(actor, org)
    year = _year(year)
    wanted = [(Duty.PRINCIPAL, None, "")]
    seen = set()
    for post in sorted(posts_in_year(org, year), key=lambda p: (Post.values.index(p.post), p.started_on)):
        if post.post not in COMMITTEE_POSTS or post.member_id in seen:
            continue
        seen.add(post.member_id)
        if post.post == Post.SECRETARY:
            duty = Duty.FIRST
        elif post.post == Post.DEPUTY_SECRETARY and post.full_time:
            duty = Duty.DIRECT
        else:
            duty = Duty.DUAL
        wanted.append((duty, post.member, post.get_post_display()))
    created = []
    for duty, member, areas in wanted:
        if not Responsibility.objects.filter(org=org, year=year, duty=duty, member=member).exists():
            created.append(assign_responsibility(actor=actor, org=org, year=year, duty=duty, member=member,
                                                 areas=areas))
    return created


# ---- letters ----

def _check_below(from_org, to_org):
    if to_org.pk == from_org.pk or not to_org.path.startswith(from_org.path):
        raise DomainError(f"{to_org.name}不是{from_org.name}的下级组织", field="to_org", code="LETTER_NOT_BELOW")
    if to_org.org_type not in LEADERSHIP_TYPES:
        raise DomainError(f"{to_org.get_org_type_display()}不签订党建目标责任书", field="to_org", code="ORG_TYPE")


@transaction.atomic
def create_letter(*, actor, from_org, to_org, year, title="", signed_on=None, indicators=STANDARD_INDICATORS):
    """党建目标责任书 from `from_org` to `to_org` (below it) for `year`, with `indicators` as
    [(name, points, metric code or "", target or None)] (default: STANDARD_INDICATORS)."""
    require_manage_org(actor, from_org)
    _check_below(from_org, to_org)
    year = _year(year)
    signed_on = parse_date(signed_on, field="signed_on")
    title = (title or "").strip() or f"{year}年度党建工作目标责任书（{to_org.name}）"
    check_lengths(Letter, {"title": title})
    if Letter.objects.filter(from_org=from_org, to_org=to_org, year=year).exists():
        raise DomainError(f"{from_org.name}与{to_org.name}的{year}年度责任书已签订", field="to_org", code="DUPLICATE")
    letter = Letter.objects.create(from_org=from_org, to_org=to_org, year=year, title=title, signed_on=signed_on)
    log_action(actor=actor, action="letter.create", obj=letter, org=from_org, after=letter.snapshot())
    for order, (name, points, metric, target) in enumerate(indicators, start=1):
        add_indicator(letter, actor=actor, name=name, points=points, metric=metric, target=target, order=order)
    return letter


@transaction.atomic
def create_letters_for_children(*, actor, from_org, year, signed_on=None):
    """One letter with the standard indicators to each organisation directly below `from_org` that has a
    班子 and exists in `year`; those that have one already are skipped. Returns the letters created."""
    require_manage_org(actor, from_org)
    year = _year(year)
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    children = from_org.children.filter(org_type__in=LEADERSHIP_TYPES, founded_on__lte=last).filter(
        Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=first)).order_by("path")
    done = set(Letter.objects.filter(from_org=from_org, year=year).values_list("to_org_id", flat=True))
    return [create_letter(actor=actor, from_org=from_org, to_org=child, year=year, signed_on=signed_on)
            for child in children if child.pk not in done]


@transaction.atomic
def add_indicator(letter, *, actor, name, points, metric="", target=None, direction=None, order=None):
    require_manage_org(actor, letter.from_org)
    name = (name or "").strip()
    if not name:
        raise DomainError("请填写指标名称", field="name", code="REQUIRED")
    check_lengths(Indicator, {"name": name})
    points = _decimal(points, field="points", label="分值", maximum=Decimal("100"))
    if points <= 0:
        raise DomainError("分值应大于0", field="points", code="NUMBER")
    metric = (metric or "").strip()
    if metric and metric not in METRICS:
        raise DomainError(f"自动计算的指标“{metric}”不存在", field="metric", code="CHOICE")
    if metric:
        target = _decimal(target, field="target", label="目标值", places=2)
        direction = METRICS[metric].direction
    else:
        target, direction = None, Direction.HIGHER
    total = sum((i.points for i in letter.indicators.all()), Decimal(0)) + points
    if total > 100:
        raise DomainError(f"责任书各项指标分值合计不能超过100分（加上本项为{total}分）", field="points",
                          code="LETTER_OVER_100")
    if order is None:
        order = letter.indicators.count() + 1
    indicator = Indicator.objects.create(letter=letter, order=order, name=name, points=points, metric=metric,
                                         target=target, direction=direction)
    log_action(actor=actor, action="indicator.create", obj=indicator, org=letter.from_org,
               after=indicator.snapshot(), label=f"{letter.title}：{name}")
    return indicator


@transaction.atomic
def score_indicator(indicator, *, actor, score, evidence, scored_on=None, evidence_file=None):
    """评分: the higher level scores an indicator that is not computed, between 0 and its points, with the
    evidence it relied on (text, and a file if one is uploaded)."""
    letter = indicator.letter
    require_manage_org(actor, letter.from_org,
                       f"无权评分：责任书由{letter.from_org.name}考核，{letter.to_org.name}不能为自己评分")
    if indicator.computed:
        raise DomainError("该指标按台账记录自动计算，不能手工评分", field="score", code="INDICATOR_COMPUTED")
    score = _decimal(score, field="score", label="得分")
    if score > indicator.points:
        raise DomainError(f"得分不能超过该项分值{indicator.points}分", field="score", code="SCORE_OVER")
    evidence = (evidence or "").strip()
    if not evidence:
        raise DomainError("请填写评分依据（查阅的台账、材料或发现的问题）", field="evidence", code="REQUIRED")
    scored_on = parse_date(scored_on, field="scored_on") or today()
    before = indicator.snapshot()
    indicator.score, indicator.evidence, indicator.scored_on = score, evidence, scored_on
    if evidence_file is not None and getattr(evidence_file, "name", ""):
        indicator.evidence_file.save(evidence_file.name.replace("\\", "/").rsplit("/", 1)[-1][:100], evidence_file,
                                     save=False)
    indicator.save()
    old, new = changed_fields(before, indicator.snapshot())
    log_action(actor=actor, action="indicator.score", obj=indicator, org=letter.from_org, before=old, after=new,
               label=f"{letter.title}：{indicator.name}")
    return indicator
