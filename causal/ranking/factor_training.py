"""Train the ranker's factor model with torch: naive, IPS, SNIPS or DR-JL losses.

Losses over the labelled rows D_obs of the full user x item matrix D, with row weights
w = 1/propensity:

- naive:  sum l / |D_obs|                          (what the log shows, bias and all)
- IPS:    sum w l / |D|                            (unbiased for the full-matrix loss)
- SNIPS:  sum w l / sum w                          (self-normalised: lower variance)
- DR-JL:  mean over sampled pairs of l(f, g) + sum w (l(f, y) - l(f, g)) / |D|, where the
          imputation model g is trained jointly on sum w (e - e_hat)^2 (Wang et al., ICML 2019).

Squared error for ratings, logistic loss for clicks and implicit positives (implicit logs
get uniformly sampled negatives each epoch). For click and implicit logs, item popularity and
the logged position enter the logit as confounders during training only (PDA-style, Zhang et
al., SIGIR 2021), so the exported preference is what remains once they are explained away.
Everything is seeded: the same data, config and seed give identical parameters.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import torch
import torch.nn.functional as F

from causal.ranking.data import FeedbackKind, RankingData
from causal.ranking.factor_params import FactorParams

MAX_POSITION = 20
DR_PAIRS_PER_ROW = 2  # sampled (user, item) pairs per labelled row for DR's direct term
SINGLE_THREAD_ROWS = 300_000  # below this many rows per epoch, extra threads only contend


class Method(StrEnum):
    """How observed rows are weighted in the loss."""

    NAIVE = "naive"
    IPS = "ips"
    SNIPS = "snips"
    DR_JL = "dr_jl"


@dataclass(frozen=True)
class FitSpec:
    """Hyper-parameters of one training run."""

    method: Method = Method.SNIPS
    dim: int = 32
    reg: float = 7.0  # L2 on id vectors, in pseudo-rows per id (uniform_reg)
    bias_reg: float = 0.7  # L2 on id biases, in pseudo-rows per id
    feature_reg: float = 0.03  # L2 on attribute/text weights, in total
    steps: int = 150  # optimizer steps (full-batch epochs when the log fits one batch)
    lr: float = 0.05
    batch_size: int = 16_384
    negatives: int = 4  # sampled negatives per implicit positive
    use_features: bool = True
    uniform_reg: bool = True
    confounders: bool = False  # popularity/position terms in the logit during training
    imputation_dim: int = 8
    seed: int = 0


class FactorModel(torch.nn.Module):
    """SVDFeature-style MF: id embeddings plus attribute (and text) projections, with biases."""

    def __init__(
        self,
        n_users: int,
        n_items: int,
        dim: int,
        user_features: torch.Tensor,
        item_features: torch.Tensor,
        text: torch.Tensor | None,
        mu: float,
        generator: torch.Generator,
        use_features: bool,
        confounders: bool,
    ) -> None:
        super().__init__()
        scale = 0.1
        self.P = torch.nn.Parameter(torch.randn(n_users, dim, generator=generator) * scale)
        self.Q = torch.nn.Parameter(torch.randn(n_items, dim, generator=generator) * scale)
        self.bu = torch.nn.Parameter(torch.zeros(n_users))
        self.bi = torch.nn.Parameter(torch.zeros(n_items))
        self.mu = torch.nn.Parameter(torch.tensor(float(mu)))
        self.use_features = use_features
        self.register_buffer("UF", user_features)
        self.register_buffer("IF", item_features)
        nu, ni = user_features.shape[1], item_features.shape[1]
        self.A = torch.nn.Parameter(torch.randn(nu, dim, generator=generator) * scale)
        self.B = torch.nn.Parameter(torch.randn(ni, dim, generator=generator) * scale)
        self.wu = torch.nn.Parameter(torch.zeros(nu))
        self.wi = torch.nn.Parameter(torch.zeros(ni))
        self.has_text = text is not None
        if text is not None:
            self.register_buffer("T", text)
            self.C = torch.nn.Parameter(torch.randn(text.shape[1], dim, generator=generator) * 0.01)
            self.wt = torch.nn.Parameter(torch.zeros(text.shape[1]))
        self.confounders = confounders
        self.user_mask: torch.Tensor | None = None  # ids with training rows (uniform_reg)
        self.item_mask: torch.Tensor | None = None
        self.rows_per_epoch = 1.0  # the loss is a mean over these rows (uniform_reg scale)
        self.gamma = torch.nn.Parameter(torch.zeros(()))
        self.delta = torch.nn.Parameter(torch.zeros(MAX_POSITION + 1))

    def tables(self) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
        """(user vectors, item vectors, user biases, item biases) for every user and item."""
        pu, qi, bu, bi = self.P, self.Q, self.bu, self.bi
        if self.use_features:
            pu = pu + self.UF @ self.A
            qi = qi + self.IF @ self.B
            bu = bu + self.UF @ self.wu
            bi = bi + self.IF @ self.wi
        if self.has_text:
            qi = qi + self.T @ self.C
            bi = bi + self.T @ self.wt
        return pu, qi, bu, bi

    def forward(
        self,
        users: torch.Tensor,
        items: torch.Tensor,
        pop: torch.Tensor | None = None,
        position: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Predicted target (rating or logit); confounder terms added when given."""
        pu, qi, bu, bi = self.tables()
        out = self.mu + bu[users] + bi[items] + (pu[users] * qi[items]).sum(1)
        if self.confounders and pop is not None:
            out = out + self.gamma * pop
        if self.confounders and position is not None:
            out = out + self.delta[position]
        return out

    def penalty(self, users: torch.Tensor, items: torch.Tensor, w: torch.Tensor, spec: FitSpec):
        """L2 on ids plus total L2 on shared weights.

        uniform_reg: every id with data gets the same prior, worth `reg` (`bias_reg` for
        biases) pseudo-rows against its own rows, whatever the log's size: an item rated
        once is shrunk towards its attribute part, a popular one barely. Otherwise the
        penalty is per example (weighted like the loss), which shrinks frequent ids more.
        """
        if spec.uniform_reg and self.user_mask is not None and self.item_mask is not None:
            um, im = self.user_mask, self.item_mask
            rows = max(self.rows_per_epoch, 1.0)
            ids = (((self.P[um] ** 2).sum(1)).sum() + ((self.Q[im] ** 2).sum(1)).sum()) / rows
            biases = ((self.bu[um] ** 2).sum() + (self.bi[im] ** 2).sum()) / rows
        else:
            total = w.sum().clamp_min(1e-12)
            ids = (w * ((self.P[users] ** 2).sum(1) + (self.Q[items] ** 2).sum(1))).sum() / total
            biases = (w * (self.bu[users] ** 2 + self.bi[items] ** 2)).sum() / total
        out = spec.reg * ids + spec.bias_reg * biases
        shared = torch.zeros(())
        if self.use_features:
            shared = shared + (self.A**2).sum() + (self.B**2).sum()
            shared = shared + (self.wu**2).sum() + (self.wi**2).sum()
        if self.has_text:
            shared = shared + (self.C**2).sum() + (self.wt**2).sum()
        return out + spec.feature_reg * shared

    def export(self, has_rows_user: np.ndarray, has_rows_item: np.ndarray) -> FactorParams:
        """numpy parameters; ids never seen in training keep only their attribute part."""
        with torch.no_grad():
            P = self.P.detach().clone()
            Q = self.Q.detach().clone()
            bu = self.bu.detach().clone()
            bi = self.bi.detach().clone()
            P[torch.from_numpy(~has_rows_user)] = 0.0
            bu[torch.from_numpy(~has_rows_user)] = 0.0
            Q[torch.from_numpy(~has_rows_item)] = 0.0
            bi[torch.from_numpy(~has_rows_item)] = 0.0
            dim = P.shape[1]
            if self.use_features:
                A, B, wu, wi = self.A, self.B, self.wu, self.wi
            else:
                A = torch.zeros_like(self.A)
                B = torch.zeros_like(self.B)
                wu = torch.zeros_like(self.wu)
                wi = torch.zeros_like(self.wi)
            user_vec = P + self.UF @ A
            user_bias = bu + self.UF @ wu
            item_vec = Q + self.IF @ B
            item_bias = bi + self.IF @ wi
            if self.has_text:
                item_vec = item_vec + self.T @ self.C
                item_bias = item_bias + self.T @ self.wt
                C, wt = self.C, self.wt
            else:
                C, wt = torch.zeros(0, dim), torch.zeros(0)

            def np64(t: torch.Tensor) -> np.ndarray:
                return t.detach().double().numpy().copy()

            return FactorParams(
                mu=float(self.mu.detach()),
                user_bias=np64(user_bias),
                user_vec=np64(user_vec),
                item_bias=np64(item_bias),
                item_vec=np64(item_vec),
                user_feat_vec=np64(A),
                user_feat_bias=np64(wu),
                item_feat_vec=np64(B),
                item_feat_bias=np64(wi),
                text_vec=np64(C),
                text_bias=np64(wt),
                pop_effect=float(self.gamma.detach()) if self.confounders else 0.0,
                position_effect=np64(self.delta) if self.confounders else np.zeros(0),
            )


