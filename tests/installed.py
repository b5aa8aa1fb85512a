"""The package as a user has it: the built wheel installed in a fresh virtualenv
outside the clone (with pytest-playwright beside it, whose options and
pytest-base-url's must coexist with the suite's), built once per test session.

The self-tests run the suite through it (``pcm-contracts check``, ``pytest
--pyargs contracts.suite``), so what they prove holds for the installed
command, not only for the checkout.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from contracts.registry import ROOT

CLEAN_ENV = (
    "PCM_CONTRACTS_BASE_URL",
    "EPCC_API_BASE_URL",
    "PYTEST_BASE_URL",
    "PCM_CONTRACTS_TOKEN",
    "EPCC_CLIENT_ID",
    "EPCC_CLIENT_SECRET",
    "PYTHONPATH",
    "VIRTUAL_ENV",
    "PYTEST_ADDOPTS",
)


@dataclass(frozen=True)
class Installed:
    venv: Path
    home: Path
    """An empty working directory outside the clone."""
    playwright: bool
    """Whether pytest-playwright installed beside the package."""
    built: str
    """What building the wheel printed (pip's output and the build backend's)."""

    def bin(self, name: str) -> str:
        return str(self.venv / "bin" / name)

    @property
    def check(self) -> list[str]:
        return [self.bin("pcm-contracts"), "check"]

    @property
    def pytest(self) -> list[str]:
        return [self.bin("pytest"), "-p", "no:cacheprovider"]

    def env(self, **extra: str) -> dict[str, str]:
        """The environment of a user's shell with only this virtualenv on PATH."""
        clean = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV}
        return {**clean, "PATH": f"{self.venv / 'bin'}{os.pathsep}{clean.get('PATH', '')}", **extra}

    def run(
        self, command: list[str], *, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            command, cwd=self.home, env=env or self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )


def pip(python: str | Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(python), "-m", "pip", "--disable-pip-version-check", "-q", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)


@cache
def installed() -> Installed:
    """Build the wheel from this clone and install it in a fresh virtualenv (once)."""
    top = Path(tempfile.mkdtemp(prefix="pcm-contracts-installed-"))
    atexit.register(shutil.rmtree, top, ignore_errors=True)
    built = pip(sys.executable, "wheel", "--no-deps", "-w", str(top / "dist"), str(ROOT))
    assert built.returncode == 0, built.stderr
    (wheel,) = (top / "dist").glob("pcm_contracts-*.whl")
    subprocess.run([sys.executable, "-m", "venv", str(top / "venv")], check=True, timeout=300)
    python = top / "venv" / "bin" / "python"
    done = pip(python, "install", str(wheel))
    assert done.returncode == 0, done.stderr
    playwright = pip(python, "install", "pytest-playwright").returncode == 0
    home = top / "home"
    home.mkdir()
    return Installed(top / "venv", home, playwright, built.stdout + built.stderr)
