"""问题整改 pages: who may open what (every cast user, every page), who may take which step (the branch
secretary completes their branch's problem but never closes it; the level above verifies, closes or returns
it), refusals on their field, the ledger's filters and carried-over problems, the xlsx export (masked unless
the role may reveal, audited), evidence files served only in scope, and a ledger whose queries do not grow.
The pages look at 2018-12-31, as the demo does."""
import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.rectification import services
from dangjian.rectification.models import EventKind, Problem, ProblemEvent, ProblemState

from .test_web_access import USERS, client_for

D = datetime.date


@pytest.fixture(autouse=True)
def as_of(settings, tmp_path):
    settings.DEFAULT_AS_OF = "2018-12-31"
    settings.MEDIA_ROOT = tmp_path
    return D(2018, 12, 31)


def make(org, number, *, year=2018, deadline=D(2018, 6, 30), completed=None, closed=None, owner=None,
         source="组织生活会", description="三会一课记录不规范"):
    p = services.record_problem(actor=None, number=number, org=org, year=year, source=source, owner=owner,
                                description=description, deadline=deadline, on=D(year, 1, 10))
    if completed:
        services.complete_problem(p, actor=None, on=completed)
    if closed:
        services.close_problem(p, actor=None, on=closed)
    return p


@pytest.fixture
def problems(cast):
    """A0101: one overdue (2018), one completed awaiting closing, one of 2017 closed in 2018; A0102, A01, B0101:
    one open each."""
    c = cast
    return {
        "overdue": make(c.a0101, "A0101-2018-01", owner=c.zhang),
        "completed": make(c.a0101, "A0101-2018-02", deadline=D(2019, 3, 31), completed=D(2018, 11, 1),
                          source="巡视巡察", description="发展党员程序不规范"),
        "carried": make(c.a0101, "A0101-2017-01", year=2017, deadline=D(2017, 12, 31), completed=D(2018, 3, 1),
                        closed=D(2018, 4, 10), source="述职评议", description="党建责任落实不到位"),
        "a0102": make(c.a0102, "A0102-2018-01", deadline=D(2019, 6, 30), owner=c.zhao),
        "a01": make(c.a01, "A01-2018-01", deadline=D(2019, 6, 30), completed=D(2018, 12, 1)),
        "b0101": make(c.b0101, "B0101-2018-01", deadline=D(2019, 6, 30), owner=c.chen, description="乙市的问题"),
    }


# ---- who may open what ----

EVERY_STAFF = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=200, shuji=200, dangyuan=403, outsider=403)
STAFF_A0101 = EVERY_STAFF | dict(b01admin=404)
STAFF_A0102 = STAFF_A0101 | dict(shuji=404)
STAFF_A01 = STAFF_A0102
STAFF_B0101 = EVERY_STAFF | dict(a01admin=404, shuji=404)

PAGES = [
    ("rectification_ledger", lambda p: [], EVERY_STAFF),
    ("rectification_export", lambda p: [], EVERY_STAFF),
    ("rectification_create", lambda p: [], EVERY_STAFF),
    ("rectification_detail", lambda p: [p["overdue"].pk], STAFF_A0101),
    ("rectification_detail", lambda p: [p["a0102"].pk], STAFF_A0102),
    ("rectification_detail", lambda p: [p["a01"].pk], STAFF_A01),
    ("rectification_detail", lambda p: [p["b0101"].pk], STAFF_B0101),
    ("rectification_edit", lambda p: [p["overdue"].pk], STAFF_A0101),
    ("rectification_edit", lambda p: [p["b0101"].pk], STAFF_B0101),
]


@pytest.mark.parametrize("who", USERS)
def test_it_answers_every_rectification_page_by_role(client, cast, problems, who):
    client = client_for(client, cast, who)
    for name, args, expected in PAGES:
        url = reverse(name, args=args(problems))
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        else:
            assert response.status_code == expected[who], f"{who} {url}: {response.status_code}"


