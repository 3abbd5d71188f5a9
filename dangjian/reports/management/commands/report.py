"""dangjian report --org CODE --year YYYY --out FILE(.docx|.pdf|.html|.md) — the drafted 述职报告.

The draft is read from the records as they are now, with the text the secretary wrote on the report page when
there is a draft; the command changes nothing. In the .html and .md each figure links to its records page on
the site (a path: /reports/figures/…)."""
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from dangjian.core.errors import DomainError
from dangjian.organizations.models import Organization
from dangjian.reports.render import FORMATS, PdfUnavailable, render
from dangjian.reports.services import figure_link, live_document


class Command(BaseCommand):
    help = "按记录起草党组织书记的年度抓基层党建工作述职报告，输出 .docx、.pdf、.html 或 .md"

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="组织编码（党委、党总支或党支部）")
        parser.add_argument("--year", required=True, help="年度（四位数年份）")
        parser.add_argument("--out", required=True, help="输出文件，按扩展名决定格式：.docx、.pdf、.html、.md")

    def handle(self, *args, org, year, out, **options):
        path = Path(out)
        suffix = path.suffix.lower()
        if suffix not in FORMATS:
            raise CommandError(f"不支持的输出格式“{path.suffix or '（无扩展名）'}”，请使用 {'、'.join(FORMATS)}")
        try:
            organization = Organization.objects.filter(code=org.strip()).first()
            if organization is None:
                raise CommandError(f"组织编码“{org}”不存在")
            document = live_document(organization, year)
            data = render(document, suffix, figure_link(organization.code, document.year))
        except DomainError as error:
            raise CommandError(error.message) from None
        except PdfUnavailable as error:
            raise CommandError(str(error)) from None
        except DatabaseError as error:
            raise CommandError(f"无法读取数据库（新数据库请先运行 dangjian migrate）：{error}") from None
        try:
            path.write_bytes(data)
        except OSError as error:
            raise CommandError(f"无法写入文件“{out}”：{error.strerror or error}") from None
        missing = sum(1 for b in document.blocks for r in b.runs if r.missing)
        note = f"，其中{missing}处数据缺失（已标注【数据缺失】）" if missing else ""
        self.stdout.write(f"已生成{document.org_name}{document.year}年述职报告（{FORMATS[suffix]}）：{path}{note}")
