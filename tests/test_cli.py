"""The ``canhgiac`` command's contract, run as a real process."""

from __future__ import annotations

import csv
import json
import os
import random
import re
import select
import shutil
import subprocess
import sys
from pathlib import Path
from typing import IO

import pytest

from canhgiac.cli import ADVICE_EN
from canhgiac.engine.build import generate
from canhgiac.engine.labels import VERDICT_NAMES
from canhgiac.engine.rules import reason_message
from tests.conftest import ROOT, run_cli

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
    assert done.stderr.decode("utf-8") == "canhgiac: hãy nhập nội dung cần kiểm tra\n"


def test_check_jsonl_answers_a_waiting_writer_line_by_line() -> None:
    """Answers are written in blocks when a batch is piped in, but a program that writes
    one line and waits for its answer gets it before it writes the next."""
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    command = [sys.executable, "-m", "canhgiac.cli", "check", "--jsonl"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT, env=env) as process:
        assert process.stdin is not None and process.stdout is not None
        try:
            for item, failed in (({"text": "0912345678"}, False), ({"text": "Hỏi tạm trú ở đâu?"}, False), ({"x": 1}, True)):
                line = json.dumps(item, ensure_ascii=False).encode()
                # A first part of the line, then the rest: it is answered once whole.
                process.stdin.write(line[:5])
                process.stdin.flush()
                process.stdin.write(line[5:] + b"\n")
                process.stdin.flush()
                answer = json.loads(_readline(process.stdout, timeout=60))
                assert ("error" in answer) == failed
        finally:
            process.stdin.close()
        assert process.stdout.read() == b""
        assert process.wait(timeout=60) == 0


def _readline(stream: IO[bytes], timeout: float) -> bytes:
    """One line from a pipe, or a failure if none comes within ``timeout`` seconds."""
    ready, _, _ = select.select([stream], [], [], timeout)
    assert ready, "no answer while the writer waits"
    return stream.readline()


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


def test_check_jsonl_lone_surrogates_stop_nothing() -> None:
    """A JSON string may hold a lone surrogate ("\\ud800"), which no UTF-8 output can carry:
    in the text it is replaced and the line answered; in an echoed id the line is refused;
    the lines after it are answered either way."""
    stdin = b'{"text": "So 0912 345 678 \\ud800 goi xung cong an"}\n{"text": "ok", "id": "a\\udc00"}\n{"text": "ok", "id": 7}\n'
    done = run_cli("check", "--jsonl", stdin=stdin)
    assert done.returncode == 0, done.stderr
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(rows) == 3
    assert rows[0]["indicators"]["phones"] == ["+84912345678"]
    assert rows[1] == {"line": 2, "error": '"id" chứa ký tự không hợp lệ'}
    assert rows[2]["id"] == 7


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
    assert "kiểm định chéo: 100%" in done.stderr.decode("utf-8")

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
    assert done.returncode == 2
    assert "không dòng nào có nhãn 'scam'" in done.stderr.decode("utf-8")


def test_check_with_a_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    done = run_cli("check", "--model", str(tmp_path / "nowhere"), "xin chao")
    assert done.returncode == 2
    assert "model.json" in done.stderr.decode("utf-8")


def test_eval_intent_table_and_progress(tmp_path: Path) -> None:
    data = tmp_path / "questions.csv"
    rows = ["Cho hỏi làm căn cước ở đâu?", "Thủ tục đăng ký khai sinh thế nào?", "Đăng ký tạm trú cần giấy tờ gì?"]
    data.write_text("text,label\n" + "".join(f"{r},admin_procedure_question\n" for r in rows), encoding="utf-8")
    done = run_cli("eval", "--data", str(data), "--task", "intent")
    assert done.returncode == 0, done.stderr
    out = done.stdout.decode("utf-8")
    assert "question" in out and "chính xác" in out and "ma trận nhầm lẫn" in out
    assert "đánh giá: 100%" in done.stderr.decode("utf-8")


def test_eval_intent_rejects_unknown_labels(tmp_path: Path) -> None:
    data = tmp_path / "x.csv"
    data.write_text("text,label\nxin chao,greeting\n", encoding="utf-8")
    done = run_cli("eval", "--data", str(data), "--task", "intent")
    assert done.returncode == 2 and "--map" in done.stderr.decode("utf-8")
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


# ---------------------------------------------------------------------------- one language per run

