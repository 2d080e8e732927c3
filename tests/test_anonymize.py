"""The k-anonymization at publication (reports/anonymize.py), on plain data: every stored combination of labels is
shared by at least k respondents, every invitee lands in a leaf, nobody's taking part is pinned in a small roster
cell, and the comments' coarser leaves contain the answers' leaves whole."""

from hypothesis import given, settings
from hypothesis import strategies as st

from reports.anonymize import OTHER, anonymize, leaf_sizes

ATTRIBUTES = ("department", "team", "level_band")


def _person(department: str, team: str, level: str = "L3") -> dict:
    return {"department": department, "team": team, "level_band": level}


def _nested_team() -> list[dict]:
    """Design is a team of five and its director, who sits in a large Leadership team spanning departments."""
    design = [_person("Design", "Product design") for _ in range(5)]
    director = _person("Design", "Leadership", "L7")
    others = [
        _person(department, team, level)
        for department in ("Engineering", "Sales")
        for team in ("Leadership", "Platform")
        for level in ("L3", "L5")
        for _ in range(4)
    ]
    return [*design, director, *others]


def test_every_stored_label_combination_is_shared_by_at_least_k_respondents():
    people = _nested_team()
    respondents = people[:-3]

    tree = anonymize(respondents=respondents, invitees=people, attributes=ATTRIBUTES, k=5)

    assert min(leaf_sizes(tree, respondents).values()) >= 5


def test_a_department_where_everyone_answered_is_never_named_with_its_roster_cell_under_k():
    people = _nested_team()
    respondents = people[:6] + people[6::2]  # all of Design answered, half of the others

    tree = anonymize(respondents=respondents, invitees=people, attributes=ATTRIBUTES, k=5)

    # Naming "Design" for all six would tell HR that the director took part. The team of five may be named (a
    # roster cell of k), the director's own cell (one person) may not.
    assert tree.labels_of(people[5])["department"] == OTHER
    assert leaf_sizes(tree, respondents)[tuple(sorted(tree.labels_of(people[5]).items()))] >= 5


def test_the_director_never_shares_a_named_team_or_department_with_the_product_design_team_alone():
    people = _nested_team()
    respondents = [person for index, person in enumerate(people) if index != 3]  # one designer did not answer

    tree = anonymize(respondents=respondents, invitees=people, attributes=ATTRIBUTES, k=5)

    director = tree.labels_of(people[5])
    design = [tree.labels_of(person) for person in people[:5]]
    # Whatever the director's labels, no published group holds the director with fewer than k others: the director
    # is either labelled with the team of the whole Leadership group, or merged into a leaf of at least k.
    assert leaf_sizes(tree, respondents)[tuple(sorted(director.items()))] >= 5
    assert not (director["department"] == "Design" and all(labels["department"] == "Design" for labels in design))


def test_everyone_who_answered_lands_in_a_leaf_and_so_does_everyone_who_did_not():
    people = _nested_team()
    respondents = people[::2]

    tree = anonymize(respondents=respondents, invitees=people, attributes=ATTRIBUTES, k=3)

    leaves = {tuple(sorted(leaf.labels.items())) for leaf in tree.leaves()}
    assert {tuple(sorted(tree.labels_of(person).items())) for person in people} <= leaves


def test_the_answers_leaves_nest_in_the_comments_leaves():
    people = _nested_team()
    respondents = [person for index, person in enumerate(people) if index % 5]
    coarse = anonymize(respondents=respondents, invitees=people, attributes=ATTRIBUTES, k=10)

    fine = anonymize(respondents=respondents, invitees=people, attributes=ATTRIBUTES, k=3, within=coarse)

    pairs = {(tuple(sorted(fine.labels_of(p).items())), tuple(sorted(coarse.labels_of(p).items()))) for p in people}
    assert len({fine_labels for fine_labels, _ in pairs}) == len(pairs)  # each fine leaf in one coarse leaf
    for fine_labels, coarse_labels in pairs:
        for (_, fine_value), (_, coarse_value) in zip(fine_labels, coarse_labels, strict=True):
            assert coarse_value in (fine_value, OTHER)
    assert len(leaf_sizes(fine, respondents)) > len(leaf_sizes(coarse, respondents))


def test_a_round_where_everyone_answered_names_groups_the_overall_count_already_gives_away():
    people = _nested_team()

    tree = anonymize(respondents=people, invitees=people, attributes=ATTRIBUTES, k=5)

    assert {tree.labels_of(person)["department"] for person in people[6:]} == {"Engineering", "Sales"}


@st.composite
def organisations(draw):
    """Random rosters of groups of 1 to 30 people, with random participation."""
    departments = draw(st.lists(st.integers(1, 30), min_size=1, max_size=6))
    people, respondents = [], []
    for number, size in enumerate(departments):
        for index in range(size):
            person = {
                "department": f"d{number}",
                "team": f"t{draw(st.integers(0, 3))}",
                "level_band": f"l{draw(st.integers(0, 2))}",
                "index": str(number * 100 + index),
            }
            people.append(person)
            if draw(st.booleans()):
                respondents.append(person)
    k = draw(st.integers(3, 6))
    return people, respondents, k


@settings(max_examples=150, deadline=None)
@given(organisations())
def test_random_organisations_store_no_combination_under_k_and_name_no_group_where_everyone_took_part(drawn):
    people, respondents, k = drawn
    if len(respondents) < k:
        return  # the pipeline publishes nothing for a round under k
    coarse = anonymize(respondents=respondents, invitees=people, attributes=ATTRIBUTES, k=2 * k)
    tree = anonymize(respondents=respondents, invitees=people, attributes=ATTRIBUTES, k=k, within=coarse)

    assert min(leaf_sizes(tree, respondents).values()) >= k
    if len(respondents) == len(people):
        return  # the overall count already says that everyone took part
    answered = {id(person) for person in respondents}
    leaves: dict[tuple, list[dict]] = {}
    for person in people:
        leaves.setdefault(tuple(sorted(tree.labels_of(person).items())), []).append(person)
    for members in leaves.values():
        assert not all(id(person) in answered for person in members), members
