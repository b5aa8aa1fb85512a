"""Exceptions raised for misuse of the package.

A payload that breaks the contract is never an exception: it is a list of
:class:`contracts.violations.Violation` values. Exceptions are for calls that
cannot be answered at all::

    ContractError                 base of everything raised here
    ├── UnknownRoute              no documented operation for (method, path)
    ├── UnknownSchema             no schema with that $id in schemas/
    ├── OptionError               a malformed option value (e.g. --strictness)
    ├── SpecError                 a published OpenAPI document that cannot be read (spec-diff)
    └── MissingExtra              an input that needs an optional package (s3://: pip install 'pcm-contracts[s3]')
"""

from __future__ import annotations


class ContractError(Exception):
    """Base class of every exception this package raises on purpose."""


class UnknownRoute(ContractError):
    """The (method, path) pair matches no documented operation."""


class UnknownSchema(ContractError):
    """No schema with the given ``$id`` is loaded."""


class OptionError(ContractError, ValueError):
    """An option value could not be parsed."""


class SpecError(ContractError):
    """A published OpenAPI document cannot be read: unreadable, not YAML/JSON, not
    OpenAPI 3.0/3.1, or a ``$ref`` that does not resolve or refers to itself."""


class MissingExtra(ContractError):
    """An input needs an optional package that is not installed (a remote URL
    without its file system: ``pip install 'pcm-contracts[s3]'``)."""


def one_line(error: BaseException) -> str:
    """An error said in one line, for a reason in a report: an ``OSError``'s
    ``strerror``, else the first line of its text that is not blank, else the
    name of its type. (A file system package may put the server's whole
    answer in its message: gcsfs gives ``Forbidden: URL`` and the answer's
    message on the next line.)"""
    if isinstance(error, OSError) and error.strerror:
        return str(error.strerror)
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[0] if lines else type(error).__name__
