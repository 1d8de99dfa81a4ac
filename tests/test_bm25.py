"""Swedish BM25: the defects of llama-index-retrievers-bm25 0.8 and how ours avoids them."""
from __future__ import annotations

from index.analyzer import SwedishAnalyzer
from index.bm25 import BM25Index

DOCS = {
    "it": "Område IT ansvarar för livscykelhantering av IT-stöd.",
    "sjuk": "Korttidssjukfrånvaron minskade under året.",
    "forsorjning": "Område försörjning höjer lunchpriset.",
    "invest": "Investeringsbudgeten för 2024 uppgår till 372,5 mnkr.",
}


def build(lexicon) -> tuple[BM25Index, SwedishAnalyzer]:
    analyzer = SwedishAnalyzer(lexicon)
    return BM25Index.build(list(DOCS), [analyzer.terms(t) for t in DOCS.values()]), analyzer


def test_the_query_IT_is_not_dropped_as_a_stopword(lexicon):
    index, analyzer = build(lexicon)
    assert analyzer.terms("IT") == ["it"]
    assert index.search(analyzer.terms("IT"), 3)[0][0] == "it"


def test_stock_llama_index_bm25_drops_IT_which_is_why_we_replaced_it():
    from llama_index.core.schema import TextNode
    from llama_index.retrievers.bm25 import BM25Retriever

    nodes = [TextNode(text=t, id_=k) for k, t in DOCS.items()]
    stock = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=2, language="swedish")
    hits = stock.retrieve("IT")
    assert not hits or hits[0].score == 0 or hits[0].node.node_id != "it"


def test_no_zero_score_hits(lexicon):
    index, analyzer = build(lexicon)
    assert index.search(analyzer.terms("helikopterflygplats"), 4) == []
    assert all(score > 0 for _, score in index.search(analyzer.terms("område"), 4))


def test_diacritics_fold_and_compounds_split(lexicon):
    index, analyzer = build(lexicon)
    assert index.search(analyzer.terms("forsorjning"), 1)[0][0] == "forsorjning"
    assert index.search(analyzer.terms("sjukfrånvaro"), 1)[0][0] == "sjuk"
    assert index.search(analyzer.terms("budget"), 1)[0][0] == "invest"
    assert index.search(analyzer.terms("investering"), 1)[0][0] == "invest"


def test_an_inflected_word_is_not_split_into_a_name_or_an_ending(lexicon):
    # hunspell lists first names (`Erna`, `Else`, `Ella`) and a few stray letter runs (`ngen`): as the last part
    # of a compound they would turn `åtgärderna`, `avvikelse` and `utgången` into two unrelated words
    for word in ("åtgärderna", "patienterna", "avvikelse", "förståelse", "nationella", "utgången"):
        assert lexicon.split_compound(word) is None, word
    # a present participle is a verb form, not a compound ending in `ande` (spirit)
    for word in ("rullande", "följande", "stigande", "kommande"):
        assert lexicon.split_compound(word) is None, word
    # a noun derived with `-ning` is one word (hunspell lists `ning`), not a verb root and an ending
    for word in ("försörjning", "omsättning", "ersättning"):
        assert lexicon.split_compound(word) is None, word
    # real compounds still split
    assert lexicon.split_compound("budgetuppföljningen") == ("budget", "uppföljningen")
    assert lexicon.split_compound("lokalförsörjning") == ("lokal", "försörjning")
    assert lexicon.split_compound("korttidssjukfrånvaron")[-1] == "sjukfrånvaron"


def test_a_compound_splits_into_its_commonest_reading(lexicon):
    # hunspell-sv lists rare forms (`framt`, `iden`, `ryck`, `okument`) that give many compounds a second
    # reading; the one whose parts are common Swedish words is the one the writer meant
    assert lexicon.split_compound("framtiden") == ("fram", "tiden")
    assert lexicon.split_compound("anställningsstopp") == ("anställning", "stopp")
    assert lexicon.split_compound("beslutsförslag") == ("beslut", "förslag")
    assert lexicon.split_compound("styrdokument") == ("styr", "dokument")
    assert lexicon.split_compound("skiftarbete") == ("skift", "arbete")
    # fewer parts still come first: a two-part reading is never traded for three commoner parts
    assert len(lexicon.split_compound("korttidssjukfrånvaron")) == 2

def test_persisted_index_keeps_its_analyzer_and_results(lexicon, tmp_path):
    index, analyzer = build(lexicon)
    index.save(tmp_path / "bm25")
    loaded = BM25Index.load(tmp_path / "bm25")
    for query in ("IT", "forsorjning", "sjukfrånvaro", "investering"):
        assert loaded.search(analyzer.terms(query), 2) == index.search(analyzer.terms(query), 2)
    assert (tmp_path / "bm25" / "analyzer.json").read_text().count("sv-snowball") == 1


def test_filter_restricts_hits(lexicon):
    index, analyzer = build(lexicon)
    assert index.search(analyzer.terms("område"), 4, allowed={"forsorjning"}) == [
        ("forsorjning", index.search(analyzer.terms("område"), 4, allowed={"forsorjning"})[0][1])]


def test_document_frequencies_come_from_the_index(lexicon):
    index, analyzer = build(lexicon)
    df = index.doc_freq()
    expected = {}
    for text in DOCS.values():
        for term in set(analyzer.terms(text)):
            expected[term] = expected.get(term, 0) + 1
    assert df == expected


def test_a_strong_verb_meets_itself_in_another_tense(lexicon):
    analyzer = SwedishAnalyzer(lexicon)
    same = [("utsågs", "Utses att justera"), ("föreslogs", "föreslås"), ("biföll", "bifalls"), ("antogs", "antas"),
            ("skrev", "skriven")]
    for asked, written in same:
        assert analyzer.terms(asked)[0] == analyzer.terms(written)[0], (asked, written)
    # a word that only looks like a verb form after a prefix stays itself
    assert analyzer.terms("förslag")[0] != analyzer.terms("föreslå")[0]
    assert analyzer.terms("låg sjukfrånvaro")[0] == "lag"


def test_an_iso_date_is_also_its_month(lexicon):
    analyzer = SwedishAnalyzer(lexicon)
    assert set(analyzer.terms("den 12 november 2025")) <= set(analyzer.terms("Sammanträdesdatum 2025-11-12"))
    assert "novemb" not in analyzer.terms("2025-12-11")


def test_a_verb_is_read_as_the_noun_it_forms_where_the_dictionary_has_that_noun(lexicon):
    """`Hur mycket ökar lönekostnaderna` is answered by the row `Lönekostnadsökningstakt`."""
    assert lexicon.nominalisations("ökar") == ("ökning",)
    assert "minskning" in lexicon.nominalisations("minskade")
    assert "förändring" in lexicon.nominalisations("förändras")
    assert "investering" in lexicon.nominalisations("investeras")
    for word in ("är", "har", "kostar", "får"):  # no such noun in the dictionary
        assert lexicon.nominalisations(word) == (), word
