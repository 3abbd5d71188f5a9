"""Row handlers: one function per sheet turns a parsed row into service calls and says what happened.

A handler returns ("created" | "updated" | "unchanged", line) or None (row skipped: an earlier error
already explains it), and raises DomainError for a refused row; the importer runs each call in its own
savepoint, so a refused row leaves no trace and the next row still gets checked.

History sheets (隶属关系, 党员变动) make a round trip into an empty database faithful: a new organisation
is founded under the parent of its first 隶属关系 row and then moved link by link; a new member is admitted
where their first 转接 came from and then transferred in date order. What the main sheet says (current
parent, current organisation, party group) is checked and completed after the history sheet."""
import datetime
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction

from dangjian.accounts.access import home_org, visible_members, visible_orgs
from dangjian.assistance import services as assistance
from dangjian.assistance.models import Project
from dangjian.core.errors import DomainError
from dangjian.core.masking import mask_id_number
from dangjian.dues import services as dues
from dangjian.dues.models import Payment, PaymentKind
from dangjian.education import services as education
from dangjian.education.models import Training
from dangjian.governance import services as governance
from dangjian.governance.models import Matter
from dangjian.meetings import services as meetings
from dangjian.meetings.models import Meeting, MeetingType, PartyHome
from dangjian.members import services as members
from dangjian.members.models import EventKind, Member, MemberEvent
from dangjian.organizations import services as orgs
from dangjian.organizations.models import CommitteePost, Election, Organization, ParentLink
from dangjian.recruitment import services as recruitment
from dangjian.recruitment.models import Case
from dangjian.recruitment.process import BY_NO as STEP_BY_NO
from dangjian.recruitment.queries import roster_effects
from dangjian.rectification import services as rectification
from dangjian.rectification.models import Problem

IMPORT_NOTE = "台账导入"


@dataclass
class Row:
    sheet: object             # the Sheet
    number: int               # the Excel row number (the header is row 1)
    values: dict              # field → parsed value (None for an empty cell)
    present: frozenset        # fields whose column is in the sheet (absent columns are left alone)

    def __getitem__(self, name):
        return self.values.get(name)

    @property
    def key(self):
        return tuple(self.values.get(f) for f in self.sheet.key)


@dataclass
class MemberPlan:
    """A member whose 党员 row waits for the 党员变动 sheet: confirmation to slot into the history, and
    the organisation and party group the 党员 row says to check or set at the end."""
    row: Row
    confirm_on: datetime.date | None
    group: Organization | None
    set_group: bool


@dataclass
class Context:
    actor: object
    result: object
    today: datetime.date
    rows: dict                                              # sheet name → parsed rows
    failed: dict = field(default_factory=dict)              # sheet name → keys of refused rows
    deferred_orgs: dict = field(default_factory=dict)       # code → 组织 row
    deferred_members: dict = field(default_factory=dict)    # id → MemberPlan
    _index: dict = field(default_factory=dict)

    # ---- lookups with messages that point at the real cause ----

    # Every code and ID is looked up within what the actor may see, so the importer is no window on
    # other subtrees: something that exists out of scope gets one message that names nothing of it.

    def existing_org(self, code, *, field="code", ancestors=False):
        """The organisation with `code` if the actor may see it (with `ancestors`: also the chain above
        the actor's own organisation, a parent every subtree names); None if there is none at all."""
        found = visible_orgs(self.actor).filter(code=code).first()
        if found is None and ancestors and self.actor is not None:
            home = home_org(self.actor)
            found = next((o for o in (home.ancestors() if home else ()) if o.code == code), None)
        if found is None and Organization.objects.filter(code=code).exists():
            raise DomainError(f"组织编码“{code}”不在您的管理范围内", field=field, code="FORBIDDEN")
        return found

    def org(self, code, *, field):
        found = self.existing_org(code, field=field, ancestors=field == "parent")
        if found:
            return found
        if (code,) in self.failed.get("组织", ()):
            raise DomainError(f"组织编码“{code}”在“组织”表中的行有错误，未能导入", field=field, code="ORG_NOT_FOUND")
        return members.find_org(code, field=field)

    def optional_org(self, code, *, field):
        return self.org(code, field=field) if code else None

    def existing_member(self, id_number, *, field="id_number"):
        found = visible_members(self.actor).filter(id_number=id_number).first()
        if found is None and Member.objects.filter(id_number=id_number).exists():
            raise DomainError(f"身份证号{mask_id_number(id_number)}的党员不在您的管理范围内", field=field,
                              code="FORBIDDEN")
        return found

    def member(self, id_number, *, field="member"):
        found = self.existing_member(id_number, field=field)
        if found:
            return found
        if (id_number,) in self.failed.get("党员", ()):
            raise DomainError("该党员在“党员”表中的行有错误，未能导入", field=field, code="MEMBER_NOT_FOUND")
        raise DomainError(f"身份证号{mask_id_number(id_number)}不在党员名册中，请先在“党员”表中填写", field=field,
                          code="MEMBER_NOT_FOUND")

    def history(self, sheet, key_field, key):
        """The rows of a history sheet about one organisation or person (refused rows left out)."""
        index = self._index.get((sheet, key_field))
        if index is None:
            index = self._index[(sheet, key_field)] = {}
            for r in self.rows.get(sheet, ()):
                index.setdefault(r[key_field], []).append(r)
        failed = self.failed.get(sheet, ())
        return [r for r in index.get(key, ()) if r.key not in failed]

    def error_on(self, row, error):
        self.result.error(row.sheet.name, row.number, row.sheet.column_for(error.field), error.code, error.message)


def by_date(name):
    """Process rows in date order (history is replayed as it happened); ties keep the sheet's order."""
    def order(rows, ctx):
        return sorted(rows, key=lambda r: (r[name] or datetime.date.min, r.number))
    return order


