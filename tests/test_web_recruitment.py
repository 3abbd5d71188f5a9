"""发展党员 pages: the board and the due list scoped to the role and the chosen subtree (the branch secretary
sees A0101's cases, not A0102's), opening a case, every step's form from the application to admission and
confirmation (the admitted applicant appears in the roster as 预备党员), refusals that name the rule
(DEV-06), a soft rule refused and then recorded with a reason, 终止培养, the 发展党员工作纪实 docx, and who
may open and change what."""
import datetime
import io

import pytest
from django.urls import reverse

from dangjian.audit.models import AuditEntry
from dangjian.core.dates import add_months, today
from dangjian.meetings.services import record_meeting
from dangjian.members.models import Member, Stage
from dangjian.recruitment.models import Case, CaseStep
from dangjian.recruitment.services import discontinue_case, open_case, record_step

from .cast import person_id
from .test_web_access import USERS, client_for

D = datetime.date
BIRTH = D(1995, 5, 17)
STAFF_A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=403, outsider=403)
STAFF_A0102 = STAFF_A0101 | dict(shuji=404)
EVERY_STAFF = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=200, shuji=200, dangyuan=403, outsider=403)


def apply(cast, n=60, name="刘洋", org=None, applied_on=D(2016, 3, 1)):
    return open_case(actor=None, id_number=person_id(n, birth=BIRTH), name=name, org=org or cast.a0101,
                     applied_on=applied_on)


def form_path(c):
    """The clean path as the step form posts it: one year of training, three days of intensive training."""
    return [
        (2, dict(date="2016-03-15")),
        (3, dict(date="2016-04-01")),
        (5, dict(date="2016-04-05", people=[c.zhang.pk])),
        (6, dict(date="2016-10-01")),
        (7, dict(date="2017-04-01")),
        (9, dict(date="2017-04-10", people=[c.zhang.pk, c.li.pk])),
        (10, dict(date="2017-05-01", conclusion="合格")),
        (11, dict(date="2017-05-10", ended_on="2017-05-12", hours="24")),
        (12, dict(date="2017-06-01")),
        (13, dict(date="2017-06-10")),
        (15, dict(date="2017-07-01", expected="10", present="8", yes="8")),
        (16, dict(date="2017-07-20")),
        (17, dict(date="2017-08-01")),
        (20, dict(date="2017-08-10")),
        (22, dict(date="2018-06-15")),
        (23, dict(date="2018-07-01", expected="10", present="9", yes="9", conclusion="按期转正")),
        (24, dict(date="2018-07-20")),
    ]


def service_walk(c, case, until):
    """The same path through the service (people as members), for tests that start mid-way."""
    members = {c.zhang.pk: c.zhang, c.li.pk: c.li}
    for no, data in form_path(c):
        if no > until:
            break
        data = dict(data)
        if "people" in data:
            data["people"] = [members[pk] for pk in data["people"]]
        for name in ("expected", "present", "yes"):
            if name in data:
                data[name] = int(data[name])
        record_step(case, actor=None, step=no, **data)
    return case


def post_step(client, case, no, **data):
    return client.post(reverse("recruitment_step", args=[case.pk]), {"step": no, "note": "", **data})


def page(client, case, query=""):
    return client.get(reverse("recruitment_detail", args=[case.pk]) + query)


# ---- who may open what ----

@pytest.mark.parametrize("who", USERS)
def test_it_answers_every_recruitment_page_by_role(client, cast, who):
    a0101, a0102 = apply(cast), apply(cast, 61, "周敏", cast.a0102)
    pages = [("recruitment_board", [], EVERY_STAFF), ("recruitment_due", [], EVERY_STAFF),
             ("recruitment_create", [], EVERY_STAFF),
             ("recruitment_detail", [a0101.pk], STAFF_A0101), ("recruitment_detail", [a0102.pk], STAFF_A0102),
             ("recruitment_ledger", [a0101.pk], STAFF_A0101), ("recruitment_ledger", [a0102.pk], STAFF_A0102)]
    client = client_for(client, cast, who)
    for name, args, expected in pages:
        response = client.get(reverse(name, args=args))
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login")), name
        else:
            assert response.status_code == expected[who], f"{who} {name}: {response.status_code}"


