"""The known-answer suite, in two splits: `dev` (tuned on) and `test` (written before the reader it measures,
never tuned on). Each question carries paraphrases written before they were run; every paraphrase is judged
like its question, and a group whose members get different verdicts counts against paraphrase consistency.

A question is *right* when the answer holds every expected token and a citation points to the right document
and to the passage (its section, or a quote holding the answer); an unanswerable question is right when the
assistant abstains. That is what users of the product see, and what the gate checks per split.
"""
from __future__ import annotations

import json
import re
import statistics
import time
import tomllib
from collections import Counter
from pathlib import Path

from ingest.lexicon import fold

SPLITS = ("dev", "test")


def _norm(text: str) -> str:
    """Folded, single-spaced, and `1 135` read as `1135`: a figure is right to the digit in either spelling."""
    text = " ".join(fold(text).replace("\u00a0", " ").split())
    text = re.sub(r"\s*(?:procent\b|%)", "%", text)  # `2,4 procent` and `2,4 %` are one figure
    return re.sub(r"(?<=\d) (?=\d{3}(?!\d))", "", text)


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def split_files(root: Path, split: str) -> list[Path]:
    return sorted((root / split).glob("*.jsonl"))


def judge(q: dict, answer, hits: list, k: int) -> dict:
    """One asked question against its gold: what the row of the report says about it."""
    row = {"id": q["id"], "question": answer.question, "abstained": answer.abstained, "answer": answer.answer,
           "route": answer.route, "figure": bool(q.get("figure")), "type": q.get("type") or _kind(q),
           "style": q.get("style", [])}
    if q.get("abstain"):
        row["ok_abstain"] = answer.abstained
        row["right"] = answer.abstained
        return row
    text = _norm(answer.answer)
    tokens = [_norm(t) for t in q.get("items") or q.get("expect") or []]
    if "items" in q:  # a list question: every expected item, and nothing else listed
        listed = [_norm(line) for line in answer.answer.splitlines() if line.startswith("- ")]
        row["items_expected"] = len(tokens)
        row["items_found"] = sum(1 for e in tokens if e in text) if not answer.abstained else 0
        row["items_listed"] = len(listed)
        row["items_right"] = sum(1 for line in listed if any(e in line for e in tokens))
        # a bulleted list must hold nothing else; a sentence that names every item (`pandemin, kriget i
        # Ukraina, inflation …`) answers as well
        row["ok_answer"] = not answer.abstained and row["items_found"] == len(tokens) \
            and row["items_right"] == len(listed)
    else:
        row["ok_answer"] = not answer.abstained and all(t in text for t in tokens)
    sections = [q["section"]] if isinstance(q["section"], str) else q["section"]
    sources = [q["source"]] if isinstance(q["source"], str) else q["source"]

    def right(source: str, section: str, quote: str = "") -> bool:
        """The right document (one of them, where several say it), and there the passage: its section, or a
        quote that holds the answer."""
        return source in sources and (any(_norm(s) in _norm(section) for s in sections)
                                          or any(t in _norm(quote) for t in tokens))

    row["ok_citation"] = any(right(c.source, c.section, c.quote) for c in answer.citations)
    row["ok_recall"] = any(right(h.chunk.source, h.chunk.section, f"{h.chunk.header or ''}\n{h.chunk.text}")
                           for h in hits[:k])
    row["right"] = row["ok_answer"] and row["ok_citation"]
    return row


def _kind(q: dict) -> str:
    return "abstain" if q.get("abstain") else "list" if "items" in q else "figure" if q.get("figure") else "fact"


