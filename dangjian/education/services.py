"""党员教育: every change to the study and training records goes through these functions: check, save in a
transaction, audit. The pages, the importer and the demo all call them.

A row is refused when its date is in the future or the person was not a member (预备 or 正式) that day, when
its 学时 are not a positive number with one decimal at most, and when the member already has a row with the
same date and 内容 (the ledger's key: correct that row instead)."""
from decimal import Decimal, InvalidOperation

from django.db import transaction

from dangjian.accounts.access import can_manage_org, require_manage_org
from dangjian.audit.services import audit_entry, log_action, log_actions, save_changes
from dangjian.core.dates import parse_date, today
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.core.text import check_lengths, to_ascii_digits
from dangjian.members.models import MemberEvent, Stage, compute_state

from .models import Training, TrainingKind

# More than this in one row is a typing error (a week of 轮训 is about 40 学时; a year of 网络学习 a few dozen).
MAX_HOURS = Decimal("500")
TENTH = Decimal("0.1")
TRAINING_FIELDS = ("held_on", "subject", "hours", "kind")


def to_hours(value, *, field="hours"):
    """学时 as a Decimal with one decimal: a Decimal, an int, text (full-width digits accepted) or a float
    from a spreadsheet cell (read through its text). Positive, at most MAX_HOURS."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise DomainError("学时不能为空", field=field, code="REQUIRED")
    if isinstance(value, bool):
        raise DomainError(f"学时“{value}”应为数字", field=field, code="NUMBER")
    if isinstance(value, Decimal):
        hours = value
    else:
        text = repr(value) if isinstance(value, float) else to_ascii_digits(value)
        try:
            hours = Decimal(text)
        except InvalidOperation:
            raise DomainError(f"学时“{value}”应为数字", field=field, code="NUMBER") from None
    if not hours.is_finite() or hours <= 0 or hours > MAX_HOURS:
        raise DomainError(f"学时“{value}”应大于0且不超过{MAX_HOURS}", field=field, code="NUMBER")
    if hours != hours.quantize(TENTH):
        raise DomainError(f"学时“{value}”最多保留一位小数", field=field, code="NUMBER")
    return hours.quantize(TENTH)


def kind_code(value, *, field="kind"):
    """A TrainingKind code from its code or its Chinese label; "" when empty (形式 未注明)."""
    text = str(value or "").strip()
    if not text:
        return ""
    if text in TrainingKind.values:
        return text
    by_label = {label: code for code, label in TrainingKind.choices}
    if text in by_label:
        return by_label[text]
    raise DomainError(f"形式“{value}”不是可选值（{'、'.join(TrainingKind.labels)}）", field=field, code="CHOICE")


def _check(member, events, *, held_on, subject, hours, kind):
    """The checked fields of a row; `events` are the member's MemberEvents (membership on the day)."""
    held_on = parse_date(held_on, field="held_on")
    if held_on is None:
        raise DomainError("日期不能为空", field="held_on", code="REQUIRED")
    if held_on > today():
        raise DomainError("日期不能晚于今天：登记的是已参加的学习培训", field="held_on", code="DATE_FUTURE")
    stage, _ = compute_state(events, held_on)
    if stage not in (Stage.PROBATIONARY, Stage.FULL):
        raise DomainError(f"{member.name}在{held_on}不是党员（入党日期{member.admitted_on}），不能登记学习培训",
                          field="held_on", code="TRAINING_NOT_MEMBER")
    subject = (subject or "").strip()
    if not subject:
        raise DomainError("内容不能为空", field="subject", code="REQUIRED")
    check_lengths(Training, {"subject": subject})
    return {"held_on": held_on, "subject": subject, "hours": to_hours(hours), "kind": kind_code(kind)}


def _duplicate(member, held_on, subject):
    return DomainError(f"{member.name}在{held_on}已登记“{subject}”，如需更正请修改该条记录", field="subject",
                       code="TRAINING_DUPLICATE")


