"""An organisation whose every free-text field is hostile, built through the product's own services.

Roster values and a reportable column come through the roster import, questions through the question library,
rounds through the round services, comments through the submission service, then the one publication at close
(reports.pipeline: scores, themes, the report snapshot): whatever HR, employees and admins see of them went the way
real input goes.
"""

import csv
import datetime
import io
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from accounts.models import User
from feedback.models import PoolEntry, Stream
from reports import pipeline
from surveys import questions, roster, rounds, submission
from surveys.models import Person, Question, ReportableAttribute, RosterImport, Round

TEAM_SIZE = 16
DEPARTMENTS = 4  # of 4 people each, so every department is shown (k = 3)
SPLITS = 2  # locations and the extra column: two values of 8 people each
K = 3
COMMENT_THRESHOLD = 4
START_DATE = "2021-03-01"
COMMENT = "The usage leaderboard is toxic and the token targets make us game the dashboard."


@dataclass
class HostileOrganisation:
    payloads: tuple[str, ...]
    employee: User  # on the roster, has answered nothing in the open round
    people: list[Person]
    extra_key: str
    closed_round: Round  # answered by everyone, closed and published
    open_round: Round
    draft_round: Round
    pending_import: RosterImport
    library: list[Question]


def payload(payloads: tuple[str, ...], index: int) -> str:
    return payloads[index % len(payloads)]


# --- roster ------------------------------------------------------------------------------------------------------


def _roster_csv(rows: list[list[str]]) -> SimpleUploadedFile:
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("roster.csv", buffer.getvalue().encode(), content_type="text/csv")


def _roster_rows(payloads, *, extra_label: str, names_hostile: bool, email_prefix: str) -> list[list[str]]:
    rows = [["email", "name", "department", "location", "level", "start_date", extra_label]]
    for index in range(TEAM_SIZE):
        name = f"{payload(payloads, index)} {index}" if names_hostile else f"Colleague {chr(65 + index)}"
        rows.append(
            [
                f"{email_prefix}{index}@example.com",
                name,
                payload(payloads, index % DEPARTMENTS),
                payload(payloads, DEPARTMENTS + index % SPLITS),
                "3",
                START_DATE,
                payload(payloads, DEPARTMENTS + SPLITS + index % SPLITS),
            ]
        )
    return rows


def _roster_import(payloads, *, names_hostile: bool, email_prefix: str) -> RosterImport:
    extra_label = payload(payloads, 1)
    upload = _roster_csv(
        _roster_rows(payloads, extra_label=extra_label, names_hostile=names_hostile, email_prefix=email_prefix)
    )
    parsed = roster.roster_file_parse(uploaded_file=upload)
    assert isinstance(parsed, roster.ParsedRoster), parsed.errors
    return roster.roster_import_create(parsed=parsed, file_name=f"{payload(payloads, 2)}.csv", uploaded_by=None)


def roster_applied(payloads) -> tuple[list[Person], str]:
    """Sixteen people with hostile departments, locations and a hostile reportable column; its key."""
    roster_import = _roster_import(payloads, names_hostile=False, email_prefix="colleague")
    extra_label = payload(payloads, 1)
    roster.roster_import_apply(roster_import=roster_import, reportable_columns=[extra_label])
    key = roster.attribute_key(extra_label)
    # A column is reported only from 30 days after it was added: this one was added two months ago.
    ReportableAttribute.objects.filter(key=key).update(added_on=timezone.localdate() - datetime.timedelta(days=60))
    return list(Person.objects.select_related("user").order_by("user__email")), key


# --- questions and rounds ----------------------------------------------------------------------------------------


def library_created(payloads) -> list[Question]:
    def text(index: int) -> str:
        return payload(payloads, 10 + index)

    specs = [
        {"kind": "likert", "indicator": "pressure", "text": text(0)},
        {"kind": "single", "text": text(1), "choices": [payload(payloads, 20), payload(payloads, 21)]},
        {"kind": "multiple", "text": text(2), "choices": [payload(payloads, 22), payload(payloads, 23)]},
        {"kind": "recommend", "indicator": "nps", "text": text(3)},
        {"kind": "text", "text": text(4)},
    ]
    return [questions.question_create(**spec) for spec in specs]


def round_opened(payloads, library: list[Question], *, offset: int) -> Round:
    round = rounds.round_create(
        title=payload(payloads, offset),
        intro=payload(payloads, offset + 1),
        k=K,
        comment_threshold=COMMENT_THRESHOLD,
        opens_at=timezone.now() - datetime.timedelta(days=14),
    )
    rounds.round_questions_set(round, [question.id for question in library])
    return rounds.round_open(round)


def answers_for(round: Round, index: int, comment: str) -> list:
    by_kind = {"likert": 1 + index % 5, "single": index % 2, "multiple": [index % 2], "recommend": index % 11}
    return [
        (question, comment if question.kind == "text" else by_kind[question.kind])
        for question in round.questions.order_by("position")
    ]


def comment_of(payloads, index: int) -> str:
    return f"{payload(payloads, index)} {COMMENT} {payload(payloads, index + 1)}"


def round_reported(payloads, people: list[Person], library: list[Question]) -> Round:
    round = round_opened(payloads, library, offset=0)
    for index, person in enumerate(people):
        submission.round_submit(
            person=person, round=round, answers=answers_for(round, index, comment_of(payloads, index))
        )
    rounds.round_close(round)
    assert pipeline.round_publish(round.id) is not None, "the hostile round published nothing"
    return Round.objects.get(id=round.id)


def open_feedback_reported(payloads, people: list[Person]) -> None:
    """Always-open comments from everyone but the first person, published as last month's: a month is published
    once it is over, so they are moved back to last month, as if sent then."""
    for index, person in enumerate(people[1:]):
        submission.open_feedback_submit(person=person, topic="", text=comment_of(payloads, index + 3))
    last_month = (timezone.localdate().replace(day=1) - datetime.timedelta(days=1)).strftime("%Y-%m")
    PoolEntry.objects.filter(stream=Stream.OPEN).update(period=last_month)
    assert pipeline.open_feedback_publish(last_month) is not None, "the hostile month published nothing"


def organisation_built(payloads: tuple[str, ...]) -> HostileOrganisation:
    """Needs settings with CANDOR_OPEN_FEEDBACK_K = 3 and a monthly limit of 1 (see ``small_open_feedback``)."""
    people, extra_key = roster_applied(payloads)
    library = library_created(payloads)
    closed_round = round_reported(payloads, people, library)
    open_feedback_reported(payloads, people)
    draft_round = rounds.round_create(title=payload(payloads, 5), intro=payload(payloads, 6), k=K)
    rounds.round_questions_set(draft_round, [question.id for question in library])
    return HostileOrganisation(
        payloads=payloads,
        employee=people[0].user,
        people=people,
        extra_key=extra_key,
        closed_round=closed_round,
        open_round=round_opened(payloads, library, offset=3),
        draft_round=draft_round,
        pending_import=_roster_import(payloads, names_hostile=True, email_prefix="newcomer"),
        library=library,
    )
