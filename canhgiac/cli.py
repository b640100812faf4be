"""The ``canhgiac`` command.

Engine commands (check, train, eval, bench, build-model) need nothing but the engine;
the web application's commands import Django only when they run.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import importlib.util
import json
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

from canhgiac import __version__

# Labels in public data sets that name an intent under another word.
INTENT_ALIASES = {"admin_procedure_question": "question", "procedure_question": "question"}


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
        raise SystemExit(f"canhgiac: không tìm thấy mô hình {model_dir / 'model.json'} (no model there)")
    return Engine(EngineConfig(model_dir=model_dir, registry=registry))


def format_analysis(analysis: Any) -> str:
    """A verdict a person reads, in Vietnamese."""
    from canhgiac.engine.labels import CATEGORY_NAMES, INTENT_NAMES, VERDICT_NAMES, name

    lines = [f"Kết luận: {name(VERDICT_NAMES, analysis.verdict)} (điểm rủi ro {analysis.scam_score:.2f})"]
    lines.append(f"Ý định: {name(INTENT_NAMES, analysis.intent)} ({analysis.intent}, độ tin cậy {analysis.intent_confidence:.2f})")
    if analysis.category:
        lines.append(f"Loại tin báo: {name(CATEGORY_NAMES, analysis.category)} ({analysis.category})")
    if analysis.urgent:
        lines.append(f"KHẨN CẤP: {analysis.urgent_evidence}")
    if analysis.reasons:
        lines.append("Lý do:")
        for reason in analysis.reasons:
            lines.append(f"  - {reason.message} [{reason.code}: {reason.evidence}]")
    found = analysis.indicators.to_dict()
    shown = [
        ("Số điện thoại", ", ".join(found["phones"])),
        ("Tài khoản ngân hàng", ", ".join(f"{a['number']} ({a['bank'] or '?'})" for a in found["bank_accounts"])),
        ("Đường link", ", ".join(found["urls"])),
        ("Tên miền", ", ".join(found["domains"])),
        ("Số tiền", ", ".join(f"{v:,}đ".replace(",", ".") for v in found["amounts_vnd"])),
    ]
    shown = [(label, value) for label, value in shown if value]
    if shown:
        lines.append("Thông tin trích xuất:")
        lines.extend(f"  {label}: {value}" for label, value in shown)
    lines.append(f"Lời khuyên: {analysis.advice}")
    return "\n".join(lines)


def _check_jsonl(engine: Any, source: IO[bytes], out: IO[str]) -> int:
    """Stream JSON lines: one result (or one error object) per input line."""
    errors = 0
    for number, raw in enumerate(source, start=1):
        line = raw.rstrip(b"\r\n")
        if not line.strip():
            continue
        result: dict[str, Any]
        try:
            decoded = line.decode("utf-8")
            item = json.loads(decoded)
            if not isinstance(item, dict) or "text" not in item:
                raise ValueError('each line must be a JSON object with a "text" field')
            if not isinstance(item["text"], str):
                raise ValueError('"text" must be a string')
            result = engine.analyze(item["text"]).to_dict()
            if "id" in item:
                result = {"id": item["id"], **result}
        except UnicodeDecodeError as exc:
            errors += 1
            result = {"line": number, "error": f"invalid UTF-8 at byte {exc.start}"}
        except (ValueError, RecursionError) as exc:
            errors += 1
            result = {"line": number, "error": str(exc)}
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        out.flush()
    return errors


def cmd_check(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.jsonl:
        _check_jsonl(engine, sys.stdin.buffer, sys.stdout)
        return 0
    text = " ".join(args.text) if args.text else sys.stdin.read()
    if not text.strip():
        print("canhgiac: hãy nhập nội dung cần kiểm tra (nothing to check)", file=sys.stderr)
        return 2
    analysis = engine.analyze(text)
    if args.json:
        print(json.dumps(analysis.to_dict(), ensure_ascii=False, indent=2))
    else:
        print(format_analysis(analysis))
    return 0


# ---------------------------------------------------------------------------- train


def _labels_from_database() -> Any:
    """Cases from the web application's database, as training rows (officers' corrections
    override the engine's verdicts)."""
    from canhgiac.engine.train import LabelledData
    from canhgiac.web.cli import setup

    setup()
    from canhgiac.web.cases.training import scam_training_rows

    rows = scam_training_rows()
    print(f"{len(rows.texts)} cases from the database, {rows.corrected} corrected by officers", file=sys.stderr)
    return LabelledData(rows.texts, rows.labels, rows.groups)


