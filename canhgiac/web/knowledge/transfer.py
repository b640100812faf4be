"""Import and export of knowledge-base entries, as JSON or CSV.

JSON: ``{"entries": [{"title", "questions": [...], "answer", "source_name",
"source_url", "valid_from", "valid_to"}]}``. CSV: the same columns, questions separated
by " | ". An entry with the same title in the same unit is updated, not duplicated.
CSV cells that a spreadsheet would run as formulas are exported with a leading quote
(core/spreadsheet.py), and that quote is taken off again on import.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from importlib import resources
from typing import Any

from django.db import transaction
from django.utils import timezone

from canhgiac.web.accounts.models import Unit
from canhgiac.web.audit.log import record
from canhgiac.web.core import spreadsheet
from canhgiac.web.core.text import clean
from canhgiac.web.knowledge.models import Entry

COLUMNS = ["title", "questions", "answer", "source_name", "source_url", "valid_from", "valid_to"]


def _date(value: Any) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"ngày không hợp lệ: {value!r} (dùng YYYY-MM-DD)") from None


def _rows(text: str, fmt: str) -> list[dict[str, Any]]:
    if fmt == "json":
        data = json.loads(text)  # a JSONDecodeError is a ValueError, with the position
        rows = data.get("entries") if isinstance(data, dict) else data
        if not isinstance(rows, list):
            raise ValueError("JSON cần một danh sách mục hỏi đáp (entries)")
        for number, row in enumerate(rows, 1):
            if not isinstance(row, dict):
                raise ValueError(f"mục {number}: cần một đối tượng có title và answer")
        return rows
    try:
        reader = csv.DictReader(io.StringIO(text))
        missing = {"title", "answer"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"CSV thiếu cột: {', '.join(sorted(missing))}")
        rows = [{key: spreadsheet.uncell(value) if isinstance(value, str) else value for key, value in row.items()} for row in reader]
        return [{**row, "questions": [q.strip() for q in (row.get("questions") or "").split("|") if q.strip()]} for row in rows]
    except csv.Error as exc:
        raise ValueError(f"CSV không đọc được: {exc}") from exc


def import_entries(text: str, fmt: str, unit: Unit, user: Any = None) -> tuple[int, int]:
    """Returns (added, updated). Everything or nothing: a bad row stops the import."""
    rows = _rows(clean(text), fmt)
    added = updated = 0
    now = timezone.now()
    with transaction.atomic():
        for number, row in enumerate(rows, 1):
            title = str(row.get("title") or "").strip()
            answer = str(row.get("answer") or "").strip()
            if not title or not answer:
                raise ValueError(f"dòng {number}: cần tiêu đề và câu trả lời")
            questions = row.get("questions") or []
            if isinstance(questions, str):
                questions = [q.strip() for q in questions.split("|") if q.strip()]
            if not isinstance(questions, list):
                raise ValueError(f"dòng {number}: questions cần là danh sách hoặc chuỗi ngăn bởi |")
            values = {
                "questions": "\n".join(str(q) for q in questions),
                "answer": answer,
                "source_name": str(row.get("source_name") or "")[:300],
                "source_url": str(row.get("source_url") or "")[:200],
                "valid_from": _date(row.get("valid_from")),
                "valid_to": _date(row.get("valid_to")),
                "updated": now,
            }
            _, created = Entry.objects.update_or_create(unit=unit, title=title[:200], defaults={**values, "created_by": user})
            added += created
            updated += not created
        record("knowledge.imported", actor=user, actor_label="command", unit=unit, added=added, updated=updated)
    return added, updated


def export_entries(entries: Any, fmt: str) -> str:
    rows = [
        {
            "title": e.title,
            "questions": e.questions.splitlines(),
            "answer": e.answer,
            "source_name": e.source_name,
            "source_url": e.source_url,
            "valid_from": e.valid_from.isoformat() if e.valid_from else "",
            "valid_to": e.valid_to.isoformat() if e.valid_to else "",
        }
        for e in entries
    ]
    if fmt == "json":
        return json.dumps({"entries": rows}, ensure_ascii=False, indent=1)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    for row in rows:
        writer.writerow({key: spreadsheet.cell(value) for key, value in {**row, "questions": " | ".join(row["questions"])}.items()})
    return out.getvalue()


def starter_text() -> str:
    return resources.files("canhgiac.web.knowledge").joinpath("starter.json").read_text(encoding="utf-8")
