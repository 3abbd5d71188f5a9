"""`dangjian token USERNAME [--name N]`: issue an API token for a user and print it once.

Only the token's SHA-256 is stored; the text is printed on stdout (alone on its line, for scripts)
and cannot be shown again. The issue is recorded in the audit log."""
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dangjian.accounts.access import home_org, role_of
from dangjian.accounts.models import ApiToken
from dangjian.audit.services import log_action


class Command(BaseCommand):
    help = "为用户签发 REST 接口令牌（Authorization: Bearer <令牌>），令牌只显示这一次"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("--name", default="", help="令牌名称（用途说明，如“统计脚本”），最长60字")

    def handle(self, *args, username, name, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"用户“{username}”不存在")
        if not user.is_active:
            raise CommandError(f"用户“{username}”已停用，不能签发令牌")
        name = (name or "").strip()
        if len(name) > 60:
            raise CommandError("令牌名称最长60字")
        with transaction.atomic():
            record, token = ApiToken.issue(user, name)
            log_action(actor=None, action="token.issue", obj=record, org=home_org(user),
                       label=f"{username}的接口令牌{('“' + name + '”') if name else ''}",
                       after={"username": username, "name": name})
        if role_of(user) is None:
            self.stderr.write(f"注意：用户“{username}”没有角色，该令牌看不到任何数据。")
        self.stderr.write(f"已为用户“{username}”签发接口令牌（只显示这一次，请妥善保存）：")
        self.stdout.write(token)
