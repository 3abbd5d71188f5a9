"""Every change to a member goes through these functions: check, save in a transaction, audit.

A member's life is a list of dated events (`MemberEvent`); after each one `refresh_state` rewrites the
cached stage and organisation on the Member row from the events, so the cache can never drift.
"""
import datetime

from django.db import transaction

from dangjian.accounts.access import require_manage_org
from dangjian.audit.services import changed_fields, log_action, save_changes
from dangjian.core import idcard
from dangjian.core.dates import age_on, today
from dangjian.core.errors import DomainError
from dangjian.core.text import check_lengths, is_digits, to_ascii_digits
from dangjian.organizations.models import MEMBERSHIP_TYPES, Organization, OrgType
from dangjian.rules import parameters

from .models import (
    EXIT_KINDS,
    TRANSITIONS,
    DuesCategory,
    Education,
    EventKind,
    Member,
    MemberEvent,
    PostCategory,
    Sex,
    Stage,
    compute_state,
    ordered_events,
)

ATTRIBUTE_FIELDS = ("name", "sex", "ethnicity", "birth_date", "education", "post_category", "is_leading_cadre",
                    "party_group", "dues_category", "dues_reduced", "phone")


def _check_membership_org(org, *, field="org"):
    if org is None:
        raise DomainError("请选择所属组织", field=field, code="REQUIRED")
    if org.org_type not in MEMBERSHIP_TYPES:
        raise DomainError(f"“{org.name}”是{org.get_org_type_display()}，党员的组织关系应在党支部、党总支或党委",
                          field=field, code="MEMBER_ORG_TYPE")


def _check_attributes(data, org):
    if not (data.get("name") or "").strip():
        raise DomainError("姓名不能为空", field="name", code="REQUIRED")
    for f, choices, label in (("sex", Sex, "性别"), ("education", Education, "学历"),
                              ("post_category", PostCategory, "工作岗位"), ("dues_category", DuesCategory, "党费类别")):
        if data.get(f) and data[f] not in choices.values:
            raise DomainError(f"{label}“{data[f]}”不是可选值（{'、'.join(choices.labels)}）", field=f, code="CHOICE")
    check_lengths(Member, data)
    phone = data.get("phone") or ""
    if phone and not is_digits(phone, 7, 15):
        raise DomainError(f"手机号码“{phone}”格式不正确", field="phone", code="PHONE_FORMAT")
    group = data.get("party_group")
    if group is not None and (group.org_type != OrgType.PARTY_GROUP or group.parent_id != org.pk):
        raise DomainError(f"“{group.name}”不是“{org.name}”下设的党小组", field="party_group", code="MEMBER_GROUP")


def check_identity(id_number, *, birth_date=None, sex=None):
    """Validate the ID and that the birth date and sex agree with it; return (id, birth_date, sex)."""
    id_number = idcard.validate_id_number(id_number)
    id_birth, id_sex = idcard.birth_date_of(id_number), idcard.sex_of(id_number)
    if sex and sex not in Sex.values:
        raise DomainError("性别应为男或女", field="sex", code="CHOICE")
    if birth_date and birth_date != id_birth:
        raise DomainError(f"出生日期{birth_date}与身份证号中的出生日期{id_birth}不一致", field="birth_date",
                          code="ID_BIRTH_MISMATCH")
    if sex and sex != id_sex:
        raise DomainError(f"性别“{Sex(sex).label}”与身份证号（第17位）所示性别“{Sex(id_sex).label}”不一致",
                          field="sex", code="ID_SEX_MISMATCH")
    return id_number, id_birth, id_sex


@transaction.atomic
def create_member(*, actor, id_number, name, org, admitted_on, confirmed_on=None, full_member=None,
                  sex=None, birth_date=None, ethnicity="汉族", education="", post_category="",
                  is_leading_cadre=False, party_group=None, dues_category=DuesCategory.EMPLOYED,
                  dues_reduced=False, phone=""):
    """接收党员: enter a member admitted as probationary on `admitted_on` (the 支部大会 date). With
    `confirmed_on` (or `full_member=True` for an old record without that date) the confirmation is
    entered too."""
    id_number, birth_date, sex = check_identity(id_number, birth_date=birth_date, sex=sex)
    if Member.objects.filter(id_number=id_number).exists():
        raise DomainError(f"身份证号{idcard.normalize(id_number)[:6]}…已在党员名册中", field="id_number",
                          code="DUPLICATE")
    _check_membership_org(org)
    require_manage_org(actor, org)
    attrs = dict(name=(name or "").strip(), sex=sex, birth_date=birth_date, ethnicity=ethnicity or "",
                 education=education or "", post_category=post_category or "",
                 is_leading_cadre=bool(is_leading_cadre), party_group=party_group,
                 dues_category=dues_category or DuesCategory.EMPLOYED, dues_reduced=bool(dues_reduced),
                 phone=to_ascii_digits(phone))
    _check_attributes(attrs, org)
    _check_admission(birth_date, admitted_on, confirmed_on)
    member = Member.objects.create(id_number=id_number, org=org, stage=Stage.PROBATIONARY,
                                   admitted_on=admitted_on, **attrs)
    MemberEvent.objects.create(member=member, kind=EventKind.ADMITTED, date=admitted_on, org=org)
    if confirmed_on or full_member:
        MemberEvent.objects.create(member=member, kind=EventKind.CONFIRMED, date=confirmed_on,
                                   note="" if confirmed_on else "历史记录，无转正日期")
    refresh_state(member)
    log_action(actor=actor, action="member.create", obj=member, org=org,
               after=member.snapshot() | _membership(member))
    return member


