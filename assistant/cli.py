"""`assistant` command line: a thin layer over the library API."""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from core.settings import get_settings


def _fail(message: str) -> int:
    print(f"assistant: {message}", file=sys.stderr)
    return 2


def cmd_ingest(args) -> int:
    from index.build import EmbedderMismatchError, PruneRefusedError, ingest
    from index.generations import IndexBusyError
    from ingest.catalog import CatalogError

    settings = get_settings()
    try:
        report = ingest(settings, Path(args.path) if args.path else None, rebuild=args.rebuild,
                        progress=sys.stderr.isatty(), prune=args.prune)
    except (EmbedderMismatchError, CatalogError, FileNotFoundError, PruneRefusedError, IndexBusyError) as exc:
        return _fail(str(exc))
    print(report.summary())
    return 0


def _assistant(settings=None):
    from assistant.api import Assistant
    from index.search import IndexNotBuiltError

    try:
        return Assistant(settings or get_settings())
    except IndexNotBuiltError as exc:
        raise SystemExit(_fail(str(exc)))


def cmd_ask(args) -> int:
    bot = _assistant()
    if args.question == "-":
        # bytes, decoded line by line: one line that is not UTF-8 is reported and skipped, the batch goes on
        for number, raw in enumerate(sys.stdin.buffer, start=1):
            try:
                line = raw.decode("utf-8").strip()
            except UnicodeDecodeError as exc:
                error = f"line {number} is not UTF-8 ({exc.reason} at byte {exc.start})"
                if args.json:
                    print(json.dumps({"line": number, "error": error}, ensure_ascii=False), flush=True)
                else:
                    print(f"assistant: {error}; skipped", file=sys.stderr, flush=True)
                continue
            if not line:
                continue
            answer = bot.ask(line)
            if args.json:
                print(answer.model_dump_json(), flush=True)
            else:
                _print_answer(answer)
        return 0
    if bot.generator is not None and not args.json:
        _stream_answer(bot.ask_stream(args.question))
        return 0
    answer = bot.ask(args.question)
    if args.json:
        print(answer.model_dump_json())
    else:
        _print_answer(answer)
    return 0


def _stream_answer(events) -> None:
    """A language model's answer as it is written; then, once checked, the answer as it stands (uncited sentences
    removed, sources renumbered) with its citations, or the extractive answer with the reason it was given."""
    streamed: list[str] = []
    final = None
    for event in events:
        if isinstance(event, str):
            streamed.append(event)
            print(event, end="", flush=True)
        else:
            final = event
    if streamed:
        print("\n" + "─" * 40, flush=True)
    if final.mode != "llm" or final.answer.strip() != "".join(streamed).strip():
        label = {"llm": "Kontrollerat svar", "llm-fallback": "Extraktivt svar"}.get(final.mode)
        if streamed and label:
            print(f"{label}:")
        print(final.answer)
    _print_citations(final.citations)


def _print_answer(answer) -> None:
    print(answer.answer)
    _print_citations(answer.citations)


def _print_citations(citations) -> None:
    for c in citations:
        where = f"s. {c.page}" if c.page else f"rad {c.lines}"
        print(f"  [{c.n}] {c.source} — {c.section} ({where})")
        for line in c.quote.splitlines():
            print(f"      > {line}")


def cmd_eval(args) -> int:
    from assistant.evaluate import SPLITS, check_gate, format_report, json_report, run_eval, run_suite, suite_corpus

    root = Path(args.root) / args.suite if args.suite else Path(args.root)
    settings = get_settings()
    if args.llm and settings.llm == "none":
        return _fail("--llm needs a language model: set ASSISTANT_LLM (openai-like or ollama), ASSISTANT_LLM_URL "
                     "and ASSISTANT_LLM_MODEL")
    if not args.llm:  # the suite measures the extractive reader unless asked otherwise, whatever .env says
        settings = settings.model_copy(update={"llm": "none"})
    corpus = suite_corpus(root)
    if corpus is not None:
        bot = _suite_assistant(args.suite or root.name, corpus, settings)
    else:
        bot = _assistant(settings)
    if args.file:
        reports = {"files": run_eval(bot, [Path(f) for f in args.file], not args.no_paraphrases)}
    else:
        reports = run_suite(bot, root, [args.split] if args.split else SPLITS, not args.no_paraphrases)
    print(json_report(reports) if args.json else format_report(reports))
    if args.gate:
        failures = check_gate(reports, Path(args.thresholds), args.suite)
        for f in failures:
            print(f"GATE FAILED: {f}", file=sys.stderr)
        return 1 if failures else 0
    return 0