def parents_first(rows, ctx):
    """Rows of 组织 whose parent is further down the sheet still work: each row comes after the rows of
    the organisations it will sit under (current parent and founding parent)."""
    by_code = {r["code"]: r for r in rows}
    done, ordered = set(), []

    def visit(row, trail):
        if row.number in done or row.number in trail:
            return  # a cycle is left to the services to refuse
        trail.add(row.number)
        for code in _parent_codes(ctx, row):
            if code in by_code:
                visit(by_code[code], trail)
        done.add(row.number)
        ordered.append(row)

    for row in rows:
        visit(row, set())
    return ordered


def _parent_codes(ctx, row):
    links = ctx.history("隶属关系", "code", row["code"])
    return {row["parent"]} | {link["parent"] for link in links}


# ---- 组织 ----

def _org_fields(row):
    values = {f: row[f] for f in orgs.ORG_FIELDS if f in row.present}
    for name in ("has_discipline_committee", "has_party_office"):
        if name in values:
            values[name] = bool(values[name])
    if "unit_name" in values:
        values["unit_name"] = values["unit_name"] or ""
    return values


def _new_links(ctx, code):
    """隶属关系 rows for `code` that are not yet in the database (moves still to come)."""
    links = ctx.history("隶属关系", "code", code)
    return [r for r in links if not ParentLink.objects.filter(org__code=code, valid_from=r["valid_from"]).exists()]


def organization_row(ctx, row):
    code, parent_code = row["code"], row["parent"]
    org = ctx.existing_org(code)
    if org is None:
        links = sorted(ctx.history("隶属关系", "code", code), key=lambda r: r["valid_from"])
        founding_code = links[0]["parent"] if links else parent_code
        founding = ctx.optional_org(founding_code, field="parent")
        org = orgs.create_organization(actor=ctx.actor, code=code, parent=founding, **_org_fields(row))
        if links:
            ctx.deferred_orgs[code] = row  # the moves of 隶属关系 must end where this row says
        return "created", f"新建组织 {code} {org.name}"
    changed = orgs.update_organization(org, actor=ctx.actor, **_org_fields(row))
    current = org.parent.code if org.parent_id else None
    if _new_links(ctx, code):
        ctx.deferred_orgs[code] = row
    elif "parent" in row.present and current != parent_code:
        # A new parent without a dated 隶属关系 row: the move is dated on the import day.
        orgs.move_organization(org, actor=ctx.actor, new_parent=ctx.optional_org(parent_code, field="parent"),
                               moved_on=ctx.today, note=IMPORT_NOTE)
        changed = True
    return ("updated", f"修改组织 {code} {org.name}") if changed else ("unchanged", "")


# ---- 隶属关系 ----

def link_row(ctx, row):
    org = ctx.org(row["code"], field="code")
    parent = ctx.optional_org(row["parent"], field="parent")
    existing = ParentLink.objects.filter(org=org, valid_from=row["valid_from"]).first()
    if existing:
        if existing.parent_id != (parent.pk if parent else None):
            was = existing.parent.code if existing.parent_id else "无（根组织）"
            raise DomainError(f"该组织在{row['valid_from']}已登记的上级组织是{was}，与本行不一致；已登记的隶属关系不能通过导入修改",
                              field="parent", code="LINK_CONFLICT")
        return "unchanged", ""
    orgs.move_organization(org, actor=ctx.actor, new_parent=parent, moved_on=row["valid_from"], note=row["note"] or "")
    return "created", f"调整隶属关系 {org.code} → {parent.code if parent else '根'}（{row['valid_from']}）"


def finish_links(ctx):
    """After the history: an organisation's parent must be what its 组织 row says."""
    for code, row in ctx.deferred_orgs.items():
        org = Organization.objects.filter(code=code).select_related("parent").first()
        current = org.parent.code if org and org.parent_id else None
        if org and current != row["parent"]:
            ctx.result.error(row.sheet.name, row.number, "上级组织编码", "ORG_PARENT_MISMATCH",
                             f"上级组织编码{row['parent'] or '（空）'}与“隶属关系”表的最后一行（{current or '根组织'}）不一致")
    ctx.deferred_orgs.clear()


# ---- 党员 ----

MEMBER_ATTRS = ("name", "sex", "ethnicity", "birth_date", "education", "post_category", "is_leading_cadre",
                "dues_category", "dues_reduced", "phone")


def _member_attrs(row):
    values = {}
    for name in MEMBER_ATTRS:
        if name not in row.present:
            continue
        value = row[name]
        if name in ("is_leading_cadre", "dues_reduced"):
            value = bool(value)
        elif name in ("sex", "birth_date"):
            if value is None:
                continue  # derived from the ID
        elif name == "dues_category":
            value = value or "employed"
        elif value is None:
            value = ""
        values[name] = value
    return values


def _new_events(ctx, id_number):
    rows = ctx.history("党员变动", "id_number", id_number)
    return [r for r in rows if not MemberEvent.objects.filter(member__id_number=id_number, kind=r["kind"],
                                                               date=r["date"]).exists()]


def _check_category(row):
    if row["category"] == "probationary" and row["confirmed_on"]:
        raise DomainError("人员类别为预备党员，不应填写转正日期", field="confirmed_on", code="MEMBER_CATEGORY")


def member_row(ctx, row):
    _check_category(row)
    id_number, full = row["id_number"], row["category"] == "full"
    org = ctx.org(row["org"], field="org")
    group = ctx.optional_org(row["party_group"], field="party_group")
    member = ctx.existing_member(id_number)
    pending = _new_events(ctx, id_number)
    if member is None:
        return _create_member(ctx, row, org, group, full, pending)
    changed = False
    if _dates_differ(member, row, full):  # the service re-checks the whole history: only call it for a change
        changed = members.correct_membership_dates(member, actor=ctx.actor, admitted_on=row["admitted_on"],
                                                   confirmed_on=row["confirmed_on"], full_member=full)
    attrs = _member_attrs(row)
    if any(r["kind"] == EventKind.TRANSFERRED for r in pending):
        # The 转接 rows of 党员变动 must end where this row says: checked after that sheet.
        ctx.deferred_members[id_number] = MemberPlan(row, None, group, "party_group" in row.present)
    elif member.org_id != org.pk:
        # A new organisation without a dated 转接 row: the transfer is dated on the import day.
        members.transfer_member(member, actor=ctx.actor, to_org=org, transferred_on=ctx.today, note=IMPORT_NOTE)
        member.refresh_from_db()
        changed = True
    if "party_group" in row.present and id_number not in ctx.deferred_members:
        attrs["party_group"] = group
    changed = members.update_member(member, actor=ctx.actor, **attrs) or changed
    label = f"{member.name}（{mask_id_number(id_number)}）"
    return ("updated", f"修改党员 {label}") if changed else ("unchanged", "")


