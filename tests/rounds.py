"""Building open rounds for tests without going through the admin pages."""

from django.utils import timezone

from surveys import attributes
from surveys.models import Invitation, ReportableAttribute, Round
from tests.factories import PersonFactory, RoundFactory, RoundQuestionFactory


def open_round_with(people, *, k: int = 3, questions=None, **round_fields) -> Round:
    round = RoundFactory(state=Round.State.OPEN, k=k, comment_threshold=2 * k, **round_fields)
    for position, spec in enumerate(questions or [{"kind": "likert", "required": True}, {"kind": "text"}]):
        RoundQuestionFactory(round=round, position=position, **spec)
    today = timezone.localdate()
    extra_keys = list(ReportableAttribute.objects.values_list("key", flat=True))
    Invitation.objects.bulk_create(
        [
            Invitation(round=round, person=person, attributes=attributes.raw_attributes(person, today, extra_keys))
            for person in people
        ]
    )
    round.audience_size = len(people)
    round.save()
    return round


def people(count: int, **fields) -> list:
    return [PersonFactory(**fields) for _ in range(count)]
