"""The 述职报告's figures on the cast's small tree, at their boundaries (31 December counts, 1 January of the next
year does not), missing told apart from zero, last year's problem named with its status, the user's text kept
through regeneration while a figure follows a new record, submitted versions frozen, and the command."""
import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.assistance.services import create_project
from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.meetings.services import create_party_home, record_meeting
from dangjian.organizations.services import create_organization, record_election
from dangjian.recruitment.services import open_case, record_step
from dangjian.rectification import services as rectification
from dangjian.reports import services
from dangjian.reports.document import build_document, numeral, place
from dangjian.reports.facts import gather
from dangjian.reports.figures import FigureContext, compute_figures
from dangjian.reports.models import ReportStatus
from dangjian.reports.render import render_markdown
from dangjian.responsibility.services import create_letters_for_children

from .cast import person_id

D = datetime.date


def figures(org, year=2018, *codes):
    values = compute_figures(FigureContext(org, year), list(codes) or None)
    return {code: v.value for code, v in values.items()}


def text_of(org, year=2018, **narrative):
    return build_document(gather(org, year), narrative).plain_text()


def applicant(cast, n, *, step, on):
    """A case of A0101 whose step `step` (3 or 7 or 17) is dated `on` (the steps before it a year earlier)."""
    case = open_case(actor=None, id_number=person_id(800 + n, birth=D(1995, 1, 1)), name=f"申请人{n}", org=cast.a0101,
                     applied_on=D(2016, 1, 5), history=True)
    record_step(case, actor=None, step=2, date=D(2016, 1, 20), history=True)
    if step == 3:
        record_step(case, actor=None, step=3, date=on, history=True)
    return case


# ---- the boundaries of the year ----

def test_it_counts_a_step_dated_31_december_and_not_one_of_1_january(cast):
    applicant(cast, 1, step=3, on=D(2018, 12, 31))
    applicant(cast, 2, step=3, on=D(2019, 1, 1))
    applicant(cast, 3, step=3, on=D(2018, 1, 1))
    applicant(cast, 4, step=3, on=D(2017, 12, 31))
    assert figures(cast.jt, 2018, "activists") == {"activists": 2}
    assert figures(cast.jt, 2019, "activists") == {"activists": 1}
    assert figures(cast.b01, 2018, "activists") == {"activists": 0}  # another subtree


def test_it_counts_branches_founded_and_elections_held_in_the_year_below_the_organisation(cast):
    org = create_organization
    org(actor=None, code="A0103", name="甲市三支部", org_type="branch", parent=cast.a01, founded_on=D(2018, 12, 31))
    org(actor=None, code="A0104", name="甲市四支部", org_type="branch", parent=cast.a01, founded_on=D(2019, 1, 1))
    record_election(actor=None, org=cast.a0102, held_on=D(2018, 12, 31), term_years=3, expected=5, present=5, seats=3,
                    candidates=4)
    record_election(actor=None, org=cast.a01, held_on=D(2018, 6, 1), term_years=5, expected=5, present=5, seats=3,
                    candidates=4)  # A01's own: guided by the group, not by A01
    assert figures(cast.a01, 2018, "new_branches", "elections") == {"new_branches": 1, "elections": 1}
    assert figures(cast.jt, 2018, "new_branches", "elections") == {"new_branches": 1, "elections": 2}
    assert figures(cast.jt, 2019, "new_branches") == {"new_branches": 1}


def test_it_counts_the_committees_meetings_once_each_and_those_that_studied_party_building(cast):
    meet = record_meeting
    meet(actor=None, org=cast.jt, held_on=D(2018, 3, 1), subject="党委会", types=["committee", "secretaries"],
         expected=5, present=5, topics=["party_building"])
    meet(actor=None, org=cast.jt, held_on=D(2018, 12, 31), subject="扩大会", types=["committee_extended"], expected=9,
         present=9, topics=["major_matters"])
    meet(actor=None, org=cast.jt, held_on=D(2019, 1, 1), subject="新年党委会", types=["committee"], expected=5,
         present=5, topics=["party_building"])
    meet(actor=None, org=cast.a01, held_on=D(2018, 4, 1), subject="甲市党委会", types=["committee"], expected=5,
         present=5, topics=["party_building"])
    got = figures(cast.jt, 2018, "committee_meetings", "committee_party_building")
    assert got == {"committee_meetings": 2, "committee_party_building": 1}


