"""What a round publishes at close, as pages read it: two engines over k-anonymous records, and participation.

Answers are tabulated on the records' labels (every combination shared by at least k responses); comment-derived
numbers on the coarser labels (at least the comment threshold), whose groups contain the answers' groups whole.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings

from reports.disclosure import Engine, Filter, Query, Table


def open_feedback_comment_threshold() -> int:
    """Always-open comments are not linked to each other, so one person may stand behind several of them
    (up to the monthly limit). Counting comments, a number needs 2k people's worth of them."""
    return 2 * settings.CANDOR_OPEN_FEEDBACK_K * settings.CANDOR_OPEN_FEEDBACK_MONTHLY_LIMIT


@dataclass(frozen=True)
class GroupParticipation:
    """Invited and submitted for one published group (``attribute`` "" is everyone)."""

    attribute: str
    value: str
    invited: int
    submitted: int

    @property
    def rate(self) -> int | None:
        return round(100 * self.submitted / self.invited) if self.invited else None


@dataclass(frozen=True, eq=False)
class Publication:
    answers: Engine
    comments: Engine | None
    invited: int
    participation: tuple[GroupParticipation, ...]

    @property
    def space(self):
        return self.answers.space

    @property
    def values(self):
        return self.answers.values

    @property
    def k(self) -> int:
        return self.answers.k

    @property
    def comment_threshold(self) -> int:
        return self.comments.k if self.comments else self.answers.comment_threshold

    @property
    def respondents(self) -> int:
        return self.answers.tallies[self.answers.measures[0]][()][0]

    def table(self, query: Query, *, comment_groups: bool = False) -> Table:
        """The query's table; ``comment_groups`` asks a plain count on the comments' groups."""
        return self._engine(query.measure.comment_derived or comment_groups).table(query)

    def filters_check(self, *, filters: Sequence[Filter], comment_derived: bool = False) -> None:
        if comment_derived and self.comments is None:
            return  # no comment-derived number was published, so there is nothing to refuse
        self._engine(comment_derived).filters_check(filters=filters, comment_derived=comment_derived)

    def _engine(self, comment_derived: bool) -> Engine:
        if comment_derived and self.comments is None:
            raise ValueError("This round published no comment-derived numbers.")
        return self.comments if comment_derived else self.answers
