"""dangjian check [--org CODE] [--year YYYY | --as-of DATE] [--format json|text] — the findings of RULES.md.

The name is the contract's, and it is also Django's system check: that one still runs with `--system`
(or any of its own options: --deploy, --tag, --list-tags, --database, app labels), so `dangjian check
--deploy` and Django's test runner keep working."""
import json
from collections import Counter

from django.core.management.base import CommandError
from django.core.management.commands import check as system_check
from django.db import DatabaseError

from dangjian.core.errors import DomainError
from dangjian.organizations.models import Organization
from dangjian.rules.engine import SEVERITY_LABELS, run_checks, window_from


class Command(system_check.Command):
    help = "按 RULES.md 检查组织、换届和组织生活，输出检查结果（--system：Django 系统检查）"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument("--system", action="store_true", help="运行 Django 系统检查，而不是规则检查")
        parser.add_argument("--org", help="只检查该组织及其下级（组织编码），默认全部")
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--year", help="检查该年度（截至当年12月31日）")
        when.add_argument("--as-of", dest="as_of", help="截至该日期（YYYY-MM-DD），检查该日期所在年度")
        parser.add_argument("--format", choices=("json", "text"), default="text", help="输出格式，默认 text")

    def handle(self, *app_labels, org, year, as_of, format, system, **options):
        if system or app_labels or options["deploy"] or options["tags"] or options["list_tags"] \
                or options["databases"]:
            return super().handle(*app_labels, **options)
        try:
            window = window_from(year=year, as_of=as_of)
        except DomainError as error:
            raise CommandError(error.message) from None
        try:
            findings = self._findings(org, window)
        except DatabaseError as error:
            raise CommandError(f"无法读取数据库（新数据库请先运行 dangjian migrate）：{error}") from None
        if format == "json":
            self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=1))
            return
        for f in findings:
            where = " ".join(x for x in (f.period, f.date.isoformat() if f.date else None) if x)
            self.stdout.write(f"{f.rule:8} {SEVERITY_LABELS[f.severity]} {f.org} {where} {f.message}（{f.source}）")
        counts = Counter(f.severity for f in findings)
        self.stdout.write(f"截至{window.as_of}：共{len(findings)}条，其中错误{counts['error']}条、提醒{counts['warning']}条")

    @staticmethod
    def _findings(org, window):
        root = None
        if org:
            root = Organization.objects.filter(code=org.strip()).first()
            if root is None:
                raise CommandError(f"组织编码“{org}”不存在")
        return run_checks(root=root, window=window)
