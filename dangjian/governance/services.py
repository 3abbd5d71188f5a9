"""三重一大: every change to the register of major matters and to the prior-study lists goes through these
functions: check, save in a transaction, audit. The pages, the ledger importer and the demo all call them.

A matter decided without a prior study, or studied only after the decision, is recorded as it happened (the
register is history, SOE-03 reports it); what cannot be is refused with a Chinese DomainError naming its field:
an impossible or future date, a date the 党委 did not exist, a linked meeting that is not a 党委会 (or
党委扩大会) of the same 党委 held on the 前置研究日期.

The 前置研究会议 is found by its date when none is given (`find_study_meeting`): a workbook carries only the
date, and the 组织生活 sheet before it carries the meeting, so import and export keep the link without a
column for it.
"""
from decimal import Decimal

from django.db import transaction

from dangjian.accounts.access import require_manage_org
from dangjian.audit.services import changed_fields, log_action
from dangjian.core.dates import parse_date, today
from dangjian.core import amounts
from dangjian.core.errors import DomainError
from dangjian.core.text import check_lengths
from dangjian.meetings.models import Meeting, MeetingType, Topic
from dangjian.organizations.models import Organization, OrgType

from .models import DecidingBody, Matter, MatterCategory, PriorStudyItem, PriorStudyList

MATTER_FIELDS = ("number", "org", "name", "category", "amount", "deciding_body", "decided_on", "studied_on",
                 "study_meeting", "decision_note")
# The meetings at which a 党委 studies a matter first.
STUDY_MEETING_TYPES = (MeetingType.COMMITTEE, MeetingType.COMMITTEE_EXTENDED)
# 1000亿元: more in one matter is a typing error (the column holds up to 9,999,999,999.99 万元).
MAX_WAN = Decimal("10000000")


# ---- reading what was typed ----

def _code(value, choices, *, field, label):
    """A TextChoices code from its code or its Chinese label."""
    text = str(value or "").strip()
    if text in choices.values:
        return text
    by_label = {str(lab): code for code, lab in choices.choices}
    if text in by_label:
        return by_label[text]
    if not text:
        raise DomainError(f"请选择{label}", field=field, code="REQUIRED")
    raise DomainError(f"{label}“{text}”不是可选值（{'、'.join(choices.labels)}）", field=field, code="CHOICE")


def category_code(value, *, field="category"):
    return _code(value, MatterCategory, field=field, label="事项类别")


def body_code(value, *, field="deciding_body"):
    return _code(value, DecidingBody, field=field, label="决策机构")


def to_wan(value, *, field="amount", label="金额"):
    """An amount in 万元 (core.amounts.to_wan) of at most MAX_WAN."""
    return amounts.to_wan(value, field=field, label=label, maximum=MAX_WAN)


def _day(value, field, label, *, required=False):
    day = parse_date(value, field=field)
    if day is None and required:
        raise DomainError(f"请填写{label}", field=field, code="REQUIRED")
    if day is not None and day > today():
        raise DomainError(f"{label}{day}晚于今天，不能登记尚未发生的事", field=field, code="DATE_FUTURE")
    return day


def _require_committee(org):
    if not isinstance(org, Organization):
        raise DomainError("请选择企业党委", field="org", code="REQUIRED")
    if org.org_type != OrgType.COMMITTEE:
        raise DomainError(f"三重一大事项由企业党委登记，“{org.name}”是{org.get_org_type_display()}", field="org",
                          code="ORG_TYPE")


def _existed(org, day, field, label):
    if day < org.founded_on or (org.dissolved_on and day > org.dissolved_on):
        raise DomainError(f"{label}{day}时“{org.name}”尚未成立或已撤销", field=field, code="DATE_ORDER")


# ---- the meeting that studied it ----

def find_study_meeting(org, day):
    """The 党委会 or 党委扩大会 `org` held on `day`, or None: one whose topics include 三重一大 first, then the
    first recorded (a 党委 rarely meets twice a day)."""
    if org is None or day is None:
        return None
    found = list(Meeting.objects.filter(org=org, held_on=day, kinds__kind__in=STUDY_MEETING_TYPES)
                 .distinct().order_by("id"))
    return next((m for m in found if Topic.MAJOR_MATTERS in m.topics), found[0] if found else None)