def test_it_counts_party_homes_opened_by_the_end_of_the_year_and_party_offices_of_the_second_level(cast):
    create_party_home(actor=None, org=cast.a0101, name="甲一党员之家", opened_on=D(2018, 12, 31))
    create_party_home(actor=None, org=cast.b0101, name="乙一党员之家", opened_on=D(2017, 5, 1))
    create_party_home(actor=None, org=cast.a0102, name="甲二党员之家", opened_on=D(2019, 1, 1))
    from dangjian.organizations.services import update_organization
    update_organization(cast.a01, actor=None, has_party_office=True)
    update_organization(cast.a0101, actor=None, has_party_office=True)  # third level: not counted for JT
    assert figures(cast.jt, 2018, "party_homes", "party_offices") == {"party_homes": 2, "party_offices": 1}


# ---- missing is not zero ----

def test_it_reports_a_figure_the_records_cannot_support_as_missing_and_zero_as_zero(cast):
    values = compute_figures(FigureContext(cast.jt, 2018), ["work_conferences", "letters", "equity_invested"])
    assert values["work_conferences"].value is None  # JT has no 书记 on record: who chaired cannot be told
    assert "书记" in values["work_conferences"].missing
    assert values["letters"].value == 0
    assert values["equity_invested"].value == Decimal("0")
    # A0101 has its secretary: no 党建工作会议 is 0, not missing.
    assert figures(cast.a0101, 2018, "work_conferences") == {"work_conferences": 0}
    text = text_of(cast.jt)
    assert "主持召开【数据缺失：本年度没有书记任职记录" in text
    assert "与0个下级党组织负责人签订党建目标责任书" in text
    assert "投入0万元入股" in text


def test_it_counts_only_conferences_chaired_by_the_secretary_of_the_day(cast):
    for day, chair in ((D(2018, 2, 1), cast.zhang), (D(2018, 5, 1), cast.li), (D(2018, 8, 1), None)):
        record_meeting(actor=None, org=cast.a0101, held_on=day, subject=f"党建工作会议{day}", types=["work_conference"],
                       expected=3, present=3, chair=chair)
    value = compute_figures(FigureContext(cast.a0101, 2018), ["work_conferences"])["work_conferences"]
    assert value.value == 1
    assert [(r.counts, r.detail) for r in value.records] == [
        (True, ""), (False, "主持人李秀英当日不是书记"), (False, "未登记主持人")]


def test_it_reports_money_as_missing_when_a_project_has_no_amount(cast):
    create_project(actor=None, code="BF-1", org=cast.a01, target="甲村", kind="产业入股", name="黑猪养殖场",
                   started_on=D(2017, 3, 1), invested="30", annual_return="3.6")
    create_project(actor=None, code="BF-2", org=cast.a0101, target="甲村", kind="产业入股", name="黄牛养殖场",
                   started_on=D(2018, 3, 1), invested="20.5")
    create_project(actor=None, code="BF-3", org=cast.b01, target="乙村", kind="驻村第一书记", name="驻村",
                   started_on=D(2018, 1, 1), member=cast.chen)
    values = compute_figures(FigureContext(cast.jt, 2018),
                             ["equity_invested", "equity_return", "first_secretaries"])
    assert values["equity_invested"].value == Decimal("50.5")
    assert values["equity_return"].value is None and "BF-2" in values["equity_return"].missing
    assert values["first_secretaries"].value == 1
    assert "投入50.5万元入股" in text_of(cast.jt)


