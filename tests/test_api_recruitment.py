"""/api/recruitment for every role: scoping (the branch secretary sees A0101's cases, not A0102's), opening a
case and recording steps through the services up to admission, refusals that name the rule (DEV-06), a soft
rule answered SOFT_RULE and then recorded with a reason, and IDs masked in every answer."""
import datetime

import pytest

from dangjian.audit.models import AuditEntry
from dangjian.members.models import Stage
from dangjian.recruitment.models import Case, CaseStep
from dangjian.recruitment.services import discontinue_case, open_case

from .cast import person_id
from .test_api import call, expect
from .test_web_recruitment import BIRTH, service_walk

D = datetime.date
STAFF_A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=404, outsider=404,
                   anonymous=401)
STAFF_A0102 = STAFF_A0101 | dict(shuji=404)


def apply(cast, n=60, name="刘洋", org=None, applied_on=D(2016, 3, 1)):
    return open_case(actor=None, id_number=person_id(n, birth=BIRTH), name=name, org=org or cast.a0101,
                     applied_on=applied_on)


def snapshot():
    return Case.objects.count(), CaseStep.objects.count(), AuditEntry.objects.count()


def error(r, status, code, field=None, message=None):
    assert r.status_code == status, (r.status_code, r.content.decode())
    body = r.json()
    assert body["code"] == code and body["field"] == field, body
    if message:
        assert message in body["message"], body


def steps_url(case):
    return f"/api/recruitment/{case.pk}/steps"


# ---- reading ----

@expect(dict(STAFF_A0101, b01admin=200, dangyuan=200, outsider=200))
def test_it_lists_only_the_cases_the_role_may_see(cast, role, status):
    apply(cast, 60, "刘洋")
    apply(cast, 61, "周敏", cast.a0102)
    apply(cast, 62, "郑伟", cast.b0101)
    r = call(cast, role, "get", "/api/recruitment")
    assert r.status_code == status
    if status == 200:
        names = sorted(c["name"] for c in r.json()["items"])
        expected = {"admin": ["刘洋", "周敏", "郑伟"], "zuzhibu": ["刘洋", "周敏", "郑伟"],
                    "a01admin": ["刘洋", "周敏"], "b01admin": ["郑伟"], "shuji": ["刘洋"], "dangyuan": [],
                    "outsider": []}[role]
        assert names == sorted(expected)


@expect(STAFF_A0102)
def test_it_hides_a0102_cases_from_the_a0101_secretary(cast, role, status):
    case = apply(cast, 61, "周敏", cast.a0102)
    r = call(cast, role, "get", f"/api/recruitment/{case.pk}")
    assert r.status_code == status
    if status == 404:
        assert r.json()["code"] == "NOT_FOUND" and "周敏" not in r.content.decode()
    assert call(cast, role, "get", "/api/recruitment?org=A0102").status_code == status


