"""``python -m contracts``: the same as the ``pcm-contracts`` command."""

from contracts.cli import main

if __name__ == "__main__":  # not again in a process spawned from this one (a Dask worker)
    raise SystemExit(main())
