"""A realistic demo organisation for `make run`: people, the AI library, a closed and an open round.

Every response goes through the real submission service, so the demo exercises the same paths as production: the
open round's answers stay sealed, and the closed round waits for its one publication (`seed_demo` runs
``reports.pipeline.publications_due`` right after, as beat would). Only runs where CANDOR_DEMO_DATA_ALLOWED is on.
"""

import random
from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from accounts import roles
from accounts.demo import DEMO_ACCOUNTS, _require_demo_allowed
from accounts.models import User
from accounts.services import account_create
from surveys import rounds, submission
from surveys.models import Person, Question, Round, RoundQuestion
from surveys.questions import answer_range, question_library_seed

DEPARTMENTS = {"Engineering": 110, "Sales": 55, "Customer Support": 45, "Marketing": 30, "Finance": 22, "Legal": 4}
LOCATIONS = ["Berlin", "London", "Lisbon", "Remote"]
# How strongly each department feels the AI mandate; it shapes the generated answers.
MANDATE_PRESSURE = {"Engineering": 0.8, "Sales": 0.6, "Customer Support": 0.9, "Marketing": 0.4, "Finance": 0.3}
FIRST_NAMES = "Alex Sam Jordan Taylor Morgan Casey Riley Avery Quinn Rowan Noor Mei Ola Ines Tomas Priya Lea".split()
LAST_NAMES = "Okafor Schmidt Silva Novak Haddad Larsen Moreau Tanaka Rossi Kowalski Byrne Costa Nguyen Weber".split()

COMMENTS_NEGATIVE = [
    "The token leaderboard makes people burn tokens on pointless prompts just to stay off the bottom.",
    "We are told to hit a weekly AI usage target even when the task is faster by hand.",
    "It feels like surveillance: my manager mentioned my prompt count in a one-to-one.",
    "The code assistant invents APIs that do not exist and I lose an hour checking its output.",
    "Nobody explained which data we may paste into the chatbot, so I avoid it for anything real.",
    "I worry the dashboards are a first step to deciding whose job can be automated.",
    "Generating summaries nobody reads so that the usage graph goes up is a waste of everyone's time.",
    "The approved tool is slow and keeps timing out, so people quietly use their own accounts.",
    "Performance reviews now ask how much we used AI, not whether the work was good.",
    "Customer replies drafted by the bot need so much fixing that it doubles my handling time.",
]
COMMENTS_POSITIVE = [
    "The assistant is genuinely great for first drafts of documentation and saves me real time.",
    "Meeting summaries are accurate and I no longer spend Friday afternoons writing notes.",
    "The training session on prompting was practical and I use what I learned every day.",
    "For test scaffolding the code tool is excellent, it removed a lot of boring work.",
]
COMMENTS_CHANGE = [
    "Drop the usage targets and let teams decide where AI actually helps.",
    "Stop showing individual token counts to managers; publish team totals at most.",
    "Give us clear guidance on confidential data and a tool we are allowed to use for it.",
    "Measure outcomes, not prompts.",
    "Fix the timeouts in the approved tool before asking us to use it more.",
    "Make the leaderboard opt-in or remove it.",
]


def _person_create(rng: random.Random, email: str, name: str, department: str, today: date) -> Person:
    user = User.objects.filter(email=email).first() or account_create(email=email, name=name, roles=(roles.EMPLOYEE,))
    return Person.objects.create(
        user=user,
        department=department,
        location=rng.choice(LOCATIONS),
        level=str(rng.choice([1, 2, 2, 3, 3, 3, 4, 4, 5, 6, 7, 8])),
        start_date=today - timedelta(days=rng.randint(30, 12 * 365)),
    )


def _organisation_create(rng: random.Random, today: date) -> list[Person]:
    people = [_person_create(rng, email, name, "Engineering", today) for email, name, _ in DEMO_ACCOUNTS]
    for department, size in DEPARTMENTS.items():
        for number in range(size):
            name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
            email = f"{department.split()[0].lower()}.{number + 1}@candor.test"
            people.append(_person_create(rng, email, name, department, today))
    return people


def _answer(rng: random.Random, question: RoundQuestion, pressure: float):
    if question.kind == Question.Kind.TEXT:
        return _comment(rng, question, pressure)
    allowed = list(answer_range(question.kind, question.choices))
    worries = {"pressure", "usage_theatre", "monitoring", "job_security"}
    leaning = pressure if question.indicator in worries else 1 - pressure
    index = min(len(allowed) - 1, max(0, round(rng.gauss(leaning * (len(allowed) - 1), len(allowed) / 4))))
    return allowed[index]


def _comment(rng: random.Random, question: RoundQuestion, pressure: float) -> str | None:
    if "change" in question.text:
        return rng.choice(COMMENTS_CHANGE) if rng.random() < 0.6 else None
    if rng.random() > 0.45:
        return None
    pool = COMMENTS_NEGATIVE if rng.random() < pressure else COMMENTS_POSITIVE
    return " ".join(rng.sample(pool, k=rng.choice([1, 1, 2])))


def _round_answer_all(rng: random.Random, round: Round, people: list[Person], share: float) -> None:
    questions = list(round.questions.all())
    for person in people:
        if rng.random() > share:
            continue
        pressure = MANDATE_PRESSURE.get(person.department, 0.5)
        answers = [(question, _answer(rng, question, pressure)) for question in questions]
        answers = [(question, value) for question, value in answers if value is not None]
        submission.round_submit(person=person, round=round, answers=answers)


def _demo_round(title: str, days_ago_opened: int, days_to_close: int) -> Round:
    now = timezone.now()
    round = rounds.round_create(
        title=title,
        intro="How are AI tools, targets and dashboards working for you? Be candid: nobody can tell who said what.",
        closes_at=now + timedelta(days=days_to_close) if days_to_close > 0 else now + timedelta(hours=1),
        reminder_every_days=3,
    )
    rounds.round_questions_set(round, list(Question.objects.filter(archived=False).values_list("id", flat=True)))
    round = rounds.round_open(round)
    Round.objects.filter(id=round.id).update(opens_at=now - timedelta(days=days_ago_opened))
    return round


@transaction.atomic
def demo_organisation_seed(seed: int = 7) -> bool:
    """Create the demo organisation once. Returns False when it already exists."""
    _require_demo_allowed()
    if Person.objects.exists():
        return False
    rng = random.Random(seed)  # noqa: S311 (demo data, repeatable on purpose)
    people = _organisation_create(rng, timezone.localdate())
    question_library_seed()
    demo_employee = people[len(DEMO_ACCOUNTS) - 1]
    respondents = [person for person in people if person != demo_employee]

    closed = _demo_round("AI tools pulse: third quarter", days_ago_opened=80, days_to_close=0)
    _round_answer_all(rng, closed, respondents, share=0.75)
    rounds.round_close(closed)
    Round.objects.filter(id=closed.id).update(closes_at=timezone.now() - timedelta(days=60))

    current = _demo_round("AI tools pulse: fourth quarter", days_ago_opened=5, days_to_close=14)
    _round_answer_all(rng, current, respondents, share=0.5)
    return True
