"""Reading the register: a 党委's matters of a year with their status, and its prior-study list in force on a day.

What the list says of a matter (`list_entry`): the version in force on the 决策日期, the item of the matter's
category, and whether the matter reaches that item's 金额起点. It helps the party worker tell whether a matter
belongs in the register; SOE-03 judges every registered matter decided by the 董事会 or 经理层 whatever it says.
"""
from dataclasses import dataclass

from django.db.models import Prefetch

from .models import Matter, PriorStudyItem, PriorStudyList, StudyStatus

STATUS_ORDER = (StudyStatus.DONE, StudyStatus.MISSING, StudyStatus.LATE, StudyStatus.COMMITTEE)


def matters_of_year(org, year):
    """The matters `org` decided in `year`, by date."""
    return (Matter.objects.filter(org=org, decided_on__year=year).select_related("org", "study_meeting")
            .order_by("decided_on", "number"))


def status_counts(matters):
    """[(status, label, count)] in the page's order."""
    counts = {s: 0 for s in STATUS_ORDER}
    for m in matters:
        counts[m.study_status] += 1
    return [(s, StudyStatus(s).label, counts[s]) for s in STATUS_ORDER]


def list_versions(org):
    """Every version of `org`'s 前置研究事项清单 with its items, the latest first."""
    return list(PriorStudyList.objects.filter(org=org).order_by("-valid_from")
                .prefetch_related(Prefetch("items", PriorStudyItem.objects.order_by("id"))))


def version_in_force(versions, day):
    """The version in force on `day` (the latest with a 施行日期 on or before it), or None."""
    return next((v for v in versions if v.valid_from <= day), None)


@dataclass(frozen=True)
class ListEntry:
    version: object      # PriorStudyList or None (no list in force)
    item: object         # PriorStudyItem of the matter's category, or None
    listed: bool | None  # None: no list in force on the decision date
    note: str


def list_entry(matter, versions):
    """What the list in force on the matter's 决策日期 says of it."""
    version = version_in_force(versions, matter.decided_on)
    if version is None:
        return ListEntry(None, None, None, "未登记清单")
    item = next((i for i in version.items.all() if i.category == matter.category), None)
    if item is None:
        return ListEntry(version, None, False, f"清单未列{matter.get_category_display()}")
    floor = item.amount_floor
    if floor is not None and matter.amount is not None and matter.amount < floor:
        return ListEntry(version, item, False, f"低于清单金额起点{floor}万元")
    return ListEntry(version, item, True, "清单内事项")
