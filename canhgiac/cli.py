"""The ``canhgiac`` command.

Engine commands (check, train, eval, bench, build-model) need nothing but the engine;
the web application's commands import Django only when they run.

Every run reads its configuration the same way as the server (an env file, then Django's
settings from the environment) and speaks one language, Vietnamese unless ``--lang en``
or ``CANHGIAC_LANG=en`` asks otherwise: its messages, its errors and argparse's.
"""

from __future__ import annotations

import argparse
import csv
import gc
import importlib
import importlib.util
import json
import math
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any, NoReturn

from canhgiac import __version__
from canhgiac.engine.model import TrainingExtraMissing

# Labels in public data sets that name an intent under another word.
INTENT_ALIASES = {"admin_procedure_question": "question", "procedure_question": "question"}

# ---------------------------------------------------------------------------- language

LANGUAGES = ("vi", "en")
_language = "vi"


def language() -> str:
    """The language of this run: "vi" or "en"."""
    return _language


def say(vi: str, en: str) -> str:
    """The CLI's own words in the run's language; both versions sit side by side so that
    neither can be forgotten."""
    return en if _language == "en" else vi


def _parse_language(value: str) -> str | None:
    # CANHGIAC_LANG=en_US.UTF-8 reads as en, like LANG; only an explicit choice switches:
    # LANG itself is ignored, as servers often run in English for Vietnamese officers.
    code = re.split(r"[_.@-]", value.strip().lower(), maxsplit=1)[0]
    return code if code in LANGUAGES else None


def choose_language(given: str | None) -> str:
    global _language
    chosen = given if given is not None else os.environ.get("CANHGIAC_LANG", "")
    code = _parse_language(chosen) if chosen else "vi"
    if code is None:
        _language = "vi"
        source = "--lang" if given is not None else "CANHGIAC_LANG"
        raise CliError(f"{source}={chosen!r}: chỉ có vi (tiếng Việt) hoặc en (English)")
    _language = code
    return code


class CliError(Exception):
    """A problem the person running the command can fix: one line on standard error, in
    the run's language, and exit code 2 (never a traceback)."""


# ---------------------------------------------------------------------------- configuration

ENV_FILE = "canhgiac.env"
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
loaded_env_file: Path | None = None
"""The env file this run read, if any (serve names it when it starts)."""


class EnvFileError(ValueError):
    def __init__(self, path: Path, line: int) -> None:
        super().__init__(f"{path}, line {line}: expected NAME=value")
        self.path = path
        self.line = line


def read_env_file(path: Path) -> dict[str, str]:
    """``NAME=value`` lines, as systemd's EnvironmentFile and ``docker --env-file`` read
    them: blank lines and ``#`` comments skipped, an optional ``export``, a value
    optionally in single or double quotes."""
    values: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8-sig").splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[len("export ") :].lstrip()
        name, equals, value = line.partition("=")
        name = name.strip()
        if not equals or not _ENV_NAME.fullmatch(name):
            raise EnvFileError(path, number)
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


def load_env_file(path: Path) -> None:
    """Put the file's variables into the environment; one already set there wins (as with
    ``docker run -e``), so a single command can still override the file."""
    global loaded_env_file
    for name, value in read_env_file(path).items():
        os.environ.setdefault(name, value)
    loaded_env_file = path.resolve()


def find_env_file(given: str | None) -> Path | None:
    """``--env-file PATH``, else ``$CANHGIAC_ENV_FILE``, else ``./canhgiac.env`` if there is
    one: the file ``./dev run`` writes, or the one a server was set up with."""
    if given is not None or os.environ.get("CANHGIAC_ENV_FILE"):
        source = "--env-file" if given is not None else "CANHGIAC_ENV_FILE"
        path = Path(given if given is not None else os.environ["CANHGIAC_ENV_FILE"])
        if not path.is_file():
            raise CliError(say(f"không có tệp cấu hình {path} ({source})", f"no configuration file {path} ({source})"))
        return path
    default = Path(ENV_FILE)
    return default if default.is_file() else None


def _global_options(argv: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """--lang and --env-file, wherever they are on the line (before or after the command),
    taken out before argparse sees the rest; `--` ends the search."""
    found: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            rest.extend(argv[i:])
            break
        name, equals, value = arg.partition("=")
        if name in ("--lang", "--env-file"):
            if not equals:
                if i + 1 >= len(argv):
                    raise CliError(say(f"{name} cần một giá trị", f"{name} needs a value"))
                i += 1
                value = argv[i]
            found[name] = value
        else:
            rest.append(arg)
        i += 1
    return found, rest


# ---------------------------------------------------------------------------- argparse, translated

# argparse's own errors (Python 3.11 to 3.13 wording), in Vietnamese.
_ARGPARSE_VI = [
    (re.compile(r"the following arguments are required: (.*)"), r"thiếu: \1"),
    (re.compile(r"unrecognized arguments: (.*)"), r"không hiểu: \1"),
    (re.compile(r"one of the arguments (.*) is required"), r"cần một trong: \1"),
    (re.compile(r"ambiguous option: (\S+) could match (.*)"), r"\1 có thể là \2: hãy viết đủ"),
    (re.compile(r"argument (.*?): invalid choice: (.*?) \(choose from (.*)\)"), r"\1: không có \2 (chọn một trong: \3)"),
    (re.compile(r"argument (.*?): invalid (?:int|float) value: (.*)"), r"\1: \2 không phải là số"),
    (re.compile(r"argument (.*?): invalid \w+ value: (.*)"), r"\1: giá trị \2 không dùng được"),
    (re.compile(r"argument (.*?): expected one argument"), r"\1 cần một giá trị"),
    (re.compile(r"argument (.*?): not allowed with argument (.*)"), r"\1 không đi cùng \2"),
    (re.compile(r"argument (.*?): ignored explicit argument (.*)"), r"\1 không nhận giá trị \2"),
]


def _argparse_message(message: str) -> str:
    if _language == "en":
        return message
    for pattern, replacement in _ARGPARSE_VI:
        if pattern.fullmatch(message):
            return pattern.sub(replacement, message)
    return message


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage: str | None, actions: Any, groups: Any, prefix: str | None = None) -> None:
        super().add_usage(usage, actions, groups, say("cách dùng: ", "usage: ") if prefix is None else prefix)