def test_it_counts_major_matters_studied_first_in_the_year(cast):
    from dangjian.governance.models import Matter

    for n, (studied, decided, body) in enumerate(((D(2018, 12, 31), D(2019, 1, 5), "board"),
                                                  (D(2019, 1, 1), D(2019, 1, 2), "board"),
                                                  (None, D(2018, 6, 1), "committee"),
                                                  (D(2018, 1, 1), D(2018, 1, 3), "management"))):
        Matter.objects.create(number=f"M{n}", org=cast.jt, name=f"事项{n}", category="decision",
                              deciding_body=body, decided_on=decided, studied_on=studied)
    Matter.objects.create(number="A", org=cast.a01, name="甲市事项", category="decision", deciding_body="board",
                          decided_on=D(2018, 5, 2), studied_on=D(2018, 5, 1))  # A01's committee's, not JT's
    assert figures(cast.jt, 2018, "major_matters") == {"major_matters": 2}


# ---- last year's problems, this year's problems ----

def problem(org, number, *, year, description, deadline, completed=None, closed=None, cause="", measures=""):
    p = rectification.record_problem(actor=None, number=number, org=org, year=year, source="述职评议",
                                     description=description, deadline=deadline, cause=cause, measures=measures,
                                     on=D(year, 1, 10))
    if completed:
        rectification.complete_problem(p, actor=None, on=completed)
    if closed:
        rectification.close_problem(p, actor=None, on=closed)
    return p


def test_it_opens_the_area_with_last_years_problem_and_its_status(cast):
    problem(cast.jt, "JT-2017-01", year=2017, description="党组织生活仍需严格规范", deadline=D(2018, 3, 31),
            completed=D(2018, 3, 1), closed=D(2018, 4, 10))
    problem(cast.jt, "JT-2017-02", year=2017, description="党建工作责任压得还不够紧", deadline=D(2018, 6, 30))
    text = text_of(cast.jt)
    assert "针对上年查摆出来的“党组织生活仍需严格规范”问题，已于2018年3月1日完成整改，2018年4月10日经上级验收销号。" in text
    assert "针对上年查摆出来的“党建工作责任压得还不够紧”问题，尚未完成整改，已超过整改时限（2018年6月30日）。" in text
    # Each in its own area: 组织生活 in (三), 责任 in (一).
    lines = text.splitlines()
    life = next(i for i, x in enumerate(lines) if x.startswith("（三）"))
    assert "党组织生活仍需严格规范" in lines[life + 1]
    assert "党建工作责任压得还不够紧" in lines[lines.index(next(x for x in lines if x.startswith("（一）"))) + 1]


def test_it_places_a_problem_by_its_words_or_where_the_user_put_it():
    assert place("“三重一大”决策程序不规范") == "governance"
    assert place("长期不开展组织生活，软弱涣散") == "life"
    assert place("应建未建、应换未换") == "organisation"
    assert place("认识模糊") == "responsibility"
    assert place("认识模糊", {"P1": "assistance"}, "P1") == "assistance"


def test_it_lists_the_years_open_problems_their_causes_and_measures_numbered(cast):
    problem(cast.jt, "JT-2018-01", year=2018, description="基层党建考核评价体系不健全", deadline=D(2019, 6, 30),
            cause="对党务工作人员的考核体系没有建立", measures="制定党建工作考核办法")
    problem(cast.jt, "JT-2018-02", year=2018, description="已经整改的问题", deadline=D(2018, 9, 30),
            completed=D(2018, 9, 1))
    problem(cast.jt, "JT-2017-09", year=2017, description="上年结转未完成的问题", deadline=D(2019, 3, 31))
    text = text_of(cast.jt)
    assert "一是上年结转未完成的问题（2017年述职评议查摆，整改中，整改时限2019年3月31日）。" in text
    assert "二是基层党建考核评价体系不健全（述职评议查摆，整改中，整改时限2019年6月30日）。" in text
    assert "已经整改的问题（" not in text
    assert "二是对党务工作人员的考核体系没有建立" in text
    assert "一是【待填写：“上年结转未完成的问题”的原因分析】" in text
    assert "制定党建工作考核办法。（整改时限：2019年6月30日前）" in text
    assert "【数据缺失：问题JT-2017-09未填写整改措施】" in text
    # Then the patterns of the year's findings (the cast's branches hold no 主题党日).
    assert "三是基层组织生活还不够规范。3个党支部有36个月未开展主题党日" in text


