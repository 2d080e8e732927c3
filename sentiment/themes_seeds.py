"""Seed themes: the recurring subjects of AI-mandate feedback, with names that stay put across rounds.

Each seed is matched by keyword coverage, not by a model: a cluster takes a seed's key and name when
most of its comments use the seed's words. That rule reads the same for every backend, can be
explained to HR in one sentence, and keeps "pressure" called "pressure" in every round.

Stems are word beginnings ("monitor" covers monitored, monitoring). They were written from what
each subject is about, not fitted to any data set.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from sentiment.themes_text import Corpus

# A cluster is on a seed's subject when at least half of its comments use the seed's words.
SEED_COVERAGE = 0.5


@dataclass(frozen=True)
class Seed:
    key: str
    name: str
    description: str
    stems: tuple[str, ...]


SEEDS: tuple[Seed, ...] = (
    Seed(
        "pressure",
        "Pressure and mandates",
        "Being pushed, required or told to use AI tools whether or not they help.",
        ("pressur", "mandat", "forced", "forcing", "compuls", "obligat", "push", "insist", "required", "enforc"),
    ),
    Seed(
        "targets",
        "Usage targets and leaderboards",
        "Quotas, usage targets, token dashboards, rankings and leaderboards of AI use.",
        ("target", "quota", "leaderboard", "ranking", "ranked", "dashboard", "token", "kpi", "metric", "scoreboard"),
    ),
    Seed(
        "monitoring",
        "Monitoring and trust",
        "The sense that AI usage is watched, logged or judged by managers, and the trust that costs.",
        (
            "monitor",
            "surveil",
            "track",
            "watched",
            "watching",
            "spy",
            "spying",
            "snoop",
            "privacy",
            "telemetry",
            "keystroke",
            "logged",
            "logging",
            "trust",
            "distrust",
            "mistrust",
        ),
    ),
    Seed(
        "productivity",
        "Productivity",
        "Whether AI tools save time and make work faster or more efficient.",
        (
            "productiv",
            "faster",
            "efficien",
            "speed",
            "quicker",
            "quickly",
            "saves",
            "saved",
            "saving",
            "boost",
            "accelerat",
            "throughput",
        ),
    ),
    Seed(
        "quality",
        "Quality and errors",
        "Wrong answers, hallucinations, bugs and the review work that bad output causes.",
        (
            "error",
            "mistake",
            "wrong",
            "bug",
            "hallucinat",
            "inaccura",
            "incorrect",
            "quality",
            "accura",
            "unreliab",
            "fabricat",
            "sloppy",
            "nonsense",
            "garbage",
        ),
    ),
    Seed(
        "job_security",
        "Job security",
        "Fear of layoffs, replacement by AI, and what AI means for careers.",
        (
            "job",
            "layoff",
            "laid",
            "replac",
            "redundan",
            "fired",
            "firing",
            "career",
            "headcount",
            "obsolete",
            "unemploy",
            "livelihood",
            "insecur",
            "downsiz",
        ),
    ),
    Seed(
        "training",
        "Training and guidance",
        "Training, guidance, documentation and examples of when and how to use AI well.",
        (
            "train",
            "guidance",
            "guide",
            "course",
            "workshop",
            "onboard",
            "tutorial",
            "documentation",
            "learn",
            "teach",
            "upskill",
            "mentor",
            "instruction",
            "playbook",
        ),
    ),
    Seed(
        "friction",
        "Tool friction",
        "Slow, clunky or blocked tools: access, licences, logins, crashes and poor integration.",
        (
            "slow",
            "login",
            "access",
            "licen",
            "crash",
            "integrat",
            "clunky",
            "laggy",
            "lag",
            "outage",
            "downtime",
            "approval",
            "blocked",
            "setup",
            "install",
            "vpn",
            "permission",
            "timeout",
            "freez",
            "glitch",
        ),
    ),
    Seed(
        "waste",
        "Wasted effort",
        "Work done for show: busywork, rework and usage theatre that wastes time.",
        (
            "waste",
            "wasting",
            "pointless",
            "busywork",
            "theatre",
            "theater",
            "redo",
            "rework",
            "checkbox",
            "useless",
            "meaningless",
            "performative",
            "futile",
            "ticking",
        ),
    ),
)


def seed_hits(corpus: Corpus, seeds: Sequence[Seed]) -> np.ndarray:
    """Comments x seeds: True where the comment uses any of the seed's words."""
    if not seeds or corpus.all_counts.shape[1] == 0:
        return np.zeros((corpus.all_counts.shape[0], len(seeds)), dtype=bool)
    unigrams = np.flatnonzero(np.char.find(corpus.all_terms.astype(str), " ") < 0)
    words = corpus.all_terms[unigrams]
    matches = np.array([[word.startswith(seed.stems) for seed in seeds] for word in words], dtype=np.float32)
    matches = matches.reshape(len(words), len(seeds))
    return np.asarray((corpus.all_counts[:, unigrams] @ sparse.csr_matrix(matches)).todense()) > 0


def seed_per_cluster(hits: np.ndarray, labels: np.ndarray, n_clusters: int) -> list[int | None]:
    """For each cluster, the index of the seed most of its comments talk about, or None."""
    members = labels >= 0
    sizes = np.bincount(labels[members], minlength=n_clusters)
    coverage = np.zeros((n_clusters, hits.shape[1]))
    np.add.at(coverage, labels[members], hits[members])
    coverage /= np.maximum(sizes, 1)[:, None]
    if hits.shape[1] == 0:
        return [None] * n_clusters
    best = coverage.argmax(axis=1)
    return [int(b) if coverage[c, b] >= SEED_COVERAGE else None for c, b in enumerate(best)]


def seed_moves(
    groups: np.ndarray, group_seeds: list[int | None], hits: np.ndarray, min_size: int
) -> tuple[np.ndarray, list[int | None]]:
    """Let seed words settle the border between seed themes, where clusters drew it differently.

    A comment in a seeded group that uses none of its seed's words but the words of exactly one other
    seed moves to that seed's group; a missing seed group is created when at least ``min_size``
    comments would move into it.
    """
    if hits.shape[1] == 0:
        return groups, group_seeds
    seed_of_group = np.array([-1 if seed is None else seed for seed in group_seeds] + [-1])
    own_seed = seed_of_group[groups]
    seeded = own_seed >= 0
    uses_own = hits[np.arange(len(groups)), np.maximum(own_seed, 0)]
    movers = seeded & ~uses_own & (hits.sum(axis=1) == 1)
    target = hits.argmax(axis=1)
    groups, group_seeds = groups.copy(), list(group_seeds)
    for seed in np.unique(target[movers]):
        moving = movers & (target == seed)
        if seed in group_seeds:
            groups[moving] = group_seeds.index(seed)
        elif moving.sum() >= min_size:
            groups[moving] = len(group_seeds)
            group_seeds.append(int(seed))
    return groups, group_seeds
