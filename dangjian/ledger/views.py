"""Ledger pages: upload → preview (errors and changes) → confirm; the template and the export downloads.
Only 系统管理员 and 党务管理员 (the roles that manage organisations and may see full IDs) use them."""
import io
import uuid

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from dangjian.accounts.access import role_of, visible_orgs
from dangjian.core.errors import DomainError
from dangjian.web.scope import current_scope

from . import jobs
from .exporter import EXPORT_ROLES, run_export, template_workbook
from .models import LedgerJob
from .result import ImportResult

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_UPLOAD = 20 * 1024 * 1024  # a ledger of thousands of members is a few MB


def _require_ledger_role(user):
    role = role_of(user)
    if role is None or role.kind not in EXPORT_ROLES:
        raise PermissionDenied("您的角色不能导入或导出台账")


def _own_job(request, pk, **kind):
    """The job, if it is the requesting user's: anyone else's is 404 (not even its existence leaks)."""
    _require_ledger_role(request.user)
    return get_object_or_404(LedgerJob, pk=pk, user=request.user, **kind)


@login_required
def import_upload(request):
    _require_ledger_role(request.user)
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        error = _upload_problem(upload)
        if not error:
            jobs.purge_old_files()
            job = LedgerJob.objects.create(user=request.user, file=_store(upload), original_name=upload.name[:255])
            jobs.start(job)
            return redirect("ledger_job", pk=job.pk)
    return render(request, "ledger/import.html", {"error": error, "scope": current_scope(request)},
                  status=400 if error else 200)


def _upload_problem(upload):
    if upload is None:
        return "请选择要上传的台账工作簿（.xlsx）"
    if not upload.name.lower().endswith(".xlsx"):
        return "只能导入Excel工作簿（.xlsx）；.xls或.csv文件请先用Excel“另存为”.xlsx格式"
    if upload.size > MAX_UPLOAD:
        return "文件过大（超过20MB）"
    if upload.size == 0:
        return "文件是空的"
    return ""


def _store(upload):
    """Save under MEDIA_ROOT/imports/ with a random name (never the user's); return the relative path."""
    name = f"{timezone.now():%Y%m%d}-{uuid.uuid4().hex}.xlsx"
    with open(jobs.upload_dir() / name, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    return f"imports/{name}"


@login_required
def import_job(request, pk):
    job = _own_job(request, pk)
    return render(request, "ledger/job.html", _job_context(job))


@login_required
def import_progress(request, pk):
    job = _own_job(request, pk)
    if job.finished:
        return HttpResponseClientRefresh()  # the whole page now shows the result
    return render(request, "ledger/_progress.html", _job_context(job))


@login_required
@require_POST
def export_start(request):
    """导出台账 as a job with progress in the page: the subtree named in the form (the current scope),
    else everything the user may see."""
    _require_ledger_role(request.user)
    org = _visible_org_or_404(request.user, request.POST.get("org"))
    jobs.purge_old_files()
    name = f"台账-{org.code if org else '全部'}-{timezone.localdate():%Y%m%d}.xlsx"
    job = LedgerJob.objects.create(kind=LedgerJob.Kind.EXPORT, user=request.user, org=org, original_name=name,
                                   dry_run=False)
    jobs.start(job)
    return redirect("ledger_job", pk=job.pk)


@login_required
def export_download(request, pk):
    job = _own_job(request, pk, kind=LedgerJob.Kind.EXPORT, status=LedgerJob.Status.DONE)
    path = jobs.file_path(job) if job.file else None
    if path is None or not path.exists():
        raise Http404("导出文件已过期，请重新导出")
    return _download(path.read_bytes(), job.original_name)


def _visible_org_or_404(user, code):
    """Looked up among the organisations the user may see: one answer for absent and out of scope."""
    if not (code or "").strip():
        return None
    org = visible_orgs(user).filter(code=code.strip()).first()
    if org is None:
        raise Http404("组织编码不存在或不在您的管理范围内")
    return org


@login_required
@require_POST
def import_confirm(request, pk):
    job = _own_job(request, pk, kind=LedgerJob.Kind.IMPORT)
    if not (job.finished and job.dry_run and job.result and not job.result["errors"]):
        return redirect("ledger_job", pk=job.pk)
    # The real import validates again: the database may have changed since the preview.
    job.dry_run, job.status, job.result, job.done, job.finished_at = False, LedgerJob.Status.QUEUED, None, 0, None
    job.save()
    jobs.start(job)
    return redirect("ledger_job", pk=job.pk)


def _job_context(job):
    done, total = jobs.progress_of(job)
    importing = job.kind == LedgerJob.Kind.IMPORT
    result = ImportResult.from_dict(job.result) if job.result and importing else None
    return {"job": job, "done": done, "total": total, "percent": int(100 * done / total) if total else 0,
            "result": result, "result_rows": (job.result or {}).get("rows") if not importing else None}


@login_required
def template(request):
    _require_ledger_role(request.user)
    return _download(template_workbook(), "台账模板.xlsx")


@login_required
def export(request):
    _require_ledger_role(request.user)
    org = _visible_org_or_404(request.user, request.GET.get("org"))
    buffer = io.BytesIO()
    try:
        run_export(buffer, actor=request.user, org=org)
    except DomainError as error:  # PermissionDenied (FORBIDDEN): outside the user's scope
        raise PermissionDenied(error.message) from None
    name = f"台账-{org.code if org else '全部'}-{timezone.localdate():%Y%m%d}.xlsx"
    return _download(buffer.getvalue(), name)


def _download(data, filename):
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = _attachment(filename)
    return response


def _attachment(filename):
    from urllib.parse import quote

    return f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(filename)}"
