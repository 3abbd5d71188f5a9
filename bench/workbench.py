"""How long the 工作台 takes for the demo group, for each kind of user, and what its parts cost.

    .venv/bin/python bench/workbench.py [--members 5000] [--runs 3]     (DATABASE_URL: another database)

Builds the demo group (2018 records, the reference day 2018-12-31 as `make demo` sets it), then renders the
dashboard through Django's test client for admin (the whole tree), zuzhibu (the group committee), a city
committee's 党务管理员 and a branch secretary, and times each card's summary for the group committee.
Prints the median of `--runs` runs."""
import argparse
import statistics
import time

from _setup import setup_database


def median_seconds(function, runs):
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--members", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    drop = setup_database()
    try:
        from django.conf import settings
        from django.contrib.auth import get_user_model
        from django.test import Client, RequestFactory

        from dangjian.accounts.services import create_user
        from dangjian.core.dates import reference_day
        from dangjian.demo.generator import build_demo
        from dangjian.members.models import Member
        from dangjian.organizations.models import Organization
        from dangjian.web.views.compliance import workbench_summary
        from dangjian.web.views.dues import dues_summary
        from dangjian.web.views.recruitment import recruitment_summary
        from dangjian.web.views.rectification import rectification_summary

        settings.DEFAULT_AS_OF = "2018-12-31"
        settings.ALLOWED_HOSTS = ["testserver"]
        started = time.perf_counter()
        build_demo(args.members)
        print(f"demo: {Member.objects.count()} members, {Organization.objects.count()} organisations, "
              f"built in {time.perf_counter() - started:.0f} s")
        city = Organization.objects.filter(parent__code="JT", org_type="committee").order_by("code").first()
        create_user(actor=None, username="bench_city", password="bench-pass-1", kind="org_admin", org=city)
        users = get_user_model().objects
        for username, label in (("admin", "系统管理员（全部）"), ("zuzhibu", "党务管理员（集团党委）"),
                                ("bench_city", f"党务管理员（{city.code}）"), ("shuji", "支部书记")):
            client = Client()
            client.force_login(users.get(username=username))
            assert client.get("/").status_code == 200  # warm: templates and the first queries
            seconds = median_seconds(lambda: client.get("/"), args.runs)
            print(f"工作台 {label}: {seconds * 1000:.0f} ms")

        request = RequestFactory().get("/")
        request.user = users.get(username="zuzhibu")
        request.session, request.htmx = {}, False
        day = reference_day()
        for name, summary in (("合规检查", lambda: workbench_summary(request, day)),
                              ("发展党员", lambda: recruitment_summary(request)),
                              ("党费（全年各月）", lambda: dues_summary(request, day)),
                              ("整改", lambda: rectification_summary(request, day.year))):
            seconds = median_seconds(summary, args.runs)
            print(f"  {name}: {seconds * 1000:.0f} ms")
    finally:
        drop()


if __name__ == "__main__":
    main()
