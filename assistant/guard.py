"""The chat's answer call, bounded: at most `answer_timeout_s` of waiting, and never an exception's text.

A handler that raises shows the user whatever the exception says (paths, SQL, a traceback with
`show_error`); a handler that hangs shows a spinner until the browser gives up. Both become one short Swedish
sentence here, while the traceback goes to the server's log, where the people who can fix it look.

The question runs in a worker thread so that the handler can stop waiting. Python cannot stop the thread: work
that times out finishes in the background and its answer is dropped. The pool has as many workers as the
server answers at once (`concurrency`), so runaway questions cannot pile up threads; while they fill it, new
questions wait for a worker, and that wait counts against their own time limit.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Callable, Iterator

from core.models import Answer

FAILED = "Något gick fel när frågan besvarades; felet är loggat."


def timed_out(seconds: float) -> str:
    return (f"Svaret dröjde mer än {seconds:g} sekunder och väntas inte in längre. Försök igen om en stund, "
            f"eller ställ en kortare fråga.")


class Guard:
    def __init__(self, timeout_s: float, workers: int, log: logging.Logger):
        self.timeout_s = timeout_s
        self.log = log
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="answer")

    def answer(self, ask: Callable[[str], Answer], question: str) -> Answer:
        """`ask(question)`, or an abstention that says the answer failed or took too long."""
        future = self._pool.submit(ask, question)
        try:
            return future.result(timeout=self.timeout_s)
        except FutureTimeout:
            self.log.warning("no answer within %.1f s to a question of %d characters", self.timeout_s,
                             len(question))
            return Answer(question=question[:200], answer=timed_out(self.timeout_s), abstained=True)
        except Exception:  # noqa: BLE001 - any failure: logged in full, the user sees one sentence
            self.log.exception("answering failed for a question of %d characters", len(question))
            return Answer(question=question[:200], answer=FAILED, abstained=True)

    def stream(self, ask_stream: Callable[[str], Iterator], question: str) -> Iterator[str | Answer]:
        """`ask_stream(question)`'s text as it comes, then its `Answer`; past the time limit, or on any failure,
        the same short sentences as `answer` (what had streamed is then replaced). The stream is read in one of
        the pool's workers, so streamed answers count against `concurrency` like any other."""
        events: queue.Queue = queue.Queue()
        stop = threading.Event()

        def pump() -> None:
            try:
                for event in ask_stream(question):
                    if stop.is_set():
                        return
                    events.put(("event", event))
                events.put(("end", None))
            except Exception as exc:  # noqa: BLE001 - logged by the reader of the queue
                events.put(("error", exc))

        self._pool.submit(pump)
        deadline = time.monotonic() + self.timeout_s
        final = None
        try:
            while True:
                try:
                    kind, value = events.get(timeout=max(0.0, deadline - time.monotonic()))
                except queue.Empty:
                    self.log.warning("no answer within %.1f s to a question of %d characters", self.timeout_s,
                                     len(question))
                    yield Answer(question=question[:200], answer=timed_out(self.timeout_s), abstained=True)
                    return
                if kind == "error":
                    self.log.error("answering failed for a question of %d characters", len(question),
                                   exc_info=value)
                    yield Answer(question=question[:200], answer=FAILED, abstained=True)
                    return
                if kind == "end":
                    if final is None:
                        yield Answer(question=question[:200], answer=FAILED, abstained=True)
                    return
                if isinstance(value, Answer):
                    final = value
                yield value
        finally:
            stop.set()

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
