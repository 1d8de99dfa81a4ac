"""The known-answer suite: answer, citation, retrieval and abstention accuracy, and latency."""
from __future__ import annotations

import json
import re
import statistics
import time
import tomllib
from pathlib import Path

from ingest.lexicon import fold


def _norm(text: str) -> str:
    """Folded, single-spaced, and `1 135` read as `1135`: a figure is right to the digit in either spelling."""
    text = " ".join(fold(text).replace("\u00a0", " ").split())
    return re.sub(r"(?<=\d) (?=\d{3}(?!\d))", "", text)


def load_questions(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_eval(bot, paths: Path | list[Path]) -> dict:
    rows = []
    latencies = []
    k = bot.settings.top_k
    paths = [paths] if isinstance(paths, Path) else paths
    for q in [q for path in paths for q in load_questions(path)]:
        start = time.perf_counter()
        answer = bot.ask(q["question"])
        latencies.append((time.perf_counter() - start) * 1000)
        hits = bot.retrieve(q["question"], k=k)
        row = {"id": q["id"], "question": q["question"], "abstained": answer.abstained, "answer": answer.answer,
               "figure": bool(q.get("figure"))}
        if q.get("abstain"):
            row["ok_abstain"] = answer.abstained
        else:
            text = _norm(answer.answer)
            if "items" in q:  # a list question: every expected item, and nothing else listed
                listed = [_norm(line) for line in answer.answer.splitlines() if line.startswith("- ")]
                expected = [_norm(t) for t in q["items"]]
                row["items_expected"] = len(expected)
                row["items_found"] = sum(1 for e in expected if e in text) if not answer.abstained else 0
                row["items_listed"] = len(listed)
                row["items_right"] = sum(1 for line in listed if any(e in line for e in expected))
                row["ok_answer"] = row["items_found"] == len(expected) and row["items_right"] == len(listed) > 0
            else:
                row["ok_answer"] = not answer.abstained and all(_norm(t) in text for t in q["expect"])
            sections = [q["section"]] if isinstance(q["section"], str) else q["section"]

            def right(source: str, section: str) -> bool:
                return source == q["source"] and any(_norm(s) in _norm(section) for s in sections)

            row["ok_citation"] = any(right(c.source, c.section) for c in answer.citations)
            row["ok_recall"] = any(right(h.chunk.source, h.chunk.section) for h in hits[:k])
        rows.append(row)
    answerable = [r for r in rows if "ok_answer" in r]
    abstain = [r for r in rows if "ok_abstain" in r]
    figure_rows = [r for r in rows if r["figure"]]
    list_rows = [r for r in rows if "items_expected" in r]
    for r in figure_rows:  # exact: every expected value with its unit, to the digit; or the right abstention
        r["ok_figure"] = r.get("ok_answer", r.get("ok_abstain"))

    def share(items, key):
        return round(sum(r[key] for r in items) / len(items), 3) if items else None

    lat = sorted(latencies)
    return {
        "questions": len(rows),
        "answer_accuracy": share(answerable, "ok_answer"),
        "citation_accuracy": share(answerable, "ok_citation"),
        f"recall_at_{k}": share(answerable, "ok_recall"),
        "recall_k": k,
        "abstention_accuracy": share(abstain, "ok_abstain"),
        "list_questions": len(list_rows),
        "item_recall": round(sum(r["items_found"] for r in list_rows) / max(1, sum(r["items_expected"] for r in list_rows)), 3)
        if list_rows else None,
        "item_precision": round(sum(r["items_right"] for r in list_rows) / max(1, sum(r["items_listed"] for r in list_rows)), 3)
        if list_rows else None,
        "figure_questions": len(figure_rows),
        "exact_figure_accuracy": share(figure_rows, "ok_figure"),
        "false_abstentions": sum(r["abstained"] for r in answerable),
        "latency_ms_p50": round(statistics.median(lat), 1) if lat else None,
        "latency_ms_p95": round(lat[min(len(lat) - 1, int(0.95 * len(lat)))], 1) if lat else None,
        "failures": [r for r in rows if not all(r.get(key, True) for key in ("ok_answer", "ok_citation", "ok_abstain"))],
    }


def format_report(report: dict) -> str:
    k = report["recall_k"]

    def pct(value) -> str:
        return "–" if value is None else f"{value:.1%}"

    lines = [
        f"questions            {report['questions']}",
        f"answer accuracy      {pct(report['answer_accuracy'])}",
        f"citation accuracy    {pct(report['citation_accuracy'])}",
        f"retrieval recall@{k}   {pct(report[f'recall_at_{k}'])}",
        f"abstention accuracy  {pct(report['abstention_accuracy'])}",
        f"exact figures        {pct(report['exact_figure_accuracy'])} of {report['figure_questions']}",
        f"list items           recall {pct(report['item_recall'])}, precision {pct(report['item_precision'])} "
        f"over {report['list_questions']} list questions",
        f"false abstentions    {report['false_abstentions']}",
        f"latency p50 / p95    {report['latency_ms_p50']} / {report['latency_ms_p95']} ms",
    ]
    for f in report["failures"]:
        lines.append(f"  FAIL {f['id']}: {f['question']}\n       → {f['answer'][:160]}")
    return "\n".join(lines)


def check_gate(report: dict, thresholds_path: Path) -> list[str]:
    limits = tomllib.loads(thresholds_path.read_text(encoding="utf-8"))["minimum"]
    k = report["recall_k"]
    values = {"answer_accuracy": report["answer_accuracy"], "citation_accuracy": report["citation_accuracy"],
              "recall_at_k": report[f"recall_at_{k}"], "abstention_accuracy": report["abstention_accuracy"],
              "exact_figure_accuracy": report.get("exact_figure_accuracy") or 0.0,
              "item_recall": report.get("item_recall") or 0.0, "item_precision": report.get("item_precision") or 0.0}
    return [f"{name} {values[name]} < {limit}" for name, limit in limits.items() if values[name] < limit]