def _dates_differ(member, row, full):
    confirmed = member.events.filter(kind=EventKind.CONFIRMED).exists()
    return (member.admitted_on, member.confirmed_on, confirmed) != (row["admitted_on"], row["confirmed_on"], full)


def _create_member(ctx, row, org, group, full, pending):
    transfers = [r for r in pending if r["kind"] == EventKind.TRANSFERRED]
    first_org = ctx.org(transfers[0]["from_org"], field="org") if transfers and transfers[0]["from_org"] else org
    # With history to replay, the confirmation waits for its place among the events (they must be in order).
    defer_confirm = bool(pending) and row["confirmed_on"] is not None
    member = members.create_member(
        actor=ctx.actor, id_number=row["id_number"], org=first_org, admitted_on=row["admitted_on"],
        confirmed_on=None if defer_confirm else row["confirmed_on"], full_member=full and not defer_confirm,
        party_group=None if pending else group, **_member_attrs(row))
    if pending:
        ctx.deferred_members[row["id_number"]] = MemberPlan(
            row, row["confirmed_on"] if defer_confirm else None, group, "party_group" in row.present)
    return "created", f"新建党员 {member.name}（{mask_id_number(member.id_number)}）"


# ---- 党员变动 ----

def _confirm_due(ctx, member, upto):
    """Slot a deferred confirmation in before the first event dated on or after it."""
    plan = ctx.deferred_members.get(member.id_number)
    if plan is None or plan.confirm_on is None or (upto is not None and plan.confirm_on > upto):
        return
    day, plan.confirm_on = plan.confirm_on, None
    try:
        with transaction.atomic():
            members.confirm_member(member, actor=ctx.actor, confirmed_on=day)
    except DomainError as error:
        ctx.result.error(plan.row.sheet.name, plan.row.number, "转正日期", error.code, error.message)
    member.refresh_from_db()


def event_row(ctx, row):
    if (row["id_number"],) in ctx.failed.get("党员", ()):
        return None  # the 党员 row's error already explains it
    member = ctx.member(row["id_number"])
    _confirm_due(ctx, member, row["date"])
    kind, day = row["kind"], row["date"]
    existing = member.events.filter(kind=kind, date=day).select_related("org").first() if day else None
    if existing:
        if kind == EventKind.TRANSFERRED and existing.org and existing.org.code != row["org"]:
            raise DomainError(f"{day}已登记转入{existing.org.code}，与本行不一致；已登记的转接不能通过导入修改",
                              field="org", code="EVENT_CONFLICT")
        return "unchanged", ""
    _add_event(ctx, member, row)
    label = dict(EventKind.choices)[kind]
    return "created", f"{label} {member.name}（{mask_id_number(member.id_number)}）{day or ''}"


def _add_event(ctx, member, row):
    kind, day, note = row["kind"], row["date"], row["note"] or ""
    if kind == EventKind.TRANSFERRED:
        if not row["org"]:
            raise DomainError("转接须填写转入的组织编码", field="org", code="REQUIRED")
        to_org = ctx.org(row["org"], field="org")
        if row["from_org"] and row["from_org"] != member.org.code:
            raise DomainError(f"转出组织编码{row['from_org']}与该党员当时的所属组织{member.org.code}不一致",
                              field="from_org", code="EVENT_FROM_MISMATCH")
        members.transfer_member(member, actor=ctx.actor, to_org=to_org, transferred_on=day, note=note)
    elif kind == EventKind.SUSPENDED:
        members.suspend_member(member, actor=ctx.actor, suspended_on=day, note=note)
    elif kind == EventKind.RESTORED:
        members.restore_member(member, actor=ctx.actor, restored_on=day, note=note)
    else:
        members.record_exit(member, actor=ctx.actor, kind=kind, exited_on=day, note=note)


def finish_events(ctx):
    """After the history: pending confirmations, then the 党员 row's organisation and party group."""
    for id_number, plan in list(ctx.deferred_members.items()):
        member = Member.objects.filter(id_number=id_number).first()
        if member is None:
            continue
        _confirm_due(ctx, member, None)
        row = plan.row
        if member.org.code != row["org"]:
            ctx.result.error(row.sheet.name, row.number, "所属组织编码", "MEMBER_ORG_MISMATCH",
                             f"所属组织编码{row['org']}与“党员变动”表最后一次转接后的组织{member.org.code}不一致")
            continue
        if plan.set_group and plan.group != member.party_group:
            try:
                with transaction.atomic():
                    members.update_member(member, actor=ctx.actor, party_group=plan.group)
            except DomainError as error:
                ctx.error_on(row, error)
    ctx.deferred_members.clear()


# ---- 班子 ----

def post_row(ctx, row):
    org = ctx.org(row["org"], field="org")
    member = ctx.member(row["id_number"])
    changes = {f: row[f] for f in ("ended_on", "admin_post", "full_time") if f in row.present}
    if "admin_post" in changes:
        changes["admin_post"] = changes["admin_post"] or ""
    if "full_time" in changes:
        changes["full_time"] = bool(changes["full_time"])
    record = CommitteePost.objects.filter(org=org, member=member, post=row["post"],
                                          started_on=row["started_on"]).first()
    label = f"{org.code} {dict(orgs.Post.choices)[row['post']]} {member.name}"
    if record is None:
        orgs.create_post(actor=ctx.actor, org=org, member=member, post=row["post"], started_on=row["started_on"],
                         **changes)
        return "created", f"任职 {label}（{row['started_on']}）"
    if orgs.update_post(record, actor=ctx.actor, **changes):
        return "updated", f"修改任职 {label}"
    return "unchanged", ""


