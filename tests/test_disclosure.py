"""The disclosure-control engine over k-anonymous records (property P3 in DESIGN.md).

The engine tallies every group a round's queries can reach and hides any group under the threshold. It is given the
publication's k-anonymous labels, so what it shows is a sum of whole leaves of at least k: the random organisations
below check that no difference of two nested groups it shows is between 1 and k-1, and that the same engine over raw
attributes (no anonymization) does give such differences away, which shows the check can fail.
"""

import random
from itertools import combinations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reports.anonymize import anonymize
from reports.disclosure import Engine, Filter, FilterRefused, Measure, Query, QuerySpace, engine_build

K = 5
AGREE = Measure.share("productive", {4, 5})
MEAN = Measure.mean("productive")
NPS = Measure.nps("recommend")
COUNT = Measure.count()
MEASURES = (COUNT, MEAN, AGREE, NPS)


def organisation(*groups: tuple[int, dict]) -> list[dict]:
    """Records of ``size`` respondents per group of attributes, with varied answers."""
    records = []
    for size, attributes in groups:
        for _ in range(size):
            number = len(records)
            answers = {"productive": 1 + number % 5, "recommend": number % 11}
            records.append({"respondent": f"r{number}", **attributes, **answers})
    return records


def build(records: list[dict], *, attributes=("department", "location"), k=K, measures=MEASURES, **space) -> Engine:
    query_space = QuerySpace(attributes=tuple(attributes), filterable=tuple(attributes), **space)
    return engine_build(records=records, space=query_space, k=k, measures=measures)


SALES_OF_SIX = organisation(
    (5, {"department": "Sales", "location": "Berlin"}),
    (1, {"department": "Sales", "location": "Paris"}),
    (12, {"department": "Engineering", "location": "Berlin"}),
    (9, {"department": "Engineering", "location": "Paris"}),
)


def test_a_cell_under_k_is_suppressed_and_its_count_hidden_too():
    table = build(SALES_OF_SIX).table(Query(measure=MEAN, rows="department", columns="location"))

    cell = table.cell("Sales", "Paris")

    assert cell.suppressed
    assert (cell.value, cell.count) == (None, None)
    assert table.cell("Engineering", "Paris").count == 9


def test_a_respondent_with_several_records_is_counted_once():
    records = organisation((6, {"department": "Sales"}))
    records += [{"respondent": "r0", "department": "Sales", "extra": 1}]

    table = build(records, attributes=("department",)).table(Query(measure=COUNT, rows="department"))

    assert table.cell("Sales").count == 6


def test_two_records_of_one_respondent_with_different_attributes_are_refused():
    records = organisation((6, {"department": "Sales"}))
    records += [{"respondent": "r0", "department": "Finance"}]

    with pytest.raises(ValueError, match="different attributes"):
        build(records, attributes=("department",))


def test_means_shares_and_nps_are_computed_over_the_respondents_who_answered():
    records = organisation((10, {"department": "Sales"}))
    for record, productive, recommend in zip(records, [5, 4, 4, 2, 1, 5, 3, 3, None, None], range(10), strict=True):
        record["productive"], record["recommend"] = productive, recommend + 1
    engine = build(records, attributes=("department",))

    def total(measure: Measure):
        return engine.table(Query(measure=measure)).total

    assert (total(MEAN).value, total(MEAN).count) == (27 / 8, 8)
    assert total(AGREE).value == pytest.approx(4 / 8)
    assert total(NPS).value == pytest.approx(100 * (2 - 6) / 10)
    assert total(COUNT).count == 10


def test_a_round_below_k_shows_nothing_at_all():
    engine = build(organisation((4, {"department": "Sales"})), attributes=("department",))

    assert engine.table(Query(measure=COUNT)).total.suppressed
    with pytest.raises(FilterRefused):
        engine.table(Query(measure=COUNT, filters=(Filter("department", "Sales"),)))


def test_a_question_fewer_than_k_answered_in_a_group_hides_the_groups_cells_for_every_measure():
    records = organisation((8, {"department": "Sales"}), (8, {"department": "Legal"}))
    for record in records[:6]:
        record["productive"] = None

    engine = build(records, attributes=("department",))

    assert engine.table(Query(measure=MEAN, rows="department")).cell("Sales").suppressed
    assert engine.table(Query(measure=COUNT, rows="department")).cell("Sales").suppressed
    assert engine.table(Query(measure=COUNT, rows="department")).cell("Legal").count == 8


def test_a_filter_selecting_fewer_than_k_is_refused_in_words_an_analyst_understands():
    engine = build(SALES_OF_SIX)

    with pytest.raises(FilterRefused) as refused:
        engine.table(Query(measure=MEAN, filters=(Filter("department", "Sales"), Filter("location", "Paris"))))

    message = str(refused.value)
    assert "department Sales and location Paris" in message
    assert f"at least {K} respondents" in message
    assert "1" not in message.replace(f"{K}", "")


