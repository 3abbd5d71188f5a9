"""The ledger pages: upload → preview → confirm, downloads, and who may use them."""
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dangjian.ledger.models import LedgerJob
from dangjian.organizations.models import Organization

from .cast import PASSWORD
from .test_ledger_support import ORG_HEADER, counts, read_back, workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture(autouse=True)
def inline_jobs(settings, tmp_path):
    settings.LEDGER_JOBS_INLINE = True
    settings.MEDIA_ROOT = tmp_path


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def upload(client, rows, name="台账.xlsx"):
    data = workbook(组织=[ORG_HEADER, *rows]).getvalue()
    return client.post(reverse("ledger_import"), {"file": SimpleUploadedFile(name, data, content_type=XLSX)}, follow=True)


def test_it_shows_the_upload_form(client, cast):
    page = login(client, cast.admin).get(reverse("ledger_import")).content.decode()
    assert 'name="file"' in page and "上传并预览" in page


def test_it_lists_the_errors_of_an_upload_and_writes_nothing(client, cast, tmp_path):
    before = counts()
    page = upload(login(client, cast.a01admin), [["A0103", "甲市三支部", "党支部", "A01", "2018-02-30"],
                                                  ["B0102", "乙市二支部", "党支部", "B01", "2018-03-01"]]).content.decode()
    assert '<table class="table import-errors">' in page
    for text in ("工作表", "行", "列", "代码", "说明", "DATE_INVALID", "FORBIDDEN", "日期“2018-02-30”不存在"):
        assert text in page
    assert "确认导入" not in page and counts() == before
    assert list((tmp_path / "imports").glob("*.xlsx"))  # the upload is kept for the confirm step


def test_it_applies_a_good_upload_after_confirmation(client, cast):
    login(client, cast.a01admin)
    page = upload(client, [["A0103", "甲市三支部", "党支部", "A01", "2018-03-01"]]).content.decode()
    assert "确认导入" in page and "新建组织 A0103 甲市三支部" in page
    assert not Organization.objects.filter(code="A0103").exists()
    job = LedgerJob.objects.get()
    page = client.post(reverse("ledger_confirm", args=[job.pk]), follow=True).content.decode()
    assert "导入完成" in page
    assert Organization.objects.get(code="A0103").parent.code == "A01"
    job.refresh_from_db()
    assert job.result["applied"] and not job.dry_run and job.done == job.total == 1
    assert job.file == ""  # the workbook (full IDs) is deleted once imported


def test_it_gives_a_clear_message_for_a_file_that_is_not_xlsx(client, cast):
    login(client, cast.admin)
    response = client.post(reverse("ledger_import"), {"file": SimpleUploadedFile("名册.xls", b"\xd0\xcf\x11\xe0")})
    assert response.status_code == 400 and "只能导入Excel工作簿" in response.content.decode()


def test_it_gives_a_clear_message_for_a_broken_xlsx(client, cast):
    login(client, cast.admin)
    response = client.post(reverse("ledger_import"), {"file": SimpleUploadedFile("坏.xlsx", b"not a zip")}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200 and "FILE_INVALID" in page and "Traceback" not in page


def test_it_polls_a_running_job_and_refreshes_when_done(client, cast):
    login(client, cast.admin)
    job = LedgerJob.objects.create(user=cast.admin, file="imports/x.xlsx", original_name="x.xlsx",
                                   status=LedgerJob.Status.RUNNING)
    page = client.get(reverse("ledger_job", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in page and reverse("ledger_job_progress", args=[job.pk]) in page
    job.status = LedgerJob.Status.DONE
    job.result = {"applied": False, "dry_run": True, "errors": [], "warnings": [], "changes": {}}
    job.save()
    response = client.get(reverse("ledger_job_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert response.headers["HX-Refresh"] == "true"


def test_it_hides_another_users_job(client, cast):
    job = LedgerJob.objects.create(user=cast.admin, file="imports/x.xlsx", original_name="x.xlsx")
    login(client, cast.a01admin)
    assert client.get(reverse("ledger_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("ledger_confirm", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("who", ["shuji", "dangyuan", "outsider"])
def test_it_forbids_the_pages_to_roles_that_do_not_manage_organisations(client, cast, who):
    login(client, getattr(cast, who))
    for name in ("ledger_import", "ledger_template", "ledger_export"):
        assert client.get(reverse(name)).status_code == 403


def test_it_requires_login(client, cast):
    response = client.get(reverse("ledger_import"))
    assert response.status_code == 302


def test_it_downloads_the_template(client, cast):
    response = login(client, cast.a01admin).get(reverse("ledger_template"))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert "组织" in read_back(response.content).sheetnames


def test_it_downloads_the_ledger_of_the_users_subtree(client, cast):
    login(client, cast.a01admin)
    response = client.get(reverse("ledger_export"))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    codes = {r[0].value for r in read_back(response.content)["组织"].iter_rows(min_row=2)}
    assert codes == {"A01", "A0101", "A0101G1", "A0102"}
    # out of scope and absent get the same answer, naming nothing
    out, absent = (client.get(reverse("ledger_export") + f"?org={code}") for code in ("B01", "NOPE"))
    assert out.status_code == absent.status_code == 404 and "乙市" not in out.content.decode()
    assert client.get(reverse("ledger_export") + "?org=A0101").status_code == 200


def test_it_deletes_uploaded_workbooks_once_imported_or_stale(cast, settings, tmp_path):
    import datetime

    from django.utils import timezone

    from dangjian.ledger import jobs
    from dangjian.ledger.models import LedgerJob

    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "imports").mkdir()
    stale = tmp_path / "imports" / "old.xlsx"
    stale.write_bytes(b"x")
    job = LedgerJob.objects.create(user=cast.admin, file="imports/old.xlsx", original_name="old.xlsx")
    LedgerJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    jobs.purge_old_files()
    job.refresh_from_db()
    assert not stale.exists() and job.file == ""


def test_it_exports_the_ledger_as_a_job_with_progress_and_a_download(client, cast):
    login(client, cast.a01admin)
    page = client.post(reverse("ledger_export_start"), {"org": "A0101"}, follow=True).content.decode()
    assert "导出完成" in page
    job = LedgerJob.objects.get(kind="export")
    assert job.org == cast.a0101 and job.status == "done" and job.file.startswith("exports/")
    response = client.get(reverse("ledger_export_download", args=[job.pk]))
    assert response.status_code == 200 and response["Content-Type"] == XLSX
    assert {r[0].value for r in read_back(response.content)["组织"].iter_rows(min_row=2)} == {"A0101", "A0101G1"}
    # another user's export is not there at all; a subtree out of scope is refused like an absent one
    login(client, cast.b01admin)
    assert client.get(reverse("ledger_export_download", args=[job.pk])).status_code == 404
    assert client.post(reverse("ledger_export_start"), {"org": "A01"}).status_code == 404
    assert client.post(reverse("ledger_export_start"), {"org": "NOPE"}).status_code == 404
