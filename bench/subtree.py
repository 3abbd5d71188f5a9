"""The organisation tree at scale: build, subtree counts, a large move, the tree as on a date.

    .venv/bin/python bench/subtree.py [--orgs 20000] [--members 50000] [--service-members 1000]

Organisations are all created through `create_organization` (the timing is reported). Members: the first
`--service-members` through `create_member` (to measure the service's rate), the rest with bulk_create
(a benchmark shortcut: the product never writes members that way). A throw-away SQLite database, or
the test database of DATABASE_URL.
"""
import argparse
import datetime
import statistics
import time

from _setup import setup_database

D = datetime.date


def timed(fn, repeat=5):
    """(result, median seconds) over `repeat` runs."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return result, statistics.median(times)


def build_orgs(total):
    """JT → 20 党委 → 25 党委 each → branches spread evenly below them (4 levels)."""
    from django.db import transaction

    from dangjian.organizations.models import OrgType
    from dangjian.organizations.services import create_organization

    def org(code, org_type, parent):
        return create_organization(actor=None, code=code, name=f"组织{code}", org_type=org_type, parent=parent,
                                   founded_on=D(2010, 1, 1))

    with transaction.atomic():
        root = org("JT", OrgType.COMMITTEE, None)
        level1 = [org(f"L{i:02d}", OrgType.COMMITTEE, root) for i in range(20)]
        level2 = [org(f"{p.code}-{j:02d}", OrgType.COMMITTEE, p) for p in level1 for j in range(25)]
        branches, left = [], max(0, total - 1 - len(level1) - len(level2))
        for k in range(left):
            parent = level2[k % len(level2)]
            branches.append(org(f"{parent.code}-{k // len(level2):03d}", OrgType.BRANCH, parent))
    return root, level1, level2, branches


def build_members(branches, total, service_count):
    from django.db import transaction

    from dangjian.core.idcard import make_id_number
    from dangjian.members.models import EventKind, Member, MemberEvent, Stage
    from dangjian.members.services import create_member

    def identity(n):
        birth = D(1960, 1, 1) + datetime.timedelta(days=n % 12000)
        return make_id_number(f"45{n // 12000 % 100:02d}{n // 1200000 % 100:02d}", birth, n // 12000 // 100, "M"), birth

    service_count = min(service_count, total)
    started = time.perf_counter()
    with transaction.atomic():
        for n in range(service_count):
            id_number, _ = identity(n)
            create_member(actor=None, id_number=id_number, name=f"党员{n}", org=branches[n % len(branches)],
                          admitted_on=D(2011, 7, 1), confirmed_on=D(2012, 7, 1))
    service_time = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        batch = []
        for n in range(service_count, total):
            id_number, birth = identity(n)
            batch.append(Member(id_number=id_number, name=f"党员{n}", sex="M", birth_date=birth,
                                org=branches[n % len(branches)], stage=Stage.FULL, admitted_on=D(2011, 7, 1),
                                confirmed_on=D(2012, 7, 1)))
        created = Member.objects.bulk_create(batch, batch_size=2000)
        if created and created[0].pk is None:  # SQLite before RETURNING support: read the ids back
            created = list(Member.objects.filter(id_number__in=[m.id_number for m in batch]))
        MemberEvent.objects.bulk_create(
            [MemberEvent(member=m, kind=EventKind.ADMITTED, date=m.admitted_on, org_id=m.org_id) for m in created]
            + [MemberEvent(member=m, kind=EventKind.CONFIRMED, date=m.confirmed_on) for m in created],
            batch_size=2000)
    return service_count, service_time, total - service_count, time.perf_counter() - started


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--orgs", type=int, default=20000)
    parser.add_argument("--members", type=int, default=50000)
    parser.add_argument("--service-members", type=int, default=1000)
    args = parser.parse_args()
    drop = setup_database()
    try:
        run(args)
    finally:
        drop()


def run(args):
    from dangjian.members.models import Member
    from dangjian.organizations.models import Organization, under
    from dangjian.organizations.queries import tree_on
    from dangjian.organizations.services import move_organization

    started = time.perf_counter()
    root, level1, level2, branches = build_orgs(args.orgs)
    elapsed = time.perf_counter() - started
    count = Organization.objects.count()
    print(f"build organisations: {count} via create_organization in {elapsed:.1f} s "
          f"({elapsed / count * 1000:.2f} ms each)")
    n1, t1, n2, t2 = build_members(branches, args.members, args.service_members)
    if n1:
        print(f"build members: {n1} via create_member in {t1:.1f} s ({t1 / n1 * 1000:.2f} ms each)")
    if n2:
        print(f"build members: {n2} via bulk_create in {t2:.1f} s")

    def subtree(org):
        return (Organization.objects.filter(path__startswith=org.path).count(),
                Member.objects.filter(org__path__startswith=org.path).count())

    def subtree_range(org):
        # The same set as an index range (organizations.models.under), what the application uses.
        return (Organization.objects.filter(under(org.path)).count(),
                Member.objects.filter(under(org.path, "org__path")).count())

    for label, org in (("root", root), ("mid (level 1)", level1[0]), ("level 2", level2[0]), ("leaf", branches[0])):
        (orgs, members), seconds = timed(lambda: subtree(org))
        (orgs2, members2), seconds2 = timed(lambda: subtree_range(org))
        assert (orgs, members) == (orgs2, members2)
        print(f"subtree count {label:<14} {orgs:>6} orgs {members:>7} members: startswith {seconds * 1000:7.1f} ms,"
              f" range {seconds2 * 1000:7.1f} ms")

    moving = level1[0]
    size = Organization.objects.filter(path__startswith=moving.path).count()
    _, seconds = timed(lambda: move_organization(moving, actor=None, new_parent=level1[1],
                                                 moved_on=D(2018, 6, 30)), repeat=1)
    print(f"move_organization of a subtree of {size} orgs: {seconds * 1000:.1f} ms")
    moved = Organization.objects.filter(path__startswith=Organization.objects.get(pk=moving.pk).path).count()
    assert moved == size, (moved, size)

    for day in (D(2017, 12, 31), D(2019, 1, 1)):
        rows, seconds = timed(lambda: tree_on(day), repeat=3)
        print(f"tree_on({day}) whole tree: {len(rows)} rows in {seconds * 1000:.0f} ms")
    rows, seconds = timed(lambda: tree_on(D(2019, 1, 1), root=level1[1]), repeat=3)
    print(f"tree_on(2019-01-01, root=level 1) : {len(rows)} rows in {seconds * 1000:.0f} ms")


if __name__ == "__main__":
    main()