@pytest.mark.parametrize("who,status", [("dangyuan", 403), ("outsider", 403), ("b01admin", 404)])
def test_it_refuses_changes_to_a_case_out_of_reach_and_records_nothing(client, cast, who, status):
    case = apply(cast)
    client.force_login(getattr(cast, who))
    before = (CaseStep.objects.count(), AuditEntry.objects.count())
    assert post_step(client, case, 2, date="2016-03-15").status_code == status
    url = reverse("recruitment_discontinue", args=[case.pk])
    assert client.post(url, {"stop-on": "2016-04-01", "stop-reason": "本人撤回"}).status_code == status
    step = case.steps.get()
    url = reverse("recruitment_step_delete", args=[case.pk, step.pk])
    assert client.post(url).status_code == status
    assert (CaseStep.objects.count(), AuditEntry.objects.count()) == before
    case.refresh_from_db()
    assert case.discontinued_on is None


def test_the_navigation_leads_to_the_board(client, cast):
    client.force_login(cast.shuji)
    html = client.get(reverse("recruitment_board")).content.decode()
    assert f'href="{reverse("recruitment_board")}" class="active">发展党员</a>' in html


# ---- the board and the due list ----

def test_the_secretary_sees_his_branch_cases_on_the_board_not_the_neighbours(client, cast):
    apply(cast, 60, "刘洋")
    apply(cast, 61, "周敏", cast.a0102)
    apply(cast, 62, "郑伟", cast.b0101)
    client.force_login(cast.shuji)
    html = client.get(reverse("recruitment_board")).content.decode()
    assert "刘洋" in html and "周敏" not in html and "郑伟" not in html
    client.force_login(cast.a01admin)
    html = client.get(reverse("recruitment_board")).content.decode()
    assert "刘洋" in html and "周敏" in html and "郑伟" not in html
    client.force_login(cast.b01admin)
    html = client.get(reverse("recruitment_board")).content.decode()
    assert "郑伟" in html and "刘洋" not in html


def test_the_board_follows_the_chosen_subtree_and_the_branch_search(client, cast):
    apply(cast, 60, "刘洋")
    apply(cast, 61, "周敏", cast.a0102)
    client.force_login(cast.admin)
    client.post(reverse("set_scope"), {"org": "A0102"})
    html = client.get(reverse("recruitment_board")).content.decode()
    assert "周敏" in html and "刘洋" not in html
    client.post(reverse("set_scope"), {"org": ""})
    html = client.get(reverse("recruitment_board") + "?q=甲市一支部").content.decode()
    assert "刘洋" in html and "周敏" not in html


def test_the_board_puts_each_case_in_its_stage_with_counts_and_overdue_marks(client, cast):
    applicant = apply(cast, 60, "刘洋")  # applied 2016: the talk (within a month) is long overdue
    activist = service_walk(cast, apply(cast, 61, "周敏"), 5)
    candidate = service_walk(cast, apply(cast, 62, "郑伟"), 10)
    probationary = service_walk(cast, apply(cast, 63, "孙丽"), 17)
    confirmed = service_walk(cast, apply(cast, 64, "钱程"), 24)
    client.force_login(cast.shuji)
    response = client.get(reverse("recruitment_board"))
    columns = {c["key"]: c for c in response.context["columns"]}
    names = {key: [item["case"].name for item in c["cards"]] for key, c in columns.items()}
    assert names == {"applicant": ["刘洋"], "activist": ["周敏"], "candidate": ["郑伟"], "probationary": ["孙丽"],
                     "confirmed": []}  # 钱程 was confirmed in 2018, not this year
    assert [c["count"] for c in response.context["columns"]] == [1, 1, 1, 1, 0]
    card = columns["applicant"]["cards"][0]
    assert card["state"].overdue and card["state"].next_step.no == 2
    html = response.content.decode()
    assert card["masked_id"] in html and applicant.id_number not in html
    assert "逾期" in html and "党组织派人谈话" in html and "入党积极分子" in html
    response = client.get(reverse("recruitment_board") + "?status=confirmed")
    assert [item["case"] for item in response.context["columns"][0]["cards"]] == [confirmed]
    assert {activist, candidate, probationary}.isdisjoint(
        item["case"] for c in response.context["columns"] for item in c["cards"])


