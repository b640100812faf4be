"""Build the shipped default models from the training sources this project writes.

``training/sources/`` holds hand-written messages with slots (``{bank}``, ``{url}``...).
This module fills the slots with made-up values, varies how the text is written (with
and without diacritics, teencode, scammers' tricks), and trains the scam, intent and
category models. Everything is seeded: the same sources give the same models.
"""

from __future__ import annotations

import csv
import random
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from canhgiac.engine.lexicon import BANKS, BRANDS, DOMAINS
from canhgiac.engine.model import FeatureConfig, LinearModel, train_linear
from canhgiac.engine.normalize import fold_diacritics

__all__ = ["DEFAULT_SOURCES", "Example", "build_models", "generate"]

DEFAULT_SOURCES = Path(__file__).resolve().parents[2] / "training" / "sources"
SEED = 20261126
# Cue groups the scam model may use: those that say what kind of message it is, not the
# broad topic groups (money, jobs), which the reasons cover precisely.
SCAM_CUE_GROUPS = ("secret_warning", "carrier_notice", "balance_notice", "scam_ask", "forward", "tip", "question", "greeting", "awareness")


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    scam: bool
    intent: str
    category: str | None
    kind: str


# ---------------------------------------------------------------------------- slot values

_CITIES = [
    "Ha Noi",
    "Hà Nội",
    "TP.HCM",
    "Đà Nẵng",
    "Hải Phòng",
    "Cần Thơ",
    "Nghệ An",
    "Thanh Hóa",
    "Bình Dương",
    "Đồng Nai",
    "Quảng Ninh",
    "Gia Lai",
    "Lâm Đồng",
    "Bắc Ninh",
    "Long An",
    "Huế",
]
_NAMES = [
    "Nguyễn Văn Hùng",
    "Trần Thị Mai",
    "Lê Minh Tuấn",
    "Phạm Thu Hà",
    "Hoàng Văn Nam",
    "Vũ Thị Lan",
    "Đặng Quốc Bảo",
    "Bùi Thanh Sơn",
    "Đỗ Ngọc Anh",
    "Ngô Văn Long",
    "Hùng",
    "Lan",
    "Tuấn",
    "Hoa",
]
_STREETS = [
    "đường Lê Lợi",
    "ngõ 12 Trần Phú",
    "đường Nguyễn Trãi",
    "hẻm 45 Lý Thường Kiệt",
    "đường liên xã",
    "tỉnh lộ 8",
    "đường Hùng Vương",
    "kiệt 7 Phan Châu Trinh",
    "quốc lộ 1A",
    "đường ven sông",
]
_VILLAGES = ["Đông", "Bắc Sơn", "Tân Lập", "An Phú", "Hòa Bình", "Phú Mỹ", "Thượng", "3", "5", "Trung Hòa"]
_SHOPS = ["Hoàng Gia", "Ánh Dương", "Phát Đạt", "Thành Công", "Hương Quê", "Ngọc Lan", "Minh Châu", "Thiên Phú"]
_CARRIERS = [("Viettel", "198", "191"), ("VinaPhone", "18001091", "1543"), ("MobiFone", "9090", "999"), ("VNPT", "18001166", "1543")]
_HOTLINES = ["1900545413", "1800 1199", "1900 55 88 18", "1800588822", "1900 6060", "1800 599 928"]
_SCAM_WORDS = [
    "xacminh",
    "hotro",
    "khachhang",
    "sinhtrachoc",
    "nhanqua",
    "tracuu",
    "hoantien",
    "vn",
    "online",
    "vip",
    "capnhat",
    "dichvu",
    "baomat",
    "xacthuc",
    "uudai",
    "ebank",
    "login",
    "care",
    "cskh",
    "giaingan",
]
# Scam sites use cheap endings, and plain .com and .net too.
_RISKY_TLDS = [*sorted(DOMAINS.risky_tlds), "com", "net", "info", "me", "pro"]
_SHORT = ["bit.ly", "tinyurl.com", "cutt.ly", "rb.gy", "s.id", "t.ly"]
_BRAND_TOKENS = [t for b in BRANDS for t in b.tokens if len(t) >= 3] + [
    "vcb",
    "bidv",
    "mb",
    "tpb",
    "acb",
    "evn",
    "vneid",
    "dichvucong",
    "shopee",
    "lazada",
]


def _rand_digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.digits) for _ in range(n))