def test_it_numbers_the_chinese_way():
    assert [numeral(n) for n in (1, 5, 10, 11, 20, 23)] == ["一", "五", "十", "十一", "二十", "二十三"]


# ---- editing without losing the numbers ----

def test_editing_a_slot_and_regenerating_keeps_the_text_and_refreshes_the_figures(cast):
    report = services.draft_report(actor=cast.zuzhibu, org=cast.jt, year=2018)
    services.save_narrative(report, actor=cast.zuzhibu, key="area:organisation", text="我们把支部建在项目上。")
    assert "全年确定入党积极分子0名" in services.document_of(report).plain_text()
    applicant(cast, 1, step=3, on=D(2018, 12, 31))
    assert "全年确定入党积极分子0名" in services.document_of(report).plain_text()  # as last generated
    changed = services.regenerate_report(report, actor=cast.zuzhibu)
    assert "activists" in changed
    text = services.document_of(report).plain_text()
    assert "我们把支部建在项目上。" in text
    assert "全年确定入党积极分子1名" in text
    assert AuditEntry.objects.filter(action="report.regenerate", object_id=str(report.pk)).exists()


def test_a_reset_slot_shows_its_default_and_an_emptied_one_stays_empty(cast):
    report = services.draft_report(actor=None, org=cast.jt, year=2018)
    default = services.document_of(report).slots["intro"].default
    services.save_narrative(report, actor=None, key="intro", text="")
    assert default not in services.document_of(report).plain_text()
    services.reset_narrative(report, actor=None, key="intro")
    assert default in services.document_of(report).plain_text()


def test_it_refuses_a_slot_the_report_does_not_have_and_text_too_long(cast):
    report = services.draft_report(actor=None, org=cast.jt, year=2018)
    with pytest.raises(DomainError, match="不在本报告中"):
        services.save_narrative(report, actor=None, key="cause:p:NOPE", text="x")
    with pytest.raises(DomainError, match="不能超过5000字"):
        services.save_narrative(report, actor=None, key="intro", text="字" * 5001)


def test_only_those_who_manage_the_organisation_draft_its_report(cast):
    with pytest.raises(PermissionDenied):
        services.draft_report(actor=cast.shuji, org=cast.jt, year=2018)
    with pytest.raises(PermissionDenied):
        services.draft_report(actor=cast.b01admin, org=cast.a0101, year=2018)
    assert services.draft_report(actor=cast.shuji, org=cast.a0101, year=2018).org == cast.a0101
    with pytest.raises(DomainError, match="不单独述职"):
        services.draft_report(actor=None, org=cast.a0101g1, year=2018)
    with pytest.raises(DomainError, match="年度"):
        services.draft_report(actor=None, org=cast.jt, year="18")