class Parser(argparse.ArgumentParser):
    """argparse in the run's language: usage line, headings, -h and errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False
        super().__init__(*args, **kwargs)
        self._positionals.title = say("đối số", "positional arguments")
        self._optionals.title = say("tùy chọn", "options")
        self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS, help=say("in trợ giúp này", "show this help"))

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: {say('lỗi', 'error')}: {_argparse_message(message)}\n")


class Progress:
    """A progress bar on standard error: redrawn in place on a terminal, a line every
    10% when written to a file or a pipe."""

    def __init__(self, label: str, total: int, stream: IO[str] | None = None) -> None:
        self.label = label
        self.total = max(total, 1)
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty()
        self.last_decile = -1
        self.started = time.monotonic()

    def __call__(self, done: int, total: int | None = None) -> None:
        if total:
            self.total = max(total, 1)
        fraction = min(done / self.total, 1.0)
        if self.tty:
            bar = "#" * int(fraction * 30)
            self.stream.write(f"\r{self.label} [{bar:<30}] {fraction:6.1%} {done}/{self.total}")
            if done >= self.total:
                self.stream.write(f"  {time.monotonic() - self.started:.1f}s\n")
            self.stream.flush()
            return
        decile = int(fraction * 10)
        if decile != self.last_decile:
            self.last_decile = decile
            self.stream.write(f"{self.label}: {fraction:.0%} ({done}/{self.total})\n")
            self.stream.flush()


# ---------------------------------------------------------------------------- check


def _engine(args: argparse.Namespace) -> Any:
    from canhgiac.engine import Blocklist, Engine, EngineConfig

    registry = Blocklist.from_csv(Path(p) for p in args.blocklist) if getattr(args, "blocklist", None) else None
    model_dir = Path(args.model) if getattr(args, "model", None) else None
    if model_dir is not None and not (model_dir / "model.json").is_file():
        raise CliError(say(f"không tìm thấy mô hình {model_dir / 'model.json'}", f"no model at {model_dir / 'model.json'}"))
    return Engine(EngineConfig(model_dir=model_dir, registry=registry))


# The engine's advice (pipeline._ADVICE) is Vietnamese, what citizens read; an English run
# of the command shows it in English.
ADVICE_EN = {
    "scam": (
        "This is very likely a scam. Do not transfer money, do not give an OTP code or a password, "
        "do not click the link, do not install an app as told. If you already did, call your bank's "
        "hotline at once to lock the account, and report to the commune or ward police."
    ),
    "suspicious": (
        "There are suspicious signs. Call the official number of the agency, the bank or your relative "
        "yourself to check before doing anything. Never give an OTP code to anyone."
    ),
    "safe": (
        "No clear sign of a scam. Still, nobody has the right to ask for your OTP code or password; when in doubt, send it to us again."
    ),
}


def _reason_message(reason: Any) -> str:
    from canhgiac.engine.rules import reason_message

    return reason.message if _language == "vi" else reason_message(reason.code, _language)


def _advice(analysis: Any) -> str:
    return analysis.advice if _language == "vi" else ADVICE_EN[analysis.verdict]


def _result(analysis: Any) -> dict[str, Any]:
    """The JSON result, with the reasons and the advice in the run's language."""
    result: dict[str, Any] = analysis.to_dict()
    if _language == "vi":
        return result  # the engine's own words
    for reason, shown in zip(analysis.reasons, result["reasons"], strict=True):
        shown["message"] = _reason_message(reason)
    result["advice"] = _advice(analysis)
    return result


