"""The contract suite's pytest plugin, for every test run from this checkout."""

pytest_plugins = ["contracts.pytest_plugin"]
