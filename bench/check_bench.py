"""`dangjian check` at scale: a group of about 200,000 members and 10,000 organisations with a year (2018) of
organisational life, in a SQLite database of its own; then the time `dangjian check --year 2018` takes for the
whole tree and for one second-level 党委.

    .venv/bin/python bench/check_bench.py [--data /tmp/dangjian_bench] [--rebuild] [--members 200000]
                                          [--org B01] [--repeat 1] [--build-only]

The database is built once and reused (the root organisation records the parameters it was built with);
--rebuild builds it again. It refuses to touch a database that is not one of its own.

The tree: BENCH (集团党委) → B01..B20 (二级党委) → 党总支 BnnZmm with five branches each, and direct branches
BnnDkkk; 党小组 BnnDkkkG1/G2 in half of the branches of 40 members or more; a few branches founded in July 2018.
Each member is admitted (and confirmed), a few are admitted in 2018 or die in 2018; every organisation has its
elections and its committee (书记 and, from 7 members, 组织委员, 纪检委员, …). The year: each branch's 主题党日
every month (with a 支部党员大会 each quarter and a 党课 each quarter), a monthly 支部委员会 where there is a
committee, a yearly 组织生活会 with 民主评议 and its vote; monthly 党小组会; the 党总支s' and 党委s' meetings
(党委会, 民主生活会, the secretaries' 党课). Gaps are planted at a few per cent, so the check has findings of
every kind to report.

Everything is written with bulk_create: a shortcut the benchmark takes for its own test data, never the
product's path. The rows are those the services would write (the materialized path and depth of
organizations.services, a ParentLink per organisation, a MemberEvent per admission and confirmation with the
Member's cached org/stage/dates, MeetingKind rows carrying their meeting's org and date, vote results from
meetings.services.vote_outcome) without the audit entries, which the check does not read.
"""
import argparse
import datetime
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

D = datetime.date
YEAR = 2018
SEED = 20181231
ROOT_CODE = "BENCH"
MARKER = "check_bench"
CHUNK = 20000

SURNAMES = "黄韦李陈梁覃刘莫陆蒙王张杨林何罗周吴赵谭廖邓唐卢农黎甘蓝欧凌苏潘冯钟曾彭蒋谢蔡许"
GIVEN = "伟强军杰磊勇涛明超斌刚平辉鹏华飞鑫波宁峰芳娜敏静丽艳娟霞燕玲婷雪慧红梅琳兰萍丹"
THEMES = ("学习贯彻党的十九大精神", "学习新修订的《中国共产党章程》", "学习宪法修正案，弘扬宪法精神",
          "开展“大学习、大调研、大落实”", "纪念马克思诞辰200周年", "重温入党誓词，争做合格党员",
          "庆祝中国共产党成立97周年", "学习新修订的《中国共产党纪律处分条例》", "学习全国宣传思想工作会议精神",
          "学习习近平新时代中国特色社会主义思想", "学习《中国共产党支部工作条例（试行）》", "庆祝改革开放40周年")
REASONS = ("出差", "病假", "外出学习")

# Planted gaps, as shares.
SKIP_MONTH = 0.02        # a branch misses a month's 主题党日 / a 党小组 its 党小组会
SKIP_COMMITTEE = 0.03    # a branch's committee misses a month
SKIP_QUARTER = 0.01      # a quarter without 支部党员大会 / without 党课
SKIP_YEARLY = 0.03       # no 组织生活会 / no 民主评议
NO_QUORUM = 0.005        # a vote or a committee meeting with half or fewer present
OVERDUE = 0.02           # the term ran out before 2018-12-31
VACANT = 0.01            # the secretary left in 2018 and nobody followed
SILENT = 0.02            # the secretary gave no 党课
NO_DEMOCRATIC_LIFE = 0.1  # a 党委 without its 民主生活会


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", help="folder of the database (default: $DANGJIAN_DATA or /tmp/dangjian_bench)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if it exists")
    parser.add_argument("--members", type=int, default=200_000)
    parser.add_argument("--committees", type=int, default=20, help="second-level 党委s")
    parser.add_argument("--org", default="B01", help="the subtree timed with --org (a second-level code)")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each check (the median is printed)")
    parser.add_argument("--build-only", action="store_true", help="build (or reuse) and count, no timings")
    return parser.parse_args()


