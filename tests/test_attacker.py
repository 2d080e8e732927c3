"""The independent attacker (reports/attacker.py), on publications built by hand from people whose answers we know.

`Person`, `roster_of` and `publication_of` build what an analyst would see; `naive_publication` shows every raw
group of at least k, as Candor did before k-anonymization, so an attack suite can reuse it as the weakened build.
"""

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from itertools import combinations

import pytest
from django.core.management import CommandError, call_command

from reports.attacker import (
    ANSWER,
    ANSWERS,
    COMMENTS,
    OTHER,
    PARTICIPATION,
    SMALL_GROUP,
    AttackInputs,
    AttackLimits,
    PublishedGroup,
    RosterCell,
    attack,
)


@dataclass
class Person:
    attributes: dict[str, str]
    answers: dict[str, int] | None = None  # None: invited, did not take part
    labels: dict[str, str] | None = None  # the k-anonymized labels of their response; raw values if None
    comment_labels: dict[str, str] | None = None

    @property
    def took_part(self) -> bool:
        return self.answers is not None

    def cell(self) -> tuple[tuple[str, str], ...]:
        return tuple(sorted(self.attributes.items()))


def roster_of(people) -> tuple[RosterCell, ...]:
    sizes = Counter(person.cell() for person in people)
    return tuple(RosterCell(attributes=cell, size=size) for cell, size in sizes.items())


def publication_of(
    people,
    *,
    groupings,
    minimum=0,
    labelling=ANSWERS,
    fields=None,
    with_invited=False,
) -> tuple[PublishedGroup, ...]:
    """Every group of respondents, by their labels on each grouping's attributes, that has at least `minimum`."""
    label_key = "comment_labels" if labelling == COMMENTS else "labels"
    respondents = [person for person in people if person.took_part]
    groups = []
    for attributes in groupings:
        members = defaultdict(list)
        for person in respondents:
            labels = getattr(person, label_key) or person.attributes
            members[tuple(labels[name] for name in attributes)].append(person)
        for values, group in sorted(members.items()):
            if len(group) < minimum:
                continue
            conditions = tuple(zip(attributes, values, strict=True))
            invited = _invited(people, conditions) if with_invited else None
            groups.append(PublishedGroup(conditions, len(group), _histograms(group, fields), labelling, invited))
    return tuple(groups)


def naive_publication(people, *, k, groupings, fields=None, labelling=ANSWERS) -> tuple[PublishedGroup, ...]:
    """What a publication without k-anonymization shows: every raw group of at least k respondents."""
    raw = [Person(person.attributes, person.answers) for person in people]
    return publication_of(raw, groupings=groupings, minimum=k, fields=fields, labelling=labelling)


def _histograms(group, fields) -> dict[str, dict[int, int]]:
    names = fields or sorted({name for person in group for name in person.answers})
    histograms = {}
    for name in names:
        given = Counter(person.answers[name] for person in group if name in person.answers)
        histograms[name] = dict(given)
    return histograms


def _invited(people, conditions) -> int:
    return sum(all(person.attributes[name] == value for name, value in conditions) for person in people)


def inputs_of(people, groups, *, k, comment_threshold=None, labels_k_anonymous=True) -> AttackInputs:
    return AttackInputs(
        k=k,
        comment_threshold=comment_threshold or 2 * k,
        roster=roster_of(people),
        submitted_total=sum(person.took_part for person in people),
        groups=tuple(groups),
        labels_k_anonymous=labels_k_anonymous,
    )


def many(count, attributes, answers=None, labels=None, comment_labels=None):
    return [Person(dict(attributes), dict(answers) if answers else None, labels, comment_labels) for _ in range(count)]


DIRECTOR = (("department", "Design"), ("team", "Leadership"))
ALL_GROUPINGS = [(), ("department",), ("team",), ("department", "team")]


