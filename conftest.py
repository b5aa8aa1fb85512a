"""The project's own test run. The suite's plugin (contracts.pytest_plugin)
loads by its entry point, as it does for users; pytester tests that plugin."""

import os

# The self-tests start the suite in dozens of subprocesses: let them keep their
# compiled modules (and pytest its rewritten ones) instead of compiling every
# module again each time, which a PYTHONDONTWRITEBYTECODE in the environment
# would make them do.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

pytest_plugins = ["pytester"]
