"""What the console shows of a channel's health: its last successful and failed sends."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="channel",
            name="last_send_error",
            field=models.CharField(blank=True, max_length=300, verbose_name="lỗi gửi lần cuối"),
        ),
        migrations.AddField(
            model_name="channel",
            name="last_send_error_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="gửi lỗi lần cuối lúc"),
        ),
        migrations.AddField(
            model_name="channel",
            name="last_send_error_code",
            field=models.IntegerField(blank=True, null=True, verbose_name="mã lỗi gửi lần cuối"),
        ),
        migrations.AddField(
            model_name="channel",
            name="last_send_ok_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="gửi được lần cuối lúc"),
        ),
    ]
