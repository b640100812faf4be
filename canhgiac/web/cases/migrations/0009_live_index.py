# The live poll's unread count (cases:live) reads this index, not the unit's every case.

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0008_channel_delivery"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["unit", "unread", "status"], name="cases_case_live_unread"),
        ),
    ]
