# A place a reporter chose to share, kept with their message (with or without a photo).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0005_auto_answer"),
    ]

    operations = [
        migrations.AddField(
            model_name="message",
            name="latitude",
            field=models.FloatField(blank=True, null=True, verbose_name="vĩ độ"),
        ),
        migrations.AddField(
            model_name="message",
            name="longitude",
            field=models.FloatField(blank=True, null=True, verbose_name="kinh độ"),
        ),
    ]
