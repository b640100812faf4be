import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_verbose_names"),
        ("intake", "0002_channel_health"),
    ]

    operations = [
        migrations.AlterModelOptions(
            name="channel",
            options={"verbose_name": "kênh", "verbose_name_plural": "kênh"},
        ),
        migrations.AlterModelOptions(
            name="inboundevent",
            options={"verbose_name": "sự kiện từ kênh", "verbose_name_plural": "sự kiện từ kênh"},
        ),
        migrations.AlterField(
            model_name="channel",
            name="active",
            field=models.BooleanField(default=True, verbose_name="đang hoạt động"),
        ),
        migrations.AlterField(
            model_name="channel",
            name="app_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="App ID của Zalo"),
        ),
        migrations.AlterField(
            model_name="channel",
            name="created",
            field=models.DateTimeField(default=django.utils.timezone.now, verbose_name="tạo lúc"),
        ),
        migrations.AlterField(
            model_name="channel",
            name="kind",
            field=models.CharField(
                choices=[("web", "Trang web"), ("api", "API"), ("zalo", "Zalo OA")], max_length=10, verbose_name="loại kênh"
            ),
        ),
        migrations.AlterField(
            model_name="channel",
            name="name",
            field=models.CharField(max_length=100, verbose_name="tên"),
        ),
        migrations.AlterField(
            model_name="channel",
            name="oa_id",
            field=models.CharField(blank=True, max_length=64, verbose_name="OA ID của Zalo"),
        ),
        migrations.AlterField(
            model_name="channel",
            name="slug",
            field=models.SlugField(unique=True, verbose_name="tên trong đường dẫn"),
        ),
        migrations.AlterField(
            model_name="channel",
            name="token_expires_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="access token hết hạn lúc"),
        ),
        migrations.AlterField(
            model_name="channel",
            name="unit",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="channels", to="accounts.unit", verbose_name="đơn vị"
            ),
        ),
    ]