def cmd_train(args: argparse.Namespace) -> int:
    from canhgiac.engine.train import labels_to_bool, read_labelled_csv, train_scam_model

    if bool(args.data) == bool(args.from_db):
        raise SystemExit("canhgiac: give --data FILE.csv or --from-db")
    if args.from_db:
        data = _labels_from_database()
        args.positive = "scam"
        args.data = "database"
    else:
        data = read_labelled_csv(Path(args.data), args.text_column, args.label_column, args.group_column)
    if not data.texts:
        raise SystemExit(f"canhgiac: {args.data} has no rows")
    positives = labels_to_bool(data.labels, args.positive)
    if not any(positives):
        known = ", ".join(sorted(set(data.labels))[:10])
        raise SystemExit(f"canhgiac: no row has the label {args.positive!r} (labels: {known})")
    bars: dict[str, Progress] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.setdefault(stage, Progress(stage, total))
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
    print(f"{len(data.texts)} messages, {sum(positives)} {args.positive}; threshold {model.threshold:.4f}; saved to {out / 'model.json'}")
    return 0


# ---------------------------------------------------------------------------- eval


def _read_rows(args: argparse.Namespace) -> tuple[list[str], list[str]]:
    from canhgiac.engine.train import read_labelled_csv

    data = read_labelled_csv(Path(args.data), args.text_column, args.label_column)
    return data.texts, data.labels


def cmd_eval(args: argparse.Namespace) -> int:
    from canhgiac.engine.evaluate import binary_report, class_report
    from canhgiac.engine.pipeline import INTENTS

    engine = _engine(args)
    texts, labels = _read_rows(args)
    if not texts:
        raise SystemExit(f"canhgiac: {args.data} has no rows")
    progress = Progress("eval", len(texts))
    analyses = []
    for i, text in enumerate(texts):
        analyses.append(engine.analyze(text))
        if i % 50 == 0 or i == len(texts) - 1:
            progress(i + 1)
    report: dict[str, Any] = {"data": str(args.data), "task": args.task, "rows": len(texts)}
    if args.task == "scam":
        positive = args.positive
        if positive not in labels:
            raise SystemExit(f"canhgiac: no row has the label {positive!r}; use --positive")
        positives = [label == positive for label in labels]
        binary = binary_report([a.scam_score for a in analyses], positives, engine.scam_threshold, positive)
        truth = [positive if p else f"not_{positive}" for p in positives]
        predicted = [positive if a.is_scam else f"not_{positive}" for a in analyses]
        classes = class_report(truth, predicted, [positive, f"not_{positive}"])
        report["binary"] = binary.to_dict()
        report["classes"] = classes.to_dict()
        text_report = classes.table() + "\n\n" + binary.table()
    else:
        mapping = dict(INTENT_ALIASES)
        for pair in args.map or []:
            source, _, target = pair.partition("=")
            mapping[source] = target
        truth = [mapping.get(label, label) for label in labels]
        unknown = sorted(set(truth) - set(INTENTS))
        if unknown:
            raise SystemExit(f"canhgiac: labels that are not intents: {', '.join(unknown)} (use --map LABEL=INTENT)")
        predicted = [a.intent for a in analyses]
        classes = class_report(truth, predicted, list(INTENTS))
        report["classes"] = classes.to_dict()
        text_report = classes.table()
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        print(f"{args.data}: {len(texts)} rows, task {args.task}")
        print(text_report)
    return 0


# ---------------------------------------------------------------------------- bench and build


def cmd_export_labels(args: argparse.Namespace) -> int:
    data = _labels_from_database()
    with open(args.out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["text", "label", "group_id"])
        writer.writerows(zip(data.texts, data.labels, data.groups, strict=True))
    print(f"{len(data.texts)} rows written to {args.out}")
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
    print(f"{len(texts)} messages, one core")
    print(f"{'stage':<18}{'msg/s':>12}{'p50 ms':>10}{'p99 ms':>10}")
    for t in timings:
        print(f"{t.stage:<18}{t.per_second:>12,.0f}{t.p50_ms:>10.3f}{t.p99_ms:>10.3f}")
    return 0


