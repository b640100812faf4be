"""Forget the network addresses that earlier versions stored with citizens' messages.

Until now, ``case.opened`` and ``case.message_received`` rows (written on behalf of a
channel: no actor, label ``channel:<slug>``) kept the sender's address. PRODUCT.md,
principle 4: no citizen's address is stored. This runs before 0003 makes the table
append-only, which is why it is a migration of its own and must stay before it.
Officers' rows (login, reply...) keep theirs.
"""

from django.apps.registry import Apps
from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.models import Q

# Every row written for a citizen's message, by label and by action, whatever the label.
CITIZEN_ACTIONS = ("case.opened", "case.message_received")


def forget_citizen_addresses(apps: Apps, schema_editor: BaseDatabaseSchemaEditor) -> None:
    AuditEvent = apps.get_model("audit", "AuditEvent")
    citizen = Q(actor_label__startswith="channel:") | Q(action__in=CITIZEN_ACTIONS)
    AuditEvent.objects.using(schema_editor.connection.alias).filter(citizen, actor__isnull=True, ip__isnull=False).update(ip=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    # Backwards: nothing to do (and nothing could bring the addresses back).
    operations = [migrations.RunPython(forget_citizen_addresses, migrations.RunPython.noop, elidable=False)]
