"""The ``canhgiac`` command's contract, run as a real process."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from canhgiac.engine.build import generate
from tests.conftest import run_cli

JSONL_FIELDS = {"intent", "intent_confidence", "category", "urgent", "scam_score", "is_scam", "reasons", "indicators", "normalized"}
INDICATOR_FIELDS = {"phones", "bank_accounts", "urls", "domains", "amounts_vnd"}


def test_check_prints_a_vietnamese_verdict() -> None:
    done = run_cli("check", "Tôi là công an, chị chuyển 50 triệu vào STK 0123456789 Vietcombank để điều tra")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert "Kết luận: LỪA ĐẢO" in out
    assert "Lý do:" in out and "money_transfer_request" in out
    assert "0123456789 (Vietcombank)" in out
    assert "Lời khuyên:" in out


def test_check_without_text_is_a_clear_error() -> None:
    done = run_cli("check", stdin=b"   ")
    assert done.returncode == 2
    assert "nothing to check" in done.stderr.decode("utf-8")


def test_check_jsonl_contract() -> None:
    items = [
        {"text": "So 0912 345 678 goi xung cong an, co phai lua dao?"},
        {"text": "Cho em hỏi đăng ký tạm trú ở đâu?"},
        {"text": "Nhà tôi bị trộm xe máy"},
    ]
    done = run_cli("check", "--jsonl", stdin="\n".join(json.dumps(i, ensure_ascii=False) for i in items).encode())
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(rows) == 3
    for row in rows:
        assert set(row) >= JSONL_FIELDS
        assert set(row["indicators"]) >= INDICATOR_FIELDS
        for reason in row["reasons"]:
            assert {"code", "message"} <= set(reason)
    assert rows[0]["intent"] == "scam_check" and rows[0]["indicators"]["phones"] == ["+84912345678"]
    assert rows[1]["intent"] == "question" and rows[1]["category"] is None
    assert rows[2]["intent"] == "tip" and rows[2]["category"] == "theft"


def _write_labelled(path: Path, n: int = 400) -> None:
    """A labelled CSV from the project's own generated examples (not third-party data)."""
    examples = generate()
    random.Random(3).shuffle(examples)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label", "group_id"])
        for i, e in enumerate(examples[:n]):
            writer.writerow([e.text, "lua_dao" if e.scam else "binh_thuong", str(i)])


def test_train_then_check_and_eval_with_the_model(tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    _write_labelled(data)
    model_dir = tmp_path / "model"
    done = run_cli("train", "--data", str(data), "--positive", "lua_dao", "--out", str(model_dir), "--folds", "3")
    assert done.returncode == 0, done.stderr
    saved = json.loads((model_dir / "model.json").read_text(encoding="utf-8"))
    assert saved["classes"] == ["not_lua_dao", "lua_dao"] and 0 < saved["threshold"] < 1
    assert saved["info"]["examples"] == 400
    assert "cross-validation" in done.stderr.decode("utf-8")

    checked = run_cli("check", "--json", "--model", str(model_dir), "Ban trung thuong xe SH, nhan qua tai qua-tang.top")
    assert checked.returncode == 0, checked.stderr
    assert json.loads(checked.stdout)["is_scam"] is True

    ev = run_cli("eval", "--data", str(data), "--task", "scam", "--positive", "lua_dao", "--model", str(model_dir), "--json")
    assert ev.returncode == 0, ev.stderr
    report = json.loads(ev.stdout)
    binary = report["binary"]
    assert {"precision", "recall", "f1", "true_positive_rate", "false_positive_rate", "confusion", "threshold"} <= set(binary)
    assert binary["threshold"] == round(saved["threshold"], 4)
    assert sum(binary["confusion"].values()) == 400
    assert binary["recall"] > 0.9
    assert set(report["classes"]["per_class"]) == {"lua_dao", "not_lua_dao"}


def test_train_reports_a_missing_label(tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    _write_labelled(data, 50)
    done = run_cli("train", "--data", str(data), "--positive", "scam", "--out", str(tmp_path / "m"))
    assert done.returncode != 0
    assert "no row has the label 'scam'" in done.stderr.decode("utf-8")


def test_check_with_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("check", "--model", str(tmp_path / "nowhere"), "xin chao")
    assert done.returncode != 0
    assert "model.json" in done.stderr.decode("utf-8")


def test_eval_intent_table_and_progress(tmp_path: Path) -> None:
    data = tmp_path / "questions.csv"
    rows = ["Cho hỏi làm căn cước ở đâu?", "Thủ tục đăng ký khai sinh thế nào?", "Đăng ký tạm trú cần giấy tờ gì?"]
    data.write_text("text,label\n" + "".join(f"{r},admin_procedure_question\n" for r in rows), encoding="utf-8")
    done = run_cli("eval", "--data", str(data), "--task", "intent")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert "question" in out and "precision" in out and "confusion" in out
    assert "eval: 100%" in done.stderr.decode("utf-8")


def test_eval_intent_rejects_unknown_labels(tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text("text,label\nxin chao,greeting\n", encoding="utf-8")
    done = run_cli("eval", "--data", str(data), "--task", "intent")
    assert done.returncode != 0 and "--map" in done.stderr.decode("utf-8")
    mapped = run_cli("eval", "--data", str(data), "--task", "intent", "--map", "greeting=other", "--json")
    assert mapped.returncode == 0
    assert json.loads(mapped.stdout)["classes"]["per_class"]["other"]["recall"] == 1.0


def test_bench_prints_every_stage() -> None:
    done = run_cli("bench", "-n", "200", "--json")
    assert done.returncode == 0, done.stderr
    stages = {row["stage"]: row for row in json.loads(done.stdout)}
    assert {"normalize", "indicators", "cues and reasons", "scam model", "intent model", "json output", "whole analysis"} <= set(stages)
    for row in stages.values():
        assert row["messages"] == 200 and row["messages_per_second"] > 0 and row["p99_ms"] >= row["p50_ms"]


def test_missing_file_is_a_clear_error() -> None:
    done = run_cli("eval", "--data", "/nonexistent.csv", "--task", "scam")
    assert done.returncode == 2
    assert "không tìm thấy tệp" in done.stderr.decode("utf-8")
