import django.core.validators
import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

import canhgiac.web.channels.sms.models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("cases", "0007_verbose_names"),
        ("intake", "0004_sms_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="SmsGateway",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "base_url",
                    models.URLField(
                        help_text="Như ứng dụng SMS Gateway hiển thị ở mục Local Server, ví dụ http://192.168.1.20:8080",
                        verbose_name="địa chỉ của điện thoại",
                    ),
                ),
                ("username", models.CharField(max_length=100, verbose_name="tên đăng nhập của điện thoại")),
                ("password_sealed", models.TextField(blank=True)),
                ("signing_key_sealed", models.TextField(blank=True)),
                (
                    "sim_number",
                    models.PositiveSmallIntegerField(
                        blank=True,
                        help_text="Để trống để dùng SIM mặc định của điện thoại.",
                        null=True,
                        validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(3)],
                        verbose_name="khe SIM",
                    ),
                ),
                (
                    "daily_cap",
                    models.PositiveIntegerField(
                        default=200,
                        help_text="Tính theo phần tin (mỗi phần là một SMS phải trả tiền). Tin vượt hạn mức chờ sang ngày hôm sau.",
                        verbose_name="số SMS tối đa mỗi ngày",
                    ),
                ),
                (
                    "plain_over_parts",
                    models.PositiveSmallIntegerField(
                        default=2,
                        help_text="Tin có dấu dài hơn số phần này được gửi không dấu, rẻ hơn khoảng hai lần rưỡi. 0: luôn gửi như đã viết.",
                        verbose_name="gửi không dấu khi dài hơn (số phần)",
                    ),
                ),
                ("id_prefix", models.CharField(default=canhgiac.web.channels.sms.models.new_id_prefix, editable=False, max_length=16)),
                ("created", models.DateTimeField(default=django.utils.timezone.now, verbose_name="tạo lúc")),
                (
                    "channel",
                    models.OneToOneField(
                        limit_choices_to={"kind": "sms"},
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="sms_gateway",
                        to="intake.channel",
                        verbose_name="kênh",
                    ),
                ),
            ],
            options={
                "verbose_name": "điện thoại gửi SMS",
                "verbose_name_plural": "điện thoại gửi SMS",
            },
        ),
        migrations.CreateModel(
            name="SmsOutbound",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("provider_id", models.CharField(max_length=36, unique=True)),
                ("parts", models.PositiveSmallIntegerField(default=1)),
                ("encoding", models.CharField(default="ucs2", max_length=5)),
                (
                    "state",
                    models.CharField(
                        choices=[
                            ("claimed", "Đang gửi"),
                            ("sent", "Điện thoại đã nhận"),
                            ("delivered", "Đã đến máy người nhận"),
                            ("failed", "Gửi không được"),
                            ("refused", "Điện thoại từ chối"),
                        ],
                        default="claimed",
                        max_length=10,
                    ),
                ),
                ("error", models.CharField(blank=True, max_length=300)),
                ("created", models.DateTimeField(default=django.utils.timezone.now)),
                ("updated", models.DateTimeField(default=django.utils.timezone.now)),
                (
                    "channel",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="sms_outbound", to="intake.channel"),
                ),
                (
                    "message",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.message"
                    ),
                ),
                (
                    "reporter",
                    models.ForeignKey(
                        blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name="+", to="cases.reporter"
                    ),
                ),
            ],
            options={
                "verbose_name": "SMS đã gửi",
                "verbose_name_plural": "SMS đã gửi",
                "indexes": [models.Index(fields=["channel", "created"], name="sms_outbound_day")],
            },
        ),
    ]