def _suite_assistant(name: str, corpus: Path, base=None):
    """An assistant over a suite's own documents, indexed (incrementally) in a data dir of its own beside the
    users' index: `DATA_DIR/suites/<name>`."""
    from assistant.api import Assistant
    from index.build import ingest

    base = base or get_settings()
    settings = base.model_copy(update={"corpus_dir": corpus, "data_dir": base.data_dir / "suites" / name,
                                       "index_dir": None})
    report = ingest(settings, progress=False)
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    return Assistant(settings)


def _suites(root: Path, split: str) -> dict:
    """An assistant over each suite under `root` with documents of its own and questions for this split."""
    from assistant.evaluate import suite_corpus

    return {d.name: _suite_assistant(d.name, corpus) for d in sorted(root.iterdir())
            if d.is_dir() and (corpus := suite_corpus(d)) is not None and (d / split).is_dir()}


def cmd_fit(args) -> int:
    from assistant.fit import fit

    bot = _assistant()
    root = Path(args.root)
    model = fit(bot, root, suites=_suites(root, "dev"))
    fitted = model.fitted
    print(f"fitted on {fitted['asked']} dev questions and paraphrases: threshold {model.threshold:.2f}, dev accuracy "
          f"{fitted['dev_accuracy']:.1%}, cross-validated {fitted['cross_validation']['accuracy']:.1%}; "
          f"written to assistant/data/reader_model.json and docs/reader.md")
    return 0


def cmd_losses(args) -> int:
    from assistant.fit import Fitted, collect_split
    from assistant.losses import breakdown, format_breakdown

    bot = _assistant()
    model = bot.model()
    if model is None:
        print("no fitted reader model: run `assistant fit` first")
        return 1
    root = Path(args.root)
    asked = collect_split(bot, root, args.split, _suites(root, args.split))
    fitted = Fitted(model.ranker, model.selector, model.second_ratio)
    print(format_breakdown(args.split, breakdown(asked, fitted, bot.threshold, bot.settings.top_k)))
    return 0


def cmd_figures(args) -> int:
    from core.numbers import format_number
    from index.figure_query import filter_figures

    bot = _assistant()
    found = filter_figures(bot.figures(), args.search, args.year, args.kind, args.unit, args.doc, args.status)
    if args.json:
        print(json.dumps([f.model_dump(mode="json") for f in found], ensure_ascii=False, indent=2))
        return 0
    for f in found:
        print(f"{STATUS_MARK[f.status]} {format_number(f.value):>12} {f.unit or '':<11} {f.period:<22.22} "
              f"{f.row[:44]:<44}  {f.table[:40]}  ({f.source}:{f.line_start})")
    checks = bot.searcher.table_checks
    print(f"\n{len(found)} av {len(bot.figures())} tal.  ✓ kontrollerat mot summa  ✎ rättat med summorna  "
          f"· ej kontrollerat")
    if args.tables:
        print("\nTabeller: tal / kontrollerade / rättade / ej kontrollerade")
        for c in checks:
            print(f"  {c.figures:4} {c.verified:4} {c.repaired:4} {c.unverified:4}  {c.table}  ({c.source}:{c.line_start})")
            for note in c.notes:
                print(f"        {note}")
    return 0


STATUS_MARK = {"verified": "✓", "repaired": "✎", "unverified": "·"}


def cmd_goals(args) -> int:
    from assistant.structure import goal_forest

    bot = _assistant()
    goals = [g for g in bot.goals() if args.year is None or g.year == args.year]
    if args.json:
        print(json.dumps([g.model_dump(mode="json") for g in goals], ensure_ascii=False, indent=2))
        return 0
    for (title, year), roots in goal_forest(goals).items():
        print(f"\n{title} — {year or 'utan år'}")
        for node, depth in roots:
            mark = {True: " ✓", False: " (ej uppfyllt)"}.get(node.fulfilled, "")
            print(f"{'  ' * (depth + 1)}[{node.level}] {node.text}{mark}  ({node.source}:{node.line_start})")
    print(f"\n{len(goals)} noder.")
    return 0