def _check_admission(birth_date, admitted_on, confirmed_on):
    if admitted_on is None:
        raise DomainError("入党日期不能为空", field="admitted_on", code="REQUIRED")
    if admitted_on > today():
        raise DomainError("入党日期不能晚于今天", field="admitted_on", code="DATE_FUTURE")
    min_age = parameters.value("min_admission_age", admitted_on)
    if age_on(birth_date, admitted_on) < min_age:
        raise DomainError(f"入党日期时未满{min_age}周岁（党章第一条）", field="admitted_on", code="MEMBER_UNDER_AGE")
    if confirmed_on and confirmed_on < admitted_on:
        raise DomainError("转正日期不能早于入党日期", field="confirmed_on", code="DATE_ORDER")
    if confirmed_on and confirmed_on > today():
        raise DomainError("转正日期不能晚于今天", field="confirmed_on", code="DATE_FUTURE")


def _membership(member):
    return {"org": member.org.code, "stage": member.stage, "admitted_on": member.admitted_on.isoformat(),
            "confirmed_on": member.confirmed_on.isoformat() if member.confirmed_on else None}


def refresh_state(member):
    """Rewrite the cached stage/org/dates from the events (the only place that sets them)."""
    events = list(member.events.select_related("org"))
    stage, org = compute_state(events, datetime.date.max)
    admitted = next(e for e in events if e.kind == EventKind.ADMITTED)
    confirmed = next((e for e in events if e.kind == EventKind.CONFIRMED), None)
    member.stage, member.org = stage, org
    member.admitted_on = admitted.date
    member.confirmed_on = confirmed.date if confirmed else None
    Member.objects.filter(pk=member.pk).update(stage=stage, org=org, admitted_on=admitted.date,
                                               confirmed_on=member.confirmed_on)


@transaction.atomic
def update_member(member, *, actor, **changes):
    """Correct or complete a member's attributes (not the ID: it is the key). True when changed."""
    if set(changes) - set(ATTRIBUTE_FIELDS):
        raise ValueError(f"not member attributes: {set(changes) - set(ATTRIBUTE_FIELDS)}")
    require_manage_org(actor, member.org)
    before = member.snapshot()
    data = {f: getattr(member, f) for f in ATTRIBUTE_FIELDS} | changes
    data["name"] = (data["name"] or "").strip()
    data["phone"] = to_ascii_digits(data["phone"])
    check_identity(member.id_number, birth_date=data["birth_date"], sex=data["sex"])
    _check_attributes(data, member.org)
    for f in ATTRIBUTE_FIELDS:
        setattr(member, f, data[f])
    return save_changes(member, actor=actor, action="member.update", org=member.org, before=before)


@transaction.atomic
def correct_membership_dates(member, *, actor, admitted_on, confirmed_on=None, full_member=None):
    """Correct the recorded 入党日期/转正日期 (a fact typed wrong, or completed by a ledger import).
    True when changed."""
    require_manage_org(actor, member.org)
    birth = member.birth_date
    _check_admission(birth, admitted_on, confirmed_on)
    events = list(member.events.all())
    # Admission comes before every other event; a confirmation may follow a transfer, so only the
    # admission date is held against the rest of the history.
    earlier = [e for e in events if e.kind != EventKind.ADMITTED and e.date and e.date < admitted_on]
    if earlier:
        raise DomainError(f"入党日期不能晚于已登记的{earlier[0].get_kind_display()}（{earlier[0].date}）",
                          field="admitted_on", code="DATE_ORDER")
    before = _membership(member)
    admitted = next(e for e in events if e.kind == EventKind.ADMITTED)
    confirmed = next((e for e in events if e.kind == EventKind.CONFIRMED), None)
    if admitted.date != admitted_on:
        admitted.date = admitted_on
        admitted.save(update_fields=["date"])
    full = bool(confirmed_on or full_member)
    if not full and confirmed is not None:
        raise DomainError("该党员已登记转正，不能改回预备党员", field="confirmed_on", code="MEMBER_TRANSITION")
    if full and confirmed is None:
        MemberEvent.objects.create(member=member, kind=EventKind.CONFIRMED, date=confirmed_on)
    elif full and confirmed.date != confirmed_on:
        confirmed.date = confirmed_on
        confirmed.save(update_fields=["date"])
    refresh_state(member)
    old, new = changed_fields(before, _membership(member))
    if not new:
        return False
    log_action(actor=actor, action="member.update", obj=member, org=member.org, before=old, after=new)
    return True


