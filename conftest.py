"""The contract suite's pytest plugin, for every test run from this checkout
(and pytester, with which the project tests that plugin)."""

pytest_plugins = ["contracts.pytest_plugin", "pytester"]