def _check_meeting(meeting, org, studied_on):
    """The 前置研究 meeting: a 党委会 or 党委扩大会 of the same 党委 held on the 前置研究日期."""
    if not isinstance(meeting, Meeting):
        raise DomainError("前置研究会议应为组织生活中登记的会议", field="study_meeting", code="MEETING_NOT_FOUND")
    if meeting.org_id != org.pk:
        raise DomainError(f"前置研究会议应为“{org.name}”召开的党委会，所选会议是{meeting.org.name}的", field="study_meeting",
                          code="STUDY_MEETING_ORG")
    if not set(meeting.types) & set(STUDY_MEETING_TYPES):
        raise DomainError(f"前置研究会议应为党委会或党委扩大会，所选会议是{meeting.type_labels}", field="study_meeting",
                          code="STUDY_MEETING_TYPE")
    if studied_on is not None and meeting.held_on != studied_on:
        raise DomainError(f"前置研究日期{studied_on}与所选党委会的日期{meeting.held_on}不一致", field="studied_on",
                          code="STUDY_MEETING_DATE")


# ---- the matter ----

def _text(value):
    return (value or "").strip()


def _clean(data):
    """The fields of a matter as typed, read and checked (`data` holds every MATTER_FIELDS name)."""
    org = data["org"]
    _require_committee(org)
    out = {"org": org, "number": _text(data["number"]), "name": _text(data["name"]),
           "decision_note": _text(data["decision_note"])}
    if not out["number"]:
        raise DomainError("请填写事项编号", field="number", code="REQUIRED")
    if any(c.isspace() for c in out["number"]):
        raise DomainError("事项编号不能含空格", field="number", code="NUMBER_FORMAT")
    if not out["name"]:
        raise DomainError("请填写事项名称", field="name", code="REQUIRED")
    check_lengths(Matter, {k: out[k] for k in ("number", "name", "decision_note")})
    out["category"] = category_code(data["category"])
    out["deciding_body"] = body_code(data["deciding_body"])
    out["amount"] = to_wan(data["amount"])
    out["decided_on"] = _day(data["decided_on"], "decided_on", "决策日期", required=True)
    _existed(org, out["decided_on"], "decided_on", "决策日期")
    studied_on = _day(data["studied_on"], "studied_on", "前置研究日期")
    meeting = data["study_meeting"]
    if meeting is not None:
        _check_meeting(meeting, org, studied_on)
        studied_on = meeting.held_on
    if studied_on is not None:
        _existed(org, studied_on, "studied_on", "前置研究日期")
        meeting = meeting or find_study_meeting(org, studied_on)
    out["studied_on"], out["study_meeting"] = studied_on, meeting
    return out


def _unique_number(number, matter=None):
    taken = Matter.objects.filter(number=number)
    if matter is not None:
        taken = taken.exclude(pk=matter.pk)
    if taken.exists():
        raise DomainError(f"事项编号“{number}”已被使用，请换一个编号", field="number", code="DUPLICATE")


@transaction.atomic
def record_matter(*, actor, org, number, name, category, deciding_body, decided_on, studied_on=None,
                  study_meeting=None, amount=None, decision_note=""):
    """登记三重一大事项 of the 党委 `org`. `study_meeting` (a Meeting) sets the 前置研究日期 when none is given;
    without it the 党委会 held on `studied_on` is linked when the system has one. A matter without a prior
    study, or studied after the decision, is recorded as it happened: SOE-03 reports it."""
    if isinstance(org, Organization):
        require_manage_org(actor, org)
    data = _clean(dict(org=org, number=number, name=name, category=category, deciding_body=deciding_body,
                       decided_on=decided_on, studied_on=studied_on, study_meeting=study_meeting, amount=amount,
                       decision_note=decision_note))
    _unique_number(data["number"])
    matter = Matter.objects.create(**data)
    log_action(actor=actor, action="matter.create", obj=matter, org=org, after=matter.snapshot())
    return matter