def _add_event(member, *, actor, kind, date, org=None, note="", action):
    """The one guarded method of the lifecycle: the event must be allowed from the current stage
    (TRANSITIONS) and dated on or after the member's last event."""
    if date is None:
        raise DomainError("日期不能为空", field="date", code="REQUIRED")
    if date > today():
        raise DomainError("日期不能晚于今天", field="date", code="DATE_FUTURE")
    check_lengths(MemberEvent, {"note": note or ""})
    events = ordered_events(list(member.events.all()))
    stage, current_org = compute_state(events, datetime.date.max)
    if kind not in TRANSITIONS[stage]:
        raise DomainError(f"{Stage(stage).label}不能办理“{EventKind(kind).label}”", field="kind",
                          code="MEMBER_TRANSITION")
    last_date = max(e.effective_date(member.admitted_on) for e in events)
    if date < last_date:
        raise DomainError(f"日期不能早于该党员最近一次登记的事项（{last_date}）", field="date", code="DATE_ORDER")
    before = _membership(member)
    event = MemberEvent.objects.create(member=member, kind=kind, date=date, org=org, note=note or "")
    refresh_state(member)
    log_action(actor=actor, action=action, obj=member, org=org or current_org, before=before,
               after=_membership(member) | {"event": kind, "date": date.isoformat(), "note": note or ""})
    return event


@transaction.atomic
def confirm_member(member, *, actor, confirmed_on, note=""):
    """转正: the probationary member becomes a full member on `confirmed_on`."""
    require_manage_org(actor, member.org)
    if confirmed_on and confirmed_on < member.admitted_on:
        raise DomainError("转正日期不能早于入党日期", field="date", code="DATE_ORDER")
    return _add_event(member, actor=actor, kind=EventKind.CONFIRMED, date=confirmed_on, note=note,
                      action="member.confirm")


@transaction.atomic
def transfer_member(member, *, actor, to_org, transferred_on, note=""):
    """组织关系转接: from `transferred_on` the membership is held by `to_org`. The actor must manage
    both ends (a transfer across subtrees is done by the level above both)."""
    require_manage_org(actor, member.org)
    _check_membership_org(to_org, field="to_org")
    require_manage_org(actor, to_org, "无权转入：目标组织不在您的管理范围内，请由共同的上级组织办理")
    if to_org.pk == member.org_id:
        raise DomainError("转入组织与当前所属组织相同", field="to_org", code="MEMBER_TRANSFER_SAME")
    if transferred_on and not to_org.exists_on(transferred_on):
        raise DomainError(f"“{to_org.name}”在{transferred_on}尚未成立或已撤销", field="to_org", code="ORG_PARENT_DATE")
    event = _add_event(member, actor=actor, kind=EventKind.TRANSFERRED, date=transferred_on, org=to_org,
                       note=note, action="member.transfer")
    if member.party_group_id:  # the 党小组 belongs to the old branch (audited as its own change)
        update_member(member, actor=actor, party_group=None)
    return event


@transaction.atomic
def suspend_member(member, *, actor, suspended_on, note=""):
    """停止党籍."""
    require_manage_org(actor, member.org)
    return _add_event(member, actor=actor, kind=EventKind.SUSPENDED, date=suspended_on, note=note,
                      action="member.suspend")


@transaction.atomic
def restore_member(member, *, actor, restored_on, note=""):
    """恢复党籍."""
    require_manage_org(actor, member.org)
    return _add_event(member, actor=actor, kind=EventKind.RESTORED, date=restored_on, note=note,
                      action="member.restore")


@transaction.atomic
def record_exit(member, *, actor, kind, exited_on, note=""):
    """出党: 退党, 除名, 开除, 劝退 or 死亡. The member stays in the records."""
    require_manage_org(actor, member.org)
    if kind not in EXIT_KINDS:
        raise DomainError("出党方式应为退党、除名、开除党籍、劝退或死亡", field="kind", code="CHOICE")
    return _add_event(member, actor=actor, kind=kind, date=exited_on, note=note, action="member.exit")


def cancel_probation(member, *, actor, cancelled_on, note=""):
    """取消预备党员资格 (decided by the branch meeting, approved above): a probationary member leaves the roll."""
    require_manage_org(actor, member.org)
    return _add_event(member, actor=actor, kind=EventKind.CANCELLED, date=cancelled_on, note=note,
                      action="member.cancel")


def reveal_member(member, *, actor):
    """Show the full ID, phone and birth date to an actor whose role allows it; the reveal is audited."""
    from dangjian.accounts.access import can_reveal
    from dangjian.core.errors import PermissionDenied

    if not can_reveal(actor, member):
        raise PermissionDenied("您的角色不能查看完整的身份证号和手机号码")
    log_action(actor=actor, action="member.reveal", obj=member, org=member.org)
    return {"id_number": member.id_number, "phone": member.phone, "birth_date": member.birth_date}


def find_org(code, *, field="org"):
    try:
        return Organization.objects.get(code=(code or "").strip())
    except Organization.DoesNotExist:
        raise DomainError(f"组织编码“{code}”不存在", field=field, code="ORG_NOT_FOUND") from None
