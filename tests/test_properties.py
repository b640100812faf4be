"""Whatever people send, the engine answers: a result or a clear error, never a crash."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from canhgiac.engine import analyze, extract, normalize
from canhgiac.engine.pipeline import CATEGORIES, INTENTS
from tests.conftest import run_cli

# Vietnamese letters, digits, punctuation scammers use, emoji, other scripts, controls.
ALPHABET = st.sampled_from(
    [
        *list("aăâbcdđeêghiklmnoôơpqrstuưvxyAĂÂĐÊÔƠƯáàảãạấầẩẫậéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ0123456789 .,:;!?/@$|[]()-_+*'\"\n\t"),
        "😀",
        "👍",
        "🇻",
        "🇳",
        "中",
        "文",
        "ไ",
        "ท",
        "한",
        "ع",
        "\u200b",
        "\x00",
        "\x07",
        "\ufeff",
        "\u202e",
        "ｖ",
        "𝐛",
    ]
)
messages = st.text(alphabet=ALPHABET, max_size=400) | st.text(max_size=200)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(messages)
def test_any_text_gives_a_valid_result(text: str) -> None:
    result = analyze(text)
    data = result.to_dict()
    assert data["intent"] in INTENTS
    assert 0.0 <= data["intent_confidence"] <= 1.0
    assert 0.0 <= data["scam_score"] <= 1.0
    assert data["is_scam"] == (data["verdict"] == "scam")
    assert data["category"] is None or data["category"] in CATEGORIES
    assert (data["category"] is not None) == (data["intent"] == "tip")
    json.dumps(data, ensure_ascii=False)


@settings(max_examples=200, deadline=None)
@given(messages)
def test_normalization_is_idempotent_on_its_folded_form(text: str) -> None:
    folded = normalize(text).folded
    assert normalize(folded).folded == normalize(normalize(folded).folded).folded
    assert folded == folded.lower()


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=99_999_999), st.sampled_from(["03", "05", "07", "08", "09"]))
def test_every_mobile_number_format_gives_the_same_e164(rest: int, prefix: str) -> None:
    digits = f"{prefix}{rest:08d}"
    expected = "+84" + digits[1:]
    for written in (
        digits,
        f"{digits[:4]} {digits[4:7]} {digits[7:]}",
        f"{digits[:4]}.{digits[4:7]}.{digits[7:]}",
        "+84 " + digits[1:],
        "84" + digits[1:],
    ):
        assert extract(normalize(f"goi {written} nhe").plain).to_dict()["phones"] == [expected], written


def test_one_megabyte_of_text() -> None:
    text = ("Chuc mung ban trung thuong, truy cap abc.top va nhap OTP 123456 " * 20_000)[:1_000_000]
    result = analyze(text)
    assert result.is_scam
    assert "truncated" in result.text.steps


def test_pathological_inputs() -> None:
    for text in ["", " ", "\x00" * 1000, "a." * 50_000, "1" * 100_000, ". " * 50_000, "www." * 10_000, "😀" * 10_000, "\u202e" * 100]:
        data = analyze(text).to_dict()
        assert data["intent"] in INTENTS


def test_cli_jsonl_survives_invalid_utf8_and_bad_lines() -> None:
    lines = [
        json.dumps({"text": "Xin chào"}).encode(),
        b"\xff\xfe not utf-8 \xc3\x28",
        b"not json at all",
        json.dumps({"no_text": 1}).encode(),
        json.dumps({"text": 42}).encode(),
        json.dumps(["text"]).encode(),
        json.dumps({"text": "\x00\x01 control", "id": "abc"}).encode(),
        json.dumps({"text": "x" * 1_000_000}).encode(),
        json.dumps({"text": "cung cap ma OTP cho nhan vien ngan hang"}).encode(),
    ]
    done = run_cli("check", "--jsonl", stdin=b"\n".join(lines) + b"\n", timeout=60)
    assert done.returncode == 0, done.stderr
    out = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines()]
    assert len(out) == len(lines)
    assert out[0]["intent"] == "other"
    assert out[1] == {"line": 2, "error": out[1]["error"]} and "UTF-8" in out[1]["error"]
    for i in (2, 3, 4, 5):
        assert "error" in out[i] and out[i]["line"] == i + 1
    assert out[6]["id"] == "abc" and "intent" in out[6]
    assert "intent" in out[7]
    assert out[8]["is_scam"] is True
