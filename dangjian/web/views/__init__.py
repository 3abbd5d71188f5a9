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
from .education import (  # noqa: E402  (党员教育)
                      TrainingCreate,
                      TrainingEdit,
                      member_education,
                      org_education,
                      org_education_export,
                      training_delete,
)
from .assistance import ProjectCreate, ProjectEdit, org_assistance, project_delete  # noqa: E402  (帮扶)

__all__ += ["TrainingCreate", "TrainingEdit", "member_education", "org_education", "org_education_export",
            "training_delete", "ProjectCreate", "ProjectEdit", "org_assistance", "project_delete"]
from .elections import (  # noqa: E402  (换届选举)
                      ElectionPlanCreate,
                      election_cancel,
                      election_process,
                      election_step,
)

__all__ += ["ElectionPlanCreate", "election_cancel", "election_process", "election_step"]
from .responsibility import (  # noqa: E402  (党建工作责任制)
                      indicator_records,
                      indicator_score,
                      letter_detail,
                      letters_create,
                      responsibility_add,
                      responsibility_delete,
                      responsibility_fill,
                      responsibility_org,
)

__all__ += ["indicator_records", "indicator_score", "letter_detail", "letters_create", "responsibility_add",
            "responsibility_delete", "responsibility_fill", "responsibility_org"]
from .appraisal import (  # noqa: E402  (述职评议考核)
                      appraisal_ballot,
                      appraisal_close,
                      appraisal_create,
                      appraisal_export,
                      appraisal_org,
                      appraisal_problem,
                      appraisal_vote,
)

__all__ += ["appraisal_ballot", "appraisal_close", "appraisal_create", "appraisal_export", "appraisal_org",
            "appraisal_problem", "appraisal_vote"]
from .rectification import (  # noqa: E402  (问题整改)
                      ProblemCreate,
                      ProblemEdit,
                      rectification_close,
                      rectification_complete,
                      rectification_detail,
                      rectification_evidence,
                      rectification_export,
                      rectification_ledger,
                      rectification_progress,
                      rectification_return,
)

__all__ += ["ProblemCreate", "ProblemEdit", "rectification_close", "rectification_complete", "rectification_detail",
            "rectification_evidence", "rectification_export", "rectification_ledger", "rectification_progress",
            "rectification_return"]
from .reports import (  # noqa: E402  (述职报告)
                      report_current,
                      report_download,
                      report_figure,
                      report_page,
                      report_list_issue,
                      report_place,
                      report_regenerate,
                      report_reopen,
                      report_slot,
                      report_submit,
                      report_version,
                      report_version_download,
                      report_version_figure,
                      report_versions,
)

__all__ += ["report_current", "report_download", "report_figure", "report_list_issue", "report_page", "report_place", "report_regenerate", "report_reopen",
            "report_slot", "report_submit", "report_version", "report_version_download", "report_version_figure",
            "report_versions"]
from .governance import MatterCreate, MatterEdit, PriorStudyListCreate, governance_org  # noqa: E402  (三重一大)

__all__ += ["MatterCreate", "MatterEdit", "PriorStudyListCreate", "governance_org"]
from .stats import stats_export, stats_page, stats_records  # noqa: E402  (党内统计)

__all__ += ["stats_export", "stats_page", "stats_records"]
