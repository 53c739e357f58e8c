"""A do-query on a discrete Bayesian network fitted with pgmpy (confounders, treatment, outcome)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from causal.datasets.analysis_table import Frame
from causal.datasets.variables import Kind, VariableSpec
from causal.effects.errors import MethodError
from causal.effects.problem import Estimate
from causal.effects.results import Source
from causal.effects.setup import Question, Setup


def bn_do(
    setup: Setup,
    question: Question,
    *,
    n_boot: int,
    rng: np.random.Generator,
) -> Estimate:
    """pgmpy do-query on a discrete Bayesian network over confounders, treatment and outcome."""
    import logging
    import warnings

    from pgmpy.inference import CausalInference
    from pgmpy.models import DiscreteBayesianNetwork
    from pgmpy.parameter_estimator import DiscreteBayesianEstimator

    table, treatment, outcome = question.table, question.treatment, question.outcome
    ident = question.ident
    y_spec = table.spec(outcome)
    if not y_spec.numeric:
        raise MethodError("bn_do needs a numeric outcome")
    if setup.control_value is None:
        raise MethodError("bn_do needs an explicit control value (do(T = B))")
    frame = Frame.RANDOM if ident.source is Source.RANDOM else Frame.ROWS
    codes = table.codes(frame).loc[setup.source_frame.index]
    t_spec = table.spec(treatment)
    a_code = code_of(t_spec, setup.treatment_value)
    b_code = code_of(t_spec, setup.control_value)
    # The backdoor network: confounders -> treatment, confounders and treatment -> outcome.
    # (Fitting the whole ancestral graph gives the outcome a CPT too sparse to estimate.)
    adjustment = [c for c in ident.adjustment_set if c in codes.columns]
    nodes = [*adjustment, treatment, outcome]
    edges = [(c, treatment) for c in adjustment] + [(c, outcome) for c in adjustment]
    edges.append((treatment, outcome))
    data = codes[nodes]
    data = data[(data >= 0).all(axis=1)]
    values = np.asarray(y_spec.values, dtype=float)

    def fit_query(frame_codes: pd.DataFrame) -> float:
        model = DiscreteBayesianNetwork(edges)
        model.add_nodes_from(nodes)
        states = {n: list(range(max(table.spec(n).n_levels, 1))) for n in nodes}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            logging.getLogger("pgmpy").setLevel(logging.ERROR)
            model.fit(
                frame_codes,
                estimator=DiscreteBayesianEstimator(
                    prior_type="BDeu", equivalent_sample_size=1, state_names=states
                ),
            )
            ci = CausalInference(model)
            out = []
            for code in (a_code, b_code):
                dist = ci.query(
                    [outcome],
                    do={treatment: code},
                    adjustment_set=set(adjustment),
                    show_progress=False,
                )
                probs = np.asarray(dist.values, dtype=float)
                names = dist.state_names[outcome]
                out.append(
                    float(sum(values[int(s)] * pr for s, pr in zip(names, probs, strict=True)))
                )
        return out[0] - out[1]

    value = fit_query(data)
    b = min(n_boot, 20)
    boots = []
    for _ in range(b):
        idx = rng.integers(0, len(data), size=len(data))
        boots.append(fit_query(data.iloc[idx]))
    lo, hi = np.percentile(boots, [2.5, 97.5]) if len(boots) >= 2 else (np.nan, np.nan)
    return Estimate(
        value, float(lo), float(hi), b, (f"interval from {b} bootstrap refits of the network",)
    )


def code_of(spec: VariableSpec, value: Any) -> int:
    if spec.numeric and spec.kind is not Kind.CONTINUOUS:
        lookup = np.asarray(spec.values)
        hit = np.flatnonzero(np.isclose(lookup, float(value)))
        if len(hit):
            return int(hit[0])
    labels = [lab.lower() for lab in spec.labels]
    text = str(value).strip().lower()
    if text in labels:
        return labels.index(text)
    raise MethodError(f"bn_do cannot map {spec.name} = {value!r} to a level of the network")


__all__ = ["bn_do", "code_of"]
