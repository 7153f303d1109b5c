"""Progress of a long command: one line on stderr, rewritten in place, only when stderr is a terminal.

One mechanism for every subcommand. A command that counts its work (runs, cells, pages) calls
:meth:`Progress.update` after each piece; a command that waits on one long computation without a
hook inside it starts :meth:`Progress.ticking`, which redraws the elapsed time (and the estimate,
when there is one) from a background thread. Nothing is drawn during the first :data:`DELAY`
seconds (2), so quick commands stay silent, and nothing at all when stderr is not a terminal (a
pipe, a file, a test), so captured output never holds progress lines. The line is cleared when the
``with`` block ends, before the command prints its result or its error.

>>> import io
>>> stream = io.StringIO()
>>> clock = iter([0.0, 1.0, 5.0, 65.0]).__next__     # the start, then one reading per update
>>> with Progress("lstmsym check", total=3, stream=stream, enabled=True, clock=clock) as progress:
...     progress.update(1, note="rnn")        # 1 s: not drawn yet
...     progress.update(2, note="lstm")
...     progress.update(3, note="gru")
>>> stream.getvalue().split("\\r")[1:3]
['lstmsym check: [2/3] 5 s  lstm', 'lstmsym check: [3/3] 1 min 5 s  gru']
>>> Progress("quiet", stream=io.StringIO()).enabled          # not a terminal: nothing is drawn
False
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

#: Seconds before a progress line first appears: quicker commands print none.
DELAY = 2.0


def duration(seconds: float) -> str:
    """A duration as people read it: '4 s', '2 min 5 s', '3 h 20 min'.

    >>> duration(0.4), duration(59.6), duration(125), duration(3 * 3600 + 20 * 60 + 1)
    ('0 s', '1 min 0 s', '2 min 5 s', '3 h 20 min')
    """
    s = round(float(seconds))
    if s < 60:
        return f"{s} s"
    if s < 3600:
        return f"{s // 60} min {s % 60} s"
    return f"{s // 3600} h {s % 3600 // 60} min"


def _is_terminal(stream: TextIO) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class Progress:
    """A progress line: ``label: [done/total] elapsed (of about expected)  note``.

    ``enabled`` defaults to whether ``stream`` (default: stderr) is a terminal. ``expected_seconds``
    adds "of about ..." (an estimate, shown as one). ``delay`` defaults to :data:`DELAY`; ``clock``
    is for tests.
    """

    def __init__(
        self,
        label: str,
        total: int | None = None,
        *,
        expected_seconds: float | None = None,
        stream: TextIO | None = None,
        enabled: bool | None = None,
        delay: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.total, self.expected = label, total, expected_seconds
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _is_terminal(self.stream) if enabled is None else bool(enabled)
        self.delay = DELAY if delay is None else delay
        self._clock = clock
        self._start = clock()
        self._done: int | None = None
        self._note = ""
        self._width = 0  # characters of the line on screen, 0 when none is
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- what commands call ------------------------------------------------------------------------
    def update(self, done: int | None = None, note: str = "", total: int | None = None) -> None:
        """Record progress (``done`` of ``total`` pieces, a short note) and redraw."""
        with self._lock:
            if total is not None:
                self.total = total
            self._done, self._note = done, note
            self._draw()

    def ticking(self, interval: float = 0.5) -> Progress:
        """Redraw every ``interval`` seconds from a background thread until the block ends."""
        if self.enabled and self._thread is None:
            with self._lock:
                self._draw()
            self._thread = threading.Thread(target=self._tick, args=(interval,), daemon=True)
            self._thread.start()
        return self

    def clear(self) -> None:
        """Remove the line from the screen (before printing something else); the next update redraws."""
        with self._lock:
            if self._width:
                self.stream.write("\r" + " " * self._width + "\r")
                self.stream.flush()
                self._width = 0

    def close(self) -> None:
        """Stop ticking and clear the line."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        self.clear()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- drawing -----------------------------------------------------------------------------------
    def line(self, elapsed: float | None = None) -> str:
        """The text of the progress line (``elapsed``: seconds since the start, default now)."""
        if elapsed is None:
            elapsed = self._clock() - self._start
        parts = [f"{self.label}:"]
        if self._done is not None:
            parts.append(f"[{self._done}/{self.total}]" if self.total else f"[{self._done}]")
        parts.append(duration(elapsed))
        if self.expected is not None:
            parts[-1] += f" of about {duration(self.expected)} (estimated)"
        text = " ".join(parts)
        return f"{text}  {self._note}" if self._note else text

    def _draw(self) -> None:
        if not self.enabled:
            return
        elapsed = self._clock() - self._start
        if not self._width and elapsed < self.delay:
            return  # quick commands stay silent
        text = self.line(elapsed)
        self.stream.write("\r" + text.ljust(self._width))
        self.stream.flush()
        self._width = max(len(text), self._width)

    def _tick(self, interval: float) -> None:
        while not self._stop.wait(interval):
            with self._lock:
                self._draw()


__all__ = ["DELAY", "Progress", "duration"]
