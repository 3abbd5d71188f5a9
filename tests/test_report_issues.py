"""列入整改台账 from the 述职报告: a problem the draft admits (a pattern of the year's findings, a line the secretary
added) becomes a rectification item with its owner and deadline; the draft then writes it once, among the
problems being rectified, with its measures in 三; next year's report opens with it. Each refusal changes nothing."""
import datetime

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.rectification.models import Problem, ProblemSource
from dangjian.reports import services
from dangjian.rectification.services import update_problem
from dangjian.reports.document import added_line_key, listable_issues
from dangjian.reports.facts import gather

D = datetime.date
CAUSE = "支部对主题党日的计划安排不够"
MEASURES = "每月初制定主题党日计划并报上级党委备案"


@pytest.fixture(autouse=True)
def as_of(settings):
    settings.DEFAULT_AS_OF = "2018-12-31"


@pytest.fixture
def report(cast):
    """A0101's 2018 draft: its findings show the 组织生活 pattern (months without 主题党日)."""
    report = services.draft_report(actor=cast.shuji, org=cast.a0101, year=2018)
    assert "life" in {t["code"] for t in report.facts["themes"]}
    services.save_narrative(report, actor=cast.shuji, key="cause:t:life", text=CAUSE)
    return report


def problems_part(report):
    """二、(一): the problems the draft admits."""
    text = services.document_of(report).plain_text()
    return text.split("（一）基层党建工作存在的主要问题")[1].split("（二）存在上述问题的主要原因")[0]


def keys(report):
    return [i.key for i in listable_issues(services.document_of(report))]


def test_a_pattern_listed_becomes_a_problem_written_once_with_its_measures(cast, report):
    issue = next(i for i in listable_issues(services.document_of(report)) if i.key == "t:life")
    problem = services.list_issue(report, actor=cast.shuji, key="t:life", deadline=D(2019, 6, 30), owner=cast.zhang,
                                  measures=MEASURES, on=D(2018, 12, 31))
    assert (problem.number, problem.org, problem.year, problem.source) == (
        "A0101-2018-01", cast.a0101, 2018, ProblemSource.SELF_CHECK)
    assert problem.description == issue.description and problem.description.startswith("基层组织生活还不够规范")
    assert "月未开展主题党日" in problem.description and not problem.description.endswith("。")
    assert (problem.cause, problem.measures, problem.owner, problem.report_issue) == (CAUSE, MEASURES, cast.zhang,
                                                                                      "t:life")
    report.refresh_from_db()
    assert "life" not in {t["code"] for t in report.facts["themes"]}
    assert [p["number"] for p in report.facts["open"]] == ["A0101-2018-01"]
    text = services.document_of(report).plain_text()
    assert problems_part(report).count("基层组织生活还不够规范") == 1  # an open problem, not again a pattern
    assert "（自查查摆，整改中，整改时限2019年6月30日）" in problems_part(report) and CAUSE in text
    assert f"{MEASURES}。（责任人：张建国；整改时限：2019年6月30日前）" in text
    assert "t:life" not in keys(report)
    services.regenerate_report(report, actor=cast.shuji)
    assert problems_part(report).count("基层组织生活还不够规范") == 1
    assert [p["number"] for p in gather(cast.a0101, 2019)["last_year"]] == ["A0101-2018-01"]  # next year opens with it
    actions = list(AuditEntry.objects.filter(action__in=["report.list_issue", "problem.create"])
                   .values_list("action", flat=True))
    assert sorted(actions) == ["problem.create", "report.list_issue"]


ADDED = "一是党员先锋作用发挥不明显\n\n三是\n二是党员活动阵地建设滞后。\n四是党员学习教育形式单一"