def cmd_decisions(args) -> int:
    from assistant.structure import decision_rows

    bot = _assistant()
    areas = bot.searcher.areas
    wanted = areas.normalize(args.area) if args.area else None
    if args.area and wanted is None:
        print(f"Inget område heter {args.area!r}. Områden: {', '.join(areas.names)}", file=sys.stderr)
        return 2
    items = decision_rows(bot.decisions(), bot.goals(), wanted, args.year, args.kind)
    if args.json:
        print(json.dumps(items, ensure_ascii=False, indent=2))
        return 0
    for d in items:
        extra = "; ".join(filter(None, [f"av {d['by']}" if d["by"] else "",
                                        ", ".join(f"{v}{' från ' + k if k else ''}" for k, v in d["effects"].items()),
                                        f"konsekvens {d['consequence'].split(':', 1)[0]}" if d["consequence"] else ""]))
        print(f"[{d['kind']}] {d['where']} {d['number'] or ''} {d['text']}" + (f"  ({extra})" if extra else "")
              + f"  — {', '.join(d['areas']) or 'alla'}  ({d['source']}:{d['line']})")
    print(f"\n{len(items)} beslut, förslag, åtgärder och uppdrag.")
    return 0


def cmd_passwd(args) -> int:
    import getpass

    from assistant.passwords import PasswordFileError, set_password

    path = Path(args.file) if args.file else _auth_file()
    if path is None:
        return _fail("no password file: give --file PATH, or set ASSISTANT_AUTH=file:PATH")
    if sys.stdin.isatty():
        password = getpass.getpass(f"Lösenord för {args.user}: ")
        if getpass.getpass("Igen: ") != password:
            return _fail("the two passwords differ; nothing changed")
    else:  # piped: the first line is the password (for scripts; never on the command line, where `ps` shows it)
        password = sys.stdin.readline().rstrip("\r\n")
    try:
        new = set_password(path, args.user, password)
    except PasswordFileError as exc:
        return _fail(str(exc))
    print(f"{'added' if new else 'changed the password of'} {args.user} in {path}")
    return 0


def _auth_file() -> Path | None:
    mode, _, arg = (get_settings().auth or "").partition(":")
    return Path(arg) if mode == "file" else None


def cmd_serve(args) -> int:
    import logging
    import threading

    from assistant.api import Assistant

    # failed answers are logged with their traceback (logger `assistant.ui`); the user sees one sentence
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("assistant").setLevel(logging.INFO)
    settings = get_settings()
    # The index loads while Gradio imports (seconds of its own): start-up is the longer of the two, not the sum.
    loaded: dict = {}

    def load() -> None:
        try:
            loaded["bot"] = Assistant(settings)
        except Exception as exc:  # noqa: BLE001 - reported from the main thread below
            loaded["error"] = exc

    loader = threading.Thread(target=load, name="load-index")
    loader.start()
    from assistant.ui import serve

    loader.join()
    if "error" in loaded:
        from index.search import IndexNotBuiltError

        if isinstance(loaded["error"], IndexNotBuiltError):
            raise SystemExit(_fail(str(loaded["error"])))
        raise loaded["error"]
    serve(settings, host=args.host or settings.host, port=args.port if args.port is not None else settings.port,
          bot=loaded["bot"])
    return 0


def cmd_documents(args) -> int:
    bot = _assistant()
    docs = bot.documents()
    if args.json:
        print(json.dumps(docs, ensure_ascii=False, indent=2))
    else:
        for d in docs:
            print(f"{d['source']}  [{d['doc_type']}, {d.get('year') or '–'}]  {d['title']}  ({d['n_chunks']} avsnitt)")
    return 0