def test_the_ledger_of_a_subtree_shows_nothing_of_another(client, cast, problems):
    client.force_login(cast.a01admin)
    html = client.get(reverse("rectification_ledger")).content.decode()
    assert "A0101-2018-01" in html and "A01-2018-01" in html and "B0101" not in html and "乙市" not in html
    client.force_login(cast.shuji)
    html = client.get(reverse("rectification_ledger")).content.decode()
    assert "A0101-2018-01" in html and "A0102-2018-01" not in html and "A01-2018-01" not in html


def test_it_has_a_navigation_item_for_staff(client, cast):
    client.force_login(cast.shuji)
    response = client.get(reverse("rectification_ledger"))
    assert ("rectification", "整改", reverse("rectification_ledger")) in response.context["nav"]
    assert response.context["active"] == "rectification"


# ---- the steps: who may take which ----

def post(client, name, problem, **data):
    return client.post(reverse(name, args=[problem.pk]), data)


STEPS = {
    "rectification_progress": dict(on="2018-12-01", text="已补齐记录"),
    "rectification_complete": dict(on="2018-12-20", note="整改完毕"),
    "rectification_close": dict(on="2018-12-28", note="验收合格"),
    "rectification_return": dict(on="2018-12-28", note="记录仍不完整"),
}
# On the branch's overdue problem (progress, complete) and its completed one (close, return).
MAY = {
    "rectification_progress": dict(admin=302, zuzhibu=302, a01admin=302, b01admin=404, shuji=302, dangyuan=403,
                                   outsider=403),
    "rectification_complete": dict(admin=302, zuzhibu=302, a01admin=302, b01admin=404, shuji=302, dangyuan=403,
                                   outsider=403),
    "rectification_close": dict(admin=302, zuzhibu=302, a01admin=302, b01admin=404, shuji=403, dangyuan=403,
                                outsider=403),
    "rectification_return": dict(admin=302, zuzhibu=302, a01admin=302, b01admin=404, shuji=403, dangyuan=403,
                                 outsider=403),
}


@pytest.mark.parametrize("step", sorted(STEPS))
@pytest.mark.parametrize("who", [u for u in USERS if u != "anonymous"])
def test_each_step_is_taken_only_by_who_may(client, cast, problems, step, who):
    client_for(client, cast, who)
    target = problems["completed" if step in ("rectification_close", "rectification_return") else "overdue"]
    before = (ProblemEvent.objects.count(), Problem.objects.get(pk=target.pk).state)
    response = post(client, step, target, **STEPS[step])
    assert response.status_code == MAY[step][who], f"{who} {step}: {response.status_code}"
    target.refresh_from_db()
    if response.status_code == 302:
        assert ProblemEvent.objects.count() == before[0] + 1
        expected = {"rectification_progress": ProblemState.OPEN, "rectification_complete": ProblemState.COMPLETED,
                    "rectification_close": ProblemState.CLOSED, "rectification_return": ProblemState.OPEN}[step]
        assert target.state == expected
    else:
        assert (ProblemEvent.objects.count(), target.state) == before


def test_a_committees_own_problem_is_closed_from_above_it_only(client, cast, problems):
    client.force_login(cast.a01admin)
    assert post(client, "rectification_close", problems["a01"], on="2018-12-20", note="合格").status_code == 403
    html = client.get(reverse("rectification_detail", args=[problems["a01"].pk])).content.decode()
    assert "close-form" not in html and "待上级党组织验收销号" in html
    client.force_login(cast.zuzhibu)
    assert post(client, "rectification_close", problems["a01"], on="2018-12-20", note="合格").status_code == 302
    assert Problem.objects.get(pk=problems["a01"].pk).closed_on == D(2018, 12, 20)


def test_the_page_offers_each_role_only_its_own_forms(client, cast, problems):
    client.force_login(cast.shuji)
    html = client.get(reverse("rectification_detail", args=[problems["completed"].pk])).content.decode()
    assert "progress-form" in html and "complete-form" not in html and "close-form" not in html
    html = client.get(reverse("rectification_detail", args=[problems["overdue"].pk])).content.decode()
    assert "complete-form" in html and "逾期未完成" in html
    client.force_login(cast.a01admin)
    html = client.get(reverse("rectification_detail", args=[problems["completed"].pk])).content.decode()
    assert "close-form" in html and "return-form" in html
    html = client.get(reverse("rectification_detail", args=[problems["carried"].pk])).content.decode()
    assert "progress-form" not in html and "close-form" not in html and "修改</a>" not in html