def format_analysis(analysis: Any) -> str:
    """A verdict a person reads, in the run's language."""
    from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES, name, score_text

    lang = _language
    verdict, score = name(VERDICT_NAMES, analysis.verdict, lang), score_text(analysis.scam_score)
    lines = [say(f"Kết luận: {verdict} (điểm rủi ro {score})", f"Verdict: {verdict} (risk score {score})")]
    intent, confidence = name(INTENT_NAMES, analysis.intent, lang), analysis.intent_confidence
    lines.append(
        say(
            f"Ý định: {intent} ({analysis.intent}, độ tin cậy {confidence:.2f})",
            f"Intent: {intent} ({analysis.intent}, confidence {confidence:.2f})",
        )
    )
    if analysis.category:
        category = name(CATEGORY_NAMES, analysis.category, lang)
        lines.append(say(f"Loại tin báo: {category} ({analysis.category})", f"Category: {category} ({analysis.category})"))
    if analysis.urgent:
        lines.append(say("KHẨN CẤP: ", "URGENT: ") + str(analysis.urgent_evidence))
    if analysis.reasons:
        lines.append(say("Lý do:", "Reasons:"))
        for reason in analysis.reasons:
            lines.append(f"  - {_reason_message(reason)} [{reason.code}: {reason.evidence}]")
    found = analysis.indicators.to_dict()
    amounts = [say(f"{v:,}đ".replace(",", "."), f"{v:,} VND") for v in found["amounts_vnd"]]
    shown = [
        (say("Số điện thoại", "Phone numbers"), ", ".join(found["phones"])),
        (say("Tài khoản ngân hàng", "Bank accounts"), ", ".join(f"{a['number']} ({a['bank'] or '?'})" for a in found["bank_accounts"])),
        (say("Đường link", "Links"), ", ".join(found["urls"])),
        (say("Tên miền", "Domains"), ", ".join(found["domains"])),
        (say("Số tiền", "Amounts"), ", ".join(amounts)),
    ]
    shown = [(label, value) for label, value in shown if value]
    if shown:
        lines.append(say("Thông tin trích xuất:", "Extracted:"))
        lines.extend(f"  {label}: {value}" for label, value in shown)
    lines.append(say("Lời khuyên: ", "Advice: ") + _advice(analysis))
    return "\n".join(lines)


def _line_error(exc: Exception) -> str:
    """Why a line of ``check --jsonl`` was not analysed, in the run's language."""
    if isinstance(exc, UnicodeDecodeError):
        return say(f"không phải UTF-8 (byte {exc.start})", f"invalid UTF-8 at byte {exc.start}")
    if isinstance(exc, json.JSONDecodeError):
        return say(f"không phải JSON (ký tự {exc.pos + 1})", f"not JSON ({exc.msg} at character {exc.pos + 1})")
    if isinstance(exc, RecursionError):
        return say("JSON lồng quá sâu", "JSON nested too deeply")
    return str(exc)


# One encoder for every line: ``json.dumps`` with an option builds a new one per call.
_encode_line = json.JSONEncoder(ensure_ascii=False).encode
# How json itself writes a string when ensure_ascii is off (its C function).
_json_string = json.encoder.encode_basestring
_NO_INDICATORS = _encode_line({"phones": [], "bank_accounts": [], "urls": [], "domains": [], "zalo_links": [], "amounts_vnd": []})


def _json_number(value: float) -> str:
    """A number as json writes it (allow_nan: NaN and Infinity as JavaScript names them)."""
    if value != value:
        return "NaN"
    if value in (math.inf, -math.inf):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(value)


def _json_or_null(value: str | None) -> str:
    return "null" if value is None else _json_string(value)


def _analysis_line(analysis: Any) -> str:
    """``_encode_line(analysis.to_dict())``, written out directly: the same characters
    (tests/test_cli.py compares them on every kind of message) without the dictionaries
    in between. to_dict and json took 17 µs a message on the benchmark, this 11
    (bench/engine_vs_peer.py). A field added to ``Analysis.to_dict`` is added here too."""
    indicators = analysis.indicators
    found = indicators.phones or indicators.bank_accounts or indicators.links or indicators.amounts
    shown_indicators = _encode_line(indicators.to_dict()) if found else _NO_INDICATORS
    reasons = ", ".join(
        f'{{"code": {_json_string(r.code)}, "message": {_json_string(r.message)}, "evidence": {_json_string(r.evidence)}, '
        f'"weight": {_json_number(round(r.weight, 3))}}}'
        for r in analysis.reasons
    )
    known = ", ".join(f'{{"kind": {_json_string(k.kind)}, "value": {_json_string(k.value)}}}' for k in analysis.known)
    category_confidence = analysis.category_confidence
    return (
        f'{{"intent": {_json_string(analysis.intent)}, "intent_confidence": {_json_number(round(analysis.intent_confidence, 4))}, '
        f'"category": {_json_or_null(analysis.category)}, '
        f'"category_confidence": {"null" if category_confidence is None else _json_number(round(category_confidence, 4))}, '
        f'"urgent": {"true" if analysis.urgent else "false"}, "urgent_evidence": {_json_or_null(analysis.urgent_evidence)}, '
        f'"scam_score": {_json_number(round(analysis.scam_score, 4))}, "is_scam": {"true" if analysis.is_scam else "false"}, '
        f'"verdict": {_json_string(analysis.verdict)}, "reasons": [{reasons}], "advice": {_json_string(analysis.advice)}, '
        f'"indicators": {shown_indicators}, "known_indicators": [{known}], "normalized": {_json_string(analysis.text.folded)}, '
        f'"normalization_steps": [{", ".join(map(_json_string, analysis.text.steps))}], '
        f'"explanation": [{", ".join(map(_json_string, analysis.explanation))}], '
        f'"victim": {"true" if analysis.victim else "false"}, "victim_evidence": {_json_or_null(analysis.victim_evidence)}}}'
    )


