"""Causal effects, identify -> estimate -> refute (laid out like DoWhy): the names callers use.

`estimate_effect` answers one question on a given graph; `estimate_on_learned_graph` widens
its interval for a discovered graph's uncertainty or declines. Inside: `identification`,
`setup` (the numeric question), `estimators/` (one module per estimator, `registry` keyed by
method name), `refuters/` (one module per refuter), `results` (typed answers).
"""

from causal.effects.errors import (
    BadValueError,
    ConstantColumnError,
    EffectError,
    MethodError,
    TooFewRowsError,
)
from causal.effects.identification import choose_source, identify
from causal.effects.learned_graph import alternative_graphs, estimate_on_learned_graph
from causal.effects.pipeline import estimate_effect
from causal.effects.refuters import refute
from causal.effects.results import (
    EffectMethod,
    EffectResult,
    Identification,
    Refutation,
    Source,
)
from causal.effects.values import match_value, parse_given

__all__ = [
    "BadValueError",
    "ConstantColumnError",
    "EffectError",
    "EffectMethod",
    "EffectResult",
    "Identification",
    "MethodError",
    "Refutation",
    "Source",
    "TooFewRowsError",
    "alternative_graphs",
    "choose_source",
    "estimate_effect",
    "estimate_on_learned_graph",
    "identify",
    "match_value",
    "parse_given",
    "refute",
]
