"""`dangjian stats` (PRODUCT.md's stable interface): json is the tables' own dict, text is Chinese tables, xlsx
opens with one sheet per table; bad input gets a Chinese message and exit code 1, never a traceback."""
import datetime
import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from dangjian.members.models import EventKind
from dangjian.members.services import record_exit, transfer_member
from dangjian.stats.tables import statistics

D = datetime.date


@pytest.fixture
def data(cast):
    """The cast, with 陈刚 transferred from B0101 to A0102 in 2018 and 赵丽 withdrawn."""
    transfer_member(cast.chen, actor=None, to_org=cast.a0102, transferred_on=D(2018, 5, 1))
    record_exit(cast.zhao, actor=None, kind=EventKind.WITHDREW, exited_on=D(2018, 9, 1))
    return cast


def stats(*args):
    out = io.StringIO()
    call_command("stats", *args, stdout=out)
    return out.getvalue()


def refused(*args):
    with pytest.raises(CommandError) as exc:
        stats(*args)
    return str(exc.value)


def test_json_is_one_object_equal_to_the_function(data):
    got = json.loads(stats("--org", "A01", "--as-of", "2018-12-31", "--format", "json"))
    assert got == statistics(data.a01, D(2018, 12, 31)).as_dict()
    assert got["org"] == {"code": "A01", "name": "甲市分公司党委"} and got["as_of"] == "2018-12-31"
    assert got["members"] == 4  # 张建国, 李秀英, 王志强 and 陈刚 (transferred in); 赵丽 withdrew
    changes = {r["key"]: r["count"] for r in got["tables"]["changes"]["rows"]}
    assert changes["transferred_in"] == 1 and changes["withdrew"] == 1 and changes["recruited"] == 1
    assert changes["difference"] == 0


def test_text_prints_chinese_tables(data):
    text = stats("--org", "JT", "--as-of", "2018-12-31")
    assert text.startswith("集团党委（JT）党内统计　截至2018年12月31日")
    assert "党员总数：4人" in text
    for title in ("一、党员类别", "性别", "民族", "年龄", "学历", "工作岗位", "党龄", "党组织", "党员数量变化"):
        assert title in text
    assert "预备党员" in text and "合计" in text


def test_xlsx_writes_a_workbook_of_the_tables(data, tmp_path):
    path = tmp_path / "统计.xlsx"
    message = stats("--org", "JT", "--as-of", "2018-12-31", "--format", "xlsx", "--out", str(path))
    assert "已写入" in message
    book = load_workbook(path)
    assert book.sheetnames[0] == "说明" and len(book.sheetnames) == 1 + len(statistics(data.jt, D(2018, 12, 31)).tables)
    assert book["说明"]["B3"].value == 4
    category = book[book.sheetnames[1]]
    rows = {r[0]: r[1] for r in category.iter_rows(min_row=3, values_only=True) if r[0]}
    assert rows["正式党员"] == 3 and rows["预备党员"] == 1 and rows["合计"] == 4


def test_json_may_go_to_a_file(data, tmp_path):
    path = tmp_path / "s.json"
    stats("--org", "JT", "--as-of", "2018-12-31", "--format", "json", "--out", str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["members"] == 4


@pytest.mark.parametrize("args, message", [
    (("--org", "NOPE", "--as-of", "2018-12-31"), "组织编码“NOPE”不存在"),
    (("--org", "JT", "--as-of", "2018-02-30"), "日期“2018-02-30”不存在"),
    (("--org", "JT", "--as-of", "2018.12.31"), "格式不正确"),
    (("--org", "JT", "--as-of", "0001-01-01"), "超出可统计的范围"),
    (("--org", "JT"), "请填写截至日期"),
    (("--as-of", "2018-12-31"), "请填写组织编码"),
    (("--org", "JT", "--as-of", "2018-12-31", "--format", "xlsx"), "须用 --out 指定文件"),
])
def test_bad_input_gets_a_chinese_message(cast, args, message):
    assert message in refused(*args)


def test_an_unwritable_file_is_refused_in_chinese(cast, tmp_path):
    assert "无法写入文件" in refused("--org", "JT", "--as-of", "2018-12-31", "--format", "json", "--out",
                                    str(tmp_path / "missing" / "s.json"))


@pytest.mark.parametrize("args, message", [
    (["--org", "JT", "--as-of", "2018-02-30"], "不存在"),
    (["--org", "JT", "--as-of", "2018-12-31"], "无法读取数据库"),  # a new data folder: not migrated
])
def test_the_command_exits_1_without_a_traceback(tmp_path, args, message):
    result = subprocess.run([sys.executable, "-m", "dangjian", "stats", *args], capture_output=True, text=True,
                            env={k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
                            | {"DANGJIAN_DATA": str(tmp_path)})
    assert result.returncode == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_a_date_before_the_organisation_and_a_party_group_say_why_the_tables_are_empty(cast):
    assert "该组织在2015年12月31日尚未成立或已撤销，各表均为0" in stats("--org", "JT", "--as-of", "2015-12-31")
    assert "党小组不单独管理党员的组织关系" in stats("--org", "A0101G1", "--as-of", "2018-12-31")