def test_a_line_the_secretary_added_is_listed_and_leaves_the_added_lines(cast, report):
    services.save_narrative(report, actor=cast.shuji, key="issues_more", text=ADDED)
    added = [i for i in listable_issues(services.document_of(report)) if i.key.startswith("x:")]
    assert [i.description for i in added] == ["党员先锋作用发挥不明显", "党员活动阵地建设滞后", "党员学习教育形式单一"]
    assert added[1].key == added_line_key("党员活动阵地建设滞后。")  # an ordinal alone ("三是") is no item
    problem = services.list_issue(report, actor=cast.shuji, key=added[1].key, deadline=D(2019, 3, 31))
    assert (problem.description, problem.report_issue, problem.owner) == ("党员活动阵地建设滞后", "", None)
    report.refresh_from_db()
    assert report.narrative["issues_more"] == "一是党员先锋作用发挥不明显\n\n三是\n四是党员学习教育形式单一"
    entry = AuditEntry.objects.get(action="report.list_issue")
    assert entry.before["issues_more"] == ADDED and entry.after["problem"] == "A0101-2018-01"
    # the same form sent again (a second tab, a double click): the line is gone, nothing else is listed
    with pytest.raises(DomainError) as again:
        services.list_issue(report, actor=cast.shuji, key=added[1].key, deadline=D(2019, 3, 31))
    assert again.value.code == "REPORT_ISSUE" and Problem.objects.count() == 1
    text = services.document_of(report).plain_text()
    assert problems_part(report).count("党员活动阵地建设滞后") == 1  # the open problem, the added line gone
    assert "问题A0101-2018-01未填写整改措施" in text  # no measures given: the draft says so, nothing invented
    assert [i.key for i in listable_issues(services.document_of(report)) if i.key.startswith("x:")] == [
        added[0].key, added[2].key]


def test_the_problem_is_put_on_the_list_within_the_reports_year_in_the_demo(cast, settings):
    """The demo's records are of 2018 and its reference day 2018-12-31: a 2019 report's problem is put on the list
    on 2019-12-31, not in 2018 (refused) nor years later."""
    settings.DEFAULT_AS_OF = "2018-12-31"
    report = services.draft_report(actor=cast.shuji, org=cast.a0101, year=2019)
    services.save_narrative(report, actor=cast.shuji, key="issues_more", text="党员活动阵地建设滞后")
    [issue] = [i for i in listable_issues(services.document_of(report)) if i.key.startswith("x:")]
    problem = services.list_issue(report, actor=cast.shuji, key=issue.key, deadline=D(2020, 6, 30))
    assert problem.events.get().date == D(2019, 12, 31) and problem.year == 2019


def test_a_submitted_version_stays_as_it_was_when_a_problem_is_listed_later(cast, report):
    version = services.submit_report(report, actor=cast.shuji)
    kept = (version.markdown, version.html, version.document)
    services.reopen_report(report, actor=cast.shuji)
    services.list_issue(report, actor=cast.shuji, key="t:life", deadline=D(2019, 6, 30))
    version.refresh_from_db()
    assert (version.markdown, version.html, version.document) == kept and "基层组织生活还不够规范" in version.markdown


def test_a_problem_moved_to_another_year_no_longer_hides_the_pattern(cast, report):
    problem = services.list_issue(report, actor=cast.shuji, key="t:life", deadline=D(2019, 6, 30))
    assert "life" not in {t["code"] for t in gather(cast.a0101, 2018)["themes"]}
    update_problem(problem, actor=cast.shuji, year=2019, deadline=D(2019, 6, 30))
    problem.refresh_from_db()
    assert problem.report_issue == ""
    assert "life" in {t["code"] for t in gather(cast.a0101, 2018)["themes"]}


def test_the_owner_must_be_someone_the_actor_may_see(cast, report):
    with pytest.raises(DomainError) as refused:
        services.list_issue(report, actor=cast.shuji, key="t:life", deadline=D(2019, 6, 30), owner=cast.chen)
    assert refused.value.code == "MEMBER_NOT_FOUND" and not Problem.objects.exists()


def unchanged(report):
    report.refresh_from_db()
    return (report.narrative, report.facts, report.generated_at, Problem.objects.count(), AuditEntry.objects.count())


@pytest.mark.parametrize("changes, code", [
    (dict(key="t:nope"), "REPORT_ISSUE"),
    (dict(key=added_line_key("党员活动阵地建设滞后")), "REPORT_ISSUE"),  # no such line added
    (dict(deadline=D(2017, 12, 31)), "DATE_ORDER"),  # before the year the problem was found
    (dict(measures="措" * 2001), "TOO_LONG"),
])
def test_a_wrong_listing_is_refused_and_changes_nothing(cast, report, changes, code):
    before = unchanged(report)
    with pytest.raises(DomainError) as refused:
        services.list_issue(report, actor=cast.shuji, **({"key": "t:life", "deadline": D(2019, 6, 30)} | changes))
    assert refused.value.code == code
    assert unchanged(report) == before


