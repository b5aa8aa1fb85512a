"""The command's terminal manners: colour choice, the progress bar, a closed pipe."""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from rich.console import Console

from contracts.console import PipeGuard, ProgressBar, colour_wanted, shares_terminal


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("choice", "environ", "terminal", "wanted"),
    [
        ("auto", {}, True, True),
        ("auto", {}, False, False),
        ("auto", {"NO_COLOR": "1"}, True, False),
        ("auto", {"NO_COLOR": ""}, True, True),  # set but empty: no opinion (no-color.org)
        ("auto", {"FORCE_COLOR": "1"}, False, True),
        ("auto", {"FORCE_COLOR": ""}, False, False),
        ("auto", {"NO_COLOR": "1", "FORCE_COLOR": "1"}, True, False),  # NO_COLOR first
        ("always", {"NO_COLOR": "1"}, False, True),  # the option beats the environment
        ("never", {"FORCE_COLOR": "1"}, True, False),
    ],
)
def test_colour_follows_the_option_then_no_color_then_force_color_then_the_terminal(
    choice: str, environ: dict[str, str], terminal: bool, wanted: bool
) -> None:
    stream = Terminal() if terminal else io.StringIO()
    assert colour_wanted(choice, stream, environ) is wanted  # type: ignore[arg-type]


def bar_on(clock: FakeClock, total: int | None = 10_000_000) -> tuple[ProgressBar, Terminal]:
    screen = Terminal()
    console = Console(file=screen, force_terminal=True, width=120, color_system=None)
    return ProgressBar(screen, total=total, enabled=True, console=console, clock=clock), screen


def test_the_bar_shows_the_bytes_read_of_the_total_the_rate_the_time_left_and_the_payloads() -> None:
    clock = FakeClock()
    bar, screen = bar_on(clock)
    for _ in range(4):
        clock.now += 1
        bar.read(1_000_000)
        bar.judged(10)
    bar.refresh()
    frame = screen.getvalue().rsplit("\r", 1)[-1]
    bar.close()
    assert "40%" in frame
    assert "4.0/10.0 MB" in frame
    assert "1.0 MB/s" in frame
    assert "ETA 0:00:06" in frame
    assert "40 payloads" in frame


def test_the_bar_of_standard_input_counts_payloads_without_a_total() -> None:
    clock = FakeClock()
    bar, screen = bar_on(clock, total=None)
    clock.now += 1
    bar.judged(3)
    bar.refresh()
    bar.close()
    assert "3 payloads" in screen.getvalue()


def test_findings_are_printed_above_the_bar_on_lines_of_their_own() -> None:
    clock = FakeClock()
    bar, screen = bar_on(clock)
    above = bar.above(screen)
    findings = [f"f{n}.json: /data: a finding [schema.type]" for n in range(3)]
    for finding in findings:
        clock.now += 1
        above.write(finding + "\n")
        bar.read(1000)
        bar.judged()
    above.write("late.json: /data: after the last update [schema.type]\n")
    bar.close()
    above.write("read 4 payload(s)\n")  # the summary, once the bar is gone
    text = screen.getvalue()
    for finding in findings:
        assert f"\x1b[2K{finding}\n" in text  # the bar's line cleared first, the line ended
    assert "late.json: /data: after the last update [schema.type]\n" in text
    assert text.endswith("\x1b[2Kread 4 payload(s)\n") or text.endswith("\nread 4 payload(s)\n")
    assert text.index("late.json") < text.index("read 4 payload(s)")


def test_a_disabled_bar_writes_nothing_and_hands_reports_their_own_stream() -> None:
    screen = Terminal()
    bar = ProgressBar(screen, total=100, enabled=False)
    bar.read(50)
    bar.judged(5)
    bar.refresh()
    bar.close()
    assert screen.getvalue() == ""
    assert bar.above(screen) is screen


def test_a_report_to_a_file_is_not_routed_through_the_bar(tmp_path: Path) -> None:
    bar, _ = bar_on(FakeClock())
    with (tmp_path / "report.txt").open("w") as report:
        assert bar.above(report) is report
    bar.close()


def test_streams_share_a_terminal_only_when_both_are_one() -> None:
    assert not shares_terminal(io.StringIO(), Terminal())
    reader, writer = os.pipe()
    with os.fdopen(writer, "w") as pipe, os.fdopen(reader):
        assert not shares_terminal(pipe, pipe)


def test_a_broken_pipe_silences_the_stream_and_is_swallowed_once_seen() -> None:
    reader, writer = os.pipe()
    os.close(reader)
    with os.fdopen(writer, "w") as pipe:
        guard = PipeGuard(pipe)
        with guard:
            pipe.write("x" * 100_000)
            pipe.flush()
        assert guard.closed
        pipe.write("more")  # now the null device
        pipe.flush()


def test_other_errors_pass_through_the_pipe_guard() -> None:
    guard = PipeGuard(io.StringIO())
    with pytest.raises(ValueError, match="not a pipe"), guard:
        raise ValueError("not a pipe")
    assert not guard.closed