def test_the_due_list_shows_what_falls_due_in_30_days_for_the_subtree(client, cast):
    day = today()
    overdue = apply(cast, 60, "刘洋", applied_on=add_months(day, -2))  # the talk was due a month ago
    soon = apply(cast, 61, "周敏", applied_on=day - datetime.timedelta(days=10))  # due in about 20 days
    apply(cast, 62, "郑伟", cast.a0102, applied_on=day - datetime.timedelta(days=10))
    later = apply(cast, 63, "孙丽", applied_on=day)
    record_step(later, actor=None, step=2, date=day)  # next: the activist decision, no deadline
    client.force_login(cast.shuji)
    response = client.get(reverse("recruitment_due"))
    assert [r["case"] for r in response.context["rows"]] == [overdue, soon]
    html = response.content.decode()
    assert "郑伟" not in html and "孙丽" not in html and "逾期" in html
    assert response.context["overdue"] == 1
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.context["recruitment"]["due"] == 2
    assert reverse("recruitment_due") in dashboard.content.decode()
    client.force_login(cast.a01admin)
    assert len(client.get(reverse("recruitment_due")).context["rows"]) == 3


# ---- opening a case ----

def test_it_opens_a_case_from_the_form(client, cast):
    client.force_login(cast.shuji)
    form = client.get(reverse("recruitment_create"))
    assert form.context["form"].initial["org"] == cast.a0101  # the secretary's only branch
    assert list(form.context["form"].fields["org"].queryset) == [cast.a0101]
    response = client.post(reverse("recruitment_create"), {
        "id_number": person_id(60, birth=BIRTH), "name": "刘洋", "org": cast.a0101.pk, "applied_on": "2016-03-01"})
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("recruitment_detail", args=[case.pk])
    assert case.name == "刘洋" and case.org == cast.a0101 and case.birth_date.year == 1995  # read from the ID
    assert list(case.steps.values_list("step", "date")) == [(1, D(2016, 3, 1))]
    html = page(client, case).content.decode()
    assert "递交入党申请书" in html and "党组织派人谈话" in html and case.id_number not in html
    assert "发展党员工作细则（2014）" in html  # the rule version stored on the case
    assert "递交入党申请书后1个月内" in html and "推荐和确定入党积极分子后一年以上" in html  # the timing rules
    assert "材料：入党申请书" in html


def test_it_refuses_an_applicant_under_18_with_the_rule_named(client, cast):
    client.force_login(cast.shuji)
    response = client.post(reverse("recruitment_create"), {
        "id_number": person_id(60, birth=D(2000, 5, 17)), "name": "刘洋", "org": cast.a0101.pk,
        "applied_on": "2018-01-10"})
    assert response.status_code == 200
    assert any("DEV-01" in e for e in response.context["form"].errors["applied_on"])
    assert not Case.objects.exists()


def test_it_refuses_a_branch_out_of_reach_when_opening(client, cast):
    client.force_login(cast.shuji)
    response = client.post(reverse("recruitment_create"), {
        "id_number": person_id(60, birth=BIRTH), "name": "刘洋", "org": cast.a0102.pk, "applied_on": "2016-03-01"})
    assert response.status_code == 200 and "org" in response.context["form"].errors
    assert not Case.objects.exists()


# ---- the steps ----

