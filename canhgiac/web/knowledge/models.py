"""The knowledge base: answers to common questions, and published scam warnings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Entry(models.Model):
    """A question (with the ways people ask it) and its answer, with the official source.
    An entry of a district answers for the communes under it too."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="kb_entries", verbose_name=_("đơn vị"))
    title = models.CharField(_("tiêu đề"), max_length=200)
    questions = models.TextField(_("các cách hỏi"), help_text=_("Mỗi dòng một cách hỏi, có dấu hay không dấu đều được."))
    answer = models.TextField(_("trả lời"))
    source_name = models.CharField(_("nguồn"), max_length=300, blank=True)
    source_url = models.URLField(_("đường dẫn nguồn"), blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    active = models.BooleanField(_("đang dùng"), default=True)
    answered = models.PositiveIntegerField(default=0, help_text="times used to answer a citizen")
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["title"]
        verbose_name = _("mục hỏi đáp")
        verbose_name_plural = _("mục hỏi đáp")

    def __str__(self) -> str:
        return self.title

    def question_list(self) -> list[str]:
        return [q.strip() for q in [self.title, *self.questions.splitlines()] if q.strip()]

    def is_valid(self, day: object = None) -> bool:
        today = day or timezone.localdate()
        return self.active and (self.valid_from is None or self.valid_from <= today) and (self.valid_to is None or today <= self.valid_to)  # type: ignore[operator]

    def reply_text(self) -> str:
        source = f"\nNguồn: {self.source_name}" if self.source_name else ""
        link = f" {self.source_url}" if self.source_url else ""
        return f"{self.answer}{source}{link}"


class Warning(models.Model):
    """A published scam warning: the script, how to recognise it, what to do."""

    unit = models.ForeignKey("accounts.Unit", on_delete=models.CASCADE, related_name="warnings", verbose_name=_("đơn vị"))
    title = models.CharField(_("tiêu đề"), max_length=200)
    example = models.TextField(
        _("tin nhắn mẫu"), help_text=_("Một hay nhiều tin nhắn lừa đảo thật, mỗi tin một đoạn (cách nhau một dòng trống).")
    )
    signs = models.TextField(_("cách nhận biết"))
    advice = models.TextField(_("nên làm gì"))
    published = models.BooleanField(_("đã công bố"), default=False)
    published_at = models.DateTimeField(null=True, blank=True)
    matched = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-published_at", "-id"]
        verbose_name = _("cảnh báo lừa đảo")
        verbose_name_plural = _("cảnh báo lừa đảo")

    def __str__(self) -> str:
        return self.title

    def examples(self) -> list[str]:
        return [part.strip() for part in self.example.split("\n\n") if part.strip()]