# Letters only Vietnamese uses (and their capitals): none may appear in an English run's own words.
VIETNAMESE_LETTERS = re.compile(r"[àáảãạăằắẳẵặâầấẩẫậèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵđ]", re.IGNORECASE)
# Words of the English messages: none may appear in a Vietnamese run.
ENGLISH_WORDS = {
    "the", "must", "no", "not", "has", "row", "rows", "file", "found", "error", "usage", "options", "required", "show",
    "messages", "saved", "threshold", "precision", "recall", "confusion", "accuracy", "verdict", "reasons", "advice", "invalid",
}  # fmt: skip
BAD_LINES = b'{"text": 1}\nnot json\n\xff\n[1]\n{"text": "Xin chao"}\n'
JSONL_ERRORS = {
    "vi": [
        '"text" phải là một chuỗi',
        "không phải JSON (ký tự 1)",
        "không phải UTF-8 (byte 0)",
        'mỗi dòng phải là một đối tượng JSON có trường "text"',
    ],
    "en": [
        '"text" must be a string',
        "not JSON (Expecting value at character 1)",
        "invalid UTF-8 at byte 0",
        'each line must be a JSON object with a "text" field',
    ],
}


def _runs(tmp_path: Path, *lang: str) -> list[str]:
    """What a person sees from several commands (output and errors), every input free of
    Vietnamese letters, so that any in the output are the command's own."""
    data = tmp_path / "labelled.csv"
    data.write_text(
        "text,label\nChuyen tien ngay vao tai khoan 0123456789 de nhan qua,scam\nNha toi bi trom xe may,tip\n", encoding="utf-8"
    )
    runs = [
        run_cli(*lang, "check", "Toi la cong an, chuyen ngay 50tr vao STK 0123456789 Vietcombank, bam link vcb-xacminh.top"),
        run_cli(*lang, "check", "--json", "Toi la cong an, chuyen ngay 50tr vao STK 0123456789 Vietcombank"),
        run_cli(*lang, "check", "--jsonl", stdin=BAD_LINES),
        run_cli(*lang, "check", stdin=b" "),
        run_cli(*lang, "check", "-h"),
        run_cli(*lang, "eval", "--data", str(data), "--task", "scam"),
        run_cli(*lang, "eval", "--data", str(data), "--task", "intent"),
        run_cli(*lang, "eval", "--data", str(data), "--task", "maybe"),
        run_cli(*lang, "eval", "--data", str(data), "--task", "scam", "--text-column", "body"),
        run_cli(*lang, "train", "--data", str(data), "--positive", "spam", "--out", str(tmp_path / "m")),
        run_cli(*lang, "bench", "-n", "20"),
        run_cli(*lang, "check", "--model", str(tmp_path / "nowhere"), "xin chao"),
    ]
    said = []
    for i, done in enumerate(runs):
        assert b"Traceback" not in done.stderr, done.stderr.decode("utf-8")
        out = done.stdout.decode("utf-8")
        if i in (1, 2):  # JSON: its keys are a contract, its sentences are the run's words
            results = [json.loads(line) for line in out.splitlines()] if i == 2 else [json.loads(out)]
            out = "\n".join(_sentences(result) for result in results)
        said.append(out + done.stderr.decode("utf-8"))
    return said


def _sentences(result: dict[str, object]) -> str:
    """What a JSON result says to a person: the reasons, the advice or the error. Its
    "explanation" is the engine's own account, in Vietnamese only (engine/pipeline.py)."""
    reasons = result.get("reasons", [])
    assert isinstance(reasons, list)
    return "\n".join([*(str(r["message"]) for r in reasons), str(result.get("advice", "")), str(result.get("error", ""))])


def test_a_vietnamese_run_says_nothing_in_english(tmp_path: Path) -> None:
    for output in _runs(tmp_path):
        assert not ENGLISH_WORDS & {word.lower() for word in re.findall(r"\w+", output)}, output
    result = json.loads(run_cli("check", "--json", "Toi la cong an, chuyen ngay 50tr vao STK 0123456789").stdout)
    assert result["advice"].startswith("Đây nhiều khả năng là lừa đảo")
    assert all(r["message"] == reason_message(r["code"], "vi") for r in result["reasons"]) and result["reasons"]


