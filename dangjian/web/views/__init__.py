"""The pages. Views only read through accounts.access (via ..scope) and write through services."""
from .audit import audit
from .auth import login_view, logout_view, password_view
from .compliance import compliance, compliance_export, compliance_rules
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
from .meetings import (
                      MeetingCreate,
                      MeetingEdit,
                      PartyHomeCreate,
                      PartyHomeEdit,
                      VoteEdit,
                      attachment_delete,
                      attachment_download,
                      attachment_upload,
                      meeting_delete,
                      meeting_detail,
                      org_meetings,
                      vote_create,
                      vote_delete,
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
           "ElectionEdit", "OrgCreate", "OrgEdit", "OrgMove", "PostCreate", "PostEdit",
           "MeetingCreate", "MeetingEdit", "PartyHomeCreate", "PartyHomeEdit", "VoteEdit", "attachment_delete",
           "attachment_download", "attachment_upload", "meeting_delete", "meeting_detail", "org_meetings",
           "vote_create", "vote_delete"]
__all__ += ["compliance", "compliance_export", "compliance_rules"]
from .recruitment import (  # noqa: E402  (发展党员)
                      RecruitmentCreate,
                      recruitment_board,
                      recruitment_detail,
                      recruitment_discontinue,
                      recruitment_due,
                      recruitment_ledger,
                      recruitment_step,
                      recruitment_step_delete,
)

__all__ += ["RecruitmentCreate", "recruitment_board", "recruitment_detail", "recruitment_discontinue",
            "recruitment_due", "recruitment_ledger", "recruitment_step", "recruitment_step_delete"]
from .dues import (  # noqa: E402  (党费)
                      DuesBaseDeclare,
                      DuesPaymentCreate,
                      DuesPaymentEdit,
                      dues_bases,
                      dues_month,
                      dues_month_export,
                      dues_org,
                      dues_overview,
                      dues_payment_delete,
                      dues_year,
                      dues_year_export,
                      member_dues_page,
)

__all__ += ["DuesBaseDeclare", "DuesPaymentCreate", "DuesPaymentEdit", "dues_bases", "dues_month",
            "dues_month_export", "dues_org", "dues_overview", "dues_payment_delete", "dues_year", "dues_year_export",
            "member_dues_page"]
