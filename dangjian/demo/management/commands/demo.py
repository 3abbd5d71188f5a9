"""`dangjian demo`: build the demonstration group in the configured database (once) and serve it."""
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor

from dangjian.demo import generator


class Command(BaseCommand):
    help = ("生成演示集团（桂江文化传媒集团：14个市分公司二级党委、约100个县级党支部、约5000名党员，"
            "含2018年全年组织生活）并启动演示服务器。演示集团已存在时不再重复生成。")

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="只生成数据，不启动服务器")
        parser.add_argument("--members", type=int, default=generator.DEFAULT_MEMBERS,
                            help=f"党员人数（默认 {generator.DEFAULT_MEMBERS}）")
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 8000),
                            help="服务端口（默认取环境变量 PORT，否则 8000）")

    def handle(self, *args, members, port, no_serve, **options):
        self._migrate_if_needed()
        if generator.demo_exists():
            self.stdout.write("演示集团已存在（组织编码 JT），不再重复生成。")
        else:
            self.stdout.write(f"正在生成演示集团（{members} 名党员）……")
            try:
                generator.build_demo(members, out=self.stdout.write)
            except ValueError as exc:
                raise CommandError(str(exc)) from None
        self._print_logins()
        if no_serve:
            return
        # This process serves only the demo: let the login page show the demo logins.
        settings.DEMO_MODE = True
        self.stdout.write(f"演示地址：http://127.0.0.1:{port}/  （Ctrl+C 停止）")
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False, insecure_serving=True)

    def _migrate_if_needed(self):
        database = settings.DATABASES[DEFAULT_DB_ALIAS]
        if database["ENGINE"].endswith("sqlite3") and str(database["NAME"]) != ":memory:":
            Path(database["NAME"]).parent.mkdir(parents=True, exist_ok=True)  # a fresh ./data
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            self.stdout.write("数据库尚未迁移，正在执行 migrate ……")
            started = time.monotonic()
            call_command("migrate", interactive=False, verbosity=0)
            self.stdout.write(f"迁移完成（{time.monotonic() - started:.1f} 秒）")

    def _print_logins(self):
        rows = generator.logins()
        if not rows:
            return
        self.stdout.write(f"演示账号（密码均为 {generator.DEMO_PASSWORD}）：")
        for username, text in rows:
            self.stdout.write(f"  {username:<10}{text}")
