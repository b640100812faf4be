"""The audit log becomes append-only in the database itself.

Triggers refuse every UPDATE and DELETE of ``audit_auditevent``, from the ORM or from raw
SQL, on SQLite and on PostgreSQL, except one: a reference to a user or a unit becoming
NULL. Django does that when the user or unit is deleted (``on_delete=SET_NULL``), and
``actor_label`` keeps who acted. Retention never deletes audit rows: they hold references
and counts, not what citizens wrote.

``install`` and ``uninstall`` take a Django connection: the test suite lifts the
triggers for the length of a test database flush on SQLite (tests/conftest.py), which
empties every table with DELETE; PostgreSQL's flush is a TRUNCATE, which row triggers do
not see. Nothing in the application calls them.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.schema import BaseDatabaseSchemaEditor

MESSAGE = "audit events are append-only"

# SQLite has no row comparison: a column list. A column added to the table later must be
# added to the first trigger (tests/web/test_audit.py updates every column to check).
SQLITE_INSTALL = [
    f"""CREATE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_auditevent_no_update
    BEFORE UPDATE OF id, created, actor_label, action, object_type, object_id, ip, details ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
    f"""CREATE TRIGGER audit_auditevent_only_unlink BEFORE UPDATE OF actor_id, unit_id ON audit_auditevent
    WHEN (NEW.actor_id IS NOT NULL AND NEW.actor_id IS NOT OLD.actor_id)
      OR (NEW.unit_id IS NOT NULL AND NEW.unit_id IS NOT OLD.unit_id)
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""",
]
SQLITE_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_auditevent_only_unlink",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_update",
    "DROP TRIGGER IF EXISTS audit_auditevent_no_delete",
]

# PostgreSQL compares the whole row but the two references, so a column added later is
# covered without a change here. SQLSTATE 23000: Django raises IntegrityError.
POSTGRESQL_INSTALL = [
    f"""CREATE OR REPLACE FUNCTION audit_auditevent_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND (to_jsonb(NEW) - 'actor_id' - 'unit_id') = (to_jsonb(OLD) - 'actor_id' - 'unit_id')
           AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
           AND (NEW.unit_id IS NULL OR NEW.unit_id = OLD.unit_id) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION '{MESSAGE} (% refused)', TG_OP USING ERRCODE = 'integrity_constraint_violation';
    END
    $$""",
    """CREATE TRIGGER audit_auditevent_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_auditevent_append_only()""",
]
POSTGRESQL_UNINSTALL = [
    "DROP TRIGGER IF EXISTS audit_auditevent_append_only ON audit_auditevent",
    "DROP FUNCTION IF EXISTS audit_auditevent_append_only()",
]

STATEMENTS = {"sqlite": (SQLITE_INSTALL, SQLITE_UNINSTALL), "postgresql": (POSTGRESQL_INSTALL, POSTGRESQL_UNINSTALL)}


def _run(connection: BaseDatabaseWrapper, which: int) -> None:
    if connection.vendor not in STATEMENTS:
        raise NotImplementedError(f"no append-only triggers for {connection.vendor}")
    with connection.cursor() as cursor:
        for sql in STATEMENTS[connection.vendor][which]:
            cursor.execute(sql)


def install(connection: BaseDatabaseWrapper) -> None:
    _run(connection, 0)


def uninstall(connection: BaseDatabaseWrapper) -> None:
    _run(connection, 1)


def forwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    install(schema_editor.connection)


def backwards(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    # After 0002: it updates rows, which these triggers would refuse.
    dependencies = [("audit", "0002_forget_citizen_addresses")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