# ---- 换届 ----

def election_row(ctx, row):
    org = ctx.org(row["org"], field="org")
    values = {f: row[f] for f in orgs.ELECTION_FIELDS if f in row.present}
    election = Election.objects.filter(org=org, held_on=row["held_on"]).first()
    # History: an election breaking ELE-02 or ELE-05 is recorded as it happened (finish_elections reports it).
    if election is None:
        orgs.record_election(actor=ctx.actor, org=org, held_on=row["held_on"], history=True, **values)
        return "created", f"登记换届 {org.code}（{row['held_on']}）"
    if orgs.update_election(election, actor=ctx.actor, history=True, **values):
        return "updated", f"修改换届 {org.code}（{row['held_on']}）"
    return "unchanged", ""


# The column of the 换届 row an ELE-* finding is about.
ELECTION_FINDING_COLUMNS = {"ELE-02": "candidates", "ELE-05": "present"}


def finish_elections(ctx):
    """An election breaking ELE-02 or ELE-05 is imported as it happened, not refused; the import reports it
    on its row, in the rule's own words (the rule objects' `problem`), whatever the election's year."""
    from dangjian.rules.engine import all_rules

    failed = ctx.failed.get("换届", ())
    rows = [r for r in ctx.rows.get("换届", ()) if r.key not in failed]
    if not rows:
        return
    rules = [r for r in all_rules() if r.id in ELECTION_FINDING_COLUMNS]
    stored = Election.objects.filter(org__code__in={r["org"] for r in rows}).select_related("org")
    by_key = {(e.org.code, e.held_on): e for e in stored}
    for row in rows:
        election = by_key.get((row["org"], row["held_on"]))
        if election is None:
            continue
        for rule in rules:
            message = rule.problem(election)
            if message:
                ctx.result.warn(row.sheet.name, row.number, row.sheet.column_for(ELECTION_FINDING_COLUMNS[rule.id]),
                                rule.id, f"已按台账原样导入；{rule.id}：{message}（{rule.source}）")


# ---- 组织生活 ----

def _person(ctx, row, name):
    return ctx.member(row[name], field=name) if row[name] else None


def _check_vote_cells(row):
    if row["matter"] and row["yes"] is None:
        raise DomainError("填写了表决事项，须同时填写赞成票", field="yes", code="REQUIRED")
    if row["yes"] is not None and not row["matter"]:
        raise DomainError("填写了赞成票，须同时填写表决事项", field="matter", code="REQUIRED")


def _find_meeting(org, row):
    """The meeting with the row's key; its types compared as a set (the cell's order does not matter)."""
    candidates = (Meeting.objects.filter(org=org, held_on=row["held_on"], subject=row["subject"])
                  .prefetch_related("kinds").order_by("id"))
    return next((m for m in candidates if set(m.types) == set(row["types"])), None)


def _meeting_label(org, row):
    types = "、".join(MeetingType(t).label for t in MeetingType.values if t in row["types"])
    return f"{org.code} {row['held_on']} {types} {row['subject']}"


def meeting_row(ctx, row):
    _check_vote_cells(row)
    org = ctx.org(row["org"], field="org")
    chair, lecturer = _person(ctx, row, "chair"), _person(ctx, row, "lecturer")
    attendees = [ctx.member(i, field="attendance") for i in row["attendance"] or ()]
    meeting = _find_meeting(org, row)
    if meeting is None:
        meeting = meetings.record_meeting(
            actor=ctx.actor, org=org, held_on=row["held_on"], subject=row["subject"], types=row["types"],
            expected=row["expected"], present=row["present"], chair=chair, lecturer=lecturer,
            topics=row["topics"] or (), location=row["location"] or "", minutes=row["minutes"] or "",
            attendance=[(m, True, "") for m in attendees] or None)
        if row["matter"]:
            # The service computes the result: a vote without quorum or majority is recorded as such.
            meetings.record_vote(meeting, actor=ctx.actor, matter=row["matter"], yes=row["yes"])
        return "created", f"登记组织生活 {_meeting_label(org, row)}"
    changes = {"types": row["types"], "expected": row["expected"], "present": row["present"]}
    if "chair" in row.present:
        changes["chair"] = chair
    if "lecturer" in row.present:
        changes["lecturer"] = lecturer
    if "topics" in row.present:
        changes["topics"] = row["topics"] or ()
    for name in ("location", "minutes"):
        if name in row.present:
            changes[name] = row[name] or ""
    attendance = _attendance_change(meeting, attendees) if "attendance" in row.present else None
    if _update_meeting(ctx, meeting, row, changes, attendance):
        return "updated", f"修改组织生活 {_meeting_label(org, row)}"
    return "unchanged", ""


def _attendance_change(meeting, attendees):
    """The `attendance` argument of update_meeting for the row's 出席人身份证号: None when the people
    recorded as present are those listed (absences recorded on the pages stay as they are); [] for an
    empty cell (back to head counts only); otherwise the listed people, plus the recorded absences of
    people not listed."""
    recorded = list(meeting.attendance.select_related("member"))
    came = {a.member_id for a in recorded if a.attended}
    listed = [m.pk for m in attendees]
    if set(listed) == came and len(listed) == len(came):  # a repeated ID is left to the service to refuse
        return None
    if not attendees:
        return []
    return [(m, True, "") for m in attendees] + [
        (a.member, False, a.absence_reason) for a in recorded if not a.attended and a.member_id not in set(listed)]


