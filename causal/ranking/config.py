"""How the ranker is trained and how its score adds up: `RankerConfig` and `ScoreWeights`.

Kept apart from the model (causal.ranking.model) so that training, weight selection and
evaluation can read a configuration without the scoring code, and the model never needs them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from causal.ranking.data import FeedbackKind


@dataclass(frozen=True)
class RankerConfig:
    """How to train and score the ranker. The defaults are the benchmark's best configuration.

    method: naive | ips | snips | dr_jl.  propensity: auto (a random-exposure sample when the
    dataset has one, else logistic) | logistic | random | none.  clip: smallest propensity.
    propensity_power: weights are (1/propensity)**power, rescaled to the same total; 0.5
    tempers IPS's variance (1 = plain IPS).  max_weight_ratio: no row weighs more than this
    many times the median row (None: no cap).  use_features: user/item attributes in the
    embeddings (SVDFeature-style).  use_text: item text embeddings as item features too (when
    embeddings are given).  confounders: popularity and position in the training logit only
    (PDA-style; None = on for click logs, whose exposure counts measure popularity apart from
    preference; implicit counts do not).  steps: optimizer steps (full-batch epochs when the
    log fits one batch).  random_slice: share of the random-exposure log used for
    propensities and tuning; it is recorded so evaluation leaves it out.  tune: pick the
    attribute regularisation among `feature_reg` and `feature_reg_grid`, then the id one
    among `reg` and `reg_grid`; tune_on: "slice" (loss on the random slice: unbiased, never
    evaluated on), "validation" (a held-out share of the training log) or "auto" (the slice
    when it has >= 50 labels); logs with more than tune_max_rows labelled rows skip tuning.
    popularity_weight / similarity_weight: how much the item's standardised popularity and
    its similarity to the user's liked items add to the score (0 popularity = deconfounded;
    None = chosen on validation, see below).  choice: train the choice model ("would they
    pick it", softmax over the catalogue, popularity as a training-time confounder; None =
    on for rating logs); choice_dim / choice_reg / choice_steps its size, L2 (pseudo-picks
    per item) and optimizer steps.  choice_weight: the choice model's share of the
    deconfounded score, in [0, 1] (the rating model gets the rest; None = chosen on
    validation).  Validation (for the weights left None): the random-exposure slice when it
    has >= 50 labels (AUC of liked vs not), else each user's last pick (or a random pick
    without timestamps) held out of a second training run (NDCG@10 over the catalogue).
    """

    method: str = "snips"
    propensity: str = "auto"
    clip: float = 0.01
    propensity_power: float = 0.5
    max_weight_ratio: float | None = 5.0
    dim: int = 32
    reg: float = 7.0
    bias_reg: float = 0.7
    feature_reg: float = 0.03
    steps: int = 150
    lr: float = 0.05
    use_features: bool = True
    use_text: bool = False
    confounders: bool | None = None
    negatives: int = 4
    imputation_dim: int = 8
    random_slice: float = 0.05
    tune: bool = True
    reg_grid: tuple[float, ...] = (2.0, 7.0, 20.0)
    feature_reg_grid: tuple[float, ...] = (0.01, 0.1)
    tune_on: str = "auto"
    tune_max_rows: int = 60_000
    validation_share: float = 0.1
    popularity_weight: float | None = None
    similarity_weight: float = 0.5
    choice: bool | None = None
    choice_dim: int = 64
    choice_reg: float = 3.0
    choice_steps: int = 200
    choice_weight: float | None = None
    kind: str | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        from causal.ranking.factor_training import Method
        from causal.ranking.propensity import PropensityMethod

        checks = [
            (
                self.method in {m.value for m in Method},
                f"method must be one of {[m.value for m in Method]}",
            ),
            (
                self.propensity in {"auto", *(p.value for p in PropensityMethod)},
                "propensity must be auto, logistic, random or none",
            ),
            (0.0 < self.clip <= 1.0, "clip must be in (0, 1]"),
            (0.0 <= self.propensity_power <= 1.0, "propensity_power must be in [0, 1]"),
            (
                self.max_weight_ratio is None or self.max_weight_ratio >= 1.0,
                "max_weight_ratio must be >= 1 (or None)",
            ),
            (
                self.tune_on in ("auto", "slice", "validation"),
                "tune_on must be auto, slice or validation",
            ),
            (self.dim >= 1, "dim must be positive"),
            (self.steps >= 1, "steps must be positive"),
            (self.lr > 0, "lr must be positive"),
            (min(self.reg, self.bias_reg, self.feature_reg) >= 0, "regularisation must be >= 0"),
            (0.0 <= self.random_slice < 1.0, "random_slice must be in [0, 1)"),
            (0.0 < self.validation_share < 0.5, "validation_share must be in (0, 0.5)"),
            (self.negatives >= 0, "negatives must be >= 0"),
            (
                self.popularity_weight is None or np.isfinite(self.popularity_weight),
                "popularity_weight must be a finite number (or None: chosen on validation)",
            ),
            (np.isfinite(self.similarity_weight), "similarity_weight must be a finite number"),
            (
                self.choice_weight is None or 0.0 <= self.choice_weight <= 1.0,
                "choice_weight must be in [0, 1] (or None: chosen on validation)",
            ),
            (
                self.choice_dim >= 1 and self.choice_steps >= 1 and self.choice_reg >= 0,
                "choice_dim and choice_steps must be positive, choice_reg >= 0",
            ),
            (
                self.kind is None or self.kind in {k.value for k in FeedbackKind},
                "kind must be rating, click or implicit",
            ),
        ]
        for ok, message in checks:
            if not ok:
                raise ValueError(f"RankerConfig: {message}")

    def fixes_weights(self, *, has_choice: bool) -> bool:
        """True when the config fixes every score weight (nothing to choose on validation)."""
        return self.popularity_weight is not None and (
            self.choice_weight is not None or not has_choice
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        out = asdict(self)
        out["reg_grid"] = list(self.reg_grid)
        out["feature_reg_grid"] = list(self.feature_reg_grid)
        return out

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> RankerConfig:
        """Inverse of `to_dict` (unknown keys are ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        values = {k: v for k, v in raw.items() if k in known}
        for key in ("reg_grid", "feature_reg_grid"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


@dataclass(frozen=True)
class ScoreWeights:
    """How the score's parts add up (see the module docstring); `source` says who chose them.

    preference + choice = 1 when a choice model exists (the deconfounded score's mix);
    popularity 0 = fully deconfounded.
    """

    preference: float = 1.0
    choice: float = 0.0
    popularity: float = 0.0
    similarity: float = 0.5
    source: str = "config"

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: Mapping[str, Any]) -> ScoreWeights:
        """Inverse of `to_dict` (unknown keys are ignored)."""
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in raw.items() if k in known})

    @classmethod
    def from_config(cls, config: RankerConfig, *, has_choice: bool) -> ScoreWeights:
        """The config's weights, with the defaults for those left to validation.

        Defaults: the rating (or click) model alone when no choice model was trained; an
        even mix of both models otherwise; popularity 0 (deconfounded).
        """
        mix = config.choice_weight
        if mix is None:
            mix = 0.5 if has_choice else 0.0
        if not has_choice:
            mix = 0.0
        return cls(
            preference=1.0 - mix,
            choice=mix,
            popularity=config.popularity_weight or 0.0,
            similarity=config.similarity_weight,
            source="config" if config.fixes_weights(has_choice=has_choice) else "default",
        )
