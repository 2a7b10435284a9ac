"""The Pol.is method, as pure maths on a vote matrix (no database).

Small et al. 2021, "Polis: Scaling deliberation by mapping high dimensional
opinion spaces" (Recerca 26(2)), describe it; docs/report.md says what we
took and what we left out:

1. a participants × statements matrix, agree = 1, disagree = −1, neutral
   (Pol.is "pass") = 0, and a missing vote imputed with the statement's mean;
2. participants with too few votes are left out;
3. PCA to two dimensions;
4. k-means for k = 2..5, keeping the k with the best silhouette score;
5. for each group, the statements that distinguish it: the difference between
   its agree (or disagree) rate and everyone else's, with Pol.is's
   "representativeness" (ratio of the two smoothed rates) and a
   two-proportion z-test, kept when significant at 90 %.

Deterministic: PCA by full SVD, k-means with a fixed seed and fixed restarts,
so the same votes always give the same groups with the same numbers.
"""

import math
from dataclasses import dataclass, field

import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import silhouette_score
from threadpoolctl import threadpool_limits

AGREE, DISAGREE, NEUTRAL = 1, -1, 0
SEED = 0
K_RANGE = range(2, 6)
# z for a one-sided test at 90 %, as Pol.is uses for "representative" comments.
Z_90 = 1.2816
DISTINGUISHING_PER_GROUP = 3


@dataclass
class Distinguishing:
    statement: int  # the statement's id
    side: str  # "agree" or "disagree": what the group does more than the others
    in_rate: float  # share of the group's votes on it that are on that side (smoothed)
    out_rate: float  # the same share among everyone else
    in_votes: int
    out_votes: int
    representativeness: float
    z: float


@dataclass
class Inference:
    """The outcome. `groups` maps a participant to its group number (from 0, the
    largest group first); participants left out are absent."""

    enough: bool
    reason: str = ""
    k: int = 0
    silhouette: float | None = None
    groups: dict = field(default_factory=dict)
    left_out: list = field(default_factory=list)
    distinguishing: dict = field(default_factory=dict)  # group number → [Distinguishing]
    coordinates: dict = field(default_factory=dict)  # participant → (x, y)


def min_votes_for(n_statements, min_votes):
    """Pol.is keeps participants who voted on at least 7 statements, or on all if there are fewer."""
    return max(1, min(min_votes, n_statements))


def infer(votes, *, statements, min_votes=7, min_participants=10, min_group=1):
    """Opinion groups from `votes`: {participant: {statement id: 1 | -1 | 0}}.

    `statements` are the statement ids in column order. A k whose smallest group
    would have fewer than `min_group` people is not considered, so no inferred
    group describes fewer people than a published declared group does."""
    # One thread: the matrices are small, and BLAS/OpenMP threads fighting over a busy
    # server's cores made k-means 50 times slower (measured: 27 s against 0.5 s).
    with threadpool_limits(limits=1):
        return _infer(
            votes,
            statements=statements,
            min_votes=min_votes,
            min_participants=min_participants,
            min_group=min_group,
        )