def _update_meeting(ctx, meeting, row, changes, attendance):
    """Correct the meeting and its vote; True when anything changed.

    The ledger holds one vote per meeting (表决事项 + 赞成票). With the column present: a value updates the
    vote with that matter (or the meeting's only vote, whose matter is then corrected) or records a new
    one; an empty cell removes the meeting's only vote. Several votes (recorded on the pages) are left as
    they are but for the one the row names. The vote's voters are the services': counted from the
    attendance list, or following the head counts when they did before."""
    changed, target, matter = False, None, row["matter"]
    if "matter" in row.present:
        votes = list(meeting.votes.order_by("id"))
        if matter:
            target = next((v for v in votes if v.matter == matter), votes[0] if len(votes) == 1 else None)
        elif len(votes) == 1:
            # Before the head counts change: the vote would be re-counted with them.
            meetings.delete_vote(votes[0], actor=ctx.actor)
            changed = True
    tally = {"matter": matter, "yes": row["yes"]}
    follows = target is not None and not meeting.attendance.exists() and \
        (target.expected_voters, target.present_voters) == (meeting.expected, meeting.present)
    if target is not None and row["yes"] + (target.no or 0) + (target.abstain or 0) <= target.present_voters:
        # The new tally first when it fits the voters recorded: lower head counts then re-count it.
        changed = meetings.update_vote(target, actor=ctx.actor, **tally) or changed
    changed = meetings.update_meeting(meeting, actor=ctx.actor, attendance=attendance, **changes) or changed
    if target is not None:
        target.refresh_from_db()
        voters = {}
        if follows and not meeting.attendance.exists():
            voters = {"expected_voters": meeting.expected, "present_voters": meeting.present}
        changed = meetings.update_vote(target, actor=ctx.actor, **tally, **voters) or changed
    elif matter:
        meetings.record_vote(meeting, actor=ctx.actor, matter=matter, yes=row["yes"])
        changed = True
    return changed


# ---- 党员之家 ----

def party_home_row(ctx, row):
    org = ctx.org(row["org"], field="org")
    values = {f: row[f] for f in ("opened_on", "facilities") if f in row.present}
    if "facilities" in values:
        values["facilities"] = sorted(values["facilities"] or ())  # the service puts them in Facility order
    home = PartyHome.objects.filter(org=org, name=row["name"]).first()
    if home is None:
        meetings.create_party_home(actor=ctx.actor, org=org, name=row["name"], **values)
        return "created", f"新建党员之家 {org.code} {row['name']}"
    if meetings.update_party_home(home, actor=ctx.actor, **values):
        return "updated", f"修改党员之家 {org.code} {row['name']}"
    return "unchanged", ""


# ---- 发展党员 ----

@dataclass(frozen=True)
class StepColumns:
    """Where one step of a case sits in the wide 发展党员 row: the column with its date, the columns with
    what it records (service field → row field), and for 5 and 9 the column of the people (the step is in
    the row when it names people; its date is the date column's, 确定积极分子日期 / 确定发展对象日期)."""

    no: int
    date: str
    fields: tuple = ()        # ((service field, row field), ...)
    people: str = ""

    def row_field(self, service_field):
        """The row field a service's DomainError.field is about (its column for the message): the date
        column for the step itself and its date."""
        if service_field == "people" and self.people:
            return self.people
        return dict(self.fields).get(service_field, self.date)


def _vote(prefix):
    return (("expected", f"{prefix}_expected"), ("present", f"{prefix}_present"), ("yes", f"{prefix}_yes"))


# The steps of the 发展党员 row in the order of the columns; 23 and 24 twice: the latest 转正 decision
# (LEDGER.md's columns) and the one before it (the project's 前次… columns, e.g. an extension).
CASE_STEPS = (
    StepColumns(1, "applied_on"),
    StepColumns(2, "talk_on"),
    StepColumns(3, "activist_on"),
    StepColumns(5, "activist_on", people="contacts"),
    StepColumns(7, "candidate_on"),
    StepColumns(9, "candidate_on", people="sponsors"),
    StepColumns(10, "review_on", (("conclusion", "review_result"),)),
    StepColumns(11, "training_from", (("ended_on", "training_to"), ("hours", "training_hours"))),
    StepColumns(12, "committee_review_on"),
    StepColumns(13, "prereview_on"),
    StepColumns(15, "admission_on", _vote("admission")),
    StepColumns(16, "higher_talk_on"),
    StepColumns(17, "approval_on"),
    StepColumns(20, "oath_on"),
    StepColumns(22, "confirmation_applied_on"),
    StepColumns(23, "prev_meeting_on", _vote("prev") + (("conclusion", "prev_result"), ("months", "prev_months"))),
    StepColumns(24, "prev_approval_on"),
    StepColumns(23, "confirmation_meeting_on",
                _vote("confirmation") + (("conclusion", "confirmation_result"), ("months", "extension_months"))),
    StepColumns(24, "confirmation_approval_on"),
)
PEOPLE_FIELDS = tuple(s.people for s in CASE_STEPS if s.people)
LATEST_DECISION = (CASE_STEPS[-2], CASE_STEPS[-1])
EARLIER_DECISION = (CASE_STEPS[-4], CASE_STEPS[-3])


@contextmanager
def _about(spec):
    """A service's refusal of a step points at that step's column of the wide row."""
    try:
        yield
    except DomainError as error:
        if error.field is not None:
            error.field = spec.row_field(error.field)
        raise


def people_first(rows, ctx):
    """A row naming (as 培养联系人 or 入党介绍人) someone admitted by another row of the sheet comes after it."""
    by_id = {r["id_number"]: r for r in rows}
    done, ordered = set(), []

    def visit(row, trail):
        if row.number in done or row.number in trail:
            return
        trail.add(row.number)
        for name in PEOPLE_FIELDS:
            for id_number in row[name] or ():
                if id_number in by_id:
                    visit(by_id[id_number], trail)
        done.add(row.number)
        ordered.append(row)

    for row in rows:
        visit(row, set())
    return ordered


def _roster_member(ctx, id_number, *, field):
    """A member named by 身份证号: in the database (in scope), or admitted by a row of 党员 or 发展党员
    earlier in this import; a refused row of either sheet is named as the cause."""
    if not ctx.existing_member(id_number, field=field) and (id_number,) in ctx.failed.get("发展党员", ()):
        raise DomainError("该党员在“发展党员”表中的行有错误，未能导入", field=field, code="MEMBER_NOT_FOUND")
    return ctx.member(id_number, field=field)