def _phone(rng: random.Random) -> str:
    number = "0" + rng.choice("35789") + _rand_digits(rng, 8)
    style = rng.randrange(6)
    if style == 0:
        return f"{number[:4]} {number[4:7]} {number[7:]}"
    if style == 1:
        return f"{number[:4]}.{number[4:7]}.{number[7:]}"
    if style == 2:
        return "+84 " + number[1:]
    if style == 3:
        return "84" + number[1:]
    return number


def _scam_url(rng: random.Random) -> str:
    style = rng.randrange(7)
    if style == 0:
        host = f"{rng.choice(_BRAND_TOKENS)}-{rng.choice(_SCAM_WORDS)}.{rng.choice(_RISKY_TLDS)}"
    elif style == 1:
        host = f"{rng.choice(_SCAM_WORDS)}{rng.choice(_BRAND_TOKENS)}{rng.randrange(10, 999)}.{rng.choice(_RISKY_TLDS)}"
    elif style == 2:
        return f"https://{rng.choice(_SHORT)}/{''.join(rng.choice(string.ascii_letters) for _ in range(6))}"
    elif style == 3:
        host = f"{rng.choice(_BRAND_TOKENS)}.{rng.choice(['com', 'vn'])}.{rng.choice(_SCAM_WORDS)}{rng.randrange(100, 9999)}.{rng.choice(_RISKY_TLDS)}"
    elif style == 4:
        host = f"{rng.choice(_SCAM_WORDS)}-{rng.choice(_SCAM_WORDS)}.{rng.choice(_RISKY_TLDS)}"
    elif style == 5:
        host = f"{rng.choice(_BRAND_TOKENS)}{rng.choice(_SCAM_WORDS)}.com"
    else:
        host = f"{rng.choice(_SCAM_WORDS)}{rng.randrange(24, 999)}.{rng.choice(_RISKY_TLDS)}"
    path = rng.choice(["", "", "/", f"/{rng.choice(_SCAM_WORDS)}", f"/?id={_rand_digits(rng, 5)}"])
    scheme = rng.choice(["https://", "http://", "", "", "www."])
    url = scheme + host + path
    if rng.random() < 0.08:
        url = url.replace(".", " [.] ", 1) if "[" not in url else url
    return url


def _official_url(rng: random.Random) -> str:
    brand = rng.choice(BRANDS)
    return f"https://{rng.choice(brand.domains)}" + rng.choice(["", "/khuyen-mai", "/uu-dai", "/tra-cuu"])


def _amount(rng: random.Random) -> str:
    value = rng.choice([150, 200, 300, 500, 700, 1500, 2000, 3000, 5000, 9800, 12000, 20000, 35000, 50000, 100000])
    style = rng.randrange(6)
    if value >= 1000 and style == 0:
        return f"{value // 1000}tr" if value % 1000 == 0 else f"{value / 1000:.1f}".replace(".", "tr").rstrip("0")
    if value >= 1000 and style == 1:
        return f"{value // 1000} triệu" if value % 1000 == 0 else f"{value:,}.000đ".replace(",", ".")
    if style == 2:
        return f"{value}k"
    if style == 3:
        return f"{value * 1000:,}".replace(",", ".") + rng.choice(["đ", " VNĐ", " VND", " đồng", "d"])
    return f"{value * 1000:,}".replace(",", ".") + " đồng"


def _account_phrase(rng: random.Random) -> str:
    bank = rng.choice(BANKS)
    number = _rand_digits(rng, rng.choice([9, 10, 12, 13, 14]))
    return rng.choice(
        [
            f"STK {number} {bank.name}",
            f"số tài khoản {number} ngân hàng {bank.name}",
            f"{bank.name}: {number}",
            f"tk {number} {bank.aliases[0]}",
            f"{number} - {bank.name} - {rng.choice(_NAMES).upper()}",
        ]
    )