def _infer(votes, *, statements, min_votes, min_participants, min_group):
    statements = list(statements)
    threshold = min_votes_for(len(statements), min_votes)
    kept = sorted(p for p, row in votes.items() if len(row) >= threshold)
    left_out = sorted(p for p in votes if p not in set(kept))
    if len(statements) < 2:
        return Inference(enough=False, reason="fewer than two statements have votes", left_out=left_out)
    if len(kept) < max(min_participants, max(K_RANGE) + 1):
        return Inference(
            enough=False,
            reason=(
                f"{len(kept)} people voted on at least {threshold} sections; "
                f"at least {max(min_participants, max(K_RANGE) + 1)} are needed"
            ),
            left_out=left_out,
        )
    matrix = np.full((len(kept), len(statements)), np.nan)
    column = {s: j for j, s in enumerate(statements)}
    for i, participant in enumerate(kept):
        for statement, vote in votes[participant].items():
            if statement in column:
                matrix[i, column[statement]] = vote
    means = np.nanmean(np.where(np.isnan(matrix).all(axis=0), 0.0, matrix), axis=0)
    filled = np.where(np.isnan(matrix), means, matrix)
    if np.allclose(filled, filled[0]):
        return Inference(enough=False, reason="everyone voted the same way", left_out=left_out)
    points = PCA(n_components=2, svd_solver="full").fit_transform(filled)
    best = None
    for k in K_RANGE:
        if k >= len(kept):
            break
        model = KMeans(n_clusters=k, n_init=10, random_state=SEED).fit(points)
        if len(set(model.labels_)) < 2 or np.bincount(model.labels_).min() < min_group:
            continue
        score = float(silhouette_score(points, model.labels_))
        if best is None or score > best[0] + 1e-9:
            best = (score, k, model.labels_)
    if best is None:
        return Inference(enough=False, reason="the votes do not separate into groups", left_out=left_out)
    score, k, labels = best
    # Number the groups by size, largest first, then by their first member: stable output.
    order = sorted(set(labels), key=lambda g: (-int((labels == g).sum()), int(np.argmax(labels == g))))
    renumber = {old: new for new, old in enumerate(order)}
    groups = {participant: renumber[label] for participant, label in zip(kept, labels, strict=True)}
    return Inference(
        enough=True,
        k=k,
        silhouette=round(score, 3),
        groups=groups,
        left_out=left_out,
        distinguishing=distinguishing(votes, groups=groups, statements=statements),
        coordinates={p: (float(x), float(y)) for p, (x, y) in zip(kept, points, strict=True)},
    )


def _rate(hits, total):
    """Pol.is's smoothed rate: (hits + 1) / (total + 2)."""
    return (hits + 1) / (total + 2)


def _z(hits_in, total_in, hits_out, total_out):
    """Two-proportion z-test of the in-group rate against the out-group rate."""
    if not total_in or not total_out:
        return 0.0
    p1, p2 = hits_in / total_in, hits_out / total_out
    pooled = (hits_in + hits_out) / (total_in + total_out)
    spread = math.sqrt(pooled * (1 - pooled) * (1 / total_in + 1 / total_out))
    return 0.0 if spread == 0 else (p1 - p2) / spread


def distinguishing(votes, *, groups, statements, per_group=DISTINGUISHING_PER_GROUP):
    """For each group, the statements on which it differs most from everyone else."""
    result = {}
    for group in sorted(set(groups.values())):
        candidates = []
        for statement in statements:
            tallies = {True: {AGREE: 0, DISAGREE: 0, "n": 0}, False: {AGREE: 0, DISAGREE: 0, "n": 0}}
            for participant, member_of in groups.items():
                vote = votes[participant].get(statement)
                if vote is None:
                    continue
                side = tallies[member_of == group]
                side["n"] += 1
                if vote in (AGREE, DISAGREE):
                    side[vote] += 1
            inside, outside = tallies[True], tallies[False]
            best = None
            for vote, name in ((AGREE, "agree"), (DISAGREE, "disagree")):
                in_rate, out_rate = _rate(inside[vote], inside["n"]), _rate(outside[vote], outside["n"])
                repness = in_rate / out_rate
                z = _z(inside[vote], inside["n"], outside[vote], outside["n"])
                entry = Distinguishing(
                    statement=statement,
                    side=name,
                    in_rate=round(in_rate, 3),
                    out_rate=round(out_rate, 3),
                    in_votes=inside["n"],
                    out_votes=outside["n"],
                    representativeness=round(repness, 3),
                    z=round(z, 3),
                )
                # Pol.is ranks by representativeness × the in-group rate.
                if best is None or repness * in_rate > best.representativeness * best.in_rate:
                    best = entry
            if best is not None and best.z > Z_90:
                candidates.append(best)
        candidates.sort(key=lambda d: (-d.representativeness * d.in_rate, d.statement))
        result[group] = candidates[:per_group]
    return result