# Bytes asked of stdin at a time: a pipe gives what it holds, up to this.
_READ_SIZE = 1 << 16


def _jsonl_line(engine: Any, number: int, line: bytes) -> tuple[str, bool]:
    """The JSON line answering one input line, and whether it is an error."""
    result: dict[str, Any] = {}
    english = False
    try:
        item = json.loads(line.decode("utf-8"))
        if not isinstance(item, dict) or "text" not in item:
            raise ValueError(
                say('mỗi dòng phải là một đối tượng JSON có trường "text"', 'each line must be a JSON object with a "text" field')
            )
        if not isinstance(item["text"], str):
            raise ValueError(say('"text" phải là một chuỗi', '"text" must be a string'))
        if "id" in item:
            try:  # an id is echoed as given: one that cannot be written as UTF-8 ("\ud800") is refused
                _encode_line(item["id"]).encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError(say('"id" chứa ký tự không hợp lệ', '"id" holds an invalid character')) from None
        analysis = engine.analyze(item["text"])
        if _language != "vi":
            result = _result(analysis)
            if "id" in item:
                result = {"id": item["id"], **result}
            english = True
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError and JSONDecodeError are ValueErrors
        return _encode_line({"line": number, "error": _line_error(exc)}) + "\n", True
    if english:
        return _encode_line(result) + "\n", False
    shown = _analysis_line(analysis)
    if "id" in item:
        shown = '{"id": ' + _encode_line(item["id"]) + ", " + shown[1:]
    return shown + "\n", False


def _check_jsonl(engine: Any, source: IO[bytes], out: IO[str]) -> int:
    """Stream JSON lines: one result (or one error object) per input line.

    Answers are flushed before every read that may wait for input, not after every line:
    a program that writes a line and waits for its answer gets it at once, and a batch
    piped in is written in blocks. A flush per line is a write system call per line, and
    a wake-up of the reader: on the 4,174-message benchmark (bench/engine_vs_peer.py)
    blocks took the command from 2,314 to 2,606 messages a second."""
    read1 = getattr(source, "read1", None)
    if read1 is None:  # not a buffered stream: line by line, a flush each
        errors = 0
        for number, raw in enumerate(source, start=1):
            line = raw.rstrip(b"\r\n")
            if line.strip():
                shown, failed = _jsonl_line(engine, number, line)
                errors += failed
                out.write(shown)
                out.flush()
        return errors
    errors = 0
    number = 0
    partial: list[bytes] = []  # the start of a line that has not ended yet
    while chunk := read1(_READ_SIZE):
        lines = chunk.split(b"\n")
        if len(lines) == 1:
            partial.append(chunk)
            continue
        if partial:
            partial.append(lines[0])
            lines[0] = b"".join(partial)
        tail = lines.pop()
        partial = [tail] if tail else []
        # One write for the block: stdout may be unbuffered (PYTHONUNBUFFERED), and then
        # each write is a system call. Whatever was answered is written even if a line fails.
        answers: list[str] = []
        try:
            for raw in lines:
                number += 1
                line = raw.rstrip(b"\r")
                if line.strip():
                    shown, failed = _jsonl_line(engine, number, line)
                    errors += failed
                    answers.append(shown)
        finally:
            out.write("".join(answers))
            out.flush()
    if partial:
        line = b"".join(partial).rstrip(b"\r")
        if line.strip():
            shown, failed = _jsonl_line(engine, number + 1, line)
            errors += failed
            out.write(shown)
            out.flush()
    return errors