def cmd_feedback(args) -> int:
    """What users said about answers; reads only the feedback file, so it works without an index."""
    from assistant.feedback import FeedbackStore

    items = FeedbackStore(get_settings().feedback_path).all()
    if args.json:
        print(json.dumps([f.model_dump(mode="json") for f in items], ensure_ascii=False, indent=2))
        return 0
    for f in items:
        print(f"{f.created}  {'👍' if f.rating > 0 else '👎'}  [{f.mode}]  {f.question}")
        print(f"    svar: {f.answer.splitlines()[0][:160] if f.answer else ''}")
        if f.comment:
            print(f"    kommentar: {f.comment}")
    up = sum(f.rating > 0 for f in items)
    print(f"\n{len(items)} omdömen: {up} 👍, {len(items) - up} 👎.")
    return 0


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    parser = argparse.ArgumentParser(prog="assistant", description="Cited answers over Regionservice's documents.")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("ingest", help="read corpus/ (or PATH) into the index; unchanged files are skipped")
    p.add_argument("path", nargs="?", help="a file or folder inside the corpus (default: the whole corpus)")
    p.add_argument("--rebuild", action="store_true", help="build the index anew beside the live one, which "
                   "answers until the new one is complete (embeddings stay cached)")
    p.add_argument("--prune", action="store_true", help="allow an ingest that leaves fewer than half of the indexed documents "
                   "(refused otherwise: most often a wrong corpus directory)")
    p.set_defaults(func=cmd_ingest)

    p = sub.add_parser("ask", help="answer a question; '-' reads one question per line from stdin")
    p.add_argument("question")
    p.add_argument("--json", action="store_true", help="one JSON object per answer")
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser("figures", help="list the figures extracted from the documents")
    p.add_argument("--search", help="row, area or table words; accents and small typos are forgiven")
    p.add_argument("--year", type=int)
    p.add_argument("--kind", help="budget, prognos, utfall, investering, besparing, nyckeltal, årsarbetare, belopp")
    p.add_argument("--unit", help="mnkr, tkr, %%, årsarbetare …")
    p.add_argument("--doc", help="doc_id, source path or short title")
    p.add_argument("--status", choices=["verified", "repaired", "unverified"])
    p.add_argument("--tables", action="store_true", help="also report each table's sum check")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_figures)

    p = sub.add_parser("goals", help="the goal structure: vision, perspectives, goals, indicators, assignments")
    p.add_argument("--year", type=int)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_goals)

    p = sub.add_parser("decisions", help="decision points, proposals, motions and the action plans' measures")
    p.add_argument("--area", help="an area in any spelling: 'IT', 'forsorjning', 'Måltidsservice'")
    p.add_argument("--year", type=int)
    p.add_argument("--kind", help="beslutspunkt, förslag, yrkande, propositionsordning, expediering, justering, "
                                  "underlag, åtgärd, uppdrag")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_decisions)

    p = sub.add_parser("eval", help="run the known-answer suite in evals/ (dev and test splits)")
    p.add_argument("--split", choices=["dev", "test"], help="one split only (default: both, side by side)")
    p.add_argument("--root", default="evals", help="folder with dev/ and test/ question files")
    p.add_argument("--suite", help="a suite under the root with documents of its own (evals/formats: the region's "
                                   "formats, over tests/fixtures/formats)")
    p.add_argument("--file", action="append", help="question file (repeatable) instead of the splits")
    p.add_argument("--no-paraphrases", action="store_true", help="ask each question once, without its paraphrases")
    p.add_argument("--thresholds", default="evals/thresholds.toml")
    p.add_argument("--json", action="store_true")
    p.add_argument("--gate", action="store_true", help="exit 1 when a metric is below its threshold")
    p.add_argument("--llm", action="store_true", help="answer with the language model (ASSISTANT_LLM); the report "
                   "adds how many answers fell back to extractive and how many the check rejected")
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("fit", help="fit the reader's scoring and abstention threshold on the dev split")
    p.add_argument("--root", default="evals", help="folder with the dev/ question files")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("losses", help="where the reader loses answers: retrieval, ranking or abstaining, per suite")
    p.add_argument("--root", default="evals", help="folder with the split's question files")
    p.add_argument("--split", default="dev", choices=["dev", "test"])
    p.set_defaults(func=cmd_losses)

    p = sub.add_parser("serve", help="serve the chat (Gradio) on loopback")
    p.add_argument("--host")
    p.add_argument("--port", type=int)
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("passwd", help="add a chat user or change their password (read from stdin or a prompt)")
    p.add_argument("user")
    p.add_argument("--file", help="the password file (default: the PATH of ASSISTANT_AUTH=file:PATH)")
    p.set_defaults(func=cmd_passwd)

    p = sub.add_parser("documents", help="list what the index holds")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_documents)

    p = sub.add_parser("feedback", help="export users' 👍/👎 and comments on chat answers")
    p.add_argument("--json", action="store_true", help="all of it as one JSON list")
    p.set_defaults(func=cmd_feedback)

    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # here, not at exit: a closed pipe must surface where it is caught
    except BrokenPipeError:
        # The reader went away (`assistant ingest | head -1`): what it did not read is not wanted. Python's
        # recipe: point stdout at devnull so the flush at exit does not fail again, and end quietly.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1
    return code


if __name__ == "__main__":
    sys.exit(main())
