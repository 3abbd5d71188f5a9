"""dangjian import FILE.xlsx [--dry-run] [--format json] — load the ledger workbook (LEDGER.md) as the system.

Exit code 0 when the workbook was applied (or, with --dry-run, would be), 1 when it was refused."""
import json
import logging

from django.core.management.base import BaseCommand

from dangjian.ledger.importer import run_import
from dangjian.ledger.progress import ProgressBar

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "导入台账工作簿（LEDGER.md）：全部成功才写入，否则列出每个错误并以退出码1结束"

    def add_arguments(self, parser):
        parser.add_argument("file", help="台账工作簿 .xlsx")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")
        parser.add_argument("--format", choices=("text", "json"), default="text", help="输出格式")

    def handle(self, *args, file, dry_run, format, **options):
        bar = ProgressBar("导入")
        try:
            result = run_import(file, actor=None, dry_run=dry_run, progress=bar)
        except Exception:  # a bug must not show the operator a traceback; the log keeps it
            bar.close()
            log.exception("ledger import failed")
            self.stderr.write("导入时发生内部错误，未写入任何数据；详情见日志")
            raise SystemExit(2)
        bar.close()
        if format == "json":
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            self._text(result)
        if not result.ok:
            raise SystemExit(1)

    def _text(self, result):
        for error in result.errors:
            self.stdout.write(str(error))
        for warning in result.warnings:
            self.stdout.write(f"警告 {warning}")
        for name, c in result.changes.items():
            self.stdout.write(f"{name}：新增{c.created}，修改{c.updated}，未变{c.unchanged}")
        if not result.ok:
            self.stdout.write(f"发现{len(result.errors)}个错误，未导入任何数据")
        elif result.dry_run:
            self.stdout.write("检查通过（试运行，未写入）")
        elif result.changed:
            self.stdout.write(f"导入完成：{result.changed}项变更")
        else:
            self.stdout.write("导入完成：数据已是最新，没有变更")