def main():
    args = parse_args()
    data = Path(args.data or os.environ.get("DANGJIAN_DATA") or "/tmp/dangjian_bench").resolve()
    os.environ["DANGJIAN_DATA"] = str(data)
    os.environ.pop("DATABASE_URL", None)  # always SQLite in `data`, never a configured server
    os.environ["DJANGO_SETTINGS_MODULE"] = "dangjian.settings"
    signature = f"{MARKER} members={args.members} committees={args.committees} seed={SEED}"
    db = data / "dangjian.sqlite3"
    state = database_state(db, signature)
    if state == "foreign":
        sys.exit(f"{db} 不是基准测试数据库（没有 {ROOT_CODE} 组织）：请换一个 --data 目录")
    if state == "other" and not args.rebuild:
        sys.exit(f"{db} 是按其他参数生成的基准数据库：加 --rebuild 重新生成")
    if args.rebuild and state in ("same", "other"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        state = "none"

    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    if state == "same":
        print(f"database: {db} (reused; --rebuild to build it again)")
    else:
        started = time.perf_counter()
        build(args, signature)
        print(f"database: {db} built in {time.perf_counter() - started:.1f} s")
    checkpoint(db)
    print(f"size: {size_of(db) / 1e6:.1f} MB")
    print_counts()
    verify(db)
    if not args.build_only:
        time_checks(data, args)


def database_state(db, signature):
    """none (no database or no organisations yet), same (built with these parameters), other (a benchmark
    database of other parameters), foreign (someone else's database)."""
    if not db.exists():
        return "none"
    con = sqlite3.connect(db)
    try:
        count = con.execute("SELECT count(*) FROM organizations_organization").fetchone()[0]
        row = con.execute("SELECT unit_name FROM organizations_organization WHERE code = ?", (ROOT_CODE,)).fetchone()
    except sqlite3.OperationalError:  # not migrated yet
        return "none"
    finally:
        con.close()
    if row is None:
        return "none" if count == 0 else "foreign"
    return "same" if row[0] == signature else "other"


def checkpoint(db):
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def size_of(db):
    return sum(Path(f"{db}{s}").stat().st_size for s in ("", "-wal", "-shm") if Path(f"{db}{s}").exists())


def print_counts():
    from dangjian.meetings.models import Attendance, Meeting, MeetingKind, Vote
    from dangjian.members.models import Member, MemberEvent
    from dangjian.organizations.models import CommitteePost, Election, Organization, ParentLink

    types = Counter(Organization.objects.values_list("org_type", flat=True))
    print("rows: " + ", ".join(f"{label} {model.objects.count():,}" for label, model in (
        ("organisations", Organization), ("parent links", ParentLink), ("members", Member),
        ("member events", MemberEvent), ("posts", CommitteePost), ("elections", Election), ("meetings", Meeting),
        ("meeting kinds", MeetingKind), ("votes", Vote), ("attendance", Attendance))))
    print("organisations by type: " + ", ".join(f"{t} {n:,}" for t, n in sorted(types.items())))


def verify(db):
    """The invariants the services keep, checked on the rows written (each query counts the rows that break
    one): the materialized path and depth, one founding ParentLink per organisation, the Member cache against
    its events, MeetingKind repeating its meeting's org and date, head counts."""
    checks = {
        "path/depth as organizations.services": """
            SELECT count(*) FROM organizations_organization o
            LEFT JOIN organizations_organization p ON p.id = o.parent_id WHERE o.path != coalesce(p.path, '') || printf('%08d', o.id) OR o.depth != coalesce(p.depth + 1, 0)""",
        "a founding ParentLink per organisation": """
            SELECT count(*) FROM organizations_organization o WHERE 1 != (SELECT count(*) FROM
            organizations_parentlink l WHERE l.org_id = o.id AND l.valid_from = o.founded_on
            AND l.parent_id IS o.parent_id)""",
        "Member cache = its ADMITTED/CONFIRMED events": """
            SELECT count(*) FROM members_member m WHERE NOT EXISTS (SELECT 1 FROM members_memberevent e
            WHERE e.member_id = m.id AND e.kind = 'admitted' AND e.date = m.admitted_on AND e.org_id = m.org_id)
            OR NOT EXISTS (SELECT 1 FROM members_memberevent e WHERE e.member_id = m.id AND e.kind = 'confirmed'
            AND e.date IS m.confirmed_on)""",
        "MeetingKind org/date = its meeting's": """
            SELECT count(*) FROM meetings_meetingkind k JOIN meetings_meeting m ON m.id = k.meeting_id
            WHERE k.org_id != m.org_id OR k.held_on != m.held_on""",
        "present <= expected, votes within the meeting": """
            SELECT (SELECT count(*) FROM meetings_meeting WHERE present > expected) + (SELECT count(*) FROM
            meetings_vote v JOIN meetings_meeting m ON m.id = v.meeting_id WHERE v.expected_voters > m.expected
            OR v.present_voters > min(v.expected_voters, m.present) OR v.yes > v.present_voters)""",
        "attendance lists = the head counts": """
            SELECT count(*) FROM meetings_meeting m WHERE EXISTS (SELECT 1 FROM meetings_attendance a WHERE
            a.meeting_id = m.id) AND m.present != (SELECT count(*) FROM meetings_attendance a WHERE
            a.meeting_id = m.id AND a.attended)""",
    }
    con = sqlite3.connect(db)
    broken = {label: con.execute(sql).fetchone()[0] for label, sql in checks.items()}
    con.close()
    bad = {label: n for label, n in broken.items() if n}
    print("consistency: " + ("ok (" + "; ".join(checks) + ")" if not bad else
                             "BROKEN " + ", ".join(f"{label}: {n} rows" for label, n in bad.items())))
    if bad:
        sys.exit(1)


# ---------------------------------------------------------------- timing the check

def run_measured(command, env):
    """Run `command`: (seconds, exit code, stdout, stderr, peak memory in MB of that process)."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return elapsed, process.returncode, out.read(), err.read(), usage.ru_maxrss / 1024

def time_checks(data, args):
    script = Path(sys.executable).parent / "dangjian"
    command = [str(script)] if script.exists() else [sys.executable, "-m", "dangjian"]
    env = dict(os.environ, DANGJIAN_DATA=str(data))
    for label, extra in (("whole tree", []), (f"--org {args.org}", ["--org", args.org])):
        times, peaks, findings = [], [], None
        for _ in range(max(1, args.repeat)):
            elapsed, code, out, err, peak = run_measured(
                command + ["check", "--year", str(YEAR), "--format", "json"] + extra, env)
            if code != 0:
                print(f"check {label}: failed (exit {code}): {err.strip()[-600:]}")
                return
            times.append(elapsed)
            peaks.append(peak)
            findings = json.loads(out)
        rules = Counter(f["rule"] for f in findings)
        print(f"check --year {YEAR} {label}: {statistics.median(times):.2f} s"
              + (f" (median of {len(times)}: {', '.join(f'{t:.2f}' for t in times)})" if len(times) > 1 else "")
              + f", {len(findings):,} findings, peak memory {max(peaks):.0f} MB (process start included)")
        print("  " + ", ".join(f"{r} {n:,}" for r, n in sorted(rules.items())))


# ---------------------------------------------------------------- the builder

class Ids:
    """Primary keys handed out in order (a fresh database: the rows get the ids the services would give)."""

    def __init__(self):
        self.next = {}

    def __call__(self, model):
        n = self.next.get(model, 1)
        self.next[model] = n + 1
        return n


def build(args, signature):
    from django.db import connection, transaction

    rng = random.Random(SEED)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA synchronous=OFF")  # a throw-away benchmark database
    with transaction.atomic():
        world = World(rng, args.members, args.committees, signature)
        step("organisations", world.write_orgs)
        step("members", world.write_members)
        step("elections and posts", world.write_posts)
        step("meetings", world.write_meetings)


def step(label, fn):
    started = time.perf_counter()
    fn()
    print(f"  {label}: {time.perf_counter() - started:.1f} s", flush=True)


def _identity(n):
    """A valid, unique 身份证号 and birth date for member number n (unique below 300,000 per sequence)."""
    from dangjian.core.idcard import make_id_number

    region = f"45{1 + n % 20:02d}02"
    day = (n // 20 * 7919) % 15000  # 7919 is prime to 15000: a bijection on the days
    birth = D(1950, 1, 1) + datetime.timedelta(days=day)
    sex = "M" if n % 3 else "F"
    return make_id_number(region, birth, n // 300000, sex), birth, sex


def _weekday(day):
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _month_end(month):
    return (D(YEAR, month + 1, 1) if month < 12 else D(YEAR + 1, 1, 1)) - datetime.timedelta(days=1)


class Org:
    __slots__ = ("pk", "code", "org_type", "parent", "path", "depth", "founded_on", "size", "people", "groups",
                 "posts", "branches")

    def __init__(self, pk, code, org_type, parent, founded_on, size=0):
        self.pk, self.code, self.org_type, self.parent, self.founded_on = pk, code, org_type, parent, founded_on
        self.path = (parent.path if parent else "") + f"{pk:08d}"  # organizations.services._path_for
        self.depth = parent.depth + 1 if parent else 0
        self.size = size
        self.people = []    # (member pk, admitted_on, confirmed_on, died_on, group pk or None)
        self.groups = []
        self.posts = []     # (post, member pk, started_on, ended_on)
        self.branches = []  # a 党总支's branches


class World:
    def __init__(self, rng, members, committees, signature):
        self.rng, self.members, self.committees, self.signature = rng, members, committees, signature
        self.ids = Ids()
        self.orgs = []
        self.plan_tree()

    # -- the tree

    def add(self, code, org_type, parent, founded_on, size=0):
        org = Org(self.ids("org"), code, org_type, parent, founded_on, size)
        self.orgs.append(org)
        return org

    def plan_tree(self):
        from dangjian.organizations.models import OrgType

        rng = self.rng
        branches_total = max(self.committees, self.members // 25)
        per_committee = branches_total // self.committees
        generals = max(1, per_committee // 20)
        self.root = self.add(ROOT_CODE, OrgType.COMMITTEE, None, D(1996, 6, 18))
        self.branches = []
        for i in range(1, self.committees + 1):
            committee = self.add(f"B{i:02d}", OrgType.COMMITTEE, self.root, D(rng.randint(2000, 2010), 1, 1))
            for j in range(1, generals + 1):
                general = self.add(f"B{i:02d}Z{j:02d}", OrgType.GENERAL_BRANCH, committee,
                                   D(rng.randint(2001, 2012), rng.randint(1, 12), 1))
                for k in range(1, 6):
                    branch = self.add(f"B{i:02d}Z{j:02d}{k}", OrgType.BRANCH, general, general.founded_on)
                    general.branches.append(branch)
                    self.branches.append(branch)
            for k in range(1, per_committee - 5 * generals + 1):
                founded = D(2018, 7, 1) if rng.random() < 0.005 else D(rng.randint(2001, 2014), rng.randint(1, 12), 1)
                self.branches.append(self.add(f"B{i:02d}D{k:03d}", OrgType.BRANCH, committee, founded))
        # Sizes: most branches of 8 to 45, some small, some large, a few tiny; then scaled to the total.
        for b in self.branches:
            r = rng.random()
            b.size = (rng.randint(1, 2) if r < 0.04 else rng.randint(3, 6) if r < 0.18 else
                      rng.randint(46, 70) if r < 0.28 else rng.randint(8, 45))
            if b.founded_on.year == YEAR:
                b.size = rng.randint(3, 6)
        total = sum(b.size for b in self.branches)
        for b in self.branches:
            b.size = max(1, round(b.size * self.members / total))
        surplus = sum(b.size for b in self.branches) - self.members
        for b in sorted(self.branches, key=lambda b: -b.size)[:abs(surplus)]:
            b.size -= 1 if surplus > 0 else -1
        for b in self.branches:
            if b.size >= 40 and rng.random() < 0.5:
                b.groups = [self.add(f"{b.code}G{g}", OrgType.PARTY_GROUP, b, max(b.founded_on, D(2016, 3, 1)))
                            for g in (1, 2)]

    def write_orgs(self):
        from dangjian.organizations.models import Organization, OrgType, ParentLink

        Organization.objects.bulk_create([
            Organization(pk=o.pk, code=o.code, name=self.name(o), org_type=o.org_type,
                         parent_id=o.parent.pk if o.parent else None, path=o.path, depth=o.depth,
                         founded_on=o.founded_on, unit_name=self.signature if o is self.root else f"单位{o.code}",
                         has_discipline_committee=o.org_type == OrgType.COMMITTEE,
                         has_party_office=o.org_type == OrgType.COMMITTEE) for o in self.orgs])
        ParentLink.objects.bulk_create([
            ParentLink(org_id=o.pk, parent_id=o.parent.pk if o.parent else None, valid_from=o.founded_on, note="成立")
            for o in self.orgs])

    @staticmethod
    def name(o):
        label = {"committee": "党委", "general_branch": "党总支", "branch": "党支部", "party_group": "党小组"}[o.org_type]
        return f"基准{o.code}{label}"

    # -- members

    def write_members(self):
        from dangjian.members.models import EventKind, Member, MemberEvent, Stage

        rng = self.rng
        members, events, n = [], [], 0

        def flush():
            Member.objects.bulk_create(members)
            MemberEvent.objects.bulk_create(events)
            members.clear()
            events.clear()

        for b in self.branches:
            for j in range(b.size):
                pk = self.ids("member")
                id_number, birth, sex = _identity(n)
                n += 1
                adult = D(birth.year + 19, birth.month, min(birth.day, 28))
                if b.founded_on.year == YEAR:
                    admitted = D(YEAR, rng.randint(7, 12), rng.randint(1, 28))
                elif rng.random() < 0.02 and j > 2:
                    admitted = D(YEAR, rng.randint(1, 12), rng.randint(1, 28))
                else:
                    admitted = max(adult, b.founded_on) + datetime.timedelta(days=rng.randint(30, 9000))
                    admitted = min(admitted, D(2016, 12, 31))
                confirmed = admitted + datetime.timedelta(days=365 + rng.randint(0, 25))
                died = D(YEAR, rng.randint(2, 11), rng.randint(1, 28)) if j > 2 and rng.random() < 0.01 else None
                if died and died <= confirmed:
                    died = None
                group = b.groups[j % 2].pk if b.groups and rng.random() < 0.8 else None
                stage = Stage.LEFT if died else Stage.FULL
                members.append(Member(
                    pk=pk, id_number=id_number, name=rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    sex=sex, birth_date=birth, org_id=b.pk, stage=stage, admitted_on=admitted, confirmed_on=confirmed,
                    party_group_id=group, post_category="frontline"))
                events.append(MemberEvent(pk=self.ids("event"), member_id=pk, kind=EventKind.ADMITTED, date=admitted,
                                          org_id=b.pk))
                events.append(MemberEvent(pk=self.ids("event"), member_id=pk, kind=EventKind.CONFIRMED, date=confirmed))
                if died:
                    events.append(MemberEvent(pk=self.ids("event"), member_id=pk, kind=EventKind.DIED, date=died))
                b.people.append((pk, admitted, confirmed, died, group))
                if len(members) >= CHUNK:
                    flush()
        flush()
        for b in self.branches:  # committee material first: the longest-standing members
            b.people.sort(key=lambda p: (p[3] is not None, p[1], p[0]))

    # -- elections and posts

    def write_posts(self):
        from dangjian.organizations.models import CommitteePost, Election, OrgType, Post

        rng = self.rng
        elections, posts = [], []
        for o in self.orgs:
            if o.org_type == OrgType.PARTY_GROUP:
                continue
            term = 5 if o.org_type == OrgType.COMMITTEE else 3
            if rng.random() < OVERDUE:
                held = D(YEAR - term - 1, rng.randint(1, 12), rng.randint(1, 28))  # ran out in 2017–2018
                if held.replace(year=held.year + term) >= D(YEAR, 12, 31):
                    held = held.replace(month=1)
            else:
                held = D(YEAR - term + 1, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * (term - 1) + 170))
            held = max(held, o.founded_on + datetime.timedelta(days=20))
            if held > D(YEAR, 12, 31):
                held = o.founded_on + datetime.timedelta(days=20)
            size = len(self.people_of(o))
            elections.append(Election(org_id=o.pk, held_on=held, term_years=term, expected=max(size, 1),
                                      present=max(size - rng.randint(0, max(0, size // 10)), 1) if size else 1,
                                      seats=5 if size >= 20 else 3 if size >= 7 else 1, candidates=6))
            # The committee in post through 2018 (from the election, or from when the first members were in).
            alive = [p for p in self.people_of(o) if p[3] is None]
            start = min(held, D(YEAR, 1, 1)) if o.founded_on < D(YEAR, 1, 1) else held
            if alive:
                start = max(start, min(p[1] for p in alive) + datetime.timedelta(days=1))
            holders = [p for p in alive if p[1] < start]
            if o.org_type == OrgType.COMMITTEE:
                kinds = [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.DISCIPLINE_SECRETARY, Post.ORGANIZATION_MEMBER]
            elif o.org_type == OrgType.GENERAL_BRANCH or size >= 20:
                kinds = [Post.SECRETARY, Post.DEPUTY_SECRETARY, Post.ORGANIZATION_MEMBER, Post.PUBLICITY_MEMBER,
                         Post.DISCIPLINE_MEMBER]
            elif size >= 7:
                kinds = [Post.SECRETARY, Post.ORGANIZATION_MEMBER, Post.DISCIPLINE_MEMBER]
            else:
                kinds = [Post.SECRETARY]
            vacant = o.org_type == OrgType.BRANCH and rng.random() < VACANT
            left = D(YEAR, rng.randint(3, 7), 15)
            for person, post in zip(holders, kinds):
                ended = left if vacant and post == Post.SECRETARY and start < left else None
                o.posts.append((post, person[0], start, ended))
            for g in o.groups:
                members = [p for p in o.people if p[4] == g.pk and p[1] < g.founded_on and p[3] is None]
                if members:
                    g.posts.append((Post.GROUP_LEADER, members[0][0], g.founded_on, None))
        for o in self.orgs:
            posts.extend(CommitteePost(org_id=o.pk, member_id=m, post=post, started_on=start, ended_on=end)
                         for post, m, start, end in o.posts)
        Election.objects.bulk_create(elections)
        CommitteePost.objects.bulk_create(posts)

    def people_of(self, o):
        """The members held in `o` or below it (a 党委's committee comes from its branches)."""
        if o.org_type == "branch":
            return o.people
        if o.org_type == "general_branch":
            return [p for b in o.branches for p in b.people]
        prefix = o.path
        return [p for b in self.branches if b.path.startswith(prefix) for p in b.people[:3]]

    # -- the year's meetings

    def write_meetings(self):
        from dangjian.meetings.models import Attendance, Meeting, MeetingKind, MeetingType as T, Vote
        from dangjian.meetings.services import vote_outcome
        from dangjian.organizations.models import OrgType, Post

        rng = self.rng
        meetings, kinds, votes, attendance = [], [], [], []
        self.count = 0

        def flush():
            Meeting.objects.bulk_create(meetings)
            MeetingKind.objects.bulk_create(kinds)
            Vote.objects.bulk_create(votes)
            Attendance.objects.bulk_create(attendance)
            for rows in (meetings, kinds, votes, attendance):
                rows.clear()

        def meeting(o, day, types, subject, expected, present, chair=None, lecturer=None, topics=("study",)):
            pk = self.ids("meeting")
            meetings.append(Meeting(pk=pk, org_id=o.pk, held_on=day, subject=subject, chair_id=chair,
                                    lecturer_id=lecturer, topics=list(topics), expected=expected, present=present,
                                    location="党员活动室",
                                    minutes="" if rng.random() > 0.05 else f"{subject}。会议传达学习了上级文件精神，研究部署了下一阶段工作。"))
            kinds.extend(MeetingKind(meeting_id=pk, kind=t, org_id=o.pk, held_on=day) for t in types)
            if len(meetings) >= CHUNK:
                flush()
            return pk

        def on(people, day):
            return [p for p in people if p[1] <= day and (p[3] is None or p[3] > day)]

        def turnout(n, quorum=True):
            """How many came of n: more than half, or (a planted gap) half or fewer."""
            if not quorum:
                return n // 2
            away = sum(1 for _ in range(n) if rng.random() < 0.08)
            return n - min(away, max(0, (n - 1) // 2))

        def roll(people, quorum=True):
            """[(member pk, came)] for a meeting's attendance."""
            came = turnout(len(people), quorum)
            order = list(range(len(people)))
            rng.shuffle(order)
            here = set(order[:came])
            return [(p[0], i in here) for i, p in enumerate(people)]

        def secretary(o, day):
            return next((m for post, m, s, e in o.posts if post == Post.SECRETARY and s <= day
                         and (e is None or e >= day)), None)

        def committee(o, day):
            return [m for post, m, s, e in o.posts
                    if post != Post.GROUP_LEADER and s <= day and (e is None or e >= day)]

        for o in self.orgs:
            silent = rng.random() < SILENT
            dom = rng.choice((5, 8, 10, 12, 15, 18, 20, 25))
            if o.org_type == OrgType.BRANCH:
                no_general = rng.randint(1, 4) if rng.random() < SKIP_QUARTER else 0
                no_lecture = rng.randint(1, 4) if rng.random() < SKIP_QUARTER else 0
                for month in range(1, 13):
                    day = _weekday(D(YEAR, month, dom))
                    if day < o.founded_on:
                        continue
                    people = on(o.people, day)
                    if not people:
                        continue
                    quarter = (month - 1) // 3 + 1
                    types = [] if rng.random() < SKIP_MONTH else [T.THEME_DAY]
                    if month % 3 == 0 and quarter != no_general:
                        types.append(T.BRANCH_GENERAL)
                    lecturer = None
                    if month % 3 == 2 and quarter != no_lecture:
                        types.append(T.LECTURE)
                        lecturer = secretary(o, day) if month in (5, 11) and not silent else None
                    if types:
                        meeting(o, day, types, f"{month}月主题党日：{THEMES[month - 1]}", len(people),
                                turnout(len(people)), secretary(o, day), lecturer)
                    members = committee(o, _month_end(month))
                    if len(members) >= 3 and rng.random() >= SKIP_COMMITTEE:
                        cday = max(day - datetime.timedelta(days=3), D(YEAR, month, 1), o.founded_on)
                        here = committee(o, cday) or members
                        meeting(o, cday, [T.BRANCH_COMMITTEE], f"{month}月支部委员会", len(here),
                                turnout(len(here), rng.random() >= NO_QUORUM), secretary(o, cday),
                                topics=("party_building",))
                day = _weekday(D(YEAR, 12, rng.randint(17, 27)))
                people = on(o.people, day)
                if people:
                    types = [T.BRANCH_GENERAL]
                    types += [] if rng.random() < SKIP_YEARLY else [T.LIFE_MEETING]
                    types += [] if rng.random() < SKIP_YEARLY else [T.APPRAISAL]
                    rows = roll(people, rng.random() >= NO_QUORUM)
                    pk = meeting(o, day, types, f"{YEAR}年度组织生活会暨民主评议党员大会", len(people),
                                 sum(1 for _, came in rows if came), secretary(o, day), topics=("appraisal",))
                    if rng.random() < 0.05:  # attendance person by person
                        attendance.extend(Attendance(meeting_id=pk, member_id=m, attended=came,
                                                     absence_reason="" if came else rng.choice(REASONS))
                                          for m, came in rows)
                    # The voters: full members only (预备党员 do not vote), as the services count them.
                    full = {p[0] for p in people if p[2] <= day}
                    expected = len(full)
                    came = sum(1 for m, c in rows if c and m in full)
                    if expected:
                        votes.append(Vote(meeting_id=pk, matter=f"{YEAR}年度民主评议党员等次", expected_voters=expected,
                                          present_voters=came, yes=came, no=0, abstain=0,
                                          result=vote_outcome(expected, came, came, day)))
            elif o.org_type == OrgType.PARTY_GROUP:
                parent = o.parent
                for month in range(1, 13):
                    day = _weekday(D(YEAR, month, min(28, dom + 5)))
                    people = [p for p in on(parent.people, day) if p[4] == o.pk]
                    if day >= o.founded_on and people and rng.random() >= SKIP_MONTH:
                        chair = o.posts[0][1] if o.posts else None
                        meeting(o, day, [T.GROUP], f"{month}月党小组学习", len(people), turnout(len(people)), chair)
            elif o.org_type == OrgType.GENERAL_BRANCH:
                for month in range(1, 13):
                    day = _weekday(D(YEAR, month, dom))
                    here = committee(o, day)
                    if len(here) >= 3:
                        meeting(o, day - datetime.timedelta(days=2), [T.BRANCH_COMMITTEE], f"{month}月总支委员会",
                                len(here), turnout(len(here)), secretary(o, day))
                    if month % 3 == 0:
                        people = on(self.people_of(o), day)
                        lecturer = secretary(o, day) if month == 6 and not silent else None
                        meeting(o, day, [T.BRANCH_GENERAL] + ([T.LECTURE] if lecturer else []),
                                f"第{month // 3}季度党总支党员大会", len(people), turnout(len(people)), secretary(o, day),
                                lecturer)
            else:  # 党委
                for month in range(1, 13):
                    day = _weekday(D(YEAR, month, dom))
                    meeting(o, day, [T.COMMITTEE], f"{month}月党委会", 9, 9 - rng.randint(0, 2), secretary(o, day),
                            topics=("major_matters",))
                day = _weekday(D(YEAR, 7, 10))
                lecturer = secretary(o, day) if not silent else None
                meeting(o, day, [T.COMMITTEE_EXTENDED] + ([T.LECTURE] if lecturer else []), "党委扩大会议暨书记讲党课",
                        60, 55, secretary(o, day), lecturer)
                if rng.random() >= NO_DEMOCRATIC_LIFE:
                    meeting(o, _weekday(D(YEAR, 12, 20)), [T.DEMOCRATIC_LIFE], f"{YEAR}年度民主生活会", 7, 7,
                            secretary(o, day))
        flush()


if __name__ == "__main__":
    main()