def test_a_submitted_version_does_not_change(cast):
    report = services.draft_report(actor=cast.zuzhibu, org=cast.jt, year=2018)
    services.save_narrative(report, actor=cast.zuzhibu, key="intro", text="第一版的开头。")
    applicant(cast, 1, step=3, on=D(2018, 5, 1))
    version = services.submit_report(report, actor=cast.zuzhibu)
    assert report.status == ReportStatus.SUBMITTED and version.number == 1
    assert version.figures["activists"]["value"] == "1"  # submitting reads the records once more
    frozen = (version.html, version.markdown, version.document, version.figures)
    with pytest.raises(DomainError, match="已提交"):
        services.save_narrative(report, actor=cast.zuzhibu, key="intro", text="改")
    with pytest.raises(DomainError, match="已提交"):
        services.regenerate_report(report, actor=cast.zuzhibu)
    services.reopen_report(report, actor=cast.zuzhibu)
    services.save_narrative(report, actor=cast.zuzhibu, key="intro", text="第二版的开头。")
    applicant(cast, 2, step=3, on=D(2018, 6, 1))
    services.regenerate_report(report, actor=cast.zuzhibu)
    version.refresh_from_db()
    assert (version.html, version.markdown, version.document, version.figures) == frozen
    assert "第一版的开头。" in version.markdown and "全年确定入党积极分子1名" in version.markdown
    second = services.submit_report(report, actor=cast.zuzhibu)
    assert second.number == 2 and "全年确定入党积极分子2名" in second.markdown
    assert list(report.versions.values_list("number", flat=True)) == [2, 1]
    assert render_markdown(services.version_document(version)) == version.markdown
    actions = list(AuditEntry.objects.filter(object_id=str(report.pk), object_type="report")
                   .values_list("action", flat=True))
    assert actions.count("report.submit") == 2 and "report.reopen" in actions


def test_submitting_twice_is_refused(cast):
    report = services.draft_report(actor=None, org=cast.a0101, year=2018)
    services.submit_report(report, actor=None)
    with pytest.raises(DomainError, match="已提交"):
        services.submit_report(report, actor=None)


def test_a_branch_report_has_no_committee_sentences(cast):
    text = text_of(cast.a0101)
    assert "甲市一支部书记　张建国" in text
    assert "党委会" not in text.split("二、")[0]
    assert "全年确定入党积极分子0名" in text


# ---- the command ----

def test_the_command_writes_each_format(cast, tmp_path):
    for suffix in (".md", ".html", ".docx"):
        out = tmp_path / f"r{suffix}"
        stdout = io.StringIO()
        call_command("report", "--org", "JT", "--year", "2018", "--out", str(out), stdout=stdout)
        assert out.stat().st_size > 500
        assert "已生成集团党委2018年述职报告" in stdout.getvalue()
    assert "2018年抓基层党建工作述职报告" in (tmp_path / "r.md").read_text(encoding="utf-8")
    assert 'href="/reports/figures/JT/2018/activists/"' in (tmp_path / "r.html").read_text(encoding="utf-8")


@pytest.mark.parametrize("args,message", [
    (["--org", "NOPE", "--year", "2018", "--out", "x.md"], "组织编码“NOPE”不存在"),
    (["--org", "JT", "--year", "20x8", "--out", "x.md"], "年度“20x8”不正确"),
    (["--org", "JT", "--year", "2018", "--out", "x.txt"], "不支持的输出格式“.txt”"),
    (["--org", "A0101G1", "--year", "2018", "--out", "x.md"], "不单独述职"),
])
def test_the_command_answers_bad_input_in_chinese(cast, tmp_path, args, message):
    args = [a if a != "x.md" and a != "x.txt" else str(tmp_path / a) for a in args]
    with pytest.raises(CommandError, match=message):
        call_command("report", *args)


def test_the_command_exits_1_without_a_traceback(tmp_path):
    import os
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-m", "dangjian", "report", "--org", "JT", "--year", "2018", "--out",
                             str(tmp_path / "x.txt")], capture_output=True, text=True,
                            env={**os.environ, "DANGJIAN_DATA": str(tmp_path)})
    assert result.returncode == 1
    assert "不支持的输出格式" in result.stderr and "Traceback" not in result.stderr


def test_letters_count_those_the_organisation_issued_in_the_year(cast):
    create_letters_for_children(actor=None, from_org=cast.jt, year=2018, signed_on=D(2018, 2, 1))
    create_letters_for_children(actor=None, from_org=cast.a01, year=2018)
    create_letters_for_children(actor=None, from_org=cast.jt, year=2019)
    assert figures(cast.jt, 2018, "letters") == {"letters": 2}
    assert "与2个下级党组织负责人签订党建目标责任书" in text_of(cast.jt)