def popularity_z(counts: np.ndarray) -> np.ndarray:
    """Standardised log(1 + count): the popularity confounder's scale."""
    pop = np.log1p(np.asarray(counts, dtype=float))
    return (pop - pop.mean()) / (pop.std() or 1.0)


@contextmanager
def torch_threads(n: int) -> Iterator[None]:
    """Run torch on `n` threads inside the block (small models are fastest on one)."""
    before = torch.get_num_threads()
    torch.set_num_threads(max(1, n))
    try:
        yield
    finally:
        torch.set_num_threads(before)


def fit_factor_model(
    data: RankingData,
    spec: FitSpec,
    *,
    inverse_propensity: np.ndarray | None = None,
    text: np.ndarray | None = None,
    progress: bool = False,
    description: str = "ranker",
) -> FactorParams:
    """Train one factor model on `data` and return its numpy parameters."""
    per_epoch = data.n_rows * (1 + spec.negatives if data.kind is FeedbackKind.IMPLICIT else 1)
    threads = 1 if per_epoch < SINGLE_THREAD_ROWS else 2
    with torch_threads(threads):
        return _fit(data, spec, inverse_propensity, text, progress, description)


def _fit(
    data: RankingData,
    spec: FitSpec,
    inverse_propensity: np.ndarray | None,
    text: np.ndarray | None,
    progress: bool,
    description: str,
) -> FactorParams:
    torch.manual_seed(spec.seed)
    gen = torch.Generator().manual_seed(spec.seed)
    rng = np.random.default_rng(spec.seed)
    binary = data.kind is not FeedbackKind.RATING
    loss_name = "bce" if binary else "mse"

    n = data.n_rows
    w_np = np.ones(n) if inverse_propensity is None else np.asarray(inverse_propensity, float)
    if spec.method is Method.NAIVE:
        w_np = np.ones(n)
    mean_target = float(np.average(data.target, weights=w_np))
    if binary:
        rate = float(np.clip(mean_target, 1e-3, 1 - 1e-3))
        if data.kind is FeedbackKind.IMPLICIT:
            rate = 1.0 / (1.0 + spec.negatives)
        mu = float(np.log(rate / (1 - rate)))
    else:
        mu = mean_target

    uf = torch.from_numpy(np.asarray(data.user_features, dtype=np.float32))
    itf = torch.from_numpy(np.asarray(data.item_features, dtype=np.float32))
    tt = None if text is None else torch.from_numpy(np.asarray(text, dtype=np.float32))
    model = FactorModel(
        data.n_users,
        data.n_items,
        spec.dim,
        uf,
        itf,
        tt,
        mu,
        gen,
        spec.use_features,
        spec.confounders,
    )
    imputer = None
    if spec.method is Method.DR_JL:
        imputer = FactorModel(
            data.n_users,
            data.n_items,
            spec.imputation_dim,
            uf,
            itf,
            tt,
            mu,
            gen,
            spec.use_features,
            False,
        )

    user_mask = torch.from_numpy(np.bincount(data.rows_user, minlength=data.n_users) > 0)
    item_mask = torch.from_numpy(np.bincount(data.rows_item, minlength=data.n_items) > 0)
    rows_per_epoch = float(data.n_rows)
    if data.kind is FeedbackKind.IMPLICIT:
        rows_per_epoch *= 1 + spec.negatives
    for m in (model, imputer):
        if m is not None:
            m.user_mask, m.item_mask = user_mask, item_mask
            m.rows_per_epoch = rows_per_epoch
    users = torch.from_numpy(data.rows_user)
    items = torch.from_numpy(data.rows_item)
    target = torch.from_numpy(data.target.astype(np.float32))
    weights = torch.from_numpy(w_np.astype(np.float32))
    pop_all = torch.from_numpy(popularity_z(data.item_counts).astype(np.float32))
    positions = None
    if data.rows_position is not None:
        positions = torch.from_numpy(np.clip(data.rows_position, 0, MAX_POSITION))
    n_pairs = float(data.n_users) * float(data.n_items)

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.Adam(params, lr=spec.lr)
    opt_imp = torch.optim.Adam(imputer.parameters(), lr=spec.lr) if imputer is not None else None

    from causal.progress import progress_bar

    n_per_epoch = len(target) * (
        1 + spec.negatives if data.kind is FeedbackKind.IMPLICIT and spec.negatives > 0 else 1
    )
    batches = max(1, -(-n_per_epoch // spec.batch_size))
    epochs = max(1, -(-spec.steps // batches))
    bar = progress_bar(epochs * batches, description, enabled=progress, leave=False)
    loss = torch.zeros(())
    for _epoch in range(epochs):
        u, i, y, w, pos = users, items, target, weights, positions
        if data.kind is FeedbackKind.IMPLICIT and spec.negatives > 0:
            u, i, y, w, pos = _with_negatives(data, spec, rng, u, i, y, w, pos)
        order = (
            torch.randperm(len(y), generator=gen)
            if len(y) > spec.batch_size
            else torch.arange(len(y))
        )
        for start in range(0, len(y), spec.batch_size):
            idx = order[start : start + spec.batch_size]
            bu, bi, by, bw = u[idx], i[idx], y[idx], w[idx]
            bpos = None if pos is None else pos[idx]
            frac = len(idx) / len(y)
            if imputer is not None and opt_imp is not None:
                _imputation_step(model, imputer, opt_imp, bu, bi, by, bw, loss_name, spec)
            opt.zero_grad()
            pred = model(bu, bi, pop_all[bi], bpos)
            per_row = _loss(pred, by, loss_name)
            if spec.method is Method.IPS:
                data_loss = (bw * per_row).sum() / (n_pairs * frac)
            elif spec.method is Method.DR_JL and imputer is not None:
                data_loss = _dr_loss(
                    model,
                    imputer,
                    data,
                    gen,
                    pop_all,
                    bu,
                    bi,
                    by,
                    bw,
                    bpos,
                    loss_name,
                    n_pairs,
                    frac,
                )
            else:
                data_loss = (bw * per_row).sum() / bw.sum().clamp_min(1e-12)
            loss = data_loss + model.penalty(bu, bi, bw, spec)
            loss.backward()
            opt.step()
            bar.update(1)
        if progress:
            bar.set_postfix(loss=f"{float(loss.detach()):.4f}")
    bar.close()
    has_user = np.bincount(data.rows_user, minlength=data.n_users) > 0
    has_item = np.bincount(data.rows_item, minlength=data.n_items) > 0
    model.eval()
    return model.export(has_user, has_item)


def _loss(pred: torch.Tensor, target: torch.Tensor, loss_name: str) -> torch.Tensor:
    if loss_name == "mse":
        return (pred - target) ** 2
    return F.binary_cross_entropy_with_logits(pred, target, reduction="none")


def _soft_loss(pred: torch.Tensor, imputed: torch.Tensor, loss_name: str) -> torch.Tensor:
    """Loss against the imputation model's prediction (a soft label for logits)."""
    if loss_name == "mse":
        return (pred - imputed) ** 2
    return F.binary_cross_entropy_with_logits(pred, torch.sigmoid(imputed), reduction="none")


def _imputation_step(model, imputer, opt_imp, u, i, y, w, loss_name, spec) -> None:
    """DR-JL's imputation update: fit e_hat = l(f, g) to the observed error e = l(f, y)."""
    opt_imp.zero_grad()
    with torch.no_grad():
        f = model(u, i)
        e = _loss(f, y, loss_name)
    g = imputer(u, i)
    e_hat = _soft_loss(f, g, loss_name)
    loss = (w * (e - e_hat) ** 2).sum() / w.sum().clamp_min(1e-12)
    imp_spec = FitSpec(
        reg=spec.reg,
        bias_reg=spec.bias_reg,
        feature_reg=spec.feature_reg,
        uniform_reg=spec.uniform_reg,
    )
    loss = loss + imputer.penalty(u, i, w, imp_spec)
    loss.backward()
    opt_imp.step()


def _dr_loss(model, imputer, data, gen, pop_all, u, i, y, w, pos, loss_name, n_pairs, frac):
    """Doubly robust loss: imputed loss on sampled pairs plus the IPS-weighted correction."""
    n_users, n_items = data.n_users, data.n_items
    m = max(DR_PAIRS_PER_ROW * len(y), 10_000)
    if n_pairs <= m:
        all_u = torch.arange(n_users).repeat_interleave(n_items)
        all_i = torch.arange(n_items).repeat(n_users)
    else:  # a fresh uniform sample of the matrix each step: unbiased for the mean
        all_u = torch.randint(0, n_users, (m,), generator=gen)
        all_i = torch.randint(0, n_items, (m,), generator=gen)
    with torch.no_grad():
        g_all = imputer(all_u, all_i)
        g_obs = imputer(u, i)
    direct = _soft_loss(model(all_u, all_i, pop_all[all_i], None), g_all, loss_name).mean()
    f_obs = model(u, i, pop_all[i], pos)
    correction = (w * (_loss(f_obs, y, loss_name) - _soft_loss(f_obs, g_obs, loss_name))).sum()
    return direct + correction / (n_pairs * frac)


def _with_negatives(data, spec, rng, u, i, y, w, pos):
    """Implicit logs: add `negatives` uniformly sampled items per positive (label 0, weight 1)."""
    m = len(y) * spec.negatives
    neg_u = u.repeat(spec.negatives)
    neg_i = torch.from_numpy(rng.integers(0, data.n_items, size=m))
    u2 = torch.cat([u, neg_u])
    i2 = torch.cat([i, neg_i])
    y2 = torch.cat([y, torch.zeros(m)])
    w2 = torch.cat([w, torch.ones(m)])
    pos2 = None if pos is None else torch.cat([pos, torch.zeros(m, dtype=pos.dtype)])
    return u2, i2, y2, w2, pos2