def test_a_pattern_is_listed_once_and_never_from_a_submitted_report(cast, report):
    services.list_issue(report, actor=cast.shuji, key="t:life", deadline=D(2019, 6, 30), on=D(2018, 12, 31))
    with pytest.raises(DomainError) as twice:
        services.list_issue(report, actor=cast.shuji, key="t:life", deadline=D(2019, 6, 30))
    assert twice.value.code == "REPORT_ISSUE" and Problem.objects.count() == 1
    services.submit_report(report, actor=cast.shuji)
    other = next(k for k in keys(report))
    with pytest.raises(DomainError) as frozen:
        services.list_issue(report, actor=cast.shuji, key=other, deadline=D(2019, 6, 30))
    assert frozen.value.code == "REPORT_SUBMITTED" and Problem.objects.count() == 1


def test_only_who_manages_the_organisation_lists_its_problems(cast, report):
    with pytest.raises(PermissionDenied):
        services.list_issue(report, actor=cast.b01admin, key="t:life", deadline=D(2019, 6, 30))
    assert not Problem.objects.exists()


# ---- the page ----

def test_the_secretary_lists_a_pattern_from_the_report_page(client, cast, report):
    client.force_login(cast.shuji)
    page_url = reverse("report_page", args=["A0101", 2018])
    page = client.get(page_url).content.decode()
    assert 'id="issues"' in page and 'value="t:life"' in page
    assert page.count('name="deadline"') == len(keys(report))  # one form per problem
    assert f'<option value="{cast.zhang.pk}" selected>' in page  # the secretary is offered as the owner
    url = reverse("report_list_issue", args=["A0101", 2018])
    response = client.post(url, {"key": "t:life", "deadline": "2019-06-30", "owner": cast.zhang.pk,
                                 "measures": MEASURES}, follow=True)
    assert "已列入整改台账：问题A0101-2018-01，整改时限2019-06-30" in response.content.decode()
    problem = Problem.objects.get()
    assert (problem.owner, problem.measures, problem.report_issue) == (cast.zhang, MEASURES, "t:life")
    assert problem.events.get().date == D(2018, 12, 31)  # put on the list on the reference day, as the ledger's forms
    assert 'value="t:life"' not in client.get(page_url).content.decode()


@pytest.mark.parametrize("data, words", [
    ({"key": "t:life"}, "请填写整改时限"),
    ({"key": "t:life", "deadline": "2019-02-30"}, "2019-02-30"),
    ({"key": "t:nope", "deadline": "2019-06-30"}, "已列入整改台账，请刷新页面"),
    ({"key": "t:life", "deadline": "2019-06-30", "measures": "措" * 2001}, "整改措施："),
])
def test_the_page_refuses_a_wrong_listing_in_chinese(client, cast, report, data, words):
    client.force_login(cast.shuji)
    response = client.post(reverse("report_list_issue", args=["A0101", 2018]), data, follow=True)
    html = response.content.decode()
    assert "未列入整改台账" in html and words in html
    assert not Problem.objects.exists()


def test_the_owner_is_one_of_the_committee(client, cast, report):
    client.force_login(cast.shuji)
    response = client.post(reverse("report_list_issue", args=["A0101", 2018]),
                           {"key": "t:life", "deadline": "2019-06-30", "owner": cast.li.pk}, follow=True)
    assert "所选责任人不存在或不在您的管理范围内" in response.content.decode()
    assert not Problem.objects.exists()


@pytest.mark.parametrize("who, status", [("b01admin", 404), ("dangyuan", 403)])
def test_others_cannot_list(client, cast, report, who, status):
    client.force_login(getattr(cast, who))
    response = client.post(reverse("report_list_issue", args=["A0101", 2018]),
                           {"key": "t:life", "deadline": "2019-06-30"})
    assert response.status_code == status and not Problem.objects.exists()