def cmd_check(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.jsonl:
        # The models (100,000 lists and dictionaries) live as long as the process: loaded
        # before the stream and frozen out of the cyclic collector, which otherwise walks
        # them in its first collections. Collection time on the 4,174-message benchmark
        # 21 → 12 ms (bench/engine_vs_peer.py). The category model, for tips only, still
        # loads on the first tip.
        engine.scam_model, engine.intent_model  # noqa: B018 (loaded for the freeze)
        gc.freeze()
        _check_jsonl(engine, sys.stdin.buffer, sys.stdout)
        return 0
    text = " ".join(args.text) if args.text else sys.stdin.read()
    if not text.strip():
        raise CliError(say("hãy nhập nội dung cần kiểm tra", "nothing to check: give the message or pipe it in"))
    analysis = engine.analyze(text)
    if args.json:
        print(json.dumps(_result(analysis), ensure_ascii=False, indent=2))
    else:
        print(format_analysis(analysis))
    return 0


# ---------------------------------------------------------------------------- train

# The training stages (engine/train.py) as the progress bars name them.
_STAGES_VI = {"features": "đặc trưng", "cross-validation": "kiểm định chéo"}


def _labels_from_database() -> Any:
    """Cases from the web application's database, as training rows (officers' corrections
    override the engine's verdicts)."""
    from canhgiac.engine.train import LabelledData
    from canhgiac.web.cli import setup

    setup(database=True)
    from canhgiac.web.cases.training import scam_training_rows

    rows = scam_training_rows()
    n, corrected = len(rows.texts), rows.corrected
    print(
        say(
            f"{n} tin trong cơ sở dữ liệu, {corrected} tin cán bộ đã sửa", f"{n} cases from the database, {corrected} corrected by officers"
        ),
        file=sys.stderr,
    )
    return LabelledData(rows.texts, rows.labels, rows.groups)


def _read_labelled(path: Path, text_column: str, label_column: str, group_column: str | None = None) -> Any:
    """A labelled CSV, or one line saying what is wrong with it."""
    from canhgiac.engine.train import read_labelled_csv

    try:
        with path.open(encoding="utf-8-sig", newline="") as f:
            columns = next(csv.reader(f), [])
        for column in (text_column, label_column):
            if column not in columns:
                raise CliError(
                    say(
                        f"{path}: không có cột {column!r} (các cột: {', '.join(columns)})",
                        f"{path}: no column {column!r} (columns: {', '.join(columns)})",
                    )
                )
        return read_labelled_csv(path, text_column, label_column, group_column)
    except UnicodeDecodeError:
        raise CliError(say(f"{path}: không phải văn bản UTF-8", f"{path}: not UTF-8 text")) from None
    except csv.Error as exc:
        raise CliError(say(f"{path}: không đọc được CSV ({exc})", f"{path}: not a readable CSV ({exc})")) from None


def cmd_train(args: argparse.Namespace) -> int:
    from canhgiac.engine.train import labels_to_bool, sklearn_available, train_scam_model

    if bool(args.data) == bool(args.from_db):
        raise CliError(say("cần --data TỆP.csv hoặc --from-db (một trong hai)", "give --data FILE.csv or --from-db (one of them)"))
    if args.from_db:
        data = _labels_from_database()
        args.positive = "scam"
        args.data = "database"
    else:
        data = _read_labelled(Path(args.data), args.text_column, args.label_column, args.group_column)
    if not data.texts:
        raise CliError(say(f"{args.data} không có dòng nào", f"{args.data} has no rows"))
    positives = labels_to_bool(data.labels, args.positive)
    if not any(positives):
        known = ", ".join(sorted(set(data.labels))[:10])
        raise CliError(
            say(
                f"không dòng nào có nhãn {args.positive!r} (các nhãn: {known})", f"no row has the label {args.positive!r} (labels: {known})"
            )
        )
    if all(positives):
        raise CliError(
            say(
                f"mọi dòng đều có nhãn {args.positive!r}: cần cả hai loại",
                f"every row has the label {args.positive!r}: both kinds are needed",
            )
        )
    if not sklearn_available():
        print(
            say(
                "chưa cài scikit-learn: huấn luyện bằng AdaGrad thuần Python (kết quả thấp hơn; pip install 'canhgiac[train]')",
                "scikit-learn is not installed: training with pure-Python AdaGrad (lower figures; pip install 'canhgiac[train]')",
            ),
            file=sys.stderr,
        )
    bars: dict[str, Progress] = {}

    def progress(stage: str, done: int, total: int) -> None:
        label = say(_STAGES_VI.get(stage, stage), stage)
        bar = bars.setdefault(stage, Progress(label, total))
        bar(done, total)

    model = train_scam_model(
        data.texts,
        positives,
        groups=data.groups,
        positive_label=args.positive,
        max_fpr=args.max_fpr,
        folds=args.folds,
        progress=progress,
        source=str(args.data),
    )
    out = Path(args.out)
    model.save(out / "model.json")
    n, hits, threshold = len(data.texts), sum(positives), model.threshold
    print(
        say(
            f"{n} tin, {hits} {args.positive}; ngưỡng {threshold:.4f}; đã lưu vào {out / 'model.json'}",
            f"{n} messages, {hits} {args.positive}; threshold {threshold:.4f}; saved to {out / 'model.json'}",
        )
    )
    return 0


# ---------------------------------------------------------------------------- eval


def _read_rows(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    data = _read_labelled(Path(args.data), args.text_column, args.label_column)
    return data.texts, data.labels


def _class_table(report: Any) -> str:
    """engine/evaluate.py's class table, in the run's language."""
    if _language == "en":
        return str(report.table())
    return str(report.table(_CLASS_TABLE_VI))


_CLASS_TABLE_VI = {
    "class": "lớp",
    "precision": "chính xác",
    "recall": "độ phủ",
    "f1": "F1",
    "support": "số mẫu",
    "accuracy": "tỉ lệ đúng {accuracy:.4f} trên {total}",
    "confusion": "ma trận nhầm lẫn (hàng: nhãn thật, cột: dự đoán)",
}


def _binary_table(report: Any) -> str:
    if _language == "en":
        return str(report.table())
    lines = [
        f"lớp dương: {report.positive}   ngưỡng: {report.threshold:.3f}",
        f"chính xác {report.precision:.4f}  độ phủ (TPR) {report.recall:.4f}  F1 {report.f1:.4f}  báo nhầm (FPR) {report.fpr:.4f}",
        f"nhầm lẫn: TP {report.tp}  FN {report.fn}  FP {report.fp}  TN {report.tn}",
    ]
    if report.roc_auc is not None:
        lines.append(f"ROC AUC {report.roc_auc:.4f}")
    if report.curve:
        lines.append("ngưỡng khác:  " + "  ".join(f"{c['threshold']:.2f}: TPR {c['tpr']:.3f} FPR {c['fpr']:.4f}" for c in report.curve))
    return "\n".join(lines)


def cmd_eval(args: argparse.Namespace) -> int:
    from canhgiac.engine.evaluate import binary_report, class_report
    from canhgiac.engine.pipeline import INTENTS

    engine = _engine(args)
    texts, labels = _read_rows(args)
    if not texts:
        raise CliError(say(f"{args.data} không có dòng nào", f"{args.data} has no rows"))
    progress = Progress(say("đánh giá", "eval"), len(texts))
    analyses = []
    for i, text in enumerate(texts):
        analyses.append(engine.analyze(text))
        if i % 50 == 0 or i == len(texts) - 1:
            progress(i + 1)
    report: dict[str, Any] = {"data": str(args.data), "task": args.task, "rows": len(texts)}
    if args.task == "scam":
        positive = args.positive
        if positive not in labels:
            raise CliError(
                say(f"không dòng nào có nhãn {positive!r}: dùng --positive", f"no row has the label {positive!r}; use --positive")
            )
        positives = [label == positive for label in labels]
        binary = binary_report([a.scam_score for a in analyses], positives, engine.scam_threshold, positive)
        truth = [positive if p else f"not_{positive}" for p in positives]
        predicted = [positive if a.is_scam else f"not_{positive}" for a in analyses]
        classes = class_report(truth, predicted, [positive, f"not_{positive}"])
        report["binary"] = binary.to_dict()
        report["classes"] = classes.to_dict()
        text_report = _class_table(classes) + "\n\n" + _binary_table(binary)
    else:
        mapping = dict(INTENT_ALIASES)
        for pair in args.map or []:
            source, _, target = pair.partition("=")
            mapping[source] = target
        truth = [mapping.get(label, label) for label in labels]
        unknown = ", ".join(sorted(set(truth) - set(INTENTS)))
        if unknown:
            raise CliError(
                say(
                    f"nhãn không phải ý định: {unknown} (dùng --map NHÃN=Ý_ĐỊNH)",
                    f"labels that are not intents: {unknown} (use --map LABEL=INTENT)",
                )
            )
        predicted = [a.intent for a in analyses]
        classes = class_report(truth, predicted, list(INTENTS))
        report["classes"] = classes.to_dict()
        text_report = _class_table(classes)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(say(f"{args.data}: {len(texts)} dòng, nhiệm vụ {args.task}", f"{args.data}: {len(texts)} rows, task {args.task}"))
        print(text_report)
    return 0


# ---------------------------------------------------------------------------- bench and build

_BENCH_STAGES_VI = {
    "normalize": "chuẩn hóa",
    "indicators": "trích xuất",
    "cues and reasons": "dấu hiệu, lý do",
    "scam model": "mô hình lừa đảo",
    "intent model": "mô hình ý định",
    "json output": "xuất JSON",
    "whole analysis": "cả phân tích",
}


def cmd_export_labels(args: argparse.Namespace) -> int:
    data = _labels_from_database()
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label", "group_id"])
        writer.writerows(zip(data.texts, data.labels, data.groups, strict=True))
    print(say(f"đã ghi {len(data.texts)} dòng vào {args.out}", f"{len(data.texts)} rows written to {args.out}"))
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from canhgiac.engine.bench import SAMPLE_MESSAGES, time_stages

    if args.data:
        texts, _ = _read_rows(args)
    else:
        texts = list(SAMPLE_MESSAGES)
    texts = (texts * (args.n // max(len(texts), 1) + 1))[: args.n] if args.n else texts
    timings = time_stages(texts, _engine(args))
    if args.json:
        print(json.dumps([t.to_dict() for t in timings], indent=2))
        return 0
    print(say(f"{len(texts)} tin, một lõi", f"{len(texts)} messages, one core"))
    print(f"{say('bước', 'stage'):<18}{say('tin/s', 'msg/s'):>12}{'p50 ms':>10}{'p99 ms':>10}")
    for t in timings:
        stage = say(_BENCH_STAGES_VI.get(t.stage, t.stage), t.stage)
        print(f"{stage:<18}{t.per_second:>12,.0f}{t.p50_ms:>10.3f}{t.p99_ms:>10.3f}")
    return 0


def cmd_build_model(args: argparse.Namespace) -> int:
    from canhgiac.engine.build import DEFAULT_SOURCES, build_models, generate, write_csv

    sources = Path(args.sources) if args.sources else DEFAULT_SOURCES
    if not (sources / "scams.tsv").is_file():
        raise CliError(say(f"không có nguồn huấn luyện trong {sources}", f"no training sources in {sources}"))
    if args.dump:
        write_csv(generate(sources), Path(args.dump))
        print(say(f"đã ghi các ví dụ vào {args.dump}", f"examples written to {args.dump}"))
    out = Path(args.out) if args.out else Path(__file__).parent / "engine" / "data" / "models"
    build_models(out, sources, progress=lambda message: print(message, file=sys.stderr))
    print(say(f"đã ghi các mô hình vào {out}", f"models written to {out}"))
    return 0


# ---------------------------------------------------------------------------- parser


# The commands defined in this file: a run of one of them needs no parser for the web
# application's commands.
ENGINE_COMMANDS = frozenset({"check", "train", "eval", "bench", "export-labels", "build-model"})


def build_parser(web: bool = True) -> argparse.ArgumentParser:
    """The parser, in the language chosen for the run (choose_language first); with the
    web application's commands unless ``web`` is false."""
    parser = Parser(
        prog="canhgiac",
        description=say("Cảnh Giác: bàn tiếp nhận tin báo và kiểm tra lừa đảo", "Cảnh Giác: community safety desk and scam checker"),
    )
    parser.add_argument("--version", action="version", version=f"canhgiac {__version__}", help=say("in phiên bản", "show the version"))
    # Read before argparse, wherever they are (see _global_options): here for -h only.
    parser.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=say("ngôn ngữ: vi (mặc định) hoặc en; hoặc CANHGIAC_LANG", "language: vi (default) or en; or CANHGIAC_LANG"),
    )
    parser.add_argument(
        "--env-file",
        metavar=say("TỆP", "PATH"),
        default=argparse.SUPPRESS,
        help=say(
            "tệp cấu hình TÊN=GIÁ_TRỊ (mặc định: $CANHGIAC_ENV_FILE, hoặc ./canhgiac.env nếu có)",
            "NAME=value configuration file (default: $CANHGIAC_ENV_FILE, or ./canhgiac.env if there is one)",
        ),
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar=say("LỆNH", "COMMAND"), title=say("lệnh", "commands"))
    DIR = say("THƯ_MỤC", "DIR")

    def model_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--model",
            metavar=DIR,
            help=say("mô hình lừa đảo huấn luyện bằng 'canhgiac train'", "a scam model trained with 'canhgiac train'"),
        )
        p.add_argument(
            "--blocklist",
            metavar="CSV",
            action="append",
            help=say("CSV các dấu hiệu đã bị báo (lặp lại được)", "CSV of reported indicators (repeatable)"),
        )

    def data_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--text-column", default="text", help=say("cột nội dung (mặc định text)", "the text column (default text)"))
        p.add_argument("--label-column", default="label", help=say("cột nhãn (mặc định label)", "the label column (default label)"))

    check = sub.add_parser(
        "check",
        help=say(
            "kiểm tra một tin: ý định, loại, kết luận lừa đảo kèm lý do", "check a message: intent, category, scam verdict with reasons"
        ),
    )
    check.add_argument("text", nargs="*", help=say("nội dung tin (hoặc đầu vào chuẩn)", "the message (or standard input)"))
    check.add_argument(
        "--jsonl",
        action="store_true",
        help=say(
            'đọc các dòng JSON {"text": ...} từ đầu vào, ghi một kết quả JSON mỗi dòng',
            'read JSON lines {"text": ...} on stdin, write one JSON result per line',
        ),
    )
    check.add_argument("--json", action="store_true", help=say("một đối tượng JSON thay cho văn bản", "one JSON object instead of text"))
    model_options(check)
    check.set_defaults(func=cmd_check)

    train = sub.add_parser(
        "train", help=say("huấn luyện mô hình lừa đảo từ CSV có nhãn (text,label)", "train a scam model on a labelled CSV (text,label)")
    )
    train.add_argument("--data", metavar=say("TỆP.csv", "FILE.csv"))
    train.add_argument(
        "--from-db",
        action="store_true",
        help=say(
            "huấn luyện trên các tin của ứng dụng web, ưu tiên nhãn cán bộ đã sửa",
            "train on the web application's cases, officers' corrections first",
        ),
    )
    train.add_argument(
        "--positive",
        default="scam",
        metavar=say("NHÃN", "LABEL"),
        help=say("nhãn nghĩa là lừa đảo (hoặc spam)", "the label that means scam (or spam)"),
    )
    train.add_argument("--out", required=True, metavar=DIR)
    train.add_argument(
        "--group-column",
        help=say(
            "nhóm các tin gần trùng, giữ cùng một phía mỗi lần chia (mặc định: group_id nếu có)",
            "near-duplicate groups kept on one side of each fold (default: group_id if present)",
        ),
    )
    train.add_argument(
        "--max-fpr",
        type=float,
        help=say(
            "chọn ngưỡng cho tỉ lệ báo nhầm tối đa này (mặc định: F1 tốt nhất)",
            "choose the threshold for at most this false-positive rate (default: best F1)",
        ),
    )
    train.add_argument(
        "--folds", type=int, default=5, help=say("số phần kiểm định chéo (mặc định 5)", "cross-validation folds (default 5)")
    )
    data_options(train)
    train.set_defaults(func=cmd_train)

    ev = sub.add_parser("eval", help=say("đo bộ máy trên một CSV có nhãn", "measure the engine on a labelled CSV"))
    ev.add_argument("--data", required=True, metavar=say("TỆP.csv", "FILE.csv"))
    ev.add_argument("--task", required=True, choices=["scam", "intent"])
    ev.add_argument(
        "--positive",
        default="scam",
        metavar=say("NHÃN", "LABEL"),
        help=say("với --task scam: nhãn nghĩa là lừa đảo", "for --task scam: the label that means scam"),
    )
    ev.add_argument(
        "--map",
        action="append",
        metavar=say("NHÃN=Ý_ĐỊNH", "LABEL=INTENT"),
        help=say("với --task intent: đọc một nhãn như một ý định", "for --task intent: read a label as an intent"),
    )
    ev.add_argument("--json", action="store_true", help=say("kết quả dạng JSON", "the report as JSON"))
    model_options(ev)
    data_options(ev)
    ev.set_defaults(func=cmd_eval)

    bench = sub.add_parser("bench", help=say("thông lượng và độ trễ của từng bước", "throughput and latency of each stage"))
    bench.add_argument(
        "--data",
        metavar=say("TỆP.csv", "FILE.csv"),
        help=say("các tin để đo (mặc định: mẫu có sẵn)", "messages to time (default: a built-in sample)"),
    )
    bench.add_argument(
        "-n", type=int, default=2000, help=say("số tin (lặp lại dữ liệu nếu cần)", "number of messages (repeats the data as needed)")
    )
    bench.add_argument("--json", action="store_true", help=say("kết quả dạng JSON", "the figures as JSON"))
    model_options(bench)
    data_options(bench)
    bench.set_defaults(func=cmd_bench)

    export = sub.add_parser(
        "export-labels",
        help=say(
            "ghi các tin của ứng dụng web ra CSV có nhãn (text,label,group_id)",
            "write the web application's cases as a labelled CSV (text,label,group_id)",
        ),
    )
    export.add_argument("--out", required=True, metavar=say("TỆP.csv", "FILE.csv"))
    export.set_defaults(func=cmd_export_labels)

    build = sub.add_parser(
        "build-model", help=say("dựng lại các mô hình kèm theo từ training/sources", "rebuild the shipped models from training/sources")
    )
    build.add_argument("--sources", metavar=DIR)
    build.add_argument("--out", metavar=DIR)
    build.add_argument(
        "--dump", metavar=say("TỆP.csv", "FILE.csv"), help=say("ghi thêm các ví dụ đã sinh", "also write the generated examples")
    )
    build.set_defaults(func=cmd_build_model)

    # The web application's commands, when it and Django are installed.
    if web and importlib.util.find_spec("django") is not None and importlib.util.find_spec("canhgiac.web") is not None:
        importlib.import_module("canhgiac.web.cli").add_commands(sub)
    return parser


def _os_error(exc: OSError) -> str:
    name = exc.filename if exc.filename is not None else ""
    if isinstance(exc, FileNotFoundError):
        return say(f"không tìm thấy tệp {name}", f"file not found: {name}")
    if isinstance(exc, PermissionError):
        return say(f"không có quyền đọc hoặc ghi {name}", f"permission denied: {name}")
    if isinstance(exc, IsADirectoryError):
        return say(f"{name} là một thư mục, không phải tệp", f"{name} is a folder, not a file")
    return say(f"lỗi hệ thống với {name}: {exc.strerror}", f"system error on {name}: {exc.strerror}")


def main(argv: Sequence[str] | None = None) -> int:
    try:
        options, rest = _global_options(sys.argv[1:] if argv is None else argv)
        choose_language(options.get("--lang"))
        env_file = find_env_file(options.get("--env-file"))
        if env_file is not None:
            try:
                load_env_file(env_file)
            except EnvFileError as exc:
                raise CliError(
                    say(f"{exc.path}, dòng {exc.line}: cần dạng TÊN=GIÁ_TRỊ", f"{exc.path}, line {exc.line}: expected NAME=value")
                ) from None
            except UnicodeDecodeError:
                raise CliError(say(f"{env_file}: không phải văn bản UTF-8", f"{env_file}: not UTF-8 text")) from None
            choose_language(options.get("--lang"))  # the file may set CANHGIAC_LANG
        # A run of an engine command (`check --jsonl` in a pipeline) skips the web
        # commands' module and parsers: 13 → 3 ms to build the parser, bench/engine_vs_peer.py.
        args = build_parser(web=not (rest and rest[0] in ENGINE_COMMANDS)).parse_args(rest)
        return int(args.func(args) or 0)
    except CliError as exc:
        print(f"canhgiac: {exc}", file=sys.stderr)
        return 2
    except TrainingExtraMissing:
        print(
            "canhgiac: "
            + say(
                "cần scikit-learn để huấn luyện: pip install 'canhgiac[train]'",
                "training needs scikit-learn: pip install 'canhgiac[train]'",
            ),
            file=sys.stderr,
        )
        return 2
    except BrokenPipeError:
        return 0
    except OSError as exc:
        print(f"canhgiac: {_os_error(exc)}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    finally:
        # The run's language was activated for Django (web/cli.py setup); a caller in the
        # same process (a test) goes back to the default.
        translation = sys.modules.get("django.utils.translation")
        if translation is not None:
            translation.deactivate()


if __name__ == "__main__":
    # `python -m canhgiac.cli` runs this file as __main__: the run goes through the module
    # the web commands import (canhgiac.cli), so that they share its language, env file and
    # CliError.
    from canhgiac.cli import main as canhgiac_main

    raise SystemExit(canhgiac_main())
