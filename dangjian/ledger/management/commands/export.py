"""dangjian export FILE.xlsx [--org CODE] — write the ledger workbook (the importer's format) as the system."""
from django.core.management.base import BaseCommand, CommandError

from dangjian.ledger.exporter import run_export
from dangjian.ledger.progress import ProgressBar
from dangjian.organizations.models import Organization


class Command(BaseCommand):
    help = "导出台账工作簿（LEDGER.md 格式，可再导入）"

    def add_arguments(self, parser):
        parser.add_argument("file", help="输出文件 .xlsx")
        parser.add_argument("--org", help="只导出该组织及其下级（组织编码）")

    def handle(self, *args, file, org, **options):
        scope = None
        if org:
            scope = Organization.objects.filter(code=org.strip()).first()
            if scope is None:
                raise CommandError(f"组织编码“{org}”不存在")
        bar = ProgressBar("导出")
        try:
            rows = run_export(file, actor=None, org=scope, progress=bar)
        except OSError as error:
            raise CommandError(f"无法写入文件{file}：{error.strerror}") from None
        finally:
            bar.close()
        self.stdout.write(f"已导出{rows}行到{file}")
