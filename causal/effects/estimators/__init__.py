"""Estimators, one module each, looked up by method name in `registry.ESTIMATORS`."""

from causal.effects.estimators.registry import (
    ESTIMATORS,
    Estimator,
    get_estimator,
    resolve_method,
    run_method,
)

__all__ = ["ESTIMATORS", "Estimator", "get_estimator", "resolve_method", "run_method"]