def nested_team(*, director_answers={"q:1": 2, "q:2": 0}):  # noqa: B006
    """Design = team Product design (5) + a director in team Leadership, which spans departments."""
    lead = {"department": OTHER, "team": "Leadership"}
    return [
        *many(5, {"department": "Design", "team": "Product design"}, {"q:1": 5, "q:2": 9}),
        *many(1, dict(DIRECTOR), director_answers, labels=lead),
        *many(3, {"department": "Engineering", "team": "Leadership"}, {"q:1": 4, "q:2": 8}, labels=lead),
        *many(1, {"department": "Engineering", "team": "Leadership"}),
        *many(2, {"department": "Sales", "team": "Leadership"}, {"q:1": 3, "q:2": 7}, labels=lead),
        *many(1, {"department": "Sales", "team": "Leadership"}),
        *many(6, {"department": "Engineering", "team": "Platform"}, {"q:1": 4, "q:2": 6}),
        *many(2, {"department": "Engineering", "team": "Platform"}),
        *many(5, {"department": "Sales", "team": "Accounts"}, {"q:1": 1, "q:2": 3}),
        *many(2, {"department": "Sales", "team": "Accounts"}),
    ]


def test_the_nested_team_attack_on_a_naive_publication_finds_the_directors_answers_and_participation():
    people = nested_team()
    groups = naive_publication(people, k=5, groupings=ALL_GROUPINGS)
    assert {group.conditions for group in groups} >= {(("department", "Design"),), (("team", "Product design"),)}

    report = attack(inputs_of(people, groups, k=5, labels_k_anonymous=False))

    assert not report.passed
    found = {(finding.kind, finding.cell, finding.field, finding.value) for finding in report.findings}
    assert (ANSWER, DIRECTOR, "q:1", 2) in found
    assert (ANSWER, DIRECTOR, "q:2", 0) in found
    assert (PARTICIPATION, DIRECTOR, None, None) in found
    assert (ANSWER, DIRECTOR, "q:1", 5) not in found


def test_the_same_people_published_k_anonymously_pass():
    people = nested_team()
    for person in people:
        person.labels = person.labels or dict(person.attributes)
    groups = publication_of(people, groupings=ALL_GROUPINGS)
    assert min(group.n for group in groups) >= 5

    report = attack(inputs_of(people, groups, k=5))

    assert report.passed, str(report)
    assert report.milps >= 1


def test_told_the_finest_tuples_are_complete_it_passes_the_same_publication_and_refuses_one_that_hides_a_tuple():
    people = nested_team()
    for person in people:
        person.labels = person.labels or dict(person.attributes)
    groups = publication_of(people, groupings=ALL_GROUPINGS)
    complete = replace(inputs_of(people, groups, k=5), finest_complete=True)
    finest = [group for group in groups if len(group.conditions) == 2]
    missing_one = replace(complete, groups=tuple(group for group in groups if group != finest[0]))

    assert attack(complete).passed
    assert not attack(missing_one).passed  # the people of the missing tuple have nowhere to be


def test_the_director_is_found_through_comment_numbers_published_on_naive_comment_groups():
    people = nested_team(director_answers={"q:1": 2, "t:mandates": -1})
    for person in people:
        person.labels = person.labels or dict(person.attributes)
        if person.took_part:
            person.answers.setdefault("t:mandates", 1)
    answers = publication_of(people, groupings=ALL_GROUPINGS, fields=["q:1"])
    comments = naive_publication(people, k=5, groupings=ALL_GROUPINGS, fields=["t:mandates"], labelling=COMMENTS)

    report = attack(inputs_of(people, answers + comments, k=3, comment_threshold=5, labels_k_anonymous=False))

    found = {
        (finding.kind, finding.cell, finding.labelling, finding.field, finding.value) for finding in report.findings
    }
    assert (ANSWER, DIRECTOR, COMMENTS, "t:mandates", -1) in found
    assert (ANSWER, DIRECTOR, ANSWERS, "q:1", 2) not in found


def departments(*cells):
    """People from (department, team, size, how many took part, their answer to q:1) rows, labelled by department."""
    people = []
    for department, team, size, took_part, answer in cells:
        raw = {"department": department, "team": team}
        labels = {"department": department, "team": OTHER}
        people += many(took_part, raw, {"q:1": answer}, labels)
        people += many(size - took_part, raw, labels=labels)
    return people