@transaction.atomic
def update_matter(matter, *, actor, **changes):
    """修改三重一大事项. A new 前置研究日期 without a meeting given links the 党委会 of that day (or none).
    Returns True when something changed."""
    unknown = set(changes) - set(MATTER_FIELDS)
    if unknown:
        raise ValueError(f"not matter fields: {unknown}")
    require_manage_org(actor, matter.org)
    if isinstance(changes.get("org"), Organization) and changes["org"] != matter.org:
        require_manage_org(actor, changes["org"])
    data = {f: getattr(matter, f) for f in MATTER_FIELDS} | changes
    if "study_meeting" not in changes and ("studied_on" in changes or "org" in changes):
        data["study_meeting"] = None  # found again by the (new) date
    data = _clean(data)
    _unique_number(data["number"], matter)
    before = matter.snapshot()
    for name, value in data.items():
        setattr(matter, name, value)
    old, new = changed_fields(before, matter.snapshot())
    if not new:
        return False
    matter.save()
    log_action(actor=actor, action="matter.update", obj=matter, org=matter.org, before=old, after=new)
    return True


def next_number(org, year):
    """A 事项编号 to offer: <组织编码>-<年度>-<nn>, the first not yet used."""
    prefix = f"{org.code}-{year}-"
    taken = set(Matter.objects.filter(number__startswith=prefix).values_list("number", flat=True))
    n = 1
    while f"{prefix}{n:02d}" in taken:
        n += 1
    return f"{prefix}{n:02d}"


# ---- the prior-study list (前置研究事项清单) ----

@transaction.atomic
def adopt_prior_study_list(*, actor, org, valid_from, title, items, note=""):
    """印发前置研究事项清单: a version of `org`'s list in force from `valid_from`. `items` is
    [(category, description, amount_floor or None)], one per category listed. A version with the same
    施行日期 is replaced (a correction: the audit keeps what it was). Returns the PriorStudyList."""
    _require_committee(org)
    require_manage_org(actor, org)
    valid_from = parse_date(valid_from, field="valid_from")
    if valid_from is None:
        raise DomainError("请填写施行日期", field="valid_from", code="REQUIRED")
    title, note = _text(title), _text(note)
    if not title:
        raise DomainError("请填写清单名称", field="title", code="REQUIRED")
    check_lengths(PriorStudyList, {"title": title, "note": note})
    rows, seen = [], set()
    for category, description, floor in items:
        code = category_code(category)
        description = _text(description)
        if code in seen:
            raise DomainError(f"{MatterCategory(code).label}在清单中重复", field="items", code="DUPLICATE")
        seen.add(code)
        if not description:
            raise DomainError(f"请填写{MatterCategory(code).label}包括的事项", field=f"{code}_description",
                              code="REQUIRED")
        check_lengths(PriorStudyItem, {"description": description})
        rows.append((code, description, to_wan(floor, field=f"{code}_floor", label="金额起点")))
    if not rows:
        raise DomainError("清单至少应列入一类事项", field="items", code="REQUIRED")
    existing = PriorStudyList.objects.filter(org=org, valid_from=valid_from).first()
    before = existing.snapshot() if existing else None
    if existing:
        existing.items.all().delete()
        existing.title, existing.note = title, note
        existing.save()
        version = existing
    else:
        version = PriorStudyList.objects.create(org=org, valid_from=valid_from, title=title, note=note)
    order = {c: i for i, c in enumerate(MatterCategory.values)}
    PriorStudyItem.objects.bulk_create(
        PriorStudyItem(list=version, category=c, description=d, amount_floor=f)
        for c, d, f in sorted(rows, key=lambda r: order[r[0]]))
    after = version.snapshot()
    if before == after:
        return version
    log_action(actor=actor, action="prior_study_list.update" if before else "prior_study_list.create", obj=version,
               org=org, before=before, after=after)
    return version


__all__ = ["record_matter", "update_matter", "next_number", "find_study_meeting", "adopt_prior_study_list",
           "category_code", "body_code", "to_wan", "MATTER_FIELDS", "STUDY_MEETING_TYPES"]
