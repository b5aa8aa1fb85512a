"""``python -m contracts``: the same as the ``pcm-contracts`` command."""

from contracts.cli import main

raise SystemExit(main())
