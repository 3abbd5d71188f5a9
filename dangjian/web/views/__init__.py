"""The pages. Views only read through accounts.access (via ..scope) and write through services."""
from .audit import audit
from .auth import login_view, logout_view, password_view
from .dashboard import dashboard
from .members import (
                      MemberConfirm,
                      MemberCreate,
                      MemberEdit,
                      MemberExit,
                      MemberRestore,
                      MemberSuspend,
                      MemberTransfer,
                      member_detail,
                      member_reveal,
                      roster,
                      roster_export,
)
from .orgs import (
                      ElectionCreate,
                      ElectionEdit,
                      OrgCreate,
                      OrgEdit,
                      OrgMove,
                      PostCreate,
                      PostEdit,
                      choose_scope,
                      org_detail,
                      org_tree,
)

__all__ = ["audit", "login_view", "logout_view", "password_view", "dashboard", "roster", "roster_export", "member_detail",
           "member_reveal", "org_detail", "org_tree", "choose_scope", "MemberConfirm", "MemberCreate",
           "MemberEdit", "MemberExit", "MemberRestore", "MemberSuspend", "MemberTransfer", "ElectionCreate",
           "ElectionEdit", "OrgCreate", "OrgEdit", "OrgMove", "PostCreate", "PostEdit"]
