"""docs/reader.md and its calibration curve (SVG), written by `assistant fit` from the fitted model."""
from __future__ import annotations

from pathlib import Path

from .scoring import ReaderModel

WIDTH, HEIGHT, PAD = 520, 360, 48


def _svg(calibration: list[dict], threshold: float, accuracy_curve: list[float]) -> str:
    """Observed share right per predicted-probability bin (points, sized by count), the diagonal, dev accuracy
    over the threshold (line) and the chosen threshold (dashed)."""
    def x(v: float) -> float:
        return PAD + v * (WIDTH - 2 * PAD)

    def y(v: float) -> float:
        return HEIGHT - PAD - v * (HEIGHT - 2 * PAD)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" '
             f'font-size="11">', f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
             f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(0)}" stroke="black"/>',
             f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(0)}" y2="{y(1)}" stroke="black"/>',
             f'<line x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}" stroke="#bbb" stroke-dasharray="3,3"/>']
    for t in range(0, 11, 2):
        v = t / 10
        parts += [f'<text x="{x(v)}" y="{y(0) + 16}" text-anchor="middle">{v:.1f}</text>',
                  f'<text x="{x(0) - 8}" y="{y(v) + 4}" text-anchor="end">{v:.1f}</text>']
    grid = [0.05 + i * 0.01 for i in range(len(accuracy_curve))]
    path = " ".join(f"{'M' if i == 0 else 'L'}{x(t):.1f},{y(a):.1f}" for i, (t, a) in enumerate(zip(grid, accuracy_curve)))
    parts.append(f'<path d="{path}" fill="none" stroke="#2a7" stroke-width="2"/>')
    parts.append(f'<line x1="{x(threshold)}" y1="{y(0)}" x2="{x(threshold)}" y2="{y(1)}" stroke="#c33" '
                 f'stroke-dasharray="5,4"/>')
    total = max(1, max(b["n"] for b in calibration))
    for b in calibration:
        if not b["n"]:
            continue
        share = b["right"] / b["n"]
        r = 3 + 9 * (b["n"] / total) ** 0.5
        parts.append(f'<circle cx="{x((b["from"] + b["to"]) / 2):.1f}" cy="{y(share):.1f}" r="{r:.1f}" fill="#36c" '
                     f'fill-opacity="0.7"/>')
    parts += [f'<text x="{WIDTH / 2}" y="{HEIGHT - 10}" text-anchor="middle">probability of the chosen candidate '
              f'(threshold, dashed)</text>',
              f'<text x="14" y="{HEIGHT / 2}" transform="rotate(-90 14 {HEIGHT / 2})" text-anchor="middle">share '
              f'right (points) · dev accuracy by threshold (line)</text>', "</svg>"]
    return "\n".join(parts)


def write_report(model: ReaderModel, docs: Path, accuracy_curve: list[float]) -> None:
    docs.mkdir(parents=True, exist_ok=True)
    fitted = model.fitted
    (docs / "reader-calibration.svg").write_text(_svg(fitted["calibration"], model.threshold, accuracy_curve),
                                                 encoding="utf-8")
    lines = [
        "# The reader's fitted scoring",
        "",
        "Written by `assistant fit` (assistant/fit.py); do not edit by hand. Every answerer proposes a candidate; "
        "a selector weighs the candidates and abstaining against each other; the assistant answers with the "
        "most probable candidate, or abstains when abstaining is more probable or the candidate's support (its "
        "probability, and that of another answerer giving the same figures) is below the threshold. Fitted on "
        "the **dev** split only "
        f"({fitted['questions']} questions, {fitted['asked']} asked with their paraphrases, {fitted['date']}); "
        "the test split is never used here.",
        "",
        f"- fitted on the dev splits of: {', '.join(fitted.get('suites', ['main']))} (a suite with documents of its own "
        "adds other formats: meeting pages, annual and interim reports, the regional plan)",
        f"- a second prose unit joins an answer when its probability is at least **{model.second_ratio:.2f}** of the "
        "first's (chosen on dev among " + ", ".join(f"{r:.2f}" for r in fitted.get("ratios", [])) + ")",
        f"- threshold: **{model.threshold:.2f}** (maximises dev accuracy when a wrong answer costs "
        f"{1 + fitted['wrong_cost']:.1f}× an abstention)",
        f"- dev accuracy at the threshold: {fitted['dev_accuracy']:.1%}; grouped {fitted['cross_validation']['folds']}"
        f"-fold cross-validation (a question and its paraphrases in one fold): "
        f"{fitted['cross_validation']['accuracy']:.1%} (fold thresholds {fitted['cross_validation']['thresholds']})",
        f"- prose units: {fitted['units']} ({fitted['positive_units']} answer their question); figure candidates: "
        f"{fitted['candidates']['figure']}; list candidates: {fitted['candidates']['list']}",
        "",
        "![calibration](reader-calibration.svg)",
        "",
        "| probability of the chosen candidate | asked | right | unanswerable among them |",
        "| --- | ---: | ---: | ---: |",
    ]
    for b in fitted["calibration"]:
        lines.append(f"| {b['from']:.1f}–{b['to']:.1f} | {b['n']} | {b['right']} | {b['unanswerable']} |")
    r = model.ranker
    lines += ["", "## ranker (prose units)", "", "Orders the units of the top passages; per question, P(unit answers) = "
              "softmax of the score. Weights per standard deviation of each feature:", "",
              "| feature | weight | mean | sd |", "| --- | ---: | ---: | ---: |"]
    for name, w, mean, sd in sorted(zip(r.features, r.weights, r.mean, r.scale), key=lambda t: -abs(t[1])):
        lines.append(f"| {name} | {w:+.3f} | {mean:.3f} | {sd:.3f} |")
    m = model.selector
    lines += ["", "## selector (which candidate, or none)", "", "Per question, P(option) = softmax of the score over "
              "its candidates (prose, figure, list) and abstaining, whose score is 0. A feature is named after the "
              "answerer whose candidate has it; `is_<answerer>` is that answerer's own bias. Weights per standard "
              "deviation of each feature, largest first:", "",
              "| feature | weight | mean | sd |", "| --- | ---: | ---: | ---: |"]
    for name, w, mean, sd in sorted(zip(m.features, m.weights, m.mean, m.scale), key=lambda t: -abs(t[1])):
        lines.append(f"| {name} | {w:+.3f} | {mean:.3f} | {sd:.3f} |")
    (docs / "reader.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