def test_a_roster_cell_of_exactly_k_where_everyone_took_part_is_allowed():
    people = departments(("X", "a", 3, 3, 1), ("Z", "d", 6, 3, 2))
    groups = publication_of(people, groupings=[(), ("department",)], with_invited=True)

    report = attack(inputs_of(people, groups, k=3))

    assert report.passed, str(report)


@pytest.mark.parametrize(
    "groupings", [[(), ("department",)], [("department",)]], ids=["with everyone", "by department"]
)
def test_a_cell_of_two_whose_participation_a_published_group_forces_is_found(groupings):
    people = departments(("X", "a", 3, 3, 1), ("Y", "b", 2, 2, 1), ("Y", "c", 3, 3, 2), ("Z", "d", 6, 3, 2))
    groups = publication_of(people, groupings=groupings, with_invited=True)

    report = attack(inputs_of(people, groups, k=3))

    cell = (("department", "Y"), ("team", "b"))
    assert [(finding.kind, finding.cell, finding.count) for finding in report.findings] == [(PARTICIPATION, cell, 2)]


def test_a_cell_forced_to_fewer_than_k_respondents_is_a_group_under_k():
    people = departments(("X", "a", 5, 1, 1), ("X", "b", 5, 5, 2), ("Z", "d", 6, 3, 2))
    for person in people:
        person.labels = dict(person.attributes)
    groups = naive_publication(people, k=1, groupings=[(), ("team",)])

    report = attack(inputs_of(people, groups, k=3, labels_k_anonymous=False))

    kinds = {(finding.kind, finding.cell, finding.count) for finding in report.findings}
    assert (SMALL_GROUP, (("department", "X"), ("team", "a")), 1) in kinds


def everyone_took_part(answers_of_x):
    people = []
    for team, size in (("a", 2), ("b", 3)):
        for _ in range(size):
            people += many(
                1, {"department": "X", "team": team}, {"q:1": answers_of_x.pop()}, {"department": "X", "team": OTHER}
            )
    people += many(2, {"department": "Z", "team": "c"}, {"q:1": 1}, {"department": "Z", "team": OTHER})
    people += many(2, {"department": "Z", "team": "c"}, {"q:1": 3}, {"department": "Z", "team": OTHER})
    return people


def test_unanimity_is_not_reported_as_a_finding():
    people = everyone_took_part([5, 5, 5, 5, 5])
    groups = publication_of(people, groupings=[(), ("department",)])

    report = attack(inputs_of(people, groups, k=3))

    assert report.passed, str(report)


def test_near_unanimity_inside_a_k_anonymous_group_bounds_a_small_cell_without_pinning_its_answers():
    # Four of the five in X gave 5 and only three of them are outside team a (2 people): someone in a gave 5, but
    # whether one or both did stays open, as it would with any group of five that mostly agrees.
    people = everyone_took_part([4, 5, 5, 5, 5])
    groups = publication_of(people, groupings=[(), ("department",)])

    assert attack(inputs_of(people, groups, k=3)).passed


def test_the_same_near_unanimity_pins_an_answer_when_the_publication_does_not_promise_k_anonymity():
    people = everyone_took_part([4, 5, 5, 5, 5])
    groups = publication_of(people, groupings=[(), ("department",)])

    report = attack(inputs_of(people, groups, k=3, labels_k_anonymous=False))

    cell = (("department", "X"), ("team", "a"))
    assert (ANSWER, cell, "q:1", 5) in [(f.kind, f.cell, f.field, f.value) for f in report.findings]


def test_an_input_over_the_size_limit_fails_as_inconclusive():
    people = nested_team()
    groups = naive_publication(people, k=5, groupings=ALL_GROUPINGS)

    report = attack(inputs_of(people, groups, k=5, labels_k_anonymous=False), limits=AttackLimits(max_variables=10))

    assert not report.passed
    assert not report.findings
    assert "exceed the limit" in report.inconclusive[0]


