"""The engine's library API: results that explain themselves, settings, registry."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from canhgiac.engine import Blocklist, Engine, EngineConfig, analyze, lexicon
from canhgiac.engine.indicators import parse_link, registered_domain
from canhgiac.engine.normalize import fold_diacritics, normalize
from canhgiac.engine.pipeline import MAX_CHARS
from canhgiac.engine.rules import AMBIGUOUS, REASON_CODES, find_cues, reason_message, tone_phrase

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


def test_safe_message_says_why_it_is_safe() -> None:
    result = analyze("Mẹ ơi tối nay con về muộn nhé")
    assert result.verdict == "safe" and not result.is_scam
    assert [r.code for r in result.reasons] == ["safe_no_sign"]
    assert result.reasons[0].message and result.reasons[0].weight == 0


def test_unsure_defers_to_an_officer() -> None:
    """Whatever the model says, a score in the uncertain band is 'suspicious' with the
    reason that an officer will look; the same score above the threshold is a scam. (An
    account to pay into: wording alone below 0.65 is never a scam, whatever the threshold.)"""
    text = "Chi chuyen phi 200.000d vao STK 0451000123456 de nhan lai khoan tien 2.000.000d nhe"
    score = Engine().analyze(text).scam_score
    band = Engine(EngineConfig(scam_threshold=min(1.0, score + 0.01), suspicious_threshold=score - 0.01)).analyze(text)
    assert band.verdict == "suspicious" and band.reasons[-1].code == "officer_review"
    above = Engine(EngineConfig(scam_threshold=score - 0.01)).analyze(text)
    assert above.verdict == "scam" and "officer_review" not in [r.code for r in above.reasons]


def test_unknown_number_asking_for_a_call_about_money_is_never_safe() -> None:
    """Below every threshold, a check holding an unknown number and money or a call
    asked for is still 'suspicious', deferred to an officer, with the number as evidence."""
    text = "Số 0867555444 nhắn chị liên hệ để nhận lại 2.000.000đ, có phải lừa đảo không?"
    result = Engine(EngineConfig(scam_threshold=1.0, suspicious_threshold=1.0)).analyze(text)
    assert result.intent == "scam_check"
    assert result.verdict == "suspicious"
    assert [r.code for r in result.reasons] == ["officer_review"]
    assert "0867555444" in result.reasons[0].evidence.replace(" ", "")


def test_victim_report_is_a_fraud_tip_that_keeps_the_scam_reasons() -> None:
    scam = (
        "Tôi là cán bộ công an quận, yêu cầu anh chuyển ngay 5.000.000đ vào STK 0451000123456 "
        "Vietcombank để xác minh, nếu không sẽ bị bắt giữ."
    )
    alone = analyze(scam)
    told = analyze(f"Tôi vừa chuyển 5 triệu cho họ 2 tiếng trước rồi, họ nhắn thế này: {scam}")
    assert alone.intent == "scam_check" and not alone.victim
    assert told.victim and told.intent == "tip" and told.category == "fraud"
    assert told.urgent and told.urgent_evidence
    assert told.is_scam and {"impersonation_police"} <= {r.code for r in told.reasons}
    assert told.to_dict()["victim"] is True and told.to_dict()["victim_evidence"]
    assert "tổng đài ngân hàng" in told.advice and "Không chuyển tiền" not in told.advice
    assert "Không chuyển tiền" in alone.advice
    assert any("mất tiền" in line for line in told.explanation)


def test_victim_never_gets_a_safe_verdict() -> None:
    """A victim's own account of a scam may score low (it asks for nothing); it is then
    'suspicious', for an officer, never 'safe'."""
    result = Engine(EngineConfig(scam_threshold=1.0, suspicious_threshold=1.0)).analyze("Mẹ tôi bị lừa mất 40 triệu sáng nay")
    assert result.victim and result.verdict == "suspicious"
    assert [r.code for r in result.reasons] == ["officer_review"]


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


# ---------------------------------------------------------------------------- words as written


def test_folds_named_in_the_issue_need_context_without_diacritics() -> None:
    """Each of these folded forms is the fold of several common words: typed without
    diacritics, the cue they stand for counts only with words that settle it."""
    assert {"no", "bom", "dam", "chay", "cau", "mui", "dan", "hero", "kiem", "cuu"} <= {fold_diacritics(key) for key in AMBIGUOUS}
    assert "weapons" not in find_cues(analyze("no dung truoc cong nha toi ca buoi chieu").text)
    assert "weapons" in find_cues(analyze("nghe tieng no rat lon o bai dat trong").text)


def test_every_ambiguous_entry_names_a_cue_and_real_groups() -> None:
    raw = lexicon.load_json("cues.json")
    groups = {name for name in raw if not name.startswith("_")}
    phrases = {tone_phrase(p) for name in groups for p in raw[name]}
    for key, context in AMBIGUOUS.items():
        assert tone_phrase(key) in phrases, key
        for entry in context:
            assert not entry.startswith("@") or entry[1:] in groups, (key, entry)


def test_words_as_written_are_aligned_with_the_folded_text() -> None:
    for text in (
        "Nó đứng trước cổng, ko biết làm j",
        "B4n da zu d!eu k1en nh4n t1en",
        "Vào www . abc . com hoặc abc chấm com nhé",
        "Q U A  H A N đã chấm điểm; Ｔiền:ok",
        "Bạn đã\u200b đủ điều kiện.Nhận tại vcb[.]com",
    ):
        result = normalize(text)
        assert fold_diacritics(result.accented) == result.folded, text


def test_where_the_tone_mark_sits_does_not_matter() -> None:
    assert "drugs" in find_cues(normalize("Có người bán ma tuý ở đầu ngõ"))
    assert "danger" in find_cues(normalize("Hoả hoạn ở chợ xã"))


def test_foreign_marks_are_a_disguise_not_diacritics() -> None:
    """Scammers type "möi ngay" for "mỗi ngày": a mark that is not Vietnamese does not
    make a word as written."""
    assert "moi ngay" in find_cues(normalize("Kiem 600k chi cän 20 phut möi ngay")).phrases("job")


def test_official_sites_are_links_never_proposed_for_blocking() -> None:
    found = analyze("Vietcombank: chỉ giao dịch tại vietcombank.com.vn, không vào vcb-hotro.top").indicators
    assert [(link.domain, link.official) for link in found.links] == [("vietcombank.com.vn", True), ("vcb-hotro.top", False)]
    gov, page = parse_link("congan.hanoi.gov.vn"), parse_link("facebook.com/vietcombank")
    assert gov is not None and gov.official and page is not None and not page.official


def test_registered_domains_come_from_the_public_suffix_list() -> None:
    assert registered_domain("shop.com.kh") == "shop.com.kh"
    assert registered_domain("a.b.vcb-sinhtrachoc.com.vn") == "vcb-sinhtrachoc.com.vn"
    assert registered_domain("x.abc.github.io") == "abc.github.io"
    assert registered_domain("phish.weebly.com") == "phish.weebly.com"  # a host the list misses, kept in domains.json
    link = parse_link("github.io")
    assert link is not None and link.domain is None  # an ending is nobody's site


def test_the_suffix_list_is_built_only_when_a_link_needs_it() -> None:
    """Parsing the Public Suffix List costs tens of milliseconds: a message with no link,
    as most are, never pays it."""
    code = (
        "from canhgiac.engine import analyze, lexicon; analyze('Nhà tôi bị trộm mất xe máy'); a = lexicon.suffix_list.cache_info().currsize;"
        " analyze('vao vcb-hotro.top'); print(a, lexicon.suffix_list.cache_info().currsize)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["0", "1"]


def test_every_verdict_comes_with_a_reason() -> None:
    """Scam, suspicious or safe: the citizen is always told why (safe included: "official
    site", "code notice with its warning", or that nothing was asked of them)."""
    from tests.test_cases import read

    engine = Engine()
    for name in ("scams", "legit", "checks", "victims", "intent", "verdicts"):
        for case in read(name):
            result = engine.analyze(case["text"])
            assert result.reasons, (result.verdict, case["text"])
            assert all(r.message for r in result.reasons)


def test_routing_twins_typed_with_diacritics_are_never_worse() -> None:
    """The victim, intent and verdict cases come in twins (with and without diacritics):
    each twin passes or fails alike, the accented one never worse."""
    from tests.test_cases import failures, read

    engine = Engine()
    for name in ("victims", "intent", "verdicts"):
        pairs: dict[str, list[dict[str, object]]] = {}
        for case in read(name):
            pairs.setdefault(str(case["label"]), []).append(case)
        for label, twins in pairs.items():
            assert len(twins) == 2, label
            accented, plain = sorted(twins, key=lambda c: not normalize(str(c["text"])).has_diacritics)
            assert normalize(str(accented["text"])).has_diacritics and not normalize(str(plain["text"])).has_diacritics, label
            assert len(failures(engine, accented)) <= len(failures(engine, plain)), label
