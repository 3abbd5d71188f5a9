"""dangjian stats --org CODE --as-of DATE [--format text|json|xlsx] [--out FILE] — the 党内统计 tables
(dangjian.stats.tables) of a subtree as it stood on a date. Thin: reading the input and writing the output."""
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from dangjian.core.errors import DomainError
from dangjian.stats.output import find_root, parse_as_of, render_text, workbook
from dangjian.stats.tables import statistics


class Command(BaseCommand):
    help = "按截至日期统计党员和党组织（党员类别、性别、民族、年龄、学历、工作岗位、党龄、党组织、本年党员数量变化）"

    def add_arguments(self, parser):
        # Checked in handle, not by argparse: a missing one then gets a Chinese message and exit code 1.
        parser.add_argument("--org", help="统计该组织及其下级（组织编码），必填")
        parser.add_argument("--as-of", dest="as_of", help="截至日期（YYYY-MM-DD），必填")
        parser.add_argument("--format", choices=("text", "json", "xlsx"), default="text",
                            help="输出格式，默认 text；xlsx 须同时给出 --out")
        parser.add_argument("--out", help="写入文件（xlsx 必填；text、json 不填时输出到屏幕）")

    def handle(self, *args, org, as_of, format, out, **options):
        if format == "xlsx" and not out:
            raise CommandError("导出 xlsx 须用 --out 指定文件，如 --out 统计.xlsx")
        try:
            day = parse_as_of(as_of)  # before the database: a mistyped date is answered at once
            stats = statistics(find_root(org), day)
        except DomainError as error:
            raise CommandError(error.message) from None
        except DatabaseError as error:
            raise CommandError(f"无法读取数据库（新数据库请先运行 dangjian migrate）：{error}") from None
        if format == "xlsx":
            content = workbook(stats)
        elif format == "json":
            content = json.dumps(stats.as_dict(), ensure_ascii=False, indent=1)
        else:
            content = render_text(stats)
        if not out:
            self.stdout.write(content)
            return
        data = content if isinstance(content, bytes) else (content + "\n").encode("utf-8")
        try:
            Path(out).write_bytes(data)
        except OSError as error:
            raise CommandError(f"无法写入文件“{out}”：{error.strerror or error}") from None
        self.stdout.write(f"已写入 {out}")
