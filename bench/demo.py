"""How long the demonstration group takes to build, for N members.

    .venv/bin/python bench/demo.py [--members 5000]     (DATABASE_URL: another database)
"""
import argparse
import time

from _setup import setup_database


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, nargs="+", default=[5000])
    args = parser.parse_args()
    drop = setup_database()
    try:
        from django.db import transaction

        from dangjian.demo.generator import build_demo
        from dangjian.members.models import Member
        from dangjian.organizations.models import Organization

        for n in args.members:
            started = time.perf_counter()
            with transaction.atomic():
                build_demo(n)
                orgs, members = Organization.objects.count(), Member.objects.count()
                elapsed = time.perf_counter() - started
                transaction.set_rollback(True)  # the next size starts from an empty database
            print(f"demo build: {members} members, {orgs} organisations: {elapsed:.1f} s "
                  f"({elapsed / members * 1000:.1f} ms per member)")
    finally:
        drop()


if __name__ == "__main__":
    main()