def _events(member):
    return list(MemberEvent.objects.filter(member=member))


@transaction.atomic
def record_training(member, *, actor, held_on, subject, hours, kind=""):
    """登记学习培训: `member` studied `subject` on `held_on` for `hours` 学时 in the form `kind` (a
    TrainingKind code or its label; empty = 未注明). The branch holding the membership records it."""
    require_manage_org(actor, member.org)
    data = _check(member, _events(member), held_on=held_on, subject=subject, hours=hours, kind=kind)
    if Training.objects.filter(member=member, held_on=data["held_on"], subject=data["subject"]).exists():
        raise _duplicate(member, data["held_on"], data["subject"])
    training = Training.objects.create(member=member, **data)
    log_action(actor=actor, action="training.create", obj=training, org=member.org, after=training.snapshot())
    return training


@transaction.atomic
def update_training(training, *, actor, **changes):
    """Correct a row (`held_on`, `subject`, `hours`, `kind`). True when something changed."""
    unknown = set(changes) - set(TRAINING_FIELDS)
    if unknown:
        raise ValueError(f"not training fields: {unknown}")
    member = training.member
    require_manage_org(actor, member.org)
    before = training.snapshot()
    values = {name: changes.get(name, getattr(training, name)) for name in TRAINING_FIELDS}
    data = _check(member, _events(member), **values)
    clash = Training.objects.filter(member=member, held_on=data["held_on"], subject=data["subject"])
    if clash.exclude(pk=training.pk).exists():
        raise _duplicate(member, data["held_on"], data["subject"])
    for name, value in data.items():
        setattr(training, name, value)
    return save_changes(training, actor=actor, action="training.update", org=member.org, before=before)


@transaction.atomic
def delete_training(training, *, actor):
    """Delete a row entered by mistake; the audit keeps what it was."""
    member = training.member
    require_manage_org(actor, member.org)
    log_action(actor=actor, action="training.delete", obj=training, org=member.org, before=training.snapshot())
    training.delete()


@transaction.atomic
def record_trainings(rows, *, actor):
    """登记学习培训 for many members at once (a class that sat a course together, the demo's year): `rows` =
    [(member, {held_on, subject, hours, kind})], checked exactly as `record_training` checks one, all or
    nothing (the first row refused refuses them all, with the member named and `field` = "<field>_<member
    pk>"), then written and audited in two statements. Returns the number of rows written."""
    members = {member.pk: member for member, _ in rows}
    allowed = {}
    events = {pk: [] for pk in members}
    for event in MemberEvent.objects.filter(member_id__in=list(members)).order_by("member_id", "id"):
        events[event.member_id].append(event)
    existing = set(Training.objects.filter(member_id__in=list(members)).values_list("member_id", "held_on", "subject"))
    trainings = []
    for member, values in rows:
        if member.org_id not in allowed:
            allowed[member.org_id] = can_manage_org(actor, member.org)
        if not allowed[member.org_id]:
            raise PermissionDenied(f"无权操作：{member.name}的组织关系不在您的管理范围内", field=f"member_{member.pk}")
        try:
            data = _check(member, events[member.pk], **{name: values.get(name) for name in TRAINING_FIELDS})
            key = (member.pk, data["held_on"], data["subject"])
            if key in existing:
                raise _duplicate(member, data["held_on"], data["subject"])
            existing.add(key)
        except DomainError as error:
            message = error.message if error.message.startswith(member.name) else f"{member.name}：{error.message}"
            field = f"{error.field or 'member'}_{member.pk}"
            raise DomainError(message, field=field, code=error.code) from error
        trainings.append(Training(member=member, **data))
    Training.objects.bulk_create(trainings)
    log_actions([audit_entry(actor=actor, action="training.create", obj=t, org=t.member.org, after=t.snapshot())
                 for t in trainings])
    return len(trainings)
