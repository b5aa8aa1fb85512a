"""Bodies the JSON reader refuses, each with its one-line reason: one table for
the reader's unit tests and for the live-and-offline agreement test."""

from __future__ import annotations

import json

JOB = (
    b'{"data": {"type": "pim-job", "id": "1ea62172-57f6-45e5-a708-ab5bd634e3f9", "attributes": {"status": "pending"}}}'
)


def nested(depth: int) -> bytes:
    return b'{"data": ' + b"[" * depth + b"]" * depth + b"}"


NOT_JSON: dict[str, tuple[bytes, str]] = {
    "bom": (b"\xef\xbb\xbf" + JOB, "a UTF-8 byte order mark before the JSON value"),
    "nan": (b'{"data": NaN}', "NaN is not JSON"),
    "infinity": (b'{"data": [Infinity]}', "Infinity is not JSON"),
    "minus-infinity": (b'{"data": -Infinity}', "-Infinity is not JSON"),
    "1e400": (b'{"data": {"n": 1e400}}', "number 1e400 is out of range"),
    "minus-1e400": (b'{"data": {"n": -1e400}}', "number -1e400 is out of range"),
    "5000-digits": (b'{"data": {"n": ' + b"9" * 5000 + b"}}", "a number of 5000 digits is out of range"),
    "duplicate-top-level": (b'{"data": {}, "data": {}}', "duplicate key 'data' in the top-level object"),
    "duplicate-nested": (
        JOB.replace(b'"status": "pending"', b'"status": "pending", "status": "success"'),
        "duplicate key 'status' in the object at /data/attributes",
    ),
    "duplicate-compact": (b'{"data":{"id":"a","id":"b"}}', "duplicate key 'id' in the object at /data"),
    "invalid-utf-8": (b'{"data": {"id": "caf\xe9"}}', "invalid UTF-8 at byte 20 (0xe9)"),
    "lone-surrogate": (
        JOB.replace(b'"pending"', b'"\\ud800"'),
        "a lone surrogate \\ud800 in a string at /data/attributes/status",
    ),
    "trailing-data": (JOB + b"x", "trailing data after the JSON value (line 1, column 113)"),
    "trailing-after-whitespace": (JOB + b"\n\n  {}", "trailing data after the JSON value (line 3, column 3)"),
    "trailing-after-a-leading-line-break": (
        b"\r\n" + JOB + b" }",
        "trailing data after the JSON value (line 2, column 114)",
    ),
    "depth-255": (nested(254), "nested deeper than 254 levels"),
    "depth-300": (nested(300), "nested deeper than 254 levels"),
    "depth-1000": (nested(1000), "nested deeper than 254 levels"),
    "depth-100000": (nested(100_000), "nested deeper than 254 levels"),
    "empty": (b"", "empty (no JSON value)"),
    "whitespace-only": (b" \r\n\t ", "empty (no JSON value)"),
    "truncated": (JOB[:40], "invalid JSON: Unterminated string starting at (line 1, column 36)"),
}
"""name -> (body, reason)."""

JSON: dict[str, tuple[bytes, object]] = {
    "compact": (b'{"a":[1,2.5,"x",null,true]}', {"a": [1, 2.5, "x", None, True]}),
    "spaced": (b' {"a": 1}\n', {"a": 1}),
    "beyond-64-bits": (b'{"big": 123456789012345678901234567890}', {"big": 123456789012345678901234567890}),
    "largest-double": (b"[1.7976931348623157e308]", [1.7976931348623157e308]),
    "paired-surrogates": (b'"\\ud83d\\ude00"', "\U0001f600"),
    "escaped-backslash-u": (b'"\\\\ud800"', "\\ud800"),
    "brackets-in-strings": (json.dumps(["[" * 100, "{" * 100]).encode(), ["[" * 100, "{" * 100]),
    "depth-254": (b"[" * 254 + b"]" * 254, json.loads("[" * 254 + "]" * 254)),
    "depth-254-spaced": (b"[ " * 254 + b"]" * 254, json.loads("[" * 254 + "]" * 254)),
}
"""name -> (body, value): JSON the reader accepts."""