def _slots(rng: random.Random) -> dict[str, Callable[[], str]]:
    carrier = rng.choice(_CARRIERS)
    city = rng.choice(_CITIES)
    return {
        "city": lambda: city,
        "city_upper": lambda: fold_diacritics(city).upper(),
        "name": lambda: rng.choice(_NAMES),
        "phone": lambda: _phone(rng),
        "url": lambda: _scam_url(rng),
        "official_url": lambda: _official_url(rng),
        "official_edu_url": lambda: (
            f"https://{rng.choice(['tuyensinh', 'www', 'daotao', 'hoithao'])}.{rng.choice(['hust', 'fpt', 'uit', 'vnu', 'hcmus', 'ueh', 'tdtu', 'ctu'])}.edu.vn"
        ),
        "official_gov_url": lambda: (
            f"https://{rng.choice(['dichvucong.gov.vn', 'csgt.vn', 'vneid.gov.vn', 'bocongan.gov.vn', 'chinhphu.vn', 'pbgdpl.gov.vn'])}"
        ),
        "shop_domain": lambda: rng.choice(
            [
                "shopee.vn",
                "lazada.vn",
                "tiki.vn",
                "viettelpost.com.vn",
                "ghn.vn",
                "ghtk.vn",
                "fptshop.com.vn",
                "thegioididong.com",
                "dienmayxanh.com",
                "cellphones.com.vn",
            ]
        ),
        "account_phrase": lambda: _account_phrase(rng),
        "account": lambda: _rand_digits(rng, rng.choice([10, 12, 13])),
        "account_masked": lambda: _rand_digits(rng, 4) + "xxx" + _rand_digits(rng, 3),
        "bank": lambda: rng.choice(BANKS).name,
        "brand": lambda: rng.choice(BRANDS).name,
        "amount": lambda: _amount(rng),
        "amount2": lambda: _amount(rng),
        "amount_plain": lambda: f"{rng.randrange(10, 9000) * 1000:,}",
        "amount_plain2": lambda: f"{rng.randrange(10, 90000) * 1000:,}",
        "date": lambda: f"{rng.randrange(1, 29)}/{rng.randrange(1, 13)}" + rng.choice(["", "/2025", "/2026"]),
        "time": lambda: f"{rng.randrange(0, 24):02d}:{rng.randrange(0, 60):02d}",
        "otp": lambda: _rand_digits(rng, rng.choice([6, 6, 8])),
        "hotline": lambda: rng.choice(_HOTLINES),
        "carrier": lambda: carrier[0],
        "carrier_hotline": lambda: carrier[1],
        "carrier_short": lambda: carrier[2],
        "carrier_lower": lambda: carrier[0].lower(),
        "order": lambda: rng.choice(["DH", "SPX", "GHN", ""]) + _rand_digits(rng, 9),
        "shop": lambda: rng.choice(["Shopee", "Lazada", "Tiki", "TikTok Shop", *_SHOPS]),
        "code": lambda: "".join(rng.choice(string.ascii_uppercase) for _ in range(6)),
        "street": lambda: rng.choice(_STREETS),
        "house": lambda: str(rng.randrange(1, 300)),
        "village": lambda: rng.choice(_VILLAGES),
    }


_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, rng: random.Random, extra: dict[str, str] | None = None) -> str:
    slots = _slots(rng)

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        if extra and name in extra:
            return extra[name]
        return slots[name]()

    return _SLOT.sub(value, template)


# ---------------------------------------------------------------------------- ways of writing

_TEEN = [
    ("không", "ko"),
    ("khong", "k"),
    ("được", "dc"),
    ("duoc", "dc"),
    ("chuyển khoản", "ck"),
    ("chuyen khoan", "ck"),
    ("số tài khoản", "stk"),
    ("so tai khoan", "stk"),
    ("gì", "j"),
    ("biết", "bit"),
    ("tài khoản", "tk"),
    ("số điện thoại", "sdt"),
    ("như thế nào", "ntn"),
    ("với", "vs"),
    ("mình", "mk"),
]
_LEET = str.maketrans({"a": "4", "i": "1", "o": "0", "e": "3"})


def _vary(text: str, rng: random.Random, *, obfuscate: bool) -> str:
    if rng.random() < 0.5:
        text = fold_diacritics(text)
    if rng.random() < 0.25:
        for full, short in _TEEN:
            if rng.random() < 0.6:
                text = re.sub(rf"\b{full}\b", short, text)
    if obfuscate:
        roll = rng.random()
        words = text.split(" ")
        if roll < 0.12 and len(words) > 3:
            for i in rng.sample(range(len(words)), k=min(3, len(words))):
                if words[i].isalpha() and len(words[i]) > 2:
                    words[i] = words[i].translate(_LEET)
            text = " ".join(words)
        elif roll < 0.16:
            i = rng.randrange(len(words))
            if words[i].isalpha() and 3 <= len(words[i]) <= 8:
                words[i] = " ".join(words[i].upper())
            text = " ".join(words)
        elif roll < 0.24:
            text = text.upper()
    if rng.random() < 0.1:
        text = text.lower()
    return text


# ---------------------------------------------------------------------------- sources


def _lines(path: Path) -> Iterator[str]:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            yield line.strip()


def _tsv(path: Path) -> list[tuple[str, str]]:
    return [tuple(line.split("\t", 1)) for line in _lines(path)]  # type: ignore[misc]