def test_the_secretary_takes_an_applicant_through_every_step_form_to_confirmation(client, cast):
    case = apply(cast)
    meeting = record_meeting(actor=None, org=cast.a0101, held_on=D(2017, 7, 1), subject="讨论接收预备党员",
                             types=["branch_general"], expected=10, present=8)
    client.force_login(cast.shuji)
    for no, data in form_path(cast):
        shown = page(client, case)
        assert shown.context["chosen"].no == no, (no, shown.context["chosen"])  # the form for the next step
        fields = set(shown.context["form"].fields)
        if no in (5, 9):
            assert "people" in fields
            offered = set(shown.context["form"].fields["people"].queryset)
            assert offered == {cast.zhang, cast.li}  # the branch's full members, not 王志强 (probationary)
        if no == 15:
            assert {"expected", "present", "yes", "meeting"} <= fields
            data = data | {"meeting": meeting.pk}
        response = post_step(client, case, no, **data)
        assert response.status_code == 302, (no, response.context["form"].errors if response.context else None)
        if no == 15:
            case.refresh_from_db()
            member = case.member
            assert member.stage == Stage.PROBATIONARY and member.admitted_on == D(2017, 7, 1)
            roster = client.get(reverse("roster")).content.decode()
            assert "刘洋" in roster and reverse("member_detail", args=[member.pk]) in roster
            probationary = client.get(reverse("roster") + "?stage=probationary").content.decode()
            assert "刘洋" in probationary
            html = page(client, case).content.decode()
            assert reverse("member_detail", args=[member.pk]) in html  # the case links to the member
            assert reverse("meeting_detail", args=[meeting.pk]) in html
            assert "应到10人，实到8人，赞成8票，通过" in html
    assert case.steps.count() == 1 + len(form_path(cast))
    member = Member.objects.get(pk=case.member.pk)
    assert member.stage == Stage.FULL and member.confirmed_on == D(2018, 7, 1)
    response = page(client, case)
    assert response.context["state"].status == "confirmed"
    html = response.content.decode()
    for text in ("张建国", "李秀英", "合格", "2017-05-10至2017-05-12，24学时", "按期转正"):
        assert text in html


def test_the_branch_meeting_form_offers_only_the_branchs_general_meetings(client, cast):
    case = service_walk(cast, apply(cast), 13)
    day = D(2017, 7, 1)
    general = record_meeting(actor=None, org=cast.a0101, held_on=day, subject="讨论接收预备党员",
                             types=["branch_general"], expected=10, present=8)
    record_meeting(actor=None, org=cast.a0101, held_on=day, subject="支委会", types=["branch_committee"],
                   expected=3, present=3)
    record_meeting(actor=None, org=cast.a0102, held_on=day, subject="二支部大会", types=["branch_general"],
                   expected=5, present=5)
    client.force_login(cast.shuji)
    form = page(client, case).context["form"]
    assert form.definition.no == 15 and list(form.fields["meeting"].queryset) == [general]


def test_the_secretary_extends_probation_and_then_cancels_it(client, cast):
    case = service_walk(cast, apply(cast), 22)
    client.force_login(cast.shuji)
    vote = dict(expected="10", present="9", yes="9")
    response = post_step(client, case, 23, date="2018-07-01", conclusion="延长预备期", months="4", **vote)
    assert response.status_code == 200 and any("DEV-17" in e for e in response.context["form"].errors["months"])
    assert post_step(client, case, 23, date="2018-07-01", conclusion="延长预备期", months="6", **vote).status_code == 302
    assert post_step(client, case, 24, date="2018-07-20").status_code == 302
    response = page(client, case)
    state = response.context["state"]
    assert (state.status, state.next_step.no, state.due_on) == ("probationary", 23, D(2019, 1, 1))
    assert "2019-01-01（延长6个月）" in response.content.decode()
    assert post_step(client, case, 23, date="2019-01-05", conclusion="取消预备党员资格", **vote).status_code == 302
    assert post_step(client, case, 24, date="2019-01-20").status_code == 302
    case.refresh_from_db()
    assert case.member.stage == Stage.LEFT
    response = page(client, case)
    assert response.context["state"].status == "cancelled" and response.context["form"] is None
    assert "已取消预备党员资格" in response.content.decode()


