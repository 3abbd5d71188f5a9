"""dangjian adduser USERNAME --role ROLE [--org CODE] [--member ID]: a login with its role."""
import getpass

from django.core.management.base import BaseCommand, CommandError

from dangjian.accounts.models import RoleKind
from dangjian.accounts.services import create_user
from dangjian.core.errors import DomainError
from dangjian.members.models import Member
from dangjian.members.services import find_org


class Command(BaseCommand):
    help = "新建登录账号并分配角色（admin 系统管理员 / org_admin 党务管理员 / branch_officer 支部书记 / member 党员）"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=RoleKind.values)
        parser.add_argument("--org", help="组织编码（党务管理员、支部书记）")
        parser.add_argument("--member", help="党员的身份证号（党员角色）")
        parser.add_argument("--password", help="密码；不给则在终端输入")

    def handle(self, *args, username, role, org, member, password, **options):
        try:
            org_obj = find_org(org) if org else None
            member_obj = None
            if member:
                member_obj = Member.objects.filter(id_number=member.strip().upper()).first()
                if member_obj is None:
                    raise CommandError("找不到该身份证号的党员")
            if not password:
                password = getpass.getpass("密码：")
            create_user(actor=None, username=username, password=password, kind=role, org=org_obj, member=member_obj)
        except DomainError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"已创建账号 {username}（{RoleKind(role).label}）")