def run_eval(bot, paths: Path | list[Path], paraphrases: bool = True) -> dict:
    """Ask every question (and its paraphrases) of these files; the report over them."""
    rows: list[dict] = []
    para_rows: list[dict] = []
    groups: list[list[bool]] = []
    latencies: list[float] = []
    k = bot.settings.top_k
    paths = [paths] if isinstance(paths, Path) else paths
    for q in [q for path in paths for q in load_questions(path)]:
        verdicts = []
        variants = [q["question"]] + (q.get("paraphrases", []) if paraphrases else [])
        for i, text in enumerate(variants):
            start = time.perf_counter()
            answer = bot.ask(text)
            latencies.append((time.perf_counter() - start) * 1000)
            row = judge(q, answer, bot.retrieve(text, k=k), k)
            if getattr(bot, "generator", None) is not None:  # `eval --llm`: who wrote it, and why it fell back
                row["mode"], row["fallback"] = answer.mode, answer._fallback
            if i:
                row["id"] = f"{q['id']}~{i}"
            (para_rows if i else rows).append(row)
            verdicts.append(row["right"])
        if len(verdicts) > 1:
            groups.append(verdicts)
    report = summarize(rows, k)
    report["latency_ms_p50"], report["latency_ms_p95"] = _percentiles(latencies)
    report["paraphrases"] = len(para_rows)
    report["paraphrase_accuracy"] = _share(para_rows, "right")
    report["paraphrase_consistency"] = round(sum(len(set(g)) == 1 for g in groups) / len(groups), 3) if groups else None
    report["paraphrase_failures"] = [r for r in para_rows if not r["right"]]
    if any("mode" in r for r in rows + para_rows):
        report["llm"] = llm_summary(rows + para_rows)
    return report


def llm_summary(rows: list[dict]) -> dict:
    """How the language model fared over every answer asked (paraphrases included): written by it and passed
    the checks, fell back (the checks rejected its text, or it failed or timed out), or not asked (abstentions)."""
    modes = Counter(r.get("mode") for r in rows)
    reasons = Counter((r.get("fallback") or "").split(":", 1)[0] for r in rows if r.get("mode") == "llm-fallback")
    return {"asked": len(rows), "llm": modes.get("llm", 0), "fell_back": modes.get("llm-fallback", 0),
            "rejected": reasons.get("rejected", 0), "errors": reasons.get("error", 0),
            "timeouts": reasons.get("timeout", 0), "extractive": modes.get("extractive", 0)}


def suite_corpus(root: Path) -> Path | None:
    """A suite folder may hold questions about its own documents (`suite.toml`: `corpus = "tests/fixtures/…"`,
    relative to the project): the fixtures in the region's formats are not the users' corpus, and must never be
    ingested into it, so such a suite is asked of an index of its own."""
    spec = root / "suite.toml"
    if not spec.exists():
        return None
    return Path(tomllib.loads(spec.read_text(encoding="utf-8"))["corpus"])


def run_suite(bot, root: Path = Path("evals"), splits=SPLITS, paraphrases: bool = True) -> dict:
    return {split: run_eval(bot, split_files(root, split), paraphrases) for split in splits
            if split_files(root, split)}


def _share(items, key):
    return round(sum(bool(r[key]) for r in items) / len(items), 3) if items else None


def _percentiles(latencies: list[float]) -> tuple[float | None, float | None]:
    lat = sorted(latencies)
    if not lat:
        return None, None
    return round(statistics.median(lat), 1), round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1)


def summarize(rows: list[dict], k: int) -> dict:
    answerable = [r for r in rows if "ok_answer" in r]
    abstain = [r for r in rows if "ok_abstain" in r]
    figure_rows = [r for r in rows if r["figure"]]
    list_rows = [r for r in rows if "items_expected" in r]
    for r in figure_rows:  # exact: every expected value with its unit, to the digit; or the right abstention
        r["ok_figure"] = r.get("ok_answer", r.get("ok_abstain"))
    return {
        "questions": len(rows),
        "right": _share(rows, "right"),
        "answer_accuracy": _share(answerable, "ok_answer"),
        "citation_accuracy": _share(answerable, "ok_citation"),
        f"recall_at_{k}": _share(answerable, "ok_recall"),
        "recall_k": k,
        "abstention_accuracy": _share(abstain, "ok_abstain"),
        "list_questions": len(list_rows),
        "item_recall": round(sum(r["items_found"] for r in list_rows) / max(1, sum(r["items_expected"] for r in list_rows)), 3)
        if list_rows else None,
        "item_precision": round(sum(r["items_right"] for r in list_rows) / max(1, sum(r["items_listed"] for r in list_rows)), 3)
        if list_rows else None,
        "figure_questions": len(figure_rows),
        "exact_figure_accuracy": _share(figure_rows, "ok_figure"),
        "false_abstentions": sum(r["abstained"] for r in answerable),
        "routes": dict(Counter(r["route"] or "abstain" for r in rows)),
        "by_type": {t: _share([r for r in rows if r["type"] == t], "right")
                    for t in sorted({r["type"] for r in rows if r["type"]})},
        "failures": [r for r in rows if not r["right"]],
    }


