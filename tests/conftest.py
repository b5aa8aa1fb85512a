"""What every test of the project starts from."""

import pytest

from contracts import native


@pytest.fixture(autouse=True)
def no_native_screen_yet(monkeypatch: pytest.MonkeyPatch) -> None:
    """No native screen built yet: each test starts as a fresh process does.

    The screens are kept process-wide (:func:`contracts.native.screen_for`)
    and learn the key orders of the lines they meet, at most
    :data:`contracts.native.ORDERS` of them, so a test would otherwise judge
    with whatever the tests before it taught, and pass or fail with the order
    the tests ran in."""
    monkeypatch.setattr(native, "_SCREENS", {})