def test_a_filter_on_an_attribute_that_is_not_offered_is_a_programming_error():
    space = QuerySpace(attributes=("department", "location"), filterable=("department",))
    engine = engine_build(records=SALES_OF_SIX, space=space, k=K, measures=MEASURES)

    with pytest.raises(ValueError, match="filters"):
        engine.table(Query(measure=COUNT, rows="department", filters=(Filter("location", "Paris"),)))


def test_queries_give_the_same_tables_from_records_in_any_order():
    shuffled = random.Random(7).sample(SALES_OF_SIX, len(SALES_OF_SIX))
    query = Query(measure=AGREE, rows="department", columns="location")

    assert build(SALES_OF_SIX).table(query).cells == build(shuffled).table(query).cells


def test_comment_derived_cells_use_the_higher_comment_threshold():
    records = organisation((14, {"department": "Sales"}), (12, {"department": "Legal"}), (20, {"department": "Ops"}))
    for number, record in enumerate(records):
        record["theme_pressure"] = 1 if number % 2 else None
    theme = Measure.count(field="theme_pressure", comment_derived=True)
    engine = build(records, attributes=("department",), measures=(COUNT, theme))

    answers = engine.table(Query(measure=COUNT, rows="department"))
    comments = engine.table(Query(measure=theme, rows="department"))

    assert comments.threshold == 2 * K
    assert answers.cell("Sales").count == 14
    assert comments.cell("Sales").suppressed
    assert comments.cell("Ops").count == 10


# --- subtraction, on random organisations ------------------------------------------------------------------------

ATTRIBUTES = ("department", "location", "level_band")


@st.composite
def organisations(draw):
    """Random rosters of groups of 1 to 25 people over three attributes, with random participation."""
    invitees, respondents = [], []
    for number in range(draw(st.integers(1, 5))):
        for _ in range(draw(st.integers(1, 25))):
            person = {
                "department": f"d{number}",
                "location": f"loc{draw(st.integers(0, 2))}",
                "level_band": f"l{draw(st.integers(0, 2))}",
            }
            invitees.append(person)
            if draw(st.integers(0, 3)):
                respondents.append(person)
    return invitees, respondents, draw(st.integers(3, 5))


def _records(respondents: list[dict], labels) -> list[dict]:
    return [
        {"respondent": f"r{number}", **labels(person), "productive": 1 + number % 5, "recommend": number % 11}
        for number, person in enumerate(respondents)
    ]


def _nested_differences(engine: Engine, k: int) -> list[tuple]:
    """Pairs of shown groups, one inside the other, whose respondent counts differ by 1 to k-1."""
    shown = {
        group: count for group, (count, _) in engine.tallies[COUNT].items() if group not in engine.hidden and count
    }
    found = []
    for outer, inner in combinations(sorted(shown, key=len), 2):
        if set(outer) < set(inner) and 0 < shown[outer] - shown[inner] < k:
            found.append((outer, inner, shown[outer] - shown[inner]))
    return found


def _engine(records: list[dict], k: int) -> Engine:
    space = QuerySpace(attributes=ATTRIBUTES, filterable=ATTRIBUTES, max_filters=1, max_breakdown=1)
    return engine_build(records=records, space=space, k=k, measures=MEASURES)


@settings(max_examples=120, deadline=None)
@given(organisations())
def test_no_shown_group_differs_from_a_shown_group_inside_it_by_fewer_than_k(drawn):
    invitees, respondents, k = drawn
    if len(respondents) < k:
        return
    tree = anonymize(respondents=respondents, invitees=invitees, attributes=ATTRIBUTES, k=k)

    engine = _engine(_records(respondents, tree.labels_of), k)

    assert _nested_differences(engine, k) == []


def test_the_same_engine_over_raw_attributes_gives_small_groups_away_by_subtraction():
    """Without the anonymization, primary suppression alone lets a group of one be worked out."""
    invitees = [
        *({"department": "Design", "location": "Berlin", "level_band": "l1"} for _ in range(5)),
        {"department": "Design", "location": "Paris", "level_band": "l3"},
        *({"department": "Sales", "location": "Paris", "level_band": "l1"} for _ in range(9)),
    ]
    raw = _engine(_records(invitees, lambda person: person), K)
    anonymized_tree = anonymize(respondents=invitees, invitees=invitees, attributes=ATTRIBUTES, k=K)
    anonymized = _engine(_records(invitees, anonymized_tree.labels_of), K)

    assert (((("department", "Design"),), (("department", "Design"), ("location", "Berlin")), 1)) in (
        _nested_differences(raw, K)
    )
    assert _nested_differences(anonymized, K) == []