def test_it_refuses_a_candidate_before_a_year_of_training_naming_dev_06(client, cast):
    case = service_walk(cast, apply(cast), 6)
    client.force_login(cast.shuji)
    before = AuditEntry.objects.count()
    response = post_step(client, case, 7, date="2017-03-01")
    assert response.status_code == 200
    errors = response.context["form"].errors["date"]
    assert any("DEV-06" in e and "2017-04-01" in e for e in errors), errors
    html = response.content.decode()
    assert "DEV-06" in html and "确定发展对象须在确定为入党积极分子一年以上" in html
    assert not response.context["form"].reason_asked  # a hard rule: no reason lets it through
    assert not case.steps.filter(step=7).exists() and AuditEntry.objects.count() == before


def test_a_soft_rule_asks_for_a_reason_and_records_the_step_with_it(client, cast):
    case = apply(cast)
    client.force_login(cast.shuji)
    response = post_step(client, case, 2, date="2016-05-10")  # more than a month after the application
    assert response.status_code == 200
    form = response.context["form"]
    assert form.reason_asked and any("DEV-02" in e for e in form.errors["reason"])
    html = response.content.decode()
    assert 'name="reason"' in html and "<textarea" in html and "DEV-02" in html
    assert not case.steps.filter(step=2).exists()
    response = post_step(client, case, 2, date="2016-05-10", reason="申请人外出培训两个月")
    assert response.status_code == 302
    talk = case.steps.get(step=2)
    assert talk.reason == "申请人外出培训两个月" and talk.date == D(2016, 5, 10)
    html = page(client, case).content.decode()
    assert "申请人外出培训两个月" in html and "软性规则未满足" in html


def test_a_short_training_is_refused_and_recorded_as_a_special_case(client, cast):
    case = service_walk(cast, apply(cast), 10)
    client.force_login(cast.shuji)
    response = post_step(client, case, 11, date="2017-05-10", ended_on="2017-05-10", hours="8")
    assert response.status_code == 200 and response.context["form"].reason_asked
    assert "DEV-09" in response.content.decode()
    response = post_step(client, case, 11, date="2017-05-10", ended_on="2017-05-10", hours="8", reason="因公外派，单独补课")
    assert response.status_code == 302 and case.steps.get(step=11).reason == "因公外派，单独补课"


def test_it_records_an_optional_and_a_repeatable_step_from_the_other_steps(client, cast):
    case = service_walk(cast, apply(cast), 5)
    client.force_login(cast.shuji)
    response = page(client, case)
    assert response.context["chosen"].no == 6
    assert {s.no for s in response.context["others"]} == {4, 7}  # 上级党委备案, 确定发展对象
    partial = client.get(reverse("recruitment_detail", args=[case.pk]) + "?step=4&partial=step",
                         HTTP_HX_REQUEST="true")
    assert partial.context["chosen"].no == 4 and "<html" not in partial.content.decode()
    assert post_step(client, case, 4, date="2016-04-10").status_code == 302
    assert post_step(client, case, 6, date="2016-07-01").status_code == 302
    assert page(client, case).context["chosen"].no == 6  # the next assessment, six months on
    assert post_step(client, case, 6, date="2016-12-20").status_code == 302
    assert case.steps.filter(step=6).count() == 2
    response = page(client, case)
    assert response.context["chosen"].no == 7 and response.context["state"].due_kind == "earliest"
    assert post_step(client, case, 4, date="2016-04-12").status_code == 200  # 备案 is recorded once


def test_it_shows_an_order_refusal_above_the_form(client, cast):
    case = apply(cast)
    client.force_login(cast.shuji)
    response = post_step(client, case, 7, date="2016-03-10")
    assert response.status_code == 200
    assert any("DEV-ORDER" in e for e in response.context["form"].non_field_errors())


def test_it_deletes_the_latest_step_entered_by_mistake(client, cast):
    case = service_walk(cast, apply(cast), 3)
    client.force_login(cast.shuji)
    first, talk, activist = case.steps.order_by("date")
    response = client.post(reverse("recruitment_step_delete", args=[case.pk, talk.pk]))
    assert response.status_code == 302 and case.steps.filter(pk=talk.pk).exists()  # only the latest
    client.post(reverse("recruitment_step_delete", args=[case.pk, activist.pk]))
    assert not case.steps.filter(pk=activist.pk).exists()
    assert AuditEntry.objects.filter(action="case.step_delete").count() == 1