def cmd_build_model(args: argparse.Namespace) -> int:
    from canhgiac.engine.build import DEFAULT_SOURCES, build_models, generate, write_csv

    sources = Path(args.sources) if args.sources else DEFAULT_SOURCES
    if not (sources / "scams.tsv").is_file():
        raise SystemExit(f"canhgiac: no training sources in {sources}")
    if args.dump:
        write_csv(generate(sources), Path(args.dump))
        print(f"examples written to {args.dump}")
    out = Path(args.out) if args.out else Path(__file__).parent / "engine" / "data" / "models"
    build_models(out, sources, progress=lambda message: print(message, file=sys.stderr))
    print(f"models written to {out}")
    return 0


# ---------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canhgiac", description="Cảnh Giác: community safety desk and scam checker")
    parser.add_argument("--version", action="version", version=f"canhgiac {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    def model_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--model", metavar="DIR", help="a scam model trained with 'canhgiac train'")
        p.add_argument("--blocklist", metavar="CSV", action="append", help="CSV of reported indicators (repeatable)")

    def data_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--text-column", default="text")
        p.add_argument("--label-column", default="label")

    check = sub.add_parser("check", help="check a message: intent, category, scam verdict with reasons")
    check.add_argument("text", nargs="*", help="the message (or standard input)")
    check.add_argument("--jsonl", action="store_true", help='read JSON lines {"text": ...} on stdin, write one JSON result per line')
    check.add_argument("--json", action="store_true", help="one JSON object instead of text")
    model_options(check)
    check.set_defaults(func=cmd_check)

    train = sub.add_parser("train", help="train a scam model on a labelled CSV (text,label)")
    train.add_argument("--data", metavar="FILE.csv")
    train.add_argument("--from-db", action="store_true", help="train on the web application's cases, officers' corrections first")
    train.add_argument("--positive", default="scam", metavar="LABEL", help="the label that means scam (or spam)")
    train.add_argument("--out", required=True, metavar="DIR")
    train.add_argument("--group-column", help="near-duplicate groups kept on one side of each fold (default: group_id if present)")
    train.add_argument("--max-fpr", type=float, help="choose the threshold for at most this false-positive rate (default: best F1)")
    train.add_argument("--folds", type=int, default=5)
    data_options(train)
    train.set_defaults(func=cmd_train)

    ev = sub.add_parser("eval", help="measure the engine on a labelled CSV")
    ev.add_argument("--data", required=True, metavar="FILE.csv")
    ev.add_argument("--task", required=True, choices=["scam", "intent"])
    ev.add_argument("--positive", default="scam", metavar="LABEL", help="for --task scam: the label that means scam")
    ev.add_argument("--map", action="append", metavar="LABEL=INTENT", help="for --task intent: read a label as an intent")
    ev.add_argument("--json", action="store_true")
    model_options(ev)
    data_options(ev)
    ev.set_defaults(func=cmd_eval)

    bench = sub.add_parser("bench", help="throughput and latency of each stage")
    bench.add_argument("--data", metavar="FILE.csv", help="messages to time (default: a built-in sample)")
    bench.add_argument("-n", type=int, default=2000, help="number of messages (repeats the data as needed)")
    bench.add_argument("--json", action="store_true")
    model_options(bench)
    data_options(bench)
    bench.set_defaults(func=cmd_bench)

    export = sub.add_parser("export-labels", help="write the web application's cases as a labelled CSV (text,label,group_id)")
    export.add_argument("--out", required=True, metavar="FILE.csv")
    export.set_defaults(func=cmd_export_labels)

    build = sub.add_parser("build-model", help="rebuild the shipped models from training/sources")
    build.add_argument("--sources", metavar="DIR")
    build.add_argument("--out", metavar="DIR")
    build.add_argument("--dump", metavar="FILE.csv", help="also write the generated examples")
    build.set_defaults(func=cmd_build_model)

    # The web application's commands, when it and Django are installed.
    if importlib.util.find_spec("django") is not None and importlib.util.find_spec("canhgiac.web") is not None:
        importlib.import_module("canhgiac.web.cli").add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except FileNotFoundError as exc:
        print(f"canhgiac: không tìm thấy tệp {exc.filename} (file not found)", file=sys.stderr)
        return 2
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    raise SystemExit(main())
