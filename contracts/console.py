"""The command's manners on a terminal: colour, the progress bar, a closed pipe.

**Colour** (:func:`colour_wanted`): ``--color always`` and ``--color never``
are obeyed as said; ``auto`` (the default) follows ``NO_COLOR`` (set and not
empty: no colour, https://no-color.org), then ``FORCE_COLOR`` (set and not
empty: colour, https://force-color.org), then whether the stream is a terminal.

**Progress** (:class:`ProgressBar`): a rich bar on standard error, only when
standard error is a terminal, with the bytes of the inputs as its total (what
has been read of them, the rate in bytes a second, the time left) and the
payloads judged so far. Standard input has no size known beforehand: its bar
shows only the payloads. While the bar is up, findings meant for the same
terminal are written through the bar's console (:meth:`ProgressBar.above`),
which prints them above the bar, never glued to it.

**A closed pipe** (:class:`PipeGuard`): when the reader of standard output
goes away (``pcm-contracts validate big.jsonl | head``), standard output is
pointed at the null device, as Python's documentation on SIGPIPE advises, and
the caller goes on without writing: the judging finishes, so the exit code is
the true verdict.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal, Protocol

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID

ColourChoice = Literal["auto", "always", "never"]
COLOUR_CHOICES: tuple[ColourChoice, ...] = ("auto", "always", "never")


class Writer(Protocol):
    """What reports are written to: a text stream, or the bar's console."""

    def write(self, text: str, /) -> int: ...

    def flush(self) -> None: ...


def is_terminal(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


def colour_wanted(choice: ColourChoice, stream: Any, environ: Mapping[str, str] | None = None) -> bool:
    """Whether to colour what goes to ``stream`` (see the module docstring for the order)."""
    if choice != "auto":
        return choice == "always"
    environ = os.environ if environ is None else environ
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return is_terminal(stream)


def shares_terminal(one: Any, other: Any) -> bool:
    """Whether two streams are the same terminal (so writes to one cross a bar drawn on the other)."""
    if not (is_terminal(one) and is_terminal(other)):
        return False
    try:
        return os.path.samestat(os.fstat(one.fileno()), os.fstat(other.fileno()))
    except (AttributeError, OSError, ValueError):
        return True  # a terminal without a file descriptor: assume the worst


def silence(stream: Any) -> None:
    """Point ``stream``'s file descriptor at the null device (nothing for a stream without one)."""
    try:
        descriptor = stream.fileno()
    except (AttributeError, OSError, ValueError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, descriptor)
    finally:
        os.close(devnull)


class PipeGuard:
    """``with guard: write(...)``: a :class:`BrokenPipeError` inside silences
    ``stream`` for good and is swallowed; :attr:`closed` says it happened."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.closed = False

    def __enter__(self) -> PipeGuard:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> bool:
        if kind is None or not issubclass(kind, BrokenPipeError):
            return False
        self.closed = True
        silence(self.stream)
        return True


class Above:
    """What a report meant for ``out`` is written to while a bar is drawn on
    the same terminal: whole lines are collected and handed to the bar's
    console with each update of the bar (:meth:`ProgressBar.judged`), which
    prints them above it, ANSI colours kept (a print a line would redraw the
    bar a line, ten times the cost of judging). Once the bar is gone, straight
    to ``out``."""

    def __init__(self, bar: ProgressBar, out: Any) -> None:
        self.bar = bar
        self.out = out
        self.lines: list[str] = []
        self.pending = ""

    def write(self, text: str, /) -> int:
        if self.bar.console is None:
            self.emit()
            return int(self.out.write(text))
        *lines, self.pending = (self.pending + text).split("\n")
        self.lines += lines
        return len(text)

    def emit(self) -> None:
        """Print the lines collected so far (above the bar while there is one)."""
        console = self.bar.console
        if console is not None and self.lines:
            from rich.text import Text

            console.out(Text("\n").join(Text.from_ansi(line) for line in self.lines), highlight=False)
        elif self.lines:
            self.out.write("".join(f"{line}\n" for line in self.lines))
        self.lines = []

    def flush(self) -> None:
        if self.pending:
            self.lines.append(self.pending)
            self.pending = ""
        self.emit()
        if self.bar.console is None:
            self.out.flush()


class ProgressBar:
    """The progress bar of a ``validate`` run (see the module docstring);
    every method does nothing when it is not enabled."""

    REFRESH = 0.1
    """Seconds between two updates handed to rich (the counts add up in between)."""

    def __init__(
        self,
        stream: Any,
        *,
        total: int | None,
        enabled: bool,
        colour: bool = True,
        console: Console | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream
        self.enabled = enabled
        self.clock = clock
        self.pending_bytes = self.pending_payloads = self.payloads = 0
        self.pushed = clock()
        self.progress: Progress | None = None
        self.task: TaskID | None = None
        self.writers: list[Above] = []
        if enabled:
            self._start(total, console, colour)

    def _start(self, total: int | None, console: Console | None, colour: bool) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            DownloadColumn,
            Progress,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
            TransferSpeedColumn,
        )

        console = console or Console(file=self.stream, force_terminal=True, no_color=not colour, highlight=False)
        self.progress = Progress(
            TextColumn("checking"),
            BarColumn(),
            TaskProgressColumn(),
            DownloadColumn(),
            TransferSpeedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[payloads]:,} payloads"),
            console=console,
            transient=True,
            redirect_stdout=False,
            redirect_stderr=False,
            get_time=self.clock,
        )
        self.task = self.progress.add_task("validate", total=total, payloads=0)
        self.progress.start()

    @property
    def console(self) -> Console | None:
        return self.progress.console if self.progress is not None else None

    def above(self, out: Any) -> Any:
        """Where to write a report meant for ``out``: through the bar when ``out`` is its terminal."""
        if self.console is None or not (out is self.stream or shares_terminal(out, self.stream)):
            return out
        above = Above(self, out)
        self.writers.append(above)
        return above

    def read(self, count: int) -> None:
        """``count`` more bytes of the inputs were read."""
        self.pending_bytes += count
        self._push()

    def judged(self, count: int = 1) -> None:
        """``count`` more payloads were judged."""
        self.pending_payloads += count
        self._push()

    def _push(self, *, now: bool = False) -> None:
        if self.progress is None or self.task is None:
            return
        moment = self.clock()
        if not now and moment - self.pushed < self.REFRESH:
            return
        self.pushed = moment
        for writer in self.writers:
            writer.emit()
        self.payloads += self.pending_payloads
        self.progress.update(self.task, advance=self.pending_bytes, payloads=self.payloads)
        self.pending_bytes = self.pending_payloads = 0

    def refresh(self) -> None:
        """Hand rich what has added up, and draw the bar now."""
        self._push(now=True)
        if self.progress is not None:
            self.progress.refresh()

    def close(self) -> None:
        """Take the bar off the terminal (it leaves no line behind)."""
        if self.progress is not None:
            self._push(now=True)
            self.progress.stop()
            self.progress = None
        for writer in self.writers:  # what came after the last update
            writer.flush()
