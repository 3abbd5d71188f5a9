"""Every model change has its migration (NetBox's `makemigrations --check` habit)."""
import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_it_has_a_migration_for_every_model_change():
    out = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=out, stderr=out)
    except SystemExit as exc:  # --check exits 1 when a migration is missing
        pytest.fail(f"missing migration (exit {exc.code}):\n{out.getvalue()}")
