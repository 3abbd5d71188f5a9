"""dangjian check [--org CODE] [--year YYYY | --as-of DATE] [--format json|text] — the findings of RULES.md."""
import json
from collections import Counter

from django.core.management.base import BaseCommand, CommandError

from dangjian.core.dates import parse_date
from dangjian.core.errors import DomainError
from dangjian.organizations.models import Organization
from dangjian.rules.engine import SEVERITY_LABELS, Window, run_checks


class Command(BaseCommand):
    help = "按 RULES.md 检查组织、换届和组织生活，输出检查结果"

    def add_arguments(self, parser):
        parser.add_argument("--org", help="只检查该组织及其下级（组织编码），默认全部")
        when = parser.add_mutually_exclusive_group()
        when.add_argument("--year", type=int, help="检查该年度（截至当年12月31日）")
        when.add_argument("--as-of", dest="as_of", help="截至该日期（YYYY-MM-DD），检查该日期所在年度")
        parser.add_argument("--format", choices=("json", "text"), default="text", help="输出格式，默认 text")

    def handle(self, *args, org, year, as_of, format, **options):
        window = self._window(year, as_of)
        root = None
        if org:
            root = Organization.objects.filter(code=org.strip()).first()
            if root is None:
                raise CommandError(f"组织编码“{org}”不存在")
        findings = run_checks(root=root, window=window)
        if format == "json":
            self.stdout.write(json.dumps([f.as_dict() for f in findings], ensure_ascii=False, indent=1))
            return
        for f in findings:
            where = " ".join(x for x in (f.period, f.date.isoformat() if f.date else None) if x)
            self.stdout.write(f"{f.rule:8} {SEVERITY_LABELS[f.severity]} {f.org} {where} {f.message}（{f.source}）")
        counts = Counter(f.severity for f in findings)
        self.stdout.write(f"截至{window.as_of}：共{len(findings)}条，其中错误{counts['error']}条、提醒{counts['warning']}条")

    @staticmethod
    def _window(year, as_of):
        if year is not None:
            if not 1900 <= year <= 9998:
                raise CommandError(f"年度“{year}”不正确")
            return Window.for_year(year)
        if as_of:
            try:
                return Window(parse_date(as_of))
            except DomainError as error:
                raise CommandError(error.message) from None
        return Window.current()
