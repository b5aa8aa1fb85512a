"""contracts.errors: the one line an error is said in."""

from __future__ import annotations

import errno

import pytest

from contracts.errors import one_line


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (OSError(errno.EACCES, "Permission denied", "/logs/x.jsonl"), "Permission denied"),
        (
            OSError("Forbidden: http://127.0.0.1/o/x?alt=media\nAccess denied"),
            "Forbidden: http://127.0.0.1/o/x?alt=media",
        ),
        (ValueError("\n  \n  the first line with text  \nthe next"), "the first line with text"),
        (TimeoutError(), "TimeoutError"),
        (RuntimeError(" \n "), "RuntimeError"),
    ],
)
def test_an_error_is_said_in_one_line(error: BaseException, said: str) -> None:
    assert one_line(error) == said