def test_a_spent_milp_budget_fails_as_inconclusive():
    people = nested_team()
    for person in people:
        person.labels = person.labels or dict(person.attributes)
    groups = publication_of(people, groupings=ALL_GROUPINGS)

    report = attack(inputs_of(people, groups, k=5), limits=AttackLimits(max_milps=1, witnesses=0))

    assert not report.passed
    assert "MILPs ran out" in report.inconclusive[0]


def test_published_numbers_no_roster_can_give_are_inconclusive():
    people = departments(("X", "a", 3, 3, 1), ("Z", "d", 6, 3, 2))
    groups = (*publication_of(people, groupings=[("department",)]), PublishedGroup(((("department", "X"),)), 4))

    report = attack(inputs_of(people, groups, k=3))

    assert not report.passed
    assert "inconsistent" in report.inconclusive[0]


def random_organisation(seed, *, k):
    """A small organisation with nested columns, raw labels, random participation and answers."""
    rng = random.Random(seed)
    people = []
    for department in "ABC":
        for team in rng.sample(["t1", "t2", "t3", "lead"], 3):
            for _ in range(rng.choice([1, 2, 3, 5, 8])):
                raw = {"department": department, "team": team, "level": rng.choice(["junior", "senior"])}
                answers = {"q:1": rng.randint(1, 3)} if rng.random() < 0.7 else None
                people.append(Person(raw, answers))
    return people


@pytest.mark.parametrize("seed", range(6))
def test_every_finding_on_a_random_naive_publication_is_true_of_the_people(seed):
    k = 3
    people = random_organisation(seed, k=k)
    groupings = [g for size in range(3) for g in combinations(["department", "team", "level"], size)]
    groups = naive_publication(people, k=k, groupings=groupings)

    report = attack(inputs_of(people, groups, k=k, labels_k_anonymous=False))

    assert not report.inconclusive
    assert report.findings
    took_part = Counter(person.cell() for person in people if person.took_part)
    gave = Counter((person.cell(), value) for person in people if person.took_part for value in person.answers.values())
    for finding in report.findings:
        if finding.kind == ANSWER:
            assert gave[(finding.cell, finding.value)] >= 1
        elif finding.cell_size is not None:
            assert took_part[finding.cell] == finding.count


def _published_round():
    from reports import pipeline
    from surveys import rounds, submission
    from tests.rounds import open_round_with
    from tests.rounds import people as roster_people

    team = roster_people(12, department="Engineering")
    round = open_round_with(team, k=3, questions=[{"kind": "likert"}])
    question = round.questions.get()
    for number, person in enumerate(team[:10]):
        submission.round_submit(person=person, round=round, answers=[(question, 1 + number % 5)])
    rounds.round_close(round)
    pipeline.round_publish(round.id)
    return round


def test_audit_disclosure_prints_the_summary_and_fails_on_a_finding(db, monkeypatch, capsys):
    from reports import audit

    round = _published_round()
    people = nested_team()
    inputs = inputs_of(people, naive_publication(people, k=5, groupings=ALL_GROUPINGS), k=5, labels_k_anonymous=False)
    monkeypatch.setattr(audit, "round_attack_inputs", lambda round_id: inputs)

    with pytest.raises(CommandError, match="finding"):
        call_command("audit_disclosure", str(round.id))

    out = capsys.readouterr().out
    assert "MILPs solved" in out
    assert "answer pinned" in out


def test_audit_disclosure_passes_quietly_on_a_real_publication(db, capsys):
    round = _published_round()

    call_command("audit_disclosure", str(round.id))

    assert "passed" in capsys.readouterr().out


def test_audit_disclosure_explains_a_round_that_published_nothing(db):
    from tests.rounds import open_round_with
    from tests.rounds import people as roster_people

    round = open_round_with(roster_people(4), k=3, questions=[{"kind": "likert"}])

    with pytest.raises(CommandError, match="published nothing"):
        call_command("audit_disclosure", str(round.id))
