"""Running a web import or export as a LedgerJob: in a background thread, or inline
(settings.LEDGER_JOBS_INLINE).

Progress lives in this process's memory while the job runs: the import holds its rows in one open
transaction, so a progress counter written to the database from inside it would be invisible to the
polling page (and on SQLite would wait for the import's own write lock). The job row gets the final
counts and the result when the transaction is over. With several server processes, a page polled by
another process shows 处理中 without the percentage until the job is done."""
import datetime
import logging
import threading
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .exporter import run_export
from .importer import run_import
from .models import LedgerJob

log = logging.getLogger(__name__)
_progress = {}
_lock = threading.Lock()


def upload_dir():
    path = Path(settings.MEDIA_ROOT) / "imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def file_path(job):
    return Path(settings.MEDIA_ROOT) / job.file


# An uploaded or exported workbook holds full IDs: it is kept a day (for the confirm step, the download).
UPLOAD_KEEP = datetime.timedelta(days=1)


def purge_old_files(now=None):
    """Delete uploaded and exported workbooks older than UPLOAD_KEEP (a preview can then no longer be
    confirmed, an export no longer downloaded: both hold full IDs)."""
    cutoff = (now or timezone.now()) - UPLOAD_KEEP
    for job in LedgerJob.objects.filter(created_at__lt=cutoff).exclude(file=""):
        file_path(job).unlink(missing_ok=True)
        LedgerJob.objects.filter(pk=job.pk).update(file="")


def export_dir():
    path = Path(settings.MEDIA_ROOT) / "exports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _export(job, progress):
    """Write the workbook under MEDIA_ROOT/exports/ (kept until purge_old_files: it holds full IDs)."""
    name = f"{timezone.now():%Y%m%d}-{uuid.uuid4().hex}.xlsx"
    rows = run_export(export_dir() / name, actor=job.user, org=job.org, progress=progress)
    job.file, job.result = f"exports/{name}", {"rows": rows}


def progress_of(job):
    """(done, total) of a job: live while it runs in this process, else what the row recorded."""
    with _lock:
        return _progress.get(job.pk, (job.done, job.total))


def start(job):
    """Run the job (a preview or the real import, per job.dry_run) now or in a thread."""
    if getattr(settings, "LEDGER_JOBS_INLINE", False):
        _run(job.pk)
        return
    threading.Thread(target=_run_in_thread, args=(job.pk,), daemon=True, name=f"ledger-import-{job.pk}").start()


def _run_in_thread(pk):
    try:
        _run(pk)
    finally:
        connection.close()  # each thread has its own connection; don't leak it


def _run(pk):
    job = LedgerJob.objects.select_related("user", "org").get(pk=pk)
    job.status = LedgerJob.Status.RUNNING
    job.save(update_fields=["status"])

    def progress(done, total):
        with _lock:
            _progress[pk] = (done, total)

    try:
        if job.kind == LedgerJob.Kind.EXPORT:
            _export(job, progress)
        else:
            result = run_import(file_path(job), actor=job.user, dry_run=job.dry_run, progress=progress)
            job.result = result.as_dict()
        job.status = LedgerJob.Status.DONE
    except Exception:  # the page says it failed; the log has the traceback
        log.exception("ledger %s job %s failed", job.kind, pk)
        job.status = LedgerJob.Status.FAILED
    with _lock:
        job.done, job.total = _progress.pop(pk, (job.done, job.total))
    job.finished_at = timezone.now()
    if job.kind == LedgerJob.Kind.IMPORT and not job.dry_run:  # imported or refused: the upload is done with
        file_path(job).unlink(missing_ok=True)
        job.file = ""
    job.save(update_fields=["status", "result", "done", "total", "finished_at", "file"])