def _existing_case(ctx, id_number):
    found = Case.objects.filter(id_number=id_number, org__in=visible_orgs(ctx.actor)).select_related("org").first()
    if found is None and Case.objects.filter(id_number=id_number).exists():
        raise DomainError(f"身份证号{mask_id_number(id_number)}的发展党员记录不在您的管理范围内", field="id_number",
                          code="FORBIDDEN")
    return found


def _steps_in_row(row):
    """[(spec, values)] of the steps the row holds; values are the service's arguments: the date, and what
    the step records for each of its columns present in the sheet (an empty cell: empty). A step is in
    the row when its date (for 5 and 9: its people) is filled; an empty cell leaves a recorded step as it is."""
    found = []
    for spec in CASE_STEPS:
        if spec.people:
            if not row[spec.people]:
                continue
        elif row[spec.date] is None:
            given = next((f for _, f in spec.fields if row[f] is not None), None)
            if given:
                raise DomainError(f"填写了{row.sheet.column_for(given)}，须同时填写{row.sheet.column_for(spec.date)}",
                                  field=spec.date, code="REQUIRED")
            continue
        values = {"date": row[spec.date]}
        for service_field, row_field in spec.fields:
            if row_field in row.present:
                value = row[row_field]
                values[service_field] = (value or "") if service_field == "conclusion" else value
        found.append((spec, values))
    return found


def _match_step(records, spec, values, used):
    """The recorded step a row's step is: by step number; a repeatable one (23, 24) also by date."""
    for record in records:
        if record.step == spec.no and record.pk not in used and (
                not STEP_BY_NO[spec.no].repeatable or record.date == values["date"]):
            return record
    return None


def _step_changes(spec, record, values):
    """What differs between a recorded step and the row (the date of 5 and 9 is not the row's: kept)."""
    changes = {}
    for name, value in values.items():
        if name == "date" and spec.people:
            continue
        if name == "people":
            if sorted(m.pk for m in value) != sorted(m.pk for m in record.people.all()):
                changes[name] = value
        elif value != getattr(record, name):
            changes[name] = value
    return changes


def _apply_case_steps(ctx, row, case, new):
    """Record or correct the row's steps in date order (history mode: a step out of order or breaking a
    rule is kept, and `dangjian check` reports it). True when anything changed."""
    records = list(case.steps.prefetch_related("people"))
    plan, used = [], set()
    for spec, values in _steps_in_row(row):
        if new and spec.no == 1:
            continue  # open_case recorded it
        if spec.people:
            values["people"] = [_roster_member(ctx, i, field=spec.people) for i in row[spec.people]]
        record = _match_step(records, spec, values, used)
        if record is not None:
            used.add(record.pk)
        day = record.date if record is not None and spec.people else values["date"]
        if day is None:
            raise DomainError(f"填写了{row.sheet.column_for(spec.people)}，须同时填写{row.sheet.column_for(spec.date)}",
                              field=spec.date, code="REQUIRED")
        plan.append((day, spec.no, spec, values, record))
    changed = False
    for _, _, spec, values, record in sorted(plan, key=lambda item: item[:2]):
        with _about(spec):
            if record is None:
                recruitment.record_step(case, actor=ctx.actor, step=spec.no, history=True, **values)
                changed = True
                continue
            changes = _step_changes(spec, record, values)
            if changes:
                changed = recruitment.update_step(record, actor=ctx.actor, history=True, **changes) or changed
    return changed


def _discontinue(ctx, row, case):
    day, reason = row["discontinued_on"], row["discontinued_reason"]
    if day is None:
        if reason:
            raise DomainError("填写了终止原因，须同时填写终止培养日期", field="discontinued_on", code="REQUIRED")
        return False  # an empty cell never reopens a case
    if case.discontinued_on is None:
        recruitment.discontinue_case(case, actor=ctx.actor, on=day, reason=reason)
        return True
    if case.discontinued_on != day or ("discontinued_reason" in row.present and case.discontinued_reason != reason):
        raise DomainError(f"已登记于{case.discontinued_on}终止培养（{case.discontinued_reason}），与本行不一致；"
                          f"已登记的终止培养不能通过导入修改", field="discontinued_on", code="CASE_CONFLICT")
    return False


def _check_member_row(ctx, row, case):
    """A person in 发展党员 and in 党员: the 党员 row must say what the case's steps call for (入党日期 =
    支部大会日期; 正式党员 with the 转正日期 of an approved 按期转正; not 正式党员 after a cancellation)."""
    rows = ctx.history("党员", "id_number", row["id_number"])
    if not rows:
        return
    other = rows[0]
    roster = roster_effects(list(case.steps.all()))
    where = f"与“党员”表第{other.number}行"
    full = other["category"] == "full"
    if roster.admitted_on and roster.admitted_on != other["admitted_on"]:
        raise DomainError(f"支部大会日期{roster.admitted_on}{where}的入党日期{other['admitted_on']}不一致",
                          field="admission_on", code="MEMBER_MISMATCH")
    if roster.confirmed_on and (not full or other["confirmed_on"] != roster.confirmed_on):
        said = f"正式党员（转正日期{other['confirmed_on'] or '未填'}）" if full else "预备党员"
        raise DomainError(f"按期转正（预备期满{roster.confirmed_on}）{where}的{said}不一致", field="confirmation_approval_on",
                          code="MEMBER_MISMATCH")
    if roster.cancelled_on and full:
        raise DomainError(f"已取消预备党员资格（{roster.cancelled_on}），{where}的正式党员不一致",
                          field="confirmation_approval_on", code="MEMBER_MISMATCH")


