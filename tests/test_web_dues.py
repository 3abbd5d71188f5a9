"""党费 pages: the branch's month in one form (the amounts due pre-filled, the whole branch recorded in one
post, all or nothing, the refusal on its row), the statement against the Payment rows, who may open and
change what (the branch secretary A0101 only, a member their own dues), the overview, the year, the xlsx
exports (masked unless the role may reveal, audited), the back-payment limit at its edge, voluntary extra
payments, correcting and deleting a payment, the bases of a whole branch, bad months, and the workbench
card. The clock is stopped on 2019-09-15: the pages default to September 2019."""
import datetime
import importlib
import io
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from openpyxl import load_workbook

from dangjian.audit.models import AuditEntry
from dangjian.dues.models import BaseDeclaration, Payment
from dangjian.dues.services import declare_base, record_payment
from dangjian.web.exports import DUES_LINE_HEADERS

from .test_web_access import USERS, client_for

D = datetime.date
M = Decimal
TODAY = D(2019, 9, 15)
SEPTEMBER = "2019-09"
# Every `today` the dues pages read: the services, the statements, the views, the workbench, and
# core.dates itself (reference_day, the default month).
CLOCKS = ("dangjian.core.dates", "dangjian.dues.services", "dangjian.dues.queries", "dangjian.web.views.dues",
          "dangjian.web.views.dashboard")


@pytest.fixture(autouse=True)
def frozen(monkeypatch):
    for module in CLOCKS:
        monkeypatch.setattr(importlib.import_module(module), "today", lambda: TODAY)
    return TODAY


@pytest.fixture
def bases(cast):
    """Bases from January 2019: 张 4000 (40.00 a month), 李 6000 (90.00), 王 a student (0.20), 赵 (A0102) 3000
    (15.00), 陈 (B0101) 12000 (240.00)."""
    for member, base, category in ((cast.zhang, "4000", None), (cast.li, "6000", None), (cast.wang, "0", "student"),
                                   (cast.zhao, "3000", None), (cast.chen, "12000", None)):
        declare_base(member, actor=None, month="2019-01", base=base, category=category)
    return cast


def month_url(code="A0101", month=SEPTEMBER):
    return reverse("dues_month", args=[code, month])


def collect(client, amounts, paid_on="2019-09-15", code="A0101", month=SEPTEMBER):
    """Post the single collection form: `amounts` = {member: text}; a member left out posts a blank box."""
    form = client.get(month_url(code, month)).context["form"]
    data = {"paid_on": paid_on}
    for line, field in form.amount_rows:
        data[field.html_name] = amounts.get(line.member, "")
    return client.post(month_url(code, month), data)


def regular_paid(org, month=None, year=None):
    """What the Payment rows say was paid (regular payments collected by `org`)."""
    rows = Payment.objects.filter(org=org, kind="regular")
    rows = rows.filter(month=month) if month else rows.filter(month__year=year)
    return rows.aggregate(s=Sum("amount"))["s"] or M("0.00")


def who(html, css):
    """The names listed under 已交 (paid), 少交 (short), 未交 (unpaid) in the statement."""
    return re.search(rf'<dd class="wrap" id="who-{css}">(.*?)</dd>', html, re.S)[1]


def workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def values(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


# ---- who may open what ----

STAFF_A0101 = dict(admin=200, zuzhibu=200, a01admin=200, b01admin=404, shuji=200, dangyuan=403, outsider=403)
STAFF_A0102 = STAFF_A0101 | dict(shuji=404)
STAFF_B0101 = STAFF_A0101 | dict(a01admin=404, b01admin=200, shuji=404)
EVERY_STAFF = STAFF_A0101 | dict(b01admin=200)

PAGES = [
    ("dues_overview", lambda c, p: [], EVERY_STAFF),
    ("dues_month", lambda c, p: ["A0101", SEPTEMBER], STAFF_A0101),
    ("dues_month", lambda c, p: ["A0102", SEPTEMBER], STAFF_A0102),
    ("dues_month", lambda c, p: ["B0101", SEPTEMBER], STAFF_B0101),
    ("dues_month_export", lambda c, p: ["A0101", SEPTEMBER], STAFF_A0101),
    ("dues_month_export", lambda c, p: ["A0102", SEPTEMBER], STAFF_A0102),
    ("dues_year", lambda c, p: ["A0101", "2019"], STAFF_A0101),
    ("dues_year", lambda c, p: ["B0101", "2019"], STAFF_B0101),
    ("dues_year_export", lambda c, p: ["A0102", "2019"], STAFF_A0102),
    ("dues_bases", lambda c, p: ["A0101"], STAFF_A0101),
    ("dues_bases", lambda c, p: ["A0102"], STAFF_A0102),
    ("dues_member", lambda c, p: [c.li.pk], STAFF_A0101 | dict(dangyuan=200)),
    ("dues_member", lambda c, p: [c.zhang.pk], STAFF_A0101 | dict(dangyuan=404)),
    ("dues_member", lambda c, p: [c.chen.pk], STAFF_B0101 | dict(dangyuan=404)),
    ("dues_base_declare", lambda c, p: [c.li.pk], STAFF_A0101),
    ("dues_payment_create", lambda c, p: [c.li.pk], STAFF_A0101),
    ("dues_payment_create", lambda c, p: [c.zhao.pk], STAFF_A0102),
    ("dues_payment_edit", lambda c, p: [p["li"].pk], STAFF_A0101),
    ("dues_payment_edit", lambda c, p: [p["zhao"].pk], STAFF_A0102),
]


@pytest.mark.parametrize("who", USERS)
def test_it_answers_every_dues_page_by_role(client, bases, who):
    c = bases
    payments = {"li": record_payment(c.li, actor=None, month=SEPTEMBER, amount="90", paid_on=TODAY),
                "zhao": record_payment(c.zhao, actor=None, month=SEPTEMBER, amount="15", paid_on=TODAY)}
    client = client_for(client, c, who)
    for name, args, expected in PAGES:
        url = reverse(name, args=args(c, payments))
        response = client.get(url)
        if who == "anonymous":
            assert response.status_code == 302 and response.url.startswith(reverse("login")), url
        else:
            assert response.status_code == expected[who], f"{who} {url}: {response.status_code}"


def test_it_sends_the_branch_page_to_the_default_month_and_refuses_a_party_group(client, cast):
    client.force_login(cast.shuji)
    response = client.get(reverse("dues_org", args=["A0101"]))
    assert response.status_code == 302 and response.url == month_url("A0101", SEPTEMBER)
    assert client.get(reverse("dues_org", args=["A0101G1"])).status_code == 404  # a 党小组 pays through its branch
    assert client.get(month_url("A0101G1")).status_code == 404
    assert client.get(reverse("dues_org", args=["A0102"])).status_code == 404


@pytest.mark.parametrize("who, code, status", [
    ("shuji", "A0102", 404), ("b01admin", "A0101", 404), ("dangyuan", "A0101", 403), ("outsider", "A0101", 403),
])
def test_it_refuses_a_collection_posted_by_a_role_that_cannot_manage(client, bases, who, code, status):
    member = bases.zhao if code == "A0102" else bases.li
    client.force_login(getattr(bases, who))
    response = client.post(month_url(code), {"paid_on": "2019-09-15", f"amount_{member.pk}": "90"})
    assert response.status_code == status
    assert not Payment.objects.exists() and not AuditEntry.objects.filter(action="dues.payment").exists()


def test_it_refuses_changes_to_another_branchs_payments_and_bases(client, bases):
    c = bases
    other = record_payment(c.zhao, actor=None, month=SEPTEMBER, amount="15", paid_on=TODAY)
    client.force_login(c.shuji)
    assert client.post(reverse("dues_payment_edit", args=[other.pk]), {
        "month": SEPTEMBER, "amount": "1", "paid_on": "2019-09-15", "kind": "regular"}).status_code == 404
    assert client.post(reverse("dues_payment_delete", args=[other.pk])).status_code == 404
    assert client.post(reverse("dues_payment_create", args=[c.zhao.pk]), {
        "month": SEPTEMBER, "amount": "1", "paid_on": "2019-09-15", "kind": "regular"}).status_code == 404
    assert client.post(reverse("dues_bases", args=["A0102"]) + "?month=2019-10",
                       {f"base_{c.zhao.pk}": "9000", f"category_{c.zhao.pk}": "employed"}).status_code == 404
    client.force_login(c.dangyuan)  # a member sees their own payment, and may not change it
    own = record_payment(c.li, actor=None, month=SEPTEMBER, amount="90", paid_on=TODAY)
    assert client.post(reverse("dues_payment_delete", args=[own.pk])).status_code == 403
    assert client.post(reverse("dues_payment_edit", args=[own.pk]), {
        "month": SEPTEMBER, "amount": "1", "paid_on": "2019-09-15", "kind": "regular"}).status_code == 403
    assert list(Payment.objects.order_by("pk").values_list("amount", flat=True)) == [M("15.00"), M("90.00")]
    assert BaseDeclaration.objects.filter(member=c.zhao).get().base == M("3000.00")


def test_it_shows_a_member_their_own_dues_and_no_one_elses(client, bases):
    c = bases
    record_payment(c.li, actor=None, month="2019-08", amount="80", paid_on=D(2019, 8, 20))
    record_payment(c.zhang, actor=None, month="2019-08", amount="40", paid_on=D(2019, 8, 20))
    client.force_login(c.dangyuan)
    response = client.get(reverse("dues_member", args=[c.li.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    lines = {line.month: line for line, _ in response.context["lines"]}
    assert sorted(lines) == [D(2019, m, 1) for m in range(1, 10)]  # January to this month
    assert (lines[D(2019, 8, 1)].paid, lines[D(2019, 8, 1)].status) == (M("80.00"), "少交")
    assert "2019-08-20" in html and "差10.00" in html
    assert response.context["totals"].paid == M("80.00")
    assert "登记党费" not in html and "申报缴费基数" not in html  # a member only reads
    assert client.get(reverse("dues_member", args=[c.zhang.pk])).status_code == 404
    assert client.get(month_url()).status_code == 403
    assert client.get(reverse("dues_overview")).status_code == 403
    assert client.get(reverse("dues_month_export", args=["A0101", SEPTEMBER])).status_code == 403
    partial = client.get(reverse("dues_member", args=[c.li.pk]), HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<section class="card" id="dues">')  # the card alone


# ---- the branch's month: one form ----

def test_it_prefills_each_members_amount_due(client, bases):
    c = bases
    client.force_login(c.shuji)
    response = client.get(month_url())
    assert response.status_code == 200
    form = response.context["form"]
    prefilled = {line.member.name: field.value() for line, field in form.amount_rows}
    assert prefilled == {"张建国": "40.00", "李秀英": "90.00", "王志强": "0.20"}  # not 赵丽 of 甲市二支部
    assert form["paid_on"].value() == TODAY
    html = response.content.decode()
    assert re.search(rf'name="amount_{c.li.pk}" value="90.00"', html)
    assert "赵丽" not in html and "陈刚" not in html


def test_it_records_the_whole_branch_in_one_post_and_the_statement_matches(client, bases):
    c = bases
    client.force_login(c.shuji)
    response = collect(client, {c.zhang: "40.00", c.li: "80"}, paid_on="2019-09-10")  # 王 cleared: unpaid
    assert response.status_code == 302 and response.url == month_url() + "#statement"
    assert {(p.member.name, p.amount, p.paid_on, p.org.code) for p in Payment.objects.all()} == {
        ("张建国", M("40.00"), D(2019, 9, 10), "A0101"), ("李秀英", M("80.00"), D(2019, 9, 10), "A0101")}
    assert AuditEntry.objects.filter(action="dues.payment", actor_name="shuji").count() == 2

    response = client.get(month_url())
    html = response.content.decode()
    assert "已登记2019年9月党费2人" in html
    totals = response.context["totals"]
    assert totals.paid == regular_paid(c.a0101, month=D(2019, 9, 1)) == M("120.00")
    assert (totals.due, totals.missing) == (M("130.20"), M("10.20"))
    assert totals.by_status == {"已交": 1, "少交": 1, "未交": 1, "无需交纳": 0}
    assert response.context["rate"] == "92.2%"  # (130.20 − 10.20) ÷ 130.20
    assert "130.20元" in html and "120.00元" in html and "10.20元" in html
    assert who(html, "paid") == "张建国"
    assert who(html, "short") == "李秀英（差10.00元）"
    assert who(html, "unpaid") == "王志强"
    # only 王's box is left; the paid rows show what was paid, with a link to correct it
    assert [line.member.name for line, _ in response.context["form"].amount_rows] == ["王志强"]
    li = Payment.objects.get(member=c.li)
    assert reverse("dues_payment_edit", args=[li.pk]) in html


def test_it_does_not_pay_twice_when_the_form_is_posted_again(client, bases):
    c = bases
    client.force_login(c.shuji)
    data = {"paid_on": "2019-09-15", f"amount_{c.zhang.pk}": "40", f"amount_{c.li.pk}": "90",
            f"amount_{c.wang.pk}": ""}
    assert client.post(month_url(), data).status_code == 302
    again = client.post(month_url(), data)  # the same form sent twice (back button, double click)
    assert again.status_code == 200
    assert "请至少填写一人的实缴金额" in again.content.decode()
    assert Payment.objects.count() == 2


@pytest.mark.parametrize("row, paid_on, message", [
    ("-5", "2019-09-15", "李秀英：实缴金额不能为负数"),
    ("九十", "2019-09-15", "李秀英：实缴金额“九十”不是有效的金额"),
    ("90.005", "2019-09-15", "李秀英：实缴金额“90.005”最多保留两位小数（精确到分）"),
    ("2000000", "2019-09-15", "李秀英：实缴金额2000000元超出合理范围"),
    ("90", "2019-09-16", "张建国：缴纳日期不能晚于今天"),                    # the first row written is refused
    ("90", "2018-01-10", "王志强：缴纳日期2018-01-10早于入党日期（2018-03-01）"),  # after two rows passed
])
def test_it_writes_nothing_when_one_row_is_wrong(client, bases, row, paid_on, message):
    c = bases
    client.force_login(c.shuji)
    response = collect(client, {c.zhang: "40", c.li: row, c.wang: "0.20"}, paid_on=paid_on)
    assert response.status_code == 200
    assert not Payment.objects.exists() and not AuditEntry.objects.filter(action="dues.payment").exists()
    name = message.split("：")[0]
    member = {"张建国": c.zhang, "李秀英": c.li, "王志强": c.wang}[name]
    form = response.context["form"]
    assert any(message in e for e in form.errors[f"amount_{member.pk}"]), form.errors
    html = response.content.decode()
    row_html = re.search(rf'<tr class="[^"]*has-error" id="dues-row-{member.pk}".*?</tr>', html, re.S)[0]
    assert message in row_html
    assert "本次收缴未登记任何一笔" in html and "Traceback" not in html
    assert form[f"amount_{c.zhang.pk}"].value() == "40"  # what was typed is kept


@pytest.mark.parametrize("paid_on, message", [
    ("2019-02-30", "日期“2019-02-30”不存在"),
    ("15/09/2019", "日期“15/09/2019”格式不正确，应为YYYY-MM-DD"),
])
def test_it_refuses_an_impossible_date_of_payment_on_its_field(client, bases, paid_on, message):
    client.force_login(bases.shuji)
    response = collect(client, {bases.zhang: "40"}, paid_on=paid_on)
    assert response.status_code == 200
    assert response.context["form"].errors["paid_on"] == [message]
    assert message in response.content.decode()
    assert not Payment.objects.exists()


def test_it_asks_for_at_least_one_amount(client, bases):
    client.force_login(bases.shuji)
    response = collect(client, {})
    assert "请至少填写一人的实缴金额（留空的视为本次未交，不登记）" in response.content.decode()
    assert not Payment.objects.exists()


def test_it_lets_a01admin_collect_for_a0102_and_see_only_a01(client, bases):
    c = bases
    client.force_login(c.a01admin)
    assert collect(client, {c.zhao: "15"}, code="A0102").status_code == 302
    assert Payment.objects.get().org == c.a0102
    assert client.get(month_url("B0101")).status_code == 404
    response = client.get(reverse("dues_overview") + f"?month={SEPTEMBER}")
    assert [row.org.code for row in response.context["rows"]] == ["A0101", "A0102"]
    html = response.content.decode()
    assert "乙市" not in html and "陈刚" not in html and "B0101" not in html


# ---- the overview, the year, the workbench ----

def test_it_shows_each_organisations_collection_and_the_total_in_the_overview(client, bases):
    c = bases
    for member, amount in ((c.zhang, "40"), (c.li, "80")):
        record_payment(member, actor=None, month=SEPTEMBER, amount=amount, paid_on=TODAY)
    record_payment(c.chen, actor=None, month=SEPTEMBER, amount="240", paid_on=TODAY)
    record_payment(c.zhao, actor=None, month="2019-08", amount="15", paid_on=D(2019, 8, 1))  # another month
    client.force_login(c.admin)
    response = client.get(reverse("dues_overview"))
    assert response.context["month"] == D(2019, 9, 1)
    rows = {row.org.code: row for row in response.context["rows"]}
    assert list(rows) == ["A0101", "A0102", "B0101"]
    assert (rows["A0101"].totals.due, rows["A0101"].totals.paid, rows["A0101"].rate) == (
        M("130.20"), M("120.00"), "92.2%")
    assert (rows["A0102"].totals.paid, rows["A0102"].totals.by_status["未交"], rows["A0102"].rate) == (
        M("0.00"), 1, "0.0%")
    assert (rows["B0101"].totals.paid, rows["B0101"].rate) == (M("240.00"), "100.0%")
    totals = response.context["totals"]
    paid = sum(regular_paid(org, month=D(2019, 9, 1)) for org in (c.a0101, c.a0102, c.b0101))
    assert totals.paid == paid == M("360.00")
    assert (totals.due, totals.missing, response.context["missing_count"]) == (M("385.20"), M("25.20"), 3)
    assert "少交、未交共3人" in response.content.decode()
    august = client.get(reverse("dues_overview") + "?month=2019-08").context
    assert august["totals"].paid == M("15.00")


def test_it_adds_up_the_year_statement_to_the_payments(client, bases):
    c = bases
    for m in range(1, 10):
        record_payment(c.zhang, actor=None, month=D(2019, m, 1), amount="40", paid_on=D(2019, m, 10))
        if m != 4:
            record_payment(c.li, actor=None, month=D(2019, m, 1), amount="80" if m > 6 else "90",
                           paid_on=D(2019, m, 10))
    record_payment(c.zhang, actor=None, month="2019-06", amount="100", kind="extra", paid_on=D(2019, 6, 10))
    record_payment(c.zhao, actor=None, month="2019-06", amount="15", paid_on=D(2019, 6, 10))  # 甲市二支部
    client.force_login(c.shuji)
    response = client.get(reverse("dues_year", args=["A0101", "2019"]))
    assert response.status_code == 200
    assert [m for m, _ in response.context["months"]] == [D(2019, m, 1) for m in range(1, 10)]  # to this month
    totals = response.context["totals"]
    assert totals.paid == regular_paid(c.a0101, year=2019) == M("40") * 9 + M("90") * 5 + M("80") * 3
    assert totals.due == (M("40") + M("90") + M("0.20")) * 9
    assert totals.missing == M("10") * 3 + M("90") + M("0.20") * 9
    assert totals.extra == M("100.00")
    rows = {row["member"].name: row["totals"] for row in response.context["rows"]}
    assert (rows["李秀英"].by_status["未交"], rows["李秀英"].by_status["少交"]) == (1, 3)
    for i, month_totals in enumerate(response.context["month_totals"]):
        assert month_totals.paid == regular_paid(c.a0101, month=D(2019, i + 1, 1))
    html = response.content.decode()
    assert f'id="year-paid">{totals.paid}<' in html and f'id="year-missing">{totals.missing}<' in html
    assert "赵丽" not in html


def test_it_shows_a_year_not_yet_begun_as_empty(client, bases):
    client.force_login(bases.shuji)
    response = client.get(reverse("dues_year", args=["A0101", "2020"]))
    assert response.status_code == 200 and "2020年本组织没有党员（该年尚未开始）" in response.content.decode()
    wb = workbook(client.get(reverse("dues_year_export", args=["A0101", "2020"])))
    assert values(wb["2020年度汇总"])[1][0] == "合计"


def test_it_shows_the_months_collection_rate_on_the_workbench(client, bases):
    c = bases
    record_payment(c.zhang, actor=None, month=SEPTEMBER, amount="40", paid_on=TODAY)
    record_payment(c.li, actor=None, month=SEPTEMBER, amount="80", paid_on=TODAY)
    record_payment(c.chen, actor=None, month=SEPTEMBER, amount="240", paid_on=TODAY)
    client.force_login(c.shuji)
    response = client.get(reverse("dashboard"))
    dues = response.context["dues"]
    assert (dues["month"], dues["rate"], dues["totals"].paid, dues["unpaid"], dues["short"]) == (
        D(2019, 9, 1), "92.2%", M("120.00"), 1, 1)
    assert dues["url"] == month_url()  # one branch: straight to its month
    card = re.search(r'<section class="card figures" id="dues-summary">.*?</section>', response.content.decode(),
                     re.S)[0]
    assert "92.2%" in card and "120.00元" in card and "2019年9月" in card
    client.force_login(c.a01admin)
    dues = client.get(reverse("dashboard")).context["dues"]
    assert (dues["orgs"], dues["totals"].due, dues["totals"].paid, dues["rate"]) == (2, M("145.20"), M("120.00"),
                                                                                    "82.6%")
    assert dues["url"] == reverse("dues_overview") + f"?month={SEPTEMBER}"
    client.force_login(c.admin)
    assert client.get(reverse("dashboard")).context["dues"]["totals"].paid == M("360.00")


# ---- the exports ----

@pytest.mark.parametrize("who, revealed", [("shuji", False), ("a01admin", True), ("admin", True)])
def test_it_exports_the_months_rows_masked_unless_the_role_may_reveal(client, bases, who, revealed):
    c = bases
    record_payment(c.zhang, actor=None, month=SEPTEMBER, amount="40", paid_on=D(2019, 9, 10))
    record_payment(c.li, actor=None, month=SEPTEMBER, amount="80", paid_on=D(2019, 9, 10))
    client.force_login(getattr(c, who))
    wb = workbook(client.get(reverse("dues_month_export", args=["A0101", SEPTEMBER])))
    assert wb.sheetnames == ["2019年9月"]
    rows = values(wb["2019年9月"])
    assert tuple(rows[0]) == DUES_LINE_HEADERS
    by_name = {row[0]: row for row in rows[1:-1]}
    assert sorted(by_name) == sorted(["张建国", "李秀英", "王志强"])
    for member in (c.zhang, c.li, c.wang):
        expected = member.id_number if revealed else member.masked_id_number
        assert by_name[member.name][1] == expected
    li = by_name["李秀英"]
    assert (M(str(li[6])), M(str(li[7])), li[8].date(), M(str(li[10])), li[11]) == (
        M("90"), M("80"), D(2019, 9, 10), M("10"), "少交")
    assert by_name["王志强"][11] == "未交"
    total = rows[-1]
    assert total[0] == "合计" and M(str(total[7])) == regular_paid(c.a0101, month=D(2019, 9, 1))
    cells = {str(v) for row in rows for v in row}
    if not revealed:
        assert not any(m.id_number in cells for m in (c.zhang, c.li, c.wang))
    entry = AuditEntry.objects.get(action="dues.export")
    assert (entry.actor_name, entry.org_code) == (who, "A0101")
    assert entry.after == {"period": SEPTEMBER, "count": 3, "id_numbers": "完整" if revealed else "脱敏"}


def test_it_exports_the_year_per_member_and_month_by_month(client, bases):
    c = bases
    for m in range(1, 10):
        record_payment(c.zhang, actor=None, month=D(2019, m, 1), amount="40", paid_on=D(2019, m, 10))
    record_payment(c.li, actor=None, month="2019-03", amount="90", paid_on=D(2019, 3, 10))
    client.force_login(c.shuji)
    wb = workbook(client.get(reverse("dues_year_export", args=["A0101", "2019"])))
    assert wb.sheetnames == ["2019年度汇总", "逐月明细"]
    summary = values(wb["2019年度汇总"])
    assert summary[0][:2] == ["姓名", "身份证号"] and summary[0][2:11] == [f"{m}月" for m in range(1, 10)]
    rows = {row[0]: row for row in summary[1:]}
    assert set(rows) == {"张建国", "李秀英", "王志强", "合计"}
    assert rows["李秀英"][1] == c.li.masked_id_number
    assert rows["李秀英"][2:11] == ["未交", "未交", 90, "未交", "未交", "未交", "未交", "未交", "未交"]
    paid_column = summary[0].index("实交合计")
    assert M(str(rows["张建国"][paid_column])) == M("360")
    assert M(str(rows["合计"][paid_column])) == regular_paid(c.a0101, year=2019) == M("450.00")
    assert rows["李秀英"][summary[0].index("未交月数")] == 8
    detail = values(wb["逐月明细"])
    assert tuple(detail[0]) == DUES_LINE_HEADERS and len(detail) == 1 + 3 * 9 + 1  # 3 members × 9 months + 合计
    assert AuditEntry.objects.get(action="dues.export").after == {"period": "2019", "count": 3,
                                                                   "id_numbers": "脱敏"}


# ---- single payments: back-payment limit, extra, edit, delete ----

@pytest.mark.parametrize("paid_on, accepted", [("2019-07-30", True), ("2019-07-31", True), ("2019-08-01", False)])
def test_it_keeps_the_back_payment_limit_at_its_edge(client, bases, paid_on, accepted):
    """DUES-11: January 2019 may be paid until its end + 6 months, 2019-07-31; the day after is refused."""
    c = bases
    client.force_login(c.shuji)
    url = reverse("dues_payment_create", args=[c.li.pk]) + "?month=2019-01"
    assert client.get(url).context["form"]["amount"].value() == "90.00"
    response = client.post(url, {"month": "2019-01", "amount": "90", "paid_on": paid_on, "kind": "regular"})
    if accepted:
        assert response.status_code == 302
        assert Payment.objects.get().paid_on == D.fromisoformat(paid_on)
    else:
        assert response.status_code == 200
        errors = response.context["form"].errors["paid_on"]
        assert errors == ["2019年1月的党费最迟应于2019-07-31补交，2019-08-01已超过该月结束后6个月："
                          "补交党费一般不超过6个月（党费规定，DUES-11）"]
        assert "补交党费一般不超过6个月" in response.content.decode()
        assert not Payment.objects.exists()


@pytest.mark.parametrize("paid_on, accepted", [("2019-07-31", True), ("2019-08-01", False)])
def test_it_keeps_the_back_payment_limit_in_the_branch_form(client, bases, paid_on, accepted):
    c = bases
    client.force_login(c.shuji)
    response = collect(client, {c.zhang: "40", c.li: "90"}, paid_on=paid_on, month="2019-01")
    assert Payment.objects.count() == (2 if accepted else 0)
    if not accepted:
        assert "张建国：2019年1月的党费最迟应于2019-07-31补交" in response.content.decode()


def test_it_records_a_voluntary_extra_payment_apart_from_the_month(client, bases):
    c = bases
    client.force_login(c.shuji)
    url = reverse("dues_payment_create", args=[c.zhang.pk]) + f"?month=2019-01&kind=extra&next={month_url()}"
    page = client.get(url)
    assert page.context["title"] == "登记自愿多交党费：张建国"
    assert page.context["form"]["kind"].value() == "extra" and page.context["form"]["amount"].value() is None
    # an extra payment is no back-payment: the six months do not apply to it
    response = client.post(url, {"month": "2019-01", "amount": "200", "paid_on": "2019-09-15", "kind": "extra"})
    assert response.status_code == 302 and response.url == month_url()
    assert (Payment.objects.get().kind, Payment.objects.get().amount) == ("extra", M("200.00"))
    statement = client.get(month_url(month="2019-01"))
    totals = statement.context["totals"]
    assert (totals.paid, totals.extra, totals.by_status["未交"]) == (M("0.00"), M("200.00"), 3)
    assert "另自愿多交200.00" in statement.content.decode()
    assert regular_paid(c.a0101, month=D(2019, 1, 1)) == totals.paid


def test_it_corrects_and_deletes_a_payment(client, bases):
    c = bases
    payment = record_payment(c.li, actor=None, month=SEPTEMBER, amount="80", paid_on=D(2019, 9, 10))
    record_payment(c.li, actor=None, month="2019-08", amount="90", paid_on=D(2019, 8, 10))
    client.force_login(c.shuji)
    url = reverse("dues_payment_edit", args=[payment.pk]) + f"?next={month_url()}"
    form = client.get(url).context["form"]
    assert (form["amount"].value(), form["paid_on"].value()) == ("80.00", D(2019, 9, 10))
    data = {"month": SEPTEMBER, "amount": "90", "paid_on": "2019-09-10", "kind": "regular", "note": "更正"}

    refused = client.post(url, data | {"amount": "-1"})
    assert "实缴金额不能为负数" in refused.content.decode()
    refused = client.post(url, data | {"month": "2019-08"})
    assert refused.context["form"].errors["month"] == ["李秀英2019年8月的党费已登记，如需更正请修改该笔记录"]
    payment.refresh_from_db()
    assert payment.amount == M("80.00") and payment.month == D(2019, 9, 1)

    response = client.post(url, data)
    assert response.status_code == 302 and response.url == month_url()
    payment.refresh_from_db()
    assert payment.amount == M("90.00")
    entry = AuditEntry.objects.get(action="dues.payment_update")
    assert (entry.before, entry.after) == ({"amount": "80.00", "note": ""}, {"amount": "90.00", "note": "更正"})
    statement = client.get(month_url()).context
    assert statement["totals"].paid == regular_paid(c.a0101, month=D(2019, 9, 1)) == M("90.00")

    response = client.post(reverse("dues_payment_delete", args=[payment.pk]))
    assert response.status_code == 302 and response.url == month_url()
    assert not Payment.objects.filter(pk=payment.pk).exists()
    assert AuditEntry.objects.get(action="dues.payment_delete").before["amount"] == "90.00"
    assert "已删除党费记录：李秀英2019年9月按月交纳90.00元" in client.get(month_url()).content.decode()
    assert client.get(reverse("dues_payment_delete", args=[payment.pk])).status_code == 405


def test_it_goes_back_only_to_a_path_of_this_site(client, bases):
    payment = record_payment(bases.li, actor=None, month=SEPTEMBER, amount="80", paid_on=TODAY)
    client.force_login(bases.shuji)
    url = reverse("dues_payment_edit", args=[payment.pk]) + "?next=https://evil.example/"
    response = client.post(url, {"month": SEPTEMBER, "amount": "90", "paid_on": "2019-09-15", "kind": "regular"})
    assert response.url == month_url()


# ---- the bases of a whole branch ----

def bases_data(client, month, **bases_by_pk):
    """The bases form as shown (categories and 减免 as they are), with the new bases typed in."""
    form = client.get(reverse("dues_bases", args=["A0101"]) + f"?month={month}").context["form"]
    data = {}
    for line, base, category, reduced in form.base_rows:
        data[category.html_name] = category.value()
        if reduced.value():
            data[reduced.html_name] = "on"
    return data | {f"base_{pk}": value for pk, value in bases_by_pk.items()}


def test_it_applies_declared_bases_from_their_month_at_the_bracket_edge(client, bases):
    c = bases
    client.force_login(c.shuji)
    url = reverse("dues_bases", args=["A0101"]) + "?month=2019-10"
    data = bases_data(client, "2019-10", **{str(c.zhang.pk): "3000", str(c.li.pk): "3000.01"})
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == url
    assert "已申报2人自2019年10月起的缴费基数" in client.get(url).content.decode()
    assert BaseDeclaration.objects.filter(month=D(2019, 10, 1)).count() == 2  # 王 left blank: unchanged

    def prefilled(month):
        form = client.get(month_url(month=month)).context["form"]
        return {line.member.name: (line.due, field.value()) for line, field in form.amount_rows}

    assert prefilled("2019-09") == {"张建国": (M("40.00"), "40.00"), "李秀英": (M("90.00"), "90.00"),
                                    "王志强": (M("0.20"), "0.20")}
    for month in ("2019-10", "2019-11"):  # exactly 3000: 0.5%; 3000.01: 1% on the whole base
        assert prefilled(month) == {"张建国": (M("15.00"), "15.00"), "李秀英": (M("30.00"), "30.00"),
                                    "王志强": (M("0.20"), "0.20")}
    assert AuditEntry.objects.filter(action="dues.base", actor_name="shuji").count() == 2


def test_it_declares_no_base_when_one_row_is_wrong(client, bases):
    c = bases
    client.force_login(c.shuji)
    url = reverse("dues_bases", args=["A0101"]) + "?month=2019-10"
    data = bases_data(client, "2019-10", **{str(c.zhang.pk): "3000", str(c.li.pk): "-1"})
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["form"].errors[f"base_{c.li.pk}"] == ["李秀英：缴费基数不能为负数"]
    html = response.content.decode()
    assert "未申报任何一人" in html and "李秀英：缴费基数不能为负数" in html
    assert not BaseDeclaration.objects.filter(month=D(2019, 10, 1)).exists()


def test_it_changes_a_category_keeping_the_base(client, bases):
    c = bases
    client.force_login(c.shuji)
    url = reverse("dues_bases", args=["A0101"]) + "?month=2019-10"
    data = bases_data(client, "2019-10") | {f"category_{c.li.pk}": "retired"}
    assert client.post(url, data).status_code == 302
    declared = BaseDeclaration.objects.get(member=c.li, month=D(2019, 10, 1))
    assert (declared.base, declared.category) == (M("6000.00"), "retired")
    line = next(line for line in client.get(month_url(month="2019-10")).context["statement"].lines
                if line.member == c.li)
    assert line.due == M("60.00")  # 离退休 above 5000: 1%


# ---- bad months and years ----

@pytest.mark.parametrize("url", [
    "/orgs/A0101/dues/2019-13/", "/orgs/A0101/dues/2019-00/", "/orgs/A0101/dues/0000-01/",
    "/orgs/A0101/dues/1899-12/", "/orgs/A0101/dues/2019-13/export.xlsx", "/orgs/A0101/dues/0000/",
    "/orgs/A0101/dues/1899/", "/orgs/A0101/dues/0000/export.xlsx", "/orgs/A0101/dues/2019-9/",
])
def test_it_answers_an_impossible_month_in_the_path_with_404(client, cast, url):
    client.force_login(cast.shuji)
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("query, message", [
    ("2019-13", "月份“2019-13”格式不正确，应为YYYY-MM"),
    ("九月", "月份“九月”格式不正确，应为YYYY-MM"),
    ("1800-01", "月份超出范围"),
])
def test_it_answers_a_bad_month_in_the_query_in_chinese(client, bases, query, message):
    client.force_login(bases.shuji)
    overview = client.get(reverse("dues_overview"), {"month": query})
    assert overview.status_code == 400 and message in overview.content.decode()
    picked = client.get(month_url(), {"month": query})
    assert picked.status_code == 200 and message in picked.content.decode()
    url = reverse("dues_bases", args=["A0101"])
    assert message in client.get(url, {"month": query}).content.decode()
    refused = client.post(url + f"?month={query}", {f"base_{bases.zhang.pk}": "9000"})
    assert refused.status_code == 400 and not BaseDeclaration.objects.filter(base=M("9000")).exists()
    create = client.get(reverse("dues_payment_create", args=[bases.li.pk]), {"month": query})
    assert create.status_code == 200  # falls back to the default month
    member = client.get(reverse("dues_member", args=[bases.li.pk]), {"year": "20x9"})
    assert member.status_code == 200 and "年份“20x9”不正确" in member.content.decode()


def test_it_goes_to_the_month_picked(client, cast):
    client.force_login(cast.shuji)
    response = client.get(month_url(), {"month": "2019-08"})
    assert response.status_code == 302 and response.url == month_url(month="2019-08")
