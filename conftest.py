"""The project's own test run. The suite's plugin (contracts.pytest_plugin)
loads by its entry point, as it does for users; pytester tests that plugin."""

pytest_plugins = ["pytester"]
