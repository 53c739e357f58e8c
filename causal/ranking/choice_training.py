"""Train the choice model (causal.ranking.choice_model) with torch: softmax over items, PDA confounder.

Kept apart from causal.ranking.choice_model so that scoring a trained model never imports torch.
"""

from __future__ import annotations

import numpy as np
import torch

from causal.ranking.choice_model import (
    DENSE_CELLS,
    SAMPLED_ITEMS,
    ChoiceParams,
    ChoiceSpec,
    Picks,
)
from causal.ranking.factor_training import popularity_z, torch_threads

MIN_SAMPLED_EPOCHS = 10  # sampled mode: at least this many passes over the users ...
MAX_STEP_FACTOR = 20  # ... but never more than this many times spec.steps


class ChoiceNet(torch.nn.Module):
    """Item context/target vectors and biases from ids, attributes and text; user attributes.

    Only items with picks have id parameters: an item never picked is scored from its
    attributes alone, in training exactly as after export (and a catalogue of 100k items
    with 20k picked ones trains 20k id rows).
    """

    def __init__(
        self,
        active: np.ndarray,
        n_items: int,
        spec: ChoiceSpec,
        user_features: torch.Tensor,
        item_features: torch.Tensor,
        text: torch.Tensor | None,
        generator: torch.Generator,
    ) -> None:
        super().__init__()
        d = spec.dim

        def small(*shape: int) -> torch.nn.Parameter:
            return torch.nn.Parameter(torch.randn(*shape, generator=generator) * 0.01)

        slot = np.full(n_items + 1, len(active), dtype=np.int64)  # the extra row stays zero
        slot[active] = np.arange(len(active))
        self.register_buffer("slot", torch.from_numpy(slot))
        self.n_active = len(active)
        self.Y = small(len(active), d)
        self.Q = small(len(active), d)
        self.b = torch.nn.Parameter(torch.zeros(len(active)))
        self.gamma = torch.nn.Parameter(torch.zeros(()))
        self.use_features = spec.use_features
        self.register_buffer("UF", user_features)
        self.register_buffer("IF", item_features)
        self.A = small(user_features.shape[1], d)
        self.By = small(item_features.shape[1], d)
        self.Bq = small(item_features.shape[1], d)
        self.wb = torch.nn.Parameter(torch.zeros(item_features.shape[1]))
        self.has_text = text is not None
        if text is not None:
            self.register_buffer("T", text)
            self.Cy = small(text.shape[1], d)
            self.Cq = small(text.shape[1], d)
            self.wt = torch.nn.Parameter(torch.zeros(text.shape[1]))

    def items(self, idx: torch.Tensor):
        """(context vectors, target vectors, biases) of the items `idx`."""
        zero = torch.zeros(1, self.Y.shape[1])
        rows = self.slot[idx]
        y = torch.cat([self.Y, zero])[rows]
        q = torch.cat([self.Q, zero])[rows]
        b = torch.cat([self.b, torch.zeros(1)])[rows]
        if self.use_features:
            f = self.IF[idx]
            y = y + f @ self.By
            q = q + f @ self.Bq
            b = b + f @ self.wb
        if self.has_text:
            t = self.T[idx]
            y = y + t @ self.Cy
            q = q + t @ self.Cq
            b = b + t @ self.wt
        return y, q, b

    def user_attributes(self, users: torch.Tensor) -> torch.Tensor:
        """x_u A for some users (zeros without features)."""
        if not self.use_features:
            return torch.zeros(len(users), self.Y.shape[1])
        return self.UF[users] @ self.A

    def shared_penalty(self) -> torch.Tensor:
        """Total L2 on the attribute and text weights."""
        out = torch.zeros(())
        if self.use_features:
            out = out + (self.A**2).sum() + (self.By**2).sum() + (self.Bq**2).sum()
            out = out + (self.wb**2).sum()
        if self.has_text:
            out = out + (self.Cy**2).sum() + (self.Cq**2).sum() + (self.wt**2).sum()
        return out


def fit_choice_model(
    picks: Picks,
    spec: ChoiceSpec,
    *,
    item_counts: np.ndarray,
    user_features: np.ndarray,
    item_features: np.ndarray,
    text: np.ndarray | None = None,
    progress: bool = False,
    description: str = "choice model",
) -> ChoiceParams:
    """Train the choice model on `picks` (torch, one thread, seeded) and export numpy arrays.

    `item_counts` (logged interactions per item) define the popularity confounder.
    """
    if len(picks.users) == 0:
        raise ValueError("the choice model needs at least one pick")
    with torch_threads(1):
        return _train(
            picks,
            spec,
            np.asarray(item_counts, dtype=np.float64),
            np.asarray(user_features, dtype=np.float32),
            np.asarray(item_features, dtype=np.float32),
            None if text is None else np.asarray(text, dtype=np.float32),
            progress,
            description,
        )


