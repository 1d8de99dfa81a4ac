"""`assistant losses`: every asked question lands in exactly one fate, judged by the same reader the answers use."""
from __future__ import annotations

import json

from assistant.fit import Fitted, collect
from assistant.losses import ORDER, RIGHT, UNANSWERABLE_ANSWERED, breakdown, classify, format_breakdown


def _questions(tmp_path):
    rows = [
        {"id": "kansli", "question": "När försvinner Regionservice kansli?", "type": "fact",
         "expect": ["1 januari 2024"], "source": "servicenamnden-verksamhetsplan-2024.txt", "section": "Organisation"},
        {"id": "ordf", "question": "Vem var ordförande vid arbetsutskottets möte?", "type": "fact",
         "expect": ["Kalle Anka"], "source": "rsau-2026-p58-namnddialog-regionservice.txt", "section": "Yrkanden"},
        {"id": "vader", "question": "Hur blir vädret i Örebro imorgon?", "abstain": True,
         "source": "servicenamnden-verksamhetsplan-2024.txt", "section": ""},
    ]
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    return path


def test_every_question_has_one_fate_and_the_fates_follow_the_reader(bot, tmp_path):
    asked = collect(bot, [_questions(tmp_path)])
    model = bot.model()
    fitted = Fitted(model.ranker, model.selector, model.second_ratio)
    fates = {a.group: classify(a, fitted, bot.threshold) for a in asked}
    assert set(fates.values()) <= set(ORDER)
    # a stated fact the documents hold is answered
    assert fates["kansli"] == RIGHT
    # a name no document holds: no unit can answer, so it is lost before ranking, whatever the selector does
    assert fates["ordf"].endswith("no unit holds it")
    # an unanswerable question is right only when refused
    assert fates["vader"] in (RIGHT, UNANSWERABLE_ANSWERED)
    assert (fates["vader"] == RIGHT) == bot.ask("Hur blir vädret i Örebro imorgon?").abstained

    counts = breakdown(asked, fitted, bot.threshold)
    assert sum(counts["main"].values()) == len(asked)
    table = format_breakdown("dev", counts)
    assert table.splitlines()[0].split() == ["dev", "main"]
    assert all(fate in table for fate in ORDER)


def test_suites_are_counted_apart_by_their_prefix(bot, tmp_path):
    path = _questions(tmp_path)
    asked = collect(bot, [path]) + collect(bot, [path], prefix="formats/")
    model = bot.model()
    counts = breakdown(asked, Fitted(model.ranker, model.selector, model.second_ratio), bot.threshold)
    assert set(counts) == {"main", "formats"}
    assert counts["main"] == counts["formats"]