def generate(sources: Path = DEFAULT_SOURCES, seed: int = SEED) -> list[Example]:
    """All training examples, reproducibly."""
    rng = random.Random(seed)
    examples: list[Example] = []
    scams = _tsv(sources / "scams.tsv")
    legit = _tsv(sources / "legit.tsv")
    for kind, template in scams:
        for _ in range(20):
            text = _vary(_fill(template, rng), rng, obfuscate=True)
            examples.append(Example(text, True, "scam_check", None, kind))
    for kind, template in legit:
        intent = "other" if kind == "personal" else "scam_check"
        for _ in range(18):
            text = _vary(_fill(template, rng), rng, obfuscate=False)
            examples.append(Example(text, False, intent, None, kind))
    for category, template in _tsv(sources / "tips.tsv"):
        for _ in range(9):
            text = _vary(_fill(template, rng), rng, obfuscate=False)
            examples.append(Example(text, False, "tip", category, "tip"))
    for template in _lines(sources / "questions.txt"):
        for _ in range(6):
            examples.append(Example(_vary(template, rng, obfuscate=False), False, "question", None, "question"))
    for template in _lines(sources / "other.txt"):
        for _ in range(4):
            examples.append(Example(_vary(template, rng, obfuscate=False), False, "other", None, "other"))
    wrappers = list(_lines(sources / "scam_check.txt"))
    for _ in range(900):
        wrapper = rng.choice(wrappers)
        use_scam = rng.random() < 0.6
        kind, template = rng.choice(scams if use_scam else legit)
        message = _fill(template, rng)
        extra = {"msg": message}
        scam = (use_scam and "{msg}" in wrapper) or "{url}" in wrapper
        text = _vary(_fill(wrapper, rng, extra), rng, obfuscate=use_scam)
        examples.append(Example(text, scam, "scam_check", None, "check:" + kind))
    return examples


def write_csv(examples: list[Example], path: Path) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "scam", "intent", "category", "kind"])
        for e in examples:
            writer.writerow([e.text, "scam" if e.scam else "not_scam", e.intent, e.category or "", e.kind])


# ---------------------------------------------------------------------------- training


def build_models(
    out_dir: Path,
    sources: Path = DEFAULT_SOURCES,
    progress: Callable[[str], None] | None = None,
) -> dict[str, LinearModel]:
    """Train and save the scam, intent and category models; return them."""
    from canhgiac.engine.train import featurize_texts  # import here: train imports this module's neighbours

    examples = generate(sources)
    config = FeatureConfig(word_ngrams=2, char_ngrams=None, structured=True)
    scam_config = FeatureConfig(word_ngrams=2, char_ngrams=None, structured=True, cue_groups=SCAM_CUE_GROUPS, length=False)
    texts = [e.text for e in examples]
    features = featurize_texts(texts, config)
    scam_features = featurize_texts(texts, scam_config)
    models: dict[str, LinearModel] = {}

    def note(message: str) -> None:
        if progress is not None:
            progress(message)

    note(f"{len(examples)} examples generated")
    scam = train_linear(scam_features, [int(e.scam) for e in examples], ["not_scam", "scam"], config=scam_config, l2=2e-3, epochs=8)
    # Trained class-balanced, 0.5 would weigh a missed scam and a false alarm alike. For a
    # citizen about to transfer money a miss costs more: at two to one, the threshold is
    # 1/3, rounded to 0.35. Messages from 0.2 up are "suspicious" (EngineConfig).
    scam.threshold = 0.35
    scam.info = {"trained_on": "canhgiac training sources (generated)", "examples": len(examples), "positive": "scam"}
    models["scam"] = scam
    note("scam model trained")

    intents = ["tip", "question", "scam_check", "other"]
    intent = train_linear(features, [intents.index(e.intent) for e in examples], intents, config=config, l2=1e-4)
    intent.info = {"trained_on": "canhgiac training sources (generated)", "examples": len(examples)}
    models["intent"] = intent
    note("intent model trained")

    tips = [(x, e) for x, e in zip(features, examples, strict=True) if e.category]
    categories = sorted({e.category for _, e in tips if e.category})
    category = train_linear([x for x, _ in tips], [categories.index(e.category or "") for _, e in tips], categories, config=config, l2=1e-4)
    category.info = {"trained_on": "canhgiac training sources (generated)", "examples": len(tips)}
    models["category"] = category
    note("category model trained")

    out_dir.mkdir(parents=True, exist_ok=True)
    for name, model in models.items():
        model.save(out_dir / f"{name}.json")
    return models