def case_row(ctx, row):
    id_number = row["id_number"]
    members.check_identity(id_number, birth_date=row["birth_date"], sex=row["sex"])
    org = ctx.org(row["org"], field="org")
    case = _existing_case(ctx, id_number)
    label = f"{row['name']}（{mask_id_number(id_number)}）"
    new = case is None
    if new:
        case = recruitment.open_case(actor=ctx.actor, id_number=id_number, name=row["name"], org=org,
                                     applied_on=row["applied_on"], sex=row["sex"], birth_date=row["birth_date"],
                                     history=True)
    else:
        for name, was, now in (("name", case.name, row["name"]), ("org", case.org.code, org.code)):
            if was != now:
                header = row.sheet.column_for(name)
                raise DomainError(f"已登记的发展党员记录{header}为“{was}”，与本行不一致；{header}不能通过导入修改",
                                  field=name, code="CASE_CONFLICT")
    changed = _apply_case_steps(ctx, row, case, new)
    changed = _discontinue(ctx, row, case) or changed
    _check_member_row(ctx, row, case)
    if new:
        return "created", f"新建发展党员 {label}"
    return ("updated", f"修改发展党员 {label}") if changed else ("unchanged", "")


# The column of the 发展党员 row a DEV-* finding is about (DEV-ORDER: the date column of the step found
# out of order, the finding's date).
FINDING_COLUMNS = {"DEV-01": "applied_on", "DEV-02": "talk_on", "DEV-04": "contacts", "DEV-06": "candidate_on",
                   "DEV-07": "sponsors", "DEV-08": "review_result", "DEV-09": "training_hours",
                   "DEV-12": "admission_yes", "DEV-14": "approval_on", "DEV-15": "confirmation_meeting_on",
                   "DEV-17": "extension_months", "DEV-18": "confirmation_approval_on", "DEV-20": "confirmation_yes"}


def finish_cases(ctx):
    """A row out of order or breaking a rule is imported as it happened, not refused; the import reports
    it on its row with what `dangjian check` (as of today) finds about the case: one warning per DEV-*
    finding, its code the rule id."""
    from dangjian.rules.engine import Window, all_rules, run_checks

    failed = ctx.failed.get("发展党员", ())
    rows = {r["id_number"]: r for r in ctx.rows.get("发展党员", ()) if r.key not in failed}
    if not rows:
        return
    rules = [r.id for r in all_rules() if r.id.startswith("DEV-")]
    found = [(rows[f.person], f) for f in run_checks(window=Window(ctx.today), rules=rules) if f.person in rows]
    for row, finding in sorted(found, key=lambda pair: pair[0].number):  # by row, then in the check's order
        field = FINDING_COLUMNS.get(finding.rule) or next(
            (spec.date for spec in CASE_STEPS if not spec.people and row[spec.date] == finding.date), "id_number")
        ctx.result.warn(row.sheet.name, row.number, row.sheet.column_for(field), finding.rule,
                        f"已按台账原样导入；{finding.rule}：{finding.message}（{finding.source}）")


# ---- 党费 ----

def dues_row(ctx, row):
    member = _roster_member(ctx, row["id_number"], field="member")
    month, changed = row["month"], False
    label = f"{member.name}（{mask_id_number(member.id_number)}）{dues.month_label(month)}"
    if row["base"] is not None:
        # Declared only when it is not the base already in force: a constant base is one declaration.
        current = dues.base_on(member, month)
        if current is None or current.base != row["base"]:
            _, changed = dues.declare_base(member, actor=ctx.actor, month=month, base=row["base"])
    payment = Payment.objects.filter(member=member, month=month, kind=PaymentKind.REGULAR).first()
    if payment is None:
        # History: a back-payment beyond the limit is recorded as it happened (DUES-11 reports it).
        dues.record_payment(member, actor=ctx.actor, month=month, amount=row["amount"], paid_on=row["paid_on"],
                            history=True)
        return "created", f"登记党费 {label}"
    changes = {"amount": row["amount"]}
    if "paid_on" in row.present:
        changes["paid_on"] = row["paid_on"]
    if any(getattr(payment, name) != value for name, value in changes.items()):
        changed = dues.update_payment(payment, actor=ctx.actor, history=True, **changes) or changed
    return ("updated", f"修改党费 {label}") if changed else ("unchanged", "")


# ---- 培训 ----

def training_row(ctx, row):
    member = _roster_member(ctx, row["id_number"], field="member")
    label = f"{member.name}（{mask_id_number(member.id_number)}）{row['held_on']}“{row['subject']}”"
    training = Training.objects.filter(member=member, held_on=row["held_on"], subject=row["subject"]).first()
    if training is None:
        education.record_training(member, actor=ctx.actor, held_on=row["held_on"], subject=row["subject"],
                                  hours=row["hours"], kind=row["kind"] or "")
        return "created", f"登记学习培训 {label}"
    changes = {"hours": row["hours"]}
    if "kind" in row.present:
        changes["kind"] = row["kind"] or ""
    changed = education.update_training(training, actor=ctx.actor, **changes)
    return ("updated", f"修改学习培训 {label}") if changed else ("unchanged", "")


# ---- 帮扶 ----

PROJECT_COLUMNS = ("org", "target", "kind", "name", "started_on", "ended_on", "invested", "annual_return", "member",
                   "results")


def assistance_row(ctx, row):
    values = {name: row[name] for name in PROJECT_COLUMNS if name in row.present}
    values["org"] = ctx.org(row["org"], field="org")
    if "member" in values:
        values["member"] = _roster_member(ctx, row["member"], field="member") if row["member"] else None
    if "results" in values:
        values["results"] = values["results"] or ""
    project = Project.objects.filter(code=row["code"]).select_related("org").first()
    label = f"{row['code']} {row['name']}"
    if project is None:
        assistance.create_project(actor=ctx.actor, code=row["code"], **values)
        return "created", f"登记帮扶项目 {label}"
    if not visible_orgs(ctx.actor).filter(pk=project.org_id).exists():
        raise DomainError(f"项目编号“{row['code']}”已由范围外的组织登记", field="code", code="FORBIDDEN")
    changed = assistance.update_project(project, actor=ctx.actor, **values)
    return ("updated", f"修改帮扶项目 {label}") if changed else ("unchanged", "")


# ---- 问题整改 ----

PROBLEM_COLUMNS = ("org", "year", "source", "description", "cause", "measures", "owner", "deadline")