def test_it_discontinues_a_case_with_a_reason(client, cast):
    case = service_walk(cast, apply(cast), 3)
    client.force_login(cast.shuji)
    html = page(client, case).content.decode()
    assert reverse("recruitment_discontinue", args=[case.pk]) in html
    url = reverse("recruitment_discontinue", args=[case.pk])
    response = client.post(url, {"stop-on": "2016-06-01", "stop-reason": ""})
    assert response.status_code == 200 and "stop-reason" in response.content.decode()
    assert "reason" in response.context["stop_form"].errors
    response = client.post(url, {"stop-on": "2016-06-01", "stop-reason": "本人申请撤回入党申请"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.discontinued_on == D(2016, 6, 1) and case.discontinued_reason == "本人申请撤回入党申请"
    response = page(client, case)
    assert response.context["form"] is None and response.context["stop_form"] is None
    assert "本人申请撤回入党申请" in response.content.decode()
    assert "刘洋" not in client.get(reverse("recruitment_board")).content.decode()
    response = client.get(reverse("recruitment_board") + "?status=discontinued")
    assert [item["case"] for item in response.context["columns"][0]["cards"]] == [case]
    assert post_step(client, case, 5, date="2016-07-01", people=[cast.zhang.pk]).status_code == 200
    assert not case.steps.filter(step=5).exists()


def test_an_admitted_case_cannot_be_discontinued(client, cast):
    case = service_walk(cast, apply(cast), 15)
    client.force_login(cast.shuji)
    assert page(client, case).context["stop_form"] is None
    response = client.post(reverse("recruitment_discontinue", args=[case.pk]),
                           {"stop-on": "2017-08-01", "stop-reason": "x"})
    assert response.status_code == 200 and "取消预备党员资格" in response.content.decode()


# ---- the 发展党员工作纪实 ----

def _docx(response):
    from docx import Document

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessingml")
    document = Document(io.BytesIO(response.content))
    text = "\n".join([p.text for p in document.paragraphs]
                     + [c.text for t in document.tables for r in t.rows for c in r.cells])
    return document, text


def test_the_ledger_docx_has_the_person_and_the_steps(client, cast):
    case = service_walk(cast, apply(cast), 15)
    record_step(case, actor=None, step=16, date=D(2017, 7, 20), note="组织员谈话")
    discontinue = apply(cast, 61, "周敏")
    discontinue_case(discontinue, actor=None, on=D(2016, 4, 1), reason="本人撤回")
    client.force_login(cast.shuji)
    response = client.get(reverse("recruitment_ledger", args=[case.pk]))
    assert "attachment" in response["Content-Disposition"]
    document, text = _docx(response)
    assert "发展党员工作纪实" in text and "刘洋" in text and "甲市一支部" in text
    for title in ("递交入党申请书", "推荐和确定入党积极分子", "确定入党介绍人", "支部大会讨论", "材料归档"):
        assert title in text
    assert "张建国、李秀英" in text and "应到10人，实到8人，赞成8票，通过" in text and "组织员谈话" in text
    assert "时限：递交入党申请书后1个月内" in text and "材料：入党申请书" in text and "发展党员工作细则（2014）" in text
    assert case.id_number not in text and case.id_number[:6] in text  # a branch officer gets it masked
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    xml = document.element.xml
    assert 'w:eastAsia="宋体"' in xml or 'w:eastAsia="黑体"' in xml
    styles = document.styles.element.xml
    assert 'w:eastAsia="宋体"' in styles
    client.force_login(cast.a01admin)
    _, text = _docx(client.get(reverse("recruitment_ledger", args=[case.pk])))
    assert case.id_number in text  # a 党务管理员 of the subtree may see the full number
    _, text = _docx(client.get(reverse("recruitment_ledger", args=[discontinue.pk])))
    assert "终止培养" in text and "本人撤回" in text
