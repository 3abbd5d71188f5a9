from django.urls import path

from . import views

urlpatterns = [
    path("import/", views.import_upload, name="ledger_import"),
    path("import/<int:pk>/", views.import_job, name="ledger_job"),
    path("import/<int:pk>/progress/", views.import_progress, name="ledger_job_progress"),
    path("import/<int:pk>/confirm/", views.import_confirm, name="ledger_confirm"),
    path("template.xlsx", views.template, name="ledger_template"),
    path("export.xlsx", views.export, name="ledger_export"),
    path("export/", views.export_start, name="ledger_export_start"),
    path("export/<int:pk>/ledger.xlsx", views.export_download, name="ledger_export_download"),
]
