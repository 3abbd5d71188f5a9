"""Shared start-up for the benchmarks: a throw-away database (SQLite in a temporary folder, or the
test database of DATABASE_URL), migrated, with Django set up."""
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def setup_database():
    """Returns a function that drops the database again."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dangjian.settings")
    folder = None
    if "DATABASE_URL" not in os.environ:
        folder = tempfile.TemporaryDirectory(prefix="dangjian-bench-")
        os.environ["DANGJIAN_DATA"] = folder.name
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    if folder is not None:
        call_command("migrate", verbosity=0)
        print(f"database: SQLite {connection.settings_dict['NAME']}")
        return folder.cleanup
    # PostgreSQL (or any DATABASE_URL): a fresh test_<name> database, dropped at the end.
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    return lambda: connection.creation.destroy_test_db(old_name, verbosity=0)