# ---- refusals land on their field ----

def test_a_refused_step_shows_why_on_its_field(client, cast, problems):
    events = ProblemEvent.objects.count()
    client.force_login(cast.a01admin)
    response = post(client, "rectification_close", problems["completed"], on="2018-10-31", note="合格")
    assert response.status_code == 400
    assert "早于完成日期2018-11-01" in response.context["close_form"].errors["on"][0]
    response = post(client, "rectification_return", problems["completed"], on="2018-12-01", note="")
    assert response.status_code == 400 and response.context["return_form"].errors["note"] == ["请填写退回原因"]
    client.force_login(cast.shuji)
    response = post(client, "rectification_complete", problems["overdue"], on="2099-01-01")
    assert response.status_code == 400 and "晚于今天" in response.context["complete_form"].errors["on"][0]
    response = post(client, "rectification_progress", problems["overdue"], on="2018-02-30", text="x")
    assert response.status_code == 400 and "不存在" in response.context["progress_form"].errors["on"][0]
    assert ProblemEvent.objects.count() == events
    # A step the state does not allow (the page would not offer it): refused with the map's message.
    client.force_login(cast.a01admin)
    response = post(client, "rectification_close", problems["overdue"], on="2018-12-20", note="合格")
    assert response.status_code == 400 and "须先完成整改" in response.context["close_form"].errors["on"][0]


# ---- registering and correcting ----

def create_data(c, **over):
    return {"org": c.a0101.pk, "number": "A0101-2018-09", "year": "2018", "source": "self_check",
            "description": "党员活动室制度未上墙", "cause": "", "measures": "月底前上墙", "owner": c.li.pk,
            "deadline": "2018-12-31", "on": "2018-11-01"} | over


def test_the_branch_secretary_registers_a_problem_of_their_branch_only(client, cast):
    client.force_login(cast.shuji)
    form = client.get(reverse("rectification_create")).context["form"]
    assert [o.code for o in form.fields["org"].queryset] == ["A0101", "A0101G1"]
    assert form.initial["number"] == "A0101-2018-01"
    response = client.post(reverse("rectification_create"), create_data(cast))
    problem = Problem.objects.get(number="A0101-2018-09")
    assert response.url == reverse("rectification_detail", args=[problem.pk])
    assert (problem.org, problem.owner, problem.source) == (cast.a0101, cast.li, "self_check")
    response = client.post(reverse("rectification_create"), create_data(cast, org=cast.a0102.pk, number="X-1"))
    assert "所选责任组织不存在或不在您的管理范围内" in response.content.decode()
    response = client.post(reverse("rectification_create"), create_data(cast, number="A0101-2018-09"))
    assert "已被使用" in response.context["form"].errors["number"][0]
    response = client.post(reverse("rectification_create"), create_data(cast, number="X-2", deadline="2017-12-31"))
    assert "早于问题发现的年度" in response.context["form"].errors["deadline"][0]


def test_it_corrects_a_problem_through_the_service(client, cast, problems):
    client.force_login(cast.shuji)
    p = problems["overdue"]
    data = {"org": cast.a0101.pk, "number": p.number, "year": "2018", "source": "life_meeting",
            "description": p.description, "cause": "学习不够", "measures": "逐月检查", "owner": cast.zhang.pk,
            "deadline": "2018-06-30"}
    response = client.post(reverse("rectification_edit", args=[p.pk]), data)
    assert response.status_code == 302
    p.refresh_from_db()
    assert (p.cause, p.measures) == ("学习不够", "逐月检查")
    assert AuditEntry.objects.get(action="problem.update").actor == cast.shuji


# ---- the ledger ----

def numbers(response):
    return [r["problem"].number for r in response.context["rows"]]


