"""The database itself refuses to change or delete audit records (SQLite and PostgreSQL).

DELETE is allowed only for rows covered by an AuditPurgePermit, which the retention purge writes
and removes inside its own transaction; TRUNCATE only under a permit for every id (used when a
test database is flushed).
"""

from django.db import migrations

SQLITE_UP = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN NOT EXISTS (SELECT 1 FROM audit_auditpurgepermit WHERE upto_id >= OLD.id)
       BEGIN SELECT RAISE(ABORT, 'audit records are append-only'); END""",
]
SQLITE_DOWN = ["DROP TRIGGER audit_event_no_update", "DROP TRIGGER audit_event_no_delete"]

POSTGRES_UP = [
    """CREATE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$
       BEGIN
         IF TG_OP = 'DELETE' AND EXISTS (
              SELECT 1 FROM audit_auditpurgepermit WHERE upto_id >= OLD.id) THEN
           RETURN OLD;
         END IF;
         IF TG_OP = 'TRUNCATE' AND EXISTS (
              SELECT 1 FROM audit_auditpurgepermit WHERE upto_id = 9223372036854775807) THEN
           RETURN NULL;
         END IF;
         RAISE EXCEPTION 'audit records are append-only';
       END $$""",
    """CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_guard()""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_guard()""",
]
POSTGRES_DOWN = [
    "DROP TRIGGER audit_event_no_truncate ON audit_auditevent",
    "DROP TRIGGER audit_event_guard ON audit_auditevent",
    "DROP FUNCTION audit_event_guard()",
]


def _run(statements_by_vendor):
    def apply(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return apply


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        )
    ]
