"""问题整改 services: registering a problem, its progress notes with evidence, completion by the responsible
organisation, verification and closing (验收销号) or refusal (退回) by the level above only, the transitions
map refusing illegal moves, status computed from the dates, and the year's ledger carrying problems over.
The clock is stopped on 2019-03-15."""
import datetime
import importlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from dangjian.audit.models import AuditEntry
from dangjian.core.errors import DomainError, PermissionDenied
from dangjian.rectification import services
from dangjian.rectification.models import OVERDUE, EventKind, Problem, ProblemEvent, ProblemState
from dangjian.rectification.queries import problems_for_year, status_counts

D = datetime.date
TODAY = D(2019, 3, 15)


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    for module in ("dangjian.core.dates", "dangjian.rectification.services"):
        monkeypatch.setattr(importlib.import_module(module), "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def problem(org, number="P-01", *, actor=None, year=2018, deadline=D(2018, 6, 30), **kw):
    kw.setdefault("source", "组织生活会")
    kw.setdefault("description", "三会一课记录不规范")
    return services.record_problem(actor=actor, number=number, org=org, year=year, deadline=deadline, **kw)


def history(p):
    return [(e.kind, e.date, e.from_state, e.to_state) for e in ProblemEvent.objects.filter(problem=p)]


# ---- registering ----

def test_it_registers_a_problem_with_its_history_row_and_audit(cast):
    p = problem(cast.a0101, actor=cast.shuji, cause="学习不够", measures="逐月检查记录", owner=cast.zhang,
                on=D(2018, 2, 1))
    assert (p.org, p.year, p.source, p.owner, p.state) == (cast.a0101, 2018, "life_meeting", cast.zhang,
                                                           ProblemState.OPEN)
    assert history(p) == [(EventKind.CREATED, D(2018, 2, 1), "", "")]
    entry = AuditEntry.objects.get(action="problem.create")
    assert entry.actor == cast.shuji and entry.org_code == "A0101" and entry.after["number"] == "P-01"


def test_it_reads_the_source_as_a_code_or_its_label(cast):
    assert problem(cast.a0101, "P-01", source="inspection").get_source_display() == "巡视巡察"
    assert problem(cast.a0101, "P-02", source="上级督查").source == "supervision"


REFUSALS = {
    "no number": (dict(number=" "), "number", "REQUIRED"),
    "number with a space": (dict(number="P 01"), "number", "NUMBER_FORMAT"),
    "no description": (dict(description=""), "description", "REQUIRED"),
    "unknown source": (dict(source="群众举报"), "source", "CHOICE"),
    "no deadline": (dict(deadline=None), "deadline", "REQUIRED"),
    "impossible deadline": (dict(deadline="2018-02-30"), "deadline", "DATE_INVALID"),
    "deadline before the year": (dict(deadline=D(2017, 12, 31)), "deadline", "DATE_ORDER"),
    "year in the future": (dict(year=2020, deadline=D(2020, 6, 30)), "year", "YEAR"),
    "year not a year": (dict(year="18年"), "year", "YEAR"),
    "before the organisation": (dict(year=2015, deadline=D(2015, 6, 30)), "year", "DATE_ORDER"),
    "registered before the year": (dict(on=D(2017, 12, 1)), "on", "DATE_ORDER"),
    "registered in the future": (dict(on=D(2019, 3, 16)), "on", "DATE_FUTURE"),
    "description too long": (dict(description="问" * 2001), "description", "TOO_LONG"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_it_refuses_a_problem_that_cannot_be(cast, name):
    changes, field, code = REFUSALS[name]
    args = dict(number="P-01") | changes
    with pytest.raises(DomainError) as refused:
        problem(cast.a0101, **args)
    assert (refused.value.field, refused.value.code) == (field, code)
    assert not refused.value.message.isascii() and not Problem.objects.exists()


def test_it_refuses_a_number_already_used(cast):
    problem(cast.b0101, "P-01")
    with pytest.raises(DomainError) as refused:
        problem(cast.a0101, "P-01", actor=cast.shuji)
    assert refused.value.code == "DUPLICATE" and "乙市" not in refused.value.message


def test_it_lets_only_those_who_manage_the_organisation_register(cast):
    problem(cast.a0101, "P-01", actor=cast.a01admin)
    for who in (cast.b01admin, cast.dangyuan, cast.outsider):
        with pytest.raises(PermissionDenied):
            problem(cast.a0101, "P-02", actor=who)
    with pytest.raises(PermissionDenied):
        problem(cast.a0102, "P-03", actor=cast.shuji)


def test_it_corrects_a_problem_and_audits_only_what_changed(cast):
    p = problem(cast.a0101)
    assert services.update_problem(p, actor=cast.shuji, measures="每月检查") is True
    assert services.update_problem(p, actor=cast.shuji, measures="每月检查") is False
    entry = AuditEntry.objects.get(action="problem.update")
    assert entry.before == {"measures": ""} and entry.after == {"measures": "每月检查"}
    with pytest.raises(PermissionDenied):
        services.update_problem(p, actor=cast.shuji, org=cast.a0102)


# ---- the transitions ----

def test_it_goes_from_open_to_closed_with_a_row_for_each_step(cast, media):
    p = problem(cast.a0101, owner=cast.zhang, on=D(2018, 2, 1))
    evidence = SimpleUploadedFile("整改记录.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    note = services.add_progress(p, actor=cast.shuji, on=D(2018, 4, 10), text="已补齐一季度记录", upload=evidence)
    assert note.file_name == "整改记录.pdf" and note.file_size == 13 and (media / note.file.name).exists()
    services.complete_problem(p, actor=cast.shuji, on=D(2018, 6, 20), note="全部记录已规范")
    assert p.state == ProblemState.COMPLETED and p.completed_on == D(2018, 6, 20)
    services.close_problem(p, actor=cast.a01admin, on=D(2018, 7, 5), note="验收合格")
    p.refresh_from_db()
    assert (p.completed_on, p.closed_on, p.state) == (D(2018, 6, 20), D(2018, 7, 5), ProblemState.CLOSED)
    assert history(p) == [
        (EventKind.CREATED, D(2018, 2, 1), "", ""),
        (EventKind.PROGRESS, D(2018, 4, 10), "", ""),
        (EventKind.COMPLETED, D(2018, 6, 20), ProblemState.OPEN, ProblemState.COMPLETED),
        (EventKind.CLOSED, D(2018, 7, 5), ProblemState.COMPLETED, ProblemState.CLOSED)]
    assert [e.actor_name for e in p.events.all()] == ["系统", "shuji", "shuji", "a01admin"]
    assert list(AuditEntry.objects.filter(object_type="problem").order_by("id").values_list("action", flat=True)) == [
        "problem.create", "problem.progress", "problem.complete", "problem.close"]


def test_it_lets_the_higher_level_return_a_completion(cast):
    p = problem(cast.a0101)
    services.complete_problem(p, actor=cast.shuji, on=D(2018, 6, 20))
    with pytest.raises(DomainError) as refused:
        services.return_problem(p, actor=cast.a01admin, on=D(2018, 7, 1), reason="")
    assert refused.value.field == "note"
    services.return_problem(p, actor=cast.a01admin, on=D(2018, 7, 1), reason="记录仍不完整")
    p.refresh_from_db()
    assert p.state == ProblemState.OPEN and p.completed_on is None
    assert ProblemEvent.objects.get(kind=EventKind.RETURNED).text == "记录仍不完整"
    services.complete_problem(p, actor=cast.shuji, on=D(2018, 8, 1))
    services.close_problem(p, actor=cast.zuzhibu, on=D(2018, 8, 10))
    assert Problem.objects.get().state == ProblemState.CLOSED


def test_only_the_level_above_verifies_and_closes(cast):
    branch_problem = problem(cast.a0101, "P-01")
    services.complete_problem(branch_problem, actor=cast.shuji, on=D(2018, 6, 20))
    committee_problem = problem(cast.a01, "P-02", actor=cast.a01admin)
    services.complete_problem(committee_problem, actor=cast.a01admin, on=D(2018, 6, 20))
    # The branch secretary completes their branch's problem but may not close it; nor may another subtree.
    for who, p in ((cast.shuji, branch_problem), (cast.b01admin, branch_problem), (cast.a01admin, committee_problem),
                   (cast.dangyuan, branch_problem), (cast.outsider, branch_problem)):
        with pytest.raises(PermissionDenied):
            services.close_problem(p, actor=who, on=D(2018, 7, 1))
        with pytest.raises(PermissionDenied):
            services.return_problem(p, actor=who, on=D(2018, 7, 1), reason="不合格")
    assert not Problem.objects.filter(closed_on__isnull=False).exists()
    assert services.can_verify(cast.a01admin, cast.a0101) and services.can_verify(cast.zuzhibu, cast.a01)
    assert services.can_verify(cast.shuji, cast.a0101g1)  # a 党小组's level above is its branch
    assert services.can_verify(cast.admin, cast.jt) and not services.can_verify(cast.zuzhibu, cast.jt)
    services.close_problem(committee_problem, actor=cast.zuzhibu, on=D(2018, 7, 1))


def test_the_map_refuses_illegal_moves_in_chinese(cast):
    p = problem(cast.a0101)
    with pytest.raises(DomainError) as refused:
        services.close_problem(p, actor=cast.a01admin, on=D(2018, 7, 1))
    assert refused.value.code == "PROBLEM_STATE" and "须先完成整改" in refused.value.message
    # Returning an open problem: it is open already, nothing happens (the guarded function's no-op).
    assert services.return_problem(p, actor=cast.a01admin, on=D(2018, 7, 1), reason="x") is None
    services.complete_problem(p, actor=cast.shuji, on=D(2018, 6, 1))
    services.close_problem(p, actor=cast.a01admin, on=D(2018, 7, 1))
    for move in (lambda: services.return_problem(p, actor=None, on=D(2018, 8, 1), reason="x"),
                 lambda: services.add_progress(p, actor=None, on=D(2018, 8, 1), text="补充"),
                 lambda: services.update_problem(p, actor=None, measures="改")):
        with pytest.raises(DomainError) as refused:
            move()
        assert refused.value.code in ("PROBLEM_STATE", "PROBLEM_CLOSED") and "销号" in refused.value.message
    events = ProblemEvent.objects.count()
    # The state it is in already: nothing is written.
    assert services.close_problem(p, actor=cast.a01admin, on=D(2018, 9, 1)) is None
    assert ProblemEvent.objects.count() == events and Problem.objects.get().closed_on == D(2018, 7, 1)


COMPLETE, NOTE = services.complete_problem, services.add_progress
DATE_REFUSALS = {
    "completed before the year": (lambda p: COMPLETE(p, actor=None, on=D(2017, 12, 31)), "DATE_ORDER"),
    "completed in the future": (lambda p: COMPLETE(p, actor=None, on=D(2019, 3, 16)), "DATE_FUTURE"),
    "no completion date": (lambda p: COMPLETE(p, actor=None, on=None), "REQUIRED"),
    "note in the future": (lambda p: NOTE(p, actor=None, on=D(2019, 4, 1), text="x"), "DATE_FUTURE"),
    "note before the year": (lambda p: NOTE(p, actor=None, on=D(2017, 4, 1), text="x"), "DATE_ORDER"),
    "note without text": (lambda p: NOTE(p, actor=None, on=D(2018, 4, 1), text=" "), "REQUIRED"),
}


@pytest.mark.parametrize("name", sorted(DATE_REFUSALS))
def test_it_refuses_a_step_dated_where_it_cannot_be(cast, name):
    p = problem(cast.a0101)
    move, code = DATE_REFUSALS[name]
    with pytest.raises(DomainError) as refused:
        move(p)
    assert refused.value.code == code and not refused.value.message.isascii()
    assert Problem.objects.get().state == ProblemState.OPEN and ProblemEvent.objects.count() == 1


def test_it_refuses_a_closing_before_the_completion(cast):
    p = problem(cast.a0101)
    services.complete_problem(p, actor=None, on=D(2018, 6, 20))
    with pytest.raises(DomainError) as refused:
        services.close_problem(p, actor=None, on=D(2018, 6, 19))
    assert refused.value.code == "DATE_ORDER" and "早于完成日期" in refused.value.message
    services.close_problem(p, actor=None, on=D(2018, 6, 20))  # the same day is fine


def test_it_refuses_an_evidence_file_too_large(cast, media, monkeypatch):
    monkeypatch.setattr(services, "MAX_EVIDENCE_BYTES", 10)
    p = problem(cast.a0101)
    with pytest.raises(DomainError) as refused:
        services.add_progress(p, actor=None, on=D(2018, 4, 1), text="照片", upload=SimpleUploadedFile("a.jpg", b"x" * 11))
    assert refused.value.code == "FILE_TOO_LARGE" and not list(media.rglob("*.jpg"))


# ---- status from the dates ----

def test_its_status_is_computed_from_the_dates(cast):
    p = problem(cast.a0101, deadline=D(2018, 6, 30))
    services.complete_problem(p, actor=None, on=D(2018, 8, 1))
    services.close_problem(p, actor=None, on=D(2018, 9, 1))
    assert [p.status_on(day) for day in (D(2018, 6, 30), D(2018, 7, 1), D(2018, 8, 1), D(2018, 9, 1))] == [
        ProblemState.OPEN, OVERDUE, ProblemState.COMPLETED, ProblemState.CLOSED]
    assert p.completed_late and p.status_label_on(D(2018, 7, 1)) == "逾期未完成"
    assert status_counts([p], D(2018, 7, 15)) == {"open": 0, "overdue": 1, "completed": 0, "closed": 0}


# ---- the year's ledger ----

def test_the_years_ledger_carries_problems_until_they_are_closed(cast):
    def make(number, year, completed=None, closed=None, org=cast.a0101):
        p = problem(org, number, year=year, deadline=D(year, 6, 30), on=D(year, 1, 10))
        if completed:
            services.complete_problem(p, actor=None, on=completed)
        if closed:
            services.close_problem(p, actor=None, on=closed)
        return p

    make("F2018", 2018)                                              # found in 2018
    make("R2018", 2017, D(2018, 3, 1), D(2018, 4, 1))                # 2017's, rectified and closed in 2018
    make("C2017", 2017, D(2017, 10, 1), D(2018, 1, 5))               # completed in 2017, closed in 2018
    make("W2017", 2017, D(2017, 10, 1))                              # completed in 2017, awaiting closing
    make("O2016", 2016)                                              # still open since 2016
    make("X2017", 2017, D(2017, 10, 1), D(2017, 12, 20))             # closed before 2018: not in it
    make("N2019", 2019)                                              # found later: not in it
    make("B2018", 2018, org=cast.b0101)                              # another subtree
    numbers = lambda qs: sorted(qs.values_list("number", flat=True))  # noqa: E731
    assert numbers(problems_for_year(cast.a01, 2018)) == ["C2017", "F2018", "O2016", "R2018", "W2017"]
    assert numbers(problems_for_year(None, 2018)) == ["B2018", "C2017", "F2018", "O2016", "R2018", "W2017"]
    assert numbers(problems_for_year(cast.a01, 2017)) == ["C2017", "O2016", "R2018", "W2017", "X2017"]
    assert numbers(problems_for_year(cast.a01, 2019)) == ["F2018", "N2019", "O2016", "W2017"]
