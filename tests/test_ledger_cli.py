"""`dangjian import` and `dangjian export`: output formats and exit codes (LEDGER.md)."""
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dangjian.organizations.models import Organization

from .test_ledger_support import ORG_HEADER, counts, read_back, workbook


def write(tmp_path, **sheets):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(workbook(**sheets).getvalue())
    return str(path)


def run(*args):
    """(exit code, stdout) of a command run in-process."""
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


GOOD = [ORG_HEADER, ["A0103", "甲市三支部", "党支部", "A01", "2018-03-01"]]
BAD = [ORG_HEADER, ["A0103", "甲市三支部", "党支部", "A01", "2018-02-30"], ["A0104", "", "党支部", "ZZ", "2018-03-01"]]


def test_it_exits_1_and_lists_errors_as_sheet_row_column(cast, tmp_path):
    before = counts()
    code, out = run("import", write(tmp_path, 组织=BAD))
    assert code == 1 and counts() == before
    lines = out.splitlines()
    assert lines[0] == "组织!2 成立日期: 成立日期：日期“2018-02-30”不存在"
    assert lines[1] == "组织!3 组织名称: 组织名称不能为空"
    assert "发现2个错误，未导入任何数据" in out


def test_it_prints_json_errors_with_their_fields(cast, tmp_path):
    code, out = run("import", write(tmp_path, 组织=BAD), "--format", "json")
    data = json.loads(out)
    assert code == 1 and data["applied"] is False
    assert [(e["sheet"], e["row"], e["column"], e["code"]) for e in data["errors"]] == [
        ("组织", 2, "成立日期", "DATE_INVALID"), ("组织", 3, "组织名称", "REQUIRED")]
    assert set(data["errors"][0]) == {"sheet", "row", "column", "code", "message"}


def test_it_exits_0_and_writes_nothing_on_a_dry_run(cast, tmp_path):
    before = counts()
    code, out = run("import", write(tmp_path, 组织=GOOD), "--dry-run", "--format", "json")
    assert code == 0 and json.loads(out)["changes"]["组织"]["created"] == 1 and counts() == before


def test_it_imports_and_exits_0(cast, tmp_path):
    code, out = run("import", write(tmp_path, 组织=GOOD))
    assert code == 0 and "导入完成：1项变更" in out
    assert Organization.objects.filter(code="A0103").exists()


def test_it_exits_1_for_a_file_that_is_no_workbook(cast, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK not really")
    code, out = run("import", str(path), "--format", "json")
    assert code == 1 and json.loads(out)["errors"][0]["code"] == "FILE_INVALID"


def test_it_exports_a_subtree_to_a_file(cast, tmp_path):
    path = tmp_path / "out.xlsx"
    code, out = run("export", str(path), "--org", "A01")
    assert code == 0 and "已导出" in out
    assert {r[0].value for r in read_back(path.read_bytes())["组织"].iter_rows(min_row=2)} == {"A01", "A0101", "A0101G1", "A0102"}


def test_it_refuses_to_export_an_unknown_org(cast, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        call_command("export", str(tmp_path / "out.xlsx"), "--org", "ZZ", stdout=io.StringIO())


def test_it_draws_the_progress_bar_only_on_a_terminal():
    from dangjian.ledger.progress import ProgressBar

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty, pipe = Tty(), io.StringIO()
    for stream in (tty, pipe):
        bar = ProgressBar("导入", stream=stream)
        for done in range(1, 101):
            bar(done, 100)
        bar.close()
    assert pipe.getvalue() == ""
    assert tty.getvalue().count("\r") < 10 and "100% 100/100" in tty.getvalue()