def test_an_english_run_says_nothing_in_vietnamese(tmp_path: Path) -> None:
    for output in _runs(tmp_path, "--lang", "en"):
        assert not VIETNAMESE_LETTERS.search(output), output
    result = json.loads(run_cli("check", "--json", "--lang=en", "Toi la cong an, chuyen ngay 50tr vao STK 0123456789").stdout)
    assert result["advice"].startswith("This is very likely a scam")
    assert set(ADVICE_EN) == set(VERDICT_NAMES)  # every verdict's advice has its English
    assert all(r["message"] == reason_message(r["code"], "en") for r in result["reasons"]) and result["reasons"]


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_check_jsonl_errors_are_in_the_runs_language(lang: str) -> None:
    done = run_cli("check", "--jsonl", "--lang", lang, stdin=BAD_LINES)
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert [row.get("error") for row in rows[:4]] == JSONL_ERRORS[lang]
    assert [row.get("line") for row in rows[:4]] == [1, 2, 3, 4] and rows[4]["verdict"] == "safe"


def test_the_language_is_chosen_by_option_or_variable_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANG", "en_US.UTF-8")  # a server's locale says nothing about its officers
    assert "hãy nhập" in run_cli("check", stdin=b" ").stderr.decode("utf-8")
    monkeypatch.setenv("CANHGIAC_LANG", "en_US.UTF-8")
    assert "nothing to check" in run_cli("check", stdin=b" ").stderr.decode("utf-8")
    assert "hãy nhập" in run_cli("check", "--lang", "vi", stdin=b" ").stderr.decode("utf-8")  # the option wins
    monkeypatch.setenv("CANHGIAC_LANG", "fr")
    done = run_cli("check", "xin chao")
    assert (
        done.returncode == 2 and done.stderr.decode("utf-8") == "canhgiac: CANHGIAC_LANG='fr': chỉ có vi (tiếng Việt) hoặc en (English)\n"
    )


def test_argparse_speaks_the_runs_language() -> None:
    vi = run_cli("eval", "--task", "maybe")
    assert (
        vi.returncode == 2 and "canhgiac eval: lỗi: " in vi.stderr.decode("utf-8") and vi.stderr.decode("utf-8").startswith("cách dùng: ")
    )
    en = run_cli("--lang", "en", "eval", "--task", "maybe")
    assert en.returncode == 2 and "canhgiac eval: error: argument --task: invalid choice" in en.stderr.decode("utf-8")


# ---------------------------------------------------------------------------- CI


@pytest.mark.parametrize(("check", "test", "status", "ran"), [(0, 0, 0, "check test"), (1, 0, 1, "check"), (0, 3, 3, "check test")])
def test_ci_runs_the_checks_then_the_tests(tmp_path: Path, check: int, test: int, status: int, ran: str) -> None:
    """.ci/run, with a stand-in ./dev that records what it was asked: the checks first, a
    failing check fails CI before any test, and CI's status is the tests' otherwise."""
    (tmp_path / ".ci").mkdir()
    shutil.copy(ROOT / ".ci" / "run", tmp_path / ".ci" / "run")
    dev = tmp_path / "dev"
    dev.write_text(f'#!/bin/sh\necho "$1" >> ran\n[ "$1" = check ] && exit {check}\n[ "$1" = test ] && exit {test}\nexit 99\n')
    dev.chmod(0o755)
    done = subprocess.run(["bash", str(tmp_path / ".ci" / "run")], cwd=tmp_path, capture_output=True, timeout=30)
    assert done.returncode == status
    assert (tmp_path / "ran").read_text().split() == ran.split()


def test_check_jsonl_line_is_the_analysis_dictionary_as_json() -> None:
    """`check --jsonl` writes an analysis directly (cli._analysis_line), not through
    Analysis.to_dict: the characters must be those json writes for the dictionary, on
    every kind of message (reasons, indicators, known ones, a victim, urgency, none)."""
    from canhgiac.cli import _analysis_line, _encode_line
    from canhgiac.engine import Engine, EngineConfig
    from canhgiac.engine.registry import KnownIndicator

    class Known:
        def known(self, indicators: object) -> list[KnownIndicator]:
            return [KnownIndicator("phone", "+84912345678")] if getattr(indicators, "phones", None) else []

    messages = [example.text for example in generate()[::40]]
    messages += ["", "😀", "Con đang bị bắt cóc, cứu với!", "Tôi vừa chuyển 5 triệu cho kẻ lừa đảo", 'x"\\\n\t\u2028']
    for engine in (Engine(), Engine(EngineConfig(registry=Known()))):
        for text in messages:
            analysis = engine.analyze(text)
            assert _analysis_line(analysis) == _encode_line(analysis.to_dict()), text
