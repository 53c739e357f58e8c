"""The errors an effect question can raise: bad input a person can act on, never a bug."""

from __future__ import annotations


class EffectError(ValueError):
    """An effect question that cannot be asked of this data as posed."""


class ConstantColumnError(EffectError):
    """The treatment or outcome takes a single value in the rows used."""


class TooFewRowsError(EffectError):
    """Not enough rows (overall or in an arm) for the method."""


class BadValueError(EffectError):
    """A treatment, control or subgroup value that does not occur in the data."""


class MethodError(EffectError):
    """A method that does not apply to this treatment or outcome."""


__all__ = ["BadValueError", "ConstantColumnError", "EffectError", "MethodError", "TooFewRowsError"]