def _problem_dates(row, problem):
    """(完成日期, 销号日期) the row says, a column left out meaning "as recorded"; refused when they cannot be."""
    completed = row["completed_on"] if "completed_on" in row.present else (problem.completed_on if problem else None)
    closed = row["closed_on"] if "closed_on" in row.present else (problem.closed_on if problem else None)
    if closed and not completed:
        raise DomainError("填写了销号日期，须同时填写完成日期：问题须先完成整改，再由上级党组织验收销号", field="closed_on",
                          code="REQUIRED")
    if closed and closed < completed:
        raise DomainError(f"销号日期{closed}早于完成日期{completed}：销号须在完成整改之后", field="closed_on",
                          code="DATE_ORDER")
    return completed, closed


def problem_row(ctx, row):
    """History, as the row has it: a new problem is registered, completed and closed on the row's dates
    through the services (so the closing is still the higher level's: FORBIDDEN otherwise). An existing
    one is corrected; its 完成日期 and 销号日期 only move forward (a date recorded is not rewritten by an
    import: RECT_CONFLICT; a verification refused is 退回 on the problem's page)."""
    values = {name: row[name] for name in PROBLEM_COLUMNS if name in row.present}
    values["org"] = ctx.org(row["org"], field="org")
    if "owner" in values:
        values["owner"] = _roster_member(ctx, row["owner"], field="owner") if row["owner"] else None
    for name in ("cause", "measures"):
        if name in values:
            values[name] = values[name] or ""
    problem = Problem.objects.filter(number=row["number"]).select_related("org", "owner").first()
    if problem is not None and not visible_orgs(ctx.actor).filter(pk=problem.org_id).exists():
        raise DomainError(f"问题编号“{row['number']}”已由范围外的组织登记", field="number", code="FORBIDDEN")
    completed, closed = _problem_dates(row, problem)
    label = f"{row['number']} {values['org'].code}"
    if problem is None:
        # The ledger does not say when the problem was put on the list: the latest day the row allows (a
        # year that cannot be is left to the service to refuse).
        on, year = None, row["year"]
        if rectification.FIRST_YEAR <= year <= ctx.today.year:
            on = min(datetime.date(year, 12, 31), row["deadline"], completed or datetime.date.max, ctx.today)
            on = max(on, datetime.date(year, 1, 1))
        problem = rectification.record_problem(actor=ctx.actor, number=row["number"], on=on, **values)
        outcome = "created", f"登记整改问题 {label}"
    else:
        differs = any(getattr(problem, name) != value for name, value in values.items())
        changed = differs and rectification.update_problem(problem, actor=ctx.actor, **values)
        outcome = ("updated", f"修改整改问题 {label}") if changed else ("unchanged", "")
    for field_name, recorded, given in (("completed_on", problem.completed_on, completed),
                                        ("closed_on", problem.closed_on, closed)):
        if recorded is not None and recorded != given:
            header = "完成日期" if field_name == "completed_on" else "销号日期"
            raise DomainError(f"已登记的{header}为{recorded}，与本行（{given or '空'}）不一致；导入不能改写整改历史，"
                              "验收未通过的请在问题页面退回整改", field=field_name, code="RECT_CONFLICT")
    moved = False
    for field_name, given, move in (("completed_on", completed, rectification.complete_problem),
                                    ("closed_on", closed, rectification.close_problem)):
        if given and getattr(problem, field_name) is None:
            try:
                move(problem, actor=ctx.actor, on=given, note=IMPORT_NOTE)
            except DomainError as error:  # a refused move is about its own date's column
                raise DomainError(error.message, field=field_name, code=error.code) from None
            moved = True
    if moved and outcome[0] == "unchanged":
        outcome = "updated", f"整改问题 {label}：登记完成/销号"
    return outcome


# ---- 三重一大 ----

MATTER_COLUMNS = ("name", "category", "amount", "deciding_body", "decided_on", "studied_on", "decision_note")


def matter_row(ctx, row):
    """History, as the row has it: a matter without a 前置研究日期, or studied after its decision, is recorded
    (finish_matters reports it). The 前置研究 meeting is linked by the date (the 组织生活 sheet comes first)."""
    values = {name: row[name] for name in MATTER_COLUMNS if name in row.present}
    values["org"] = ctx.org(row["org"], field="org")
    if "decision_note" in values:
        values["decision_note"] = values["decision_note"] or ""
    matter = Matter.objects.filter(number=row["number"]).select_related("org", "study_meeting").first()
    if matter is not None and not visible_orgs(ctx.actor).filter(pk=matter.org_id).exists():
        raise DomainError(f"事项编号“{row['number']}”已由范围外的组织登记", field="number", code="FORBIDDEN")
    label = f"{row['number']} {row['name']}"
    if matter is None:
        governance.record_matter(actor=ctx.actor, number=row["number"], **values)
        return "created", f"登记三重一大事项 {label}"
    # Only what differs: an unchanged 前置研究日期 keeps the meeting chosen on the page.
    changes = {name: value for name, value in values.items() if getattr(matter, name) != value}
    if changes and governance.update_matter(matter, actor=ctx.actor, **changes):
        return "updated", f"修改三重一大事项 {label}"
    return "unchanged", ""


def finish_matters(ctx):
    """A matter breaking SOE-03 is imported as it happened, not refused; the import reports it on its row, in
    the rule object's words (`problem`), whatever the matter's year."""
    from dangjian.rules.engine import all_rules

    failed = ctx.failed.get("三重一大", ())
    rows = [r for r in ctx.rows.get("三重一大", ()) if r.key not in failed]
    if not rows:
        return
    rule = next(r for r in all_rules() if r.id == "SOE-03")
    stored = {m.number: m for m in Matter.objects.filter(number__in=[r["number"] for r in rows])}
    for row in rows:
        matter = stored.get(row["number"])
        message = rule.problem(matter) if matter is not None else None
        if message:
            ctx.result.warn(row.sheet.name, row.number, row.sheet.column_for("studied_on"), rule.id,
                            f"已按台账原样导入；{rule.id}：{message}（{rule.source}）")
