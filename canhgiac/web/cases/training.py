"""Cases as training data: the officers' corrections win over the engine's verdicts."""

from __future__ import annotations

from dataclasses import dataclass

from canhgiac.web.cases.models import Case, Label, Message


@dataclass(frozen=True, slots=True)
class TrainingRows:
    texts: list[str]
    labels: list[str]
    groups: list[str]
    corrected: int


def scam_training_rows() -> TrainingRows:
    """One row per case: its first message, "scam" or "not_scam", and its near-duplicate
    group (so that copies stay on one side of a cross-validation split)."""
    first_messages: dict[int, str] = {}
    for case_id, body in (
        Message.objects.filter(direction=Message.Direction.IN).order_by("case_id", "created", "id").values_list("case_id", "body")
    ):
        first_messages.setdefault(case_id, body)
    corrected = set(Label.objects.filter(field=Label.Field.VERDICT).values_list("case_id", flat=True))
    texts, labels, groups = [], [], []
    for case_id, verdict, group in Case.objects.values_list("id", "verdict", "duplicate_of_id").order_by("id"):
        text = first_messages.get(case_id, "").strip()
        if not text:
            continue
        texts.append(text)
        labels.append("scam" if verdict == "scam" else "not_scam")
        groups.append(str(group or case_id))
    return TrainingRows(texts, labels, groups, len(corrected))