def test_the_ledger_filters_by_status_source_and_year(client, cast, problems):
    client.force_login(cast.a01admin)
    url = reverse("rectification_ledger")
    everything = client.get(url)
    assert numbers(everything) == ["A01-2018-01", "A0101-2017-01", "A0101-2018-01", "A0101-2018-02",
                                   "A0102-2018-01"]
    assert everything.context["carried"] == 1 and everything.context["as_of"] == D(2018, 12, 31)
    assert "上年度结转" in everything.content.decode()
    assert numbers(client.get(url + "?status=overdue")) == ["A0101-2018-01"]
    assert numbers(client.get(url + "?status=open")) == ["A0101-2018-01", "A0102-2018-01"]
    assert numbers(client.get(url + "?status=completed")) == ["A01-2018-01", "A0101-2018-02"]
    assert numbers(client.get(url + "?status=closed")) == ["A0101-2017-01"]
    assert numbers(client.get(url + "?source=inspection")) == ["A0101-2018-02"]
    # 2017's ledger, read on 2017-12-31: the 2017 problem was overdue then (its deadline 2017-12-31 not past).
    in_2017 = client.get(url + "?year=2017")
    assert numbers(in_2017) == ["A0101-2017-01"] and in_2017.context["rows"][0]["label"] == "整改中"
    bad = client.get(url + "?year=18")
    assert bad.status_code == 400 and "四位数字" in bad.context["year_error"]


def test_the_ledgers_queries_do_not_grow_with_its_problems(client, cast, problems):
    client.force_login(cast.admin)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("rectification_ledger"))
    for n in range(10):
        make(cast.a0102, f"MORE-{n}", owner=cast.zhao)
    with CaptureQueriesContext(connection) as many:
        client.get(reverse("rectification_ledger"))
    assert len(many) == len(few)


def test_the_export_masks_ids_unless_the_role_may_reveal_and_is_audited(client, cast, problems):
    client.force_login(cast.shuji)
    response = client.get(reverse("rectification_export") + "?status=overdue")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]
    assert rows[0][:4] == ["问题编号", "责任组织", "组织编码", "年度"] and len(rows) == 2
    assert rows[1][0] == "A0101-2018-01" and rows[1][9] == cast.zhang.masked_id_number and rows[1][13] == "逾期未完成"
    entry = AuditEntry.objects.get(action="problem.export")
    assert entry.actor == cast.shuji and entry.after == {"year": 2018, "count": 1, "id_numbers": "脱敏"}
    client.force_login(cast.a01admin)
    rows = list(load_workbook(io.BytesIO(client.get(reverse("rectification_export")).content)).active
                .iter_rows(values_only=True))
    assert cast.zhang.id_number in [r[9] for r in rows] and "B0101-2018-01" not in [r[0] for r in rows]


# ---- evidence files ----

def test_evidence_is_served_only_to_who_may_see_the_problem(client, cast, problems, as_of):
    client.force_login(cast.shuji)
    upload = SimpleUploadedFile("整改照片.jpg", b"\xff\xd8photo", content_type="image/jpeg")
    response = client.post(reverse("rectification_progress", args=[problems["overdue"].pk]),
                           {"on": "2018-12-01", "text": "制度已上墙", "file": upload})
    assert response.status_code == 302
    event = ProblemEvent.objects.get(kind=EventKind.PROGRESS)
    html = client.get(reverse("rectification_detail", args=[problems["overdue"].pk])).content.decode()
    assert "整改照片.jpg" in html and "制度已上墙" in html
    url = reverse("rectification_evidence", args=[event.pk])
    assert b"".join(client.get(url).streaming_content) == b"\xff\xd8photo"
    client.force_login(cast.b01admin)
    assert client.get(url).status_code == 404
    client.force_login(cast.dangyuan)
    assert client.get(url).status_code == 403


def test_the_compliance_page_links_a_finding_to_its_problem(client, cast, problems):
    client.force_login(cast.shuji)
    html = client.get(reverse("compliance") + "?year=2018&rule=RECT-01").content.decode()
    assert reverse("rectification_detail", args=[problems["overdue"].pk]) in html
    assert "A0101-2018-01" in html and "A0102-2018-01" not in html
