"""The contract suite: live checks of a deployment of the PCM Jobs API.

Run it with ``pcm-contracts check [--base-url URL]``, or from any pytest set-up
with ``pytest --pyargs contracts.suite [--base-url URL]``; the fixtures come
from the plugin (``contracts.pytest_plugin``, loaded by its entry point).
Without a base URL it checks the built-in mock.
"""
