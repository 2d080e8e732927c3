"""What HR may see of rounds: definitions, participation counts, and themes that passed the privacy step.

Reads round definitions and participation *counts* from the identified side; never people, never
who took part, never comment text.
"""

from dataclasses import dataclass

from feedback.models import Response, Stream
from sentiment.models import Theme
from surveys.models import Round
from surveys.rounds import rounds_overview

VISIBLE_STATES = (Round.State.OPEN, Round.State.CLOSED)


@dataclass(frozen=True)
class ThemeRow:
    name: str
    terms: list[str]
    respondents: int | None  # None: fewer than the comment threshold, hidden
    compound: float | None
    negative: int
    neutral: int
    positive: int
    is_other: bool

    @property
    def sentences(self) -> int:
        return self.negative + self.neutral + self.positive

    def _share(self, count: int) -> int | None:
        return round(100 * count / self.sentences) if self.sentences else None

    @property
    def negative_share(self) -> int | None:
        return self._share(self.negative)

    @property
    def neutral_share(self) -> int | None:
        return self._share(self.neutral)

    @property
    def positive_share(self) -> int | None:
        return self._share(self.positive)


def hr_rounds() -> list[Round]:
    return [round for round in rounds_overview() if round.state in VISIBLE_STATES]


def released_count(round: Round) -> int:
    return Response.objects.filter(stream=Stream.ROUND, round_id=round.id).count()


def round_themes(round: Round) -> list[ThemeRow]:
    """The round's themes, largest first; "other" last, its size hidden when under the threshold."""
    rows = []
    for theme in Theme.objects.filter(round_id=round.id).order_by("is_other", "-respondents", "position"):
        small = theme.respondents < round.comment_threshold
        if theme.is_other and theme.respondents == 0:
            continue
        rows.append(
            ThemeRow(
                name=theme.name,
                terms=[] if theme.is_other else theme.terms,
                respondents=None if small else theme.respondents,
                compound=None if small else theme.compound,
                negative=0 if small else theme.negative,
                neutral=0 if small else theme.neutral,
                positive=0 if small else theme.positive,
                is_other=theme.is_other,
            )
        )
    return rows