def test_it_answers_a_case_with_its_steps_and_state(cast):
    case = service_walk(cast, apply(cast), 15)
    r = call(cast, "shuji", "get", f"/api/recruitment/{case.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["name"] == "刘洋" and body["org"] == "A0101"
    assert body["id_number_masked"] != case.id_number and case.id_number not in r.content.decode()
    assert body["birth_date_masked"].endswith("-**-**")
    assert body["state"]["status"] == "probationary" and body["state"]["admitted_on"] == "2017-07-01"
    assert body["state"]["next_step"]["no"] == 16 and body["state"]["overdue"] is True
    assert body["member_id"] == case.member.pk
    steps = {s["step"]: s for s in body["steps"]}
    assert [s["step"] for s in body["steps"]] == [1, 2, 3, 5, 6, 7, 9, 10, 11, 12, 13, 15]
    assert [p["name"] for p in steps[9]["people"]] == ["张建国", "李秀英"]
    assert steps[15]["expected"] == 10 and "表决：应到10人，实到8人，赞成8票，通过" in steps[15]["summary"]
    assert steps[11]["hours"] == 24.0 and steps[11]["ended_on"] == "2017-05-12"


def test_it_filters_by_organisation_and_status(cast):
    apply(cast, 60, "刘洋")
    service_walk(cast, apply(cast, 61, "周敏"), 15)
    stopped = apply(cast, 62, "郑伟", cast.a0102)
    discontinue_case(stopped, actor=None, on=D(2016, 4, 1), reason="本人撤回")

    def names(url):
        r = call(cast, "a01admin", "get", url)
        assert r.status_code == 200, r.content
        return sorted(c["name"] for c in r.json()["items"])

    assert names("/api/recruitment?org=A0101") == ["刘洋", "周敏"]
    assert names("/api/recruitment?status=probationary") == ["周敏"]
    assert names("/api/recruitment?status=discontinued") == ["郑伟"]
    assert names("/api/recruitment?status=open") == ["刘洋"]
    error(call(cast, "a01admin", "get", "/api/recruitment?status=nope"), 400, "CHOICE", "status")
    assert call(cast, "shuji", "get", "/api/recruitment?org=B0101").status_code == 404


# ---- writing ----

def test_it_opens_a_case(cast):
    body = {"id_number": person_id(60, birth=BIRTH), "name": "刘洋", "org": "A0101", "applied_on": "2016-03-01"}
    r = call(cast, "shuji", "post", "/api/recruitment", body)
    assert r.status_code == 201, r.content
    case = Case.objects.get()
    assert r.json()["id"] == case.pk and r.json()["state"]["next_step"]["no"] == 2
    assert [s["title"] for s in r.json()["steps"]] == ["递交入党申请书"]
    assert AuditEntry.objects.filter(action="case.create", actor=cast.shuji).count() == 1


@pytest.mark.parametrize("role,status,code", [("shuji", 403, "FORBIDDEN"), ("b01admin", 403, "FORBIDDEN"),
                                              ("dangyuan", 403, "FORBIDDEN"), ("anonymous", 401, "UNAUTHENTICATED")])
def test_it_refuses_to_open_a_case_out_of_reach(cast, role, status, code):
    before = snapshot()
    body = {"id_number": person_id(60, birth=BIRTH), "name": "周敏", "org": "A0102", "applied_on": "2016-03-01"}
    r = call(cast, role, "post", "/api/recruitment", body)
    assert r.status_code == status and r.json()["code"] == code
    assert snapshot() == before


def test_it_refuses_an_applicant_under_18_naming_the_rule(cast):
    body = {"id_number": person_id(60, birth=D(2000, 5, 17)), "name": "刘洋", "org": "A0101",
            "applied_on": "2018-01-10"}
    error(call(cast, "shuji", "post", "/api/recruitment", body), 400, "DEV-01", "applied_on", "DEV-01")
    assert not Case.objects.exists()


def test_it_records_the_steps_up_to_admission(cast):
    case = apply(cast)
    path = [
        {"step": 2, "date": "2016-03-15"},
        {"step": 3, "date": "2016-04-01"},
        {"step": 5, "date": "2016-04-05", "people": [cast.zhang.pk]},
        {"step": 7, "date": "2017-04-01"},
        {"step": 9, "date": "2017-04-10", "people": [cast.zhang.pk, cast.li.pk]},
        {"step": 10, "date": "2017-05-01", "conclusion": "合格"},
        {"step": 11, "date": "2017-05-10", "ended_on": "2017-05-12", "hours": 24},
        {"step": 12, "date": "2017-06-01"},
        {"step": 13, "date": "2017-06-10"},
        {"step": 15, "date": "2017-07-01", "expected": 10, "present": 8, "yes": 8},
    ]
    for body in path:
        r = call(cast, "shuji", "post", steps_url(case), body)
        assert r.status_code == 201, (body, r.content.decode())
    case.refresh_from_db()
    assert case.member.stage == Stage.PROBATIONARY and case.member.admitted_on == D(2017, 7, 1)
    assert r.json()["member_id"] == case.member.pk and r.json()["state"]["status"] == "probationary"
    r = call(cast, "shuji", "get", "/api/members?stage=probationary")
    assert "刘洋" in [m["name"] for m in r.json()["items"]]


def test_it_refuses_a_candidate_before_a_year_of_training_naming_dev_06(cast):
    case = service_walk(cast, apply(cast), 6)
    before = snapshot()
    r = call(cast, "shuji", "post", steps_url(case), {"step": 7, "date": "2017-03-01"})
    error(r, 400, "DEV-06", "date", "DEV-06")
    assert "2017-04-01" in r.json()["message"]
    assert snapshot() == before


def test_a_soft_rule_is_a_400_soft_rule_and_a_reason_records_the_step(cast):
    case = apply(cast)
    before = snapshot()
    r = call(cast, "shuji", "post", steps_url(case), {"step": 2, "date": "2016-05-10"})
    error(r, 400, "SOFT_RULE", "reason", "DEV-02")
    assert snapshot() == before
    r = call(cast, "shuji", "post", steps_url(case), {"step": 2, "date": "2016-05-10", "reason": "申请人外出培训"})
    assert r.status_code == 201
    talk = r.json()["steps"][-1]
    assert talk["step"] == 2 and talk["reason"] == "申请人外出培训"
    assert case.steps.get(step=2).reason == "申请人外出培训"


def test_it_refuses_people_and_meetings_out_of_reach(cast):
    case = service_walk(cast, apply(cast), 3)
    before = snapshot()
    error(call(cast, "shuji", "post", steps_url(case), {"step": 5, "date": "2016-04-05", "people": [cast.chen.pk]}),
          403, "FORBIDDEN", "people")
    error(call(cast, "shuji", "post", steps_url(case), {"step": 5, "date": "2016-04-05", "people": []}),
          400, "DEV-04", "people", "DEV-04")
    error(call(cast, "shuji", "post", steps_url(case), {"step": 3, "date": "2016-04-05", "meeting": 999999}),
          403, "FORBIDDEN", "meeting")
    error(call(cast, "shuji", "post", steps_url(case), {"step": 6, "date": "2016-04-05", "conclusion": "合格"}),
          400, "STEP_FIELD", "conclusion")
    assert snapshot() == before


@expect(dict(STAFF_A0101, admin=201, zuzhibu=201, a01admin=201, shuji=201))
def test_it_records_a_step_only_for_the_roles_that_manage_the_branch(cast, role, status):
    case = apply(cast)
    r = call(cast, role, "post", steps_url(case), {"step": 2, "date": "2016-03-15"})
    assert r.status_code == status, r.content
    assert case.steps.filter(step=2).count() == (1 if status == 201 else 0)


def test_it_answers_a_bad_step_body_in_the_schema(cast):
    case = apply(cast)
    assert call(cast, "shuji", "post", steps_url(case), {"step": 26, "date": "2016-03-15"}).status_code == 422
    assert call(cast, "shuji", "post", steps_url(case), {"step": 2, "date": "2016-03-15", "x": 1}).status_code == 422
    error(call(cast, "shuji", "post", steps_url(case), {"step": 2, "date": "2016-02-30"}), 400, "DATE_INVALID", "date")