METRICS = [  # (report key, label) in the order the report prints them
    ("right", "right (answer + source, or abstained)"),
    ("answer_accuracy", "answer accuracy"),
    ("citation_accuracy", "citation accuracy"),
    ("recall_at_k", "retrieval recall@k"),
    ("abstention_accuracy", "abstention accuracy"),
    ("exact_figure_accuracy", "exact figures"),
    ("item_recall", "list item recall"),
    ("item_precision", "list item precision"),
    ("paraphrase_accuracy", "paraphrases right"),
    ("paraphrase_consistency", "paraphrase consistency"),
]


def _value(report: dict, key: str):
    return report[f"recall_at_{report['recall_k']}"] if key == "recall_at_k" else report.get(key)


def format_report(reports: dict) -> str:
    """The splits side by side, then each split's failures."""
    def pct(value) -> str:
        return "–" if value is None else f"{value:.1%}"

    names = list(reports)
    lines = [f"{'':40}" + "".join(f"{n:>12}" for n in names)]
    lines.append(f"{'questions (+ paraphrases)':40}" + "".join(
        f"{str(reports[n]['questions']) + ' +' + str(reports[n]['paraphrases']):>12}" for n in names))
    for key, label in METRICS:
        lines.append(f"{label:40}" + "".join(f"{pct(_value(reports[n], key)):>12}" for n in names))
    lines.append(f"{'false abstentions':40}" + "".join(f"{reports[n]['false_abstentions']:>12}" for n in names))
    lines.append(f"{'latency p50 / p95 ms':40}" + "".join(
        f"{str(reports[n]['latency_ms_p50']) + '/' + str(reports[n]['latency_ms_p95']):>12}" for n in names))
    if any("llm" in reports[n] for n in names):
        for key, label in (("llm", "LLM answers (passed the checks)"), ("fell_back", "LLM fell back to extractive"),
                           ("rejected", "  of which the check rejected"), ("errors", "  of which model errors"),
                           ("timeouts", "  of which timeouts"), ("extractive", "not asked of the LLM (abstained)")):
            lines.append(f"{label:40}" + "".join(f"{reports[n].get('llm', {}).get(key, '–'):>12}" for n in names))
    for n in names:
        r = reports[n]
        lines.append(f"\n[{n}] routes: " + ", ".join(f"{k} {v}" for k, v in sorted(r["routes"].items()))
                     + " · right by type: " + ", ".join(f"{t} {pct(v)}" for t, v in r["by_type"].items()))
        for f in r["failures"]:
            lines.append(f"  FAIL {f['id']} ({f['route'] or 'abstain'}): {f['question']}\n"
                         f"       → {f['answer'][:160]}")
        for f in r["paraphrase_failures"]:
            lines.append(f"  PARA {f['id']} ({f['route'] or 'abstain'}): {f['question']}\n"
                         f"       → {f['answer'][:120]}")
    return "\n".join(lines)


def check_gate(reports: dict, thresholds_path: Path, suite: str | None = None) -> list[str]:
    """Each split against its own minimums (`[dev]`, `[test]` in the thresholds file; `[formats.dev]` … for a
    suite of its own)."""
    limits = tomllib.loads(thresholds_path.read_text(encoding="utf-8"))
    if suite:
        limits = limits.get(suite, {})
    failures = []
    for split, report in reports.items():
        for name, limit in limits.get(split, {}).items():
            value = _value(report, name) or 0.0
            if value < limit:
                failures.append(f"{split} {name} {value} < {limit}")
    return failures


def json_report(reports: dict) -> str:
    return json.dumps(reports, ensure_ascii=False, indent=2, default=str)
