"""Helpers shared by the ledger tests: workbooks built in memory, snapshots of the data."""
import datetime
import io

from openpyxl import Workbook, load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.members.models import Member, MemberEvent
from dangjian.organizations.models import CommitteePost, Election, Organization, ParentLink

D = datetime.date

ORG_HEADER = ["组织编码", "组织名称", "组织类别", "上级组织编码", "成立日期"]
MEMBER_HEADER = ["身份证号", "姓名", "人员类别", "入党日期", "转正日期", "所属组织编码"]


def workbook(**sheets):
    """A .xlsx in memory: each keyword is a sheet name, its value the rows (the first row the header)."""
    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        ws = book.create_sheet(name)
        for row in rows:
            ws.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def read_back(data):
    return load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)


def counts():
    """Row counts of everything an import may write, audit entries included."""
    return {model.__name__: model.objects.count()
            for model in (Organization, ParentLink, Member, MemberEvent, CommitteePost, Election, AuditEntry)}


def _items(d):
    return tuple(sorted(d.items(), key=lambda kv: kv[0]))


def snapshot():
    """The data a round trip must reproduce, keyed by natural keys (never pks)."""
    def code(o):
        return o.code if o else None

    return {
        "orgs": sorted((_items(o.snapshot()), o.depth) for o in Organization.objects.select_related("parent")),
        "links": sorted((link.org.code, code(link.parent) or "", link.valid_from, link.note)
                        for link in ParentLink.objects.select_related("org", "parent")),
        "members": sorted((_items(m.snapshot()), code(m.org), m.stage, m.admitted_on, m.confirmed_on or D.min)
                          for m in Member.objects.select_related("org", "party_group")),
        "events": sorted((e.member.id_number, e.kind, e.date or D.min, code(e.org) or "", e.note)
                         for e in MemberEvent.objects.select_related("member", "org")),
        "posts": sorted(_items(p.snapshot() | {"id": p.member.id_number})
                        for p in CommitteePost.objects.select_related("org", "member")),
        "elections": sorted(_items(e.snapshot()) for e in Election.objects.select_related("org")),
    }