def _train(
    picks: Picks,
    spec: ChoiceSpec,
    item_counts: np.ndarray,
    user_features: np.ndarray,
    item_features: np.ndarray,
    text: np.ndarray | None,
    progress: bool,
    description: str,
) -> ChoiceParams:
    from causal.progress import progress_bar

    torch.manual_seed(spec.seed)
    gen = torch.Generator().manual_seed(spec.seed)
    rng = np.random.default_rng(spec.seed)
    n_users, n_items = picks.n_users, picks.n_items
    net = ChoiceNet(
        np.unique(picks.items),
        n_items,
        spec,
        torch.from_numpy(user_features),
        torch.from_numpy(item_features),
        None if text is None else torch.from_numpy(text),
        gen,
    )
    n_picks = len(picks.users)
    per_user = np.bincount(picks.users, minlength=n_users).astype(np.float64)
    norm_np = np.where(per_user > 0, np.maximum(per_user, 1.0) ** -spec.alpha, 0.0)
    norm = torch.from_numpy(norm_np.astype(np.float32))
    pop = torch.from_numpy(popularity_z(item_counts).astype(np.float32))
    opt = torch.optim.Adam(net.parameters(), lr=spec.lr)
    id_scale = 1.0 / n_picks  # the prior is worth `reg` picks per id, whatever the log's size

    dense = n_users * n_items <= DENSE_CELLS
    batches = (
        _full_batches(picks)
        if dense
        else _sampled_batches(picks, rng, n_items, min(SAMPLED_ITEMS, n_items))
    )
    steps = spec.steps
    if not dense:
        steps = min(max(steps, MIN_SAMPLED_EPOCHS * batches.per_epoch), MAX_STEP_FACTOR * steps)
    bar = progress_bar(steps, description, enabled=progress, leave=False)
    for _ in range(steps):
        # cols holds every item the batch's users picked: their whole history is in view.
        users, cols, x, correction = next(batches)
        opt.zero_grad()
        y, q, b = net.items(cols)
        p = norm[users, None] * (x @ y) + net.user_attributes(users)
        self_term = (y * q).sum(1)  # an item is no evidence for itself
        logits = p @ q.T + b[None, :] - norm[users, None] * x * self_term[None, :]
        if spec.confounder:
            logits = logits + net.gamma * pop[cols][None, :]
        if correction is not None:
            logits = logits + correction[None, :]
        picked = x.sum()
        data_loss = (
            -(logits * x).sum() + (x.sum(1) * torch.logsumexp(logits, 1)).sum()
        ) / picked.clamp_min(1.0)
        ids = spec.reg * ((net.Y**2).sum() + (net.Q**2).sum()) + spec.bias_reg * (net.b**2).sum()
        loss = data_loss + id_scale * ids + spec.feature_reg * net.shared_penalty()
        loss.backward()
        opt.step()
        bar.update(1)
    bar.close()
    return _export(net, picks, spec)


class _Batches:
    """An endless iterator of (users, item columns, picks matrix, logit correction)."""

    def __init__(self, generator, per_epoch: int) -> None:
        self._gen = generator
        self.per_epoch = per_epoch

    def __iter__(self):
        return self

    def __next__(self):
        return next(self._gen)


def _full_batches(picks: Picks) -> _Batches:
    """Every user against every item: the exact softmax."""
    users = torch.arange(picks.n_users)
    cols = torch.arange(picks.n_items)
    x = torch.zeros(picks.n_users, picks.n_items)
    x[torch.from_numpy(picks.users), torch.from_numpy(picks.items)] = 1.0

    def gen():
        while True:
            yield users, cols, x, None

    return _Batches(gen(), 1)


def _sampled_batches(
    picks: Picks, rng: np.random.Generator, n_items: int, n_sampled: int
) -> _Batches:
    """Groups of users (about n_sampled picks each) against their picks plus sampled items.

    Sampled items get the log-Q correction log(n_items / n_sampled), so the sampled softmax
    estimates the full one.
    """
    active = np.unique(picks.users)
    bounds = np.r_[0, np.cumsum(np.bincount(picks.users, minlength=picks.n_users))]
    counts = bounds[1:] - bounds[:-1]
    groups: list[np.ndarray] = []
    current: list[int] = []
    load = 0
    for u in active.tolist():
        if current and load + counts[u] > n_sampled:
            groups.append(np.array(current))
            current, load = [], 0
        current.append(u)
        load += int(counts[u])
    if current:
        groups.append(np.array(current))
    shift = float(np.log(n_items / n_sampled))

    def gen():
        while True:
            for g in rng.permutation(len(groups)):
                users = groups[g]
                rows = np.concatenate([np.arange(bounds[u], bounds[u + 1]) for u in users])
                positives = np.unique(picks.items[rows])
                sampled = rng.choice(n_items, size=n_sampled, replace=False)
                sampled = sampled[~np.isin(sampled, positives)]
                cols = np.concatenate([positives, sampled])
                column = np.full(n_items, -1, dtype=np.int64)
                column[cols] = np.arange(len(cols))
                local = np.repeat(np.arange(len(users)), counts[users])
                x = torch.zeros(len(users), len(cols))
                x[torch.from_numpy(local), torch.from_numpy(column[picks.items[rows]])] = 1.0
                correction = torch.zeros(len(cols))
                correction[len(positives) :] = shift
                yield torch.from_numpy(users), torch.from_numpy(cols), x, correction

    return _Batches(gen(), len(groups))


def _export(net: ChoiceNet, picks: Picks, spec: ChoiceSpec) -> ChoiceParams:
    """numpy arrays for every item; items never picked have only their attribute (text) part."""
    with torch.no_grad():
        y, q, b = net.items(torch.arange(picks.n_items))
        a = net.A if spec.use_features else torch.zeros_like(net.A)

        def np64(t: torch.Tensor) -> np.ndarray:
            return t.detach().double().numpy().copy()

        return ChoiceParams(
            context_vec=np64(y),
            target_vec=np64(q),
            target_bias=np64(b),
            user_feat_vec=np64(a),
            alpha=spec.alpha,
            pop_effect=float(net.gamma.detach()) if spec.confounder else 0.0,
        )
