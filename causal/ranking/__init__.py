"""The debiased recommender: what a user prefers, not what the logging policy happened to show.

The scoring side (no torch) is re-exported here: `Ranker`, `RankerConfig`, `ScoreWeights`,
`ScoredItem`, `UnknownItemsError`. Training imports the model, never the reverse. Modules:

- scoring: data (the log encoded for training), metrics (AUC, NDCG, the leave-last-out
  protocol), factor_params / choice_model (the two trained models' arrays), config
  (RankerConfig, ScoreWeights), user_state (a user's vectors, feedback fold-in, signals
  removed), model (`Ranker`: score, fold in, save, load);
- training: propensity (exposure propensities), factor_training / choice_training (torch),
  weights (score weights chosen on validation), training (`train_ranker`), evaluation
  (random-log and leave-last-out figures), build (`build_ranker`, the workspace step);
- counterfactual_arrays / counterfactual_pulls / counterfactual (verified counterfactual
  reasons: the ranker re-scored without some of the user's signals).
"""

from causal.ranking.config import RankerConfig, ScoreWeights
from causal.ranking.model import Ranker, ScoredItem
from causal.ranking.user_state import UnknownItemsError

__all__ = ["Ranker", "RankerConfig", "ScoreWeights", "ScoredItem", "UnknownItemsError"]
