"""The engine's library API: results that explain themselves, settings, registry."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from canhgiac.engine import Blocklist, Engine, EngineConfig, analyze
from canhgiac.engine.pipeline import MAX_CHARS
from canhgiac.engine.rules import REASON_CODES, reason_message

ENGINE_DIR = Path(__file__).resolve().parents[1] / "canhgiac" / "engine"


def test_engine_imports_no_django() -> None:
    """Importing and using the engine loads no Django module, and no file imports it."""
    code = "import sys, canhgiac.engine as e; e.analyze('xin chao'); print(any(m.split('.')[0] == 'django' for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "False"
    for path in ENGINE_DIR.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            else:
                continue
            assert not any(n.split(".")[0] == "django" for n in names), path


def test_result_explains_itself() -> None:
    result = analyze("[Vietcombank] Tai khoan bi khoa, vui long cung cap ma OTP tai vcb-mokhoa.top ngay")
    data = result.to_dict()
    assert data["is_scam"] is True and data["verdict"] == "scam"
    assert data["scam_score"] >= 0.5
    codes = {r["code"] for r in data["reasons"]}
    assert {"otp_request", "lookalike_domain"} <= codes
    for reason in data["reasons"]:
        assert reason["message"] == reason_message(reason["code"])
        assert reason["evidence"]
    assert data["indicators"]["domains"] == ["vcb-mokhoa.top"]
    assert data["advice"].startswith("Đây nhiều khả năng là lừa đảo")
    assert data["explanation"]


def test_every_reason_has_both_languages() -> None:
    for code in REASON_CODES:
        assert reason_message(code, "vi") and reason_message(code, "en")
        assert reason_message(code, "vi") != reason_message(code, "en")


def test_safe_message_has_no_reasons() -> None:
    result = analyze("Mẹ ơi tối nay con về muộn nhé")
    assert result.verdict == "safe" and result.reasons == []
    assert not result.is_scam


def test_known_indicator_from_registry_is_a_reason() -> None:
    registry = Blocklist()
    assert registry.add("0912 345 678") == "phone"
    plain = Engine().analyze("Anh goi lai so 0912345678 giup em nhe")
    flagged = Engine(EngineConfig(registry=registry)).analyze("Anh goi lai so 0912345678 giup em nhe")
    assert "known_indicator" not in [r.code for r in plain.reasons]
    assert "known_indicator" in [r.code for r in flagged.reasons]
    assert flagged.scam_score > plain.scam_score
    assert flagged.to_dict()["known_indicators"] == [{"kind": "phone", "value": "+84912345678"}]


def test_blocklist_page_on_a_platform_never_blocks_the_platform() -> None:
    registry = Blocklist()
    assert registry.add("https://www.facebook.com/profile.php?id=123", "url") == "page"
    assert registry.add("sites.google.com/view/nhanqua", "url") == "page"
    assert registry.add("lua-dao.top", "domain") == "domain"
    engine = Engine(EngineConfig(registry=registry))
    assert engine.analyze("vao sites.google.com/view/nhanqua de nhan").known
    assert not engine.analyze("vao sites.google.com/view/truonghoc de xem").known
    assert not engine.analyze("xem facebook.com/profile.php?id=999").known
    assert engine.analyze("https://abc.lua-dao.top/login").known


def test_blocklist_reads_csv(tmp_path: Path) -> None:
    path = tmp_path / "list.csv"
    path.write_text("text,kind\nbad-site.top,domain\n0987654321,phone\n,domain\n12345678901,bank_account\n", encoding="utf-8")
    registry = Blocklist.from_csv([path])
    assert registry.domains == {"bad-site.top"}
    assert registry.phones == {"+84987654321"}
    assert registry.bank_accounts == {"12345678901"}


def test_threshold_setting_changes_the_verdict_not_the_score() -> None:
    text = "Ban nhan duoc qua tang, bam vao day de nhan: qua-tang.top"
    default = Engine().analyze(text)
    strict = Engine(EngineConfig(scam_threshold=0.999)).analyze(text)
    assert strict.scam_score == default.scam_score
    assert strict.is_scam is False


def test_long_text_is_cut_and_says_so() -> None:
    text = "lien he 0912345678 " + "a" * (MAX_CHARS * 2)
    result = analyze(text)
    assert "truncated" in result.text.steps
    assert result.text.original == text
    assert result.to_dict()["indicators"]["phones"] == ["+84912345678"]


def test_category_only_for_tips() -> None:
    assert analyze("Cho em hỏi thủ tục đăng ký tạm trú").category is None
    tip = analyze("Nhà tôi bị trộm mất xe máy đêm qua")
    assert tip.intent == "tip" and tip.category == "theft"
    assert tip.category_confidence is not None and 0 < tip.category_confidence <= 1


def test_a_listed_host_matches_itself_and_its_subdomains_only() -> None:
    registry = Blocklist()
    assert registry.add("login.vcb-hotro.top", "domain") == "domain"
    assert registry.add("phish.weebly.com", "domain") == "domain"
    assert registry.add("06kte6.tokyo", "domain") == "domain"  # any ending, when a row says domain
    engine = Engine(EngineConfig(registry=registry))
    assert engine.analyze("vao login.vcb-hotro.top nhe").known
    assert engine.analyze("vao a.login.vcb-hotro.top nhe").known
    assert not engine.analyze("vao shop.vcb-hotro.top nhe").known  # a neighbour, not listed
    assert not engine.analyze("vao other.weebly.com nhe").known
    assert engine.analyze("https://06kte6.tokyo/x").known
