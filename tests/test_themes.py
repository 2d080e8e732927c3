import io
import json
import os
import random
import sys

import pytest
from django.core.management import call_command

from sentiment import lexicon, themes_backends
from sentiment.themes import OTHER, Theme, Themes, theme_match, theme_sentiments, themes_build, themes_carry_over
from sentiment.themes_privacy import themes_private
from sentiment.themes_text import corpus_build, text_terms

PRESSURE = [
    "My manager keeps pushing us to use AI for everything, the pressure is constant.",
    "There is so much pressure to use the AI tools even when they do not help.",
    "The AI mandate came from leadership and we are pushed to use it on every task.",
    "We feel pressure from management to use AI daily, a mandate in all but title.",
    "Leadership pushes AI usage hard and the pressure makes people anxious.",
    "The mandate to use AI for all code is too much pressure.",
    "I am pushed to use AI in every meeting, the pressure is exhausting.",
    "Constant pressure to adopt AI, the mandate ignores whether it helps.",
]
MONITORING = [
    "I feel monitored because my manager can see every prompt.",
    "Our AI usage is tracked and shown to managers, which kills trust.",
    "Nobody trusts that prompt logs stay private, it feels like being monitored.",
    "Being tracked on every AI prompt destroys trust in leadership.",
    "The usage tracking feels like surveillance and I do not trust it.",
    "Managers monitoring our prompts undermines trust in the team.",
    "I worry my prompts are monitored and used in my review, there is no trust.",
    "Tracking AI usage per person makes me feel watched and erodes trust.",
]
JOBS = [
    "I worry AI will replace my job next year.",
    "People fear losing their jobs to AI after the layoffs.",
    "Job security is gone, everyone thinks AI will replace us.",
    "My job feels less secure every time leadership praises AI replacing work.",
    "The layoffs made it clear AI is meant to replace jobs.",
    "I fear for my job, AI could replace half the team.",
    "Will AI replace our jobs? Nobody answers, and the layoffs continue.",
    "AI talk at town halls makes people fear for their jobs.",
]
TRAINING = [
    "We got no training on the AI tools, just a memo.",
    "Some real training and guidance on prompting would help.",
    "There is no guidance on when to use AI, we need training.",
    "A training session with examples would help the whole team.",
    "We need clear guidance and training on the AI tools.",
    "The training on AI was one slide, the guidance is missing.",
    "Better training and written guidance would make AI useful.",
    "Give us training and guidance with real examples.",
]
OFF_TOPIC = "The cafeteria soup on Fridays is always cold."
SEEDED = {"pressure": PRESSURE, "monitoring": MONITORING, "job_security": JOBS, "training": TRAINING}
ROUND = PRESSURE + MONITORING + JOBS + TRAINING


def subjects_generate(count: int, per_subject: int = 12, seed: int = 0) -> tuple[list[str], list[int]]:
    """Comments on unrelated office subjects, each with its own words, sharing only filler."""
    subjects = [
        ["parking", "garage", "spaces", "barrier", "permit", "car"],
        ["coffee", "machine", "espresso", "beans", "milk", "mugs"],
        ["printer", "toner", "paper", "jam", "scanner", "queue"],
        ["holiday", "calendar", "vacation", "leave", "booking", "days"],
        ["elevator", "lift", "stairs", "floor", "doors", "buttons"],
    ][:count]
    fillers = ["Please look into it.", "Thanks.", "It has been weeks.", "Everyone on the team agrees.", ""]
    rng = random.Random(seed)
    texts, labels = [], []
    for label, words in enumerate(subjects):
        for _ in range(per_subject):
            first, second = rng.sample(words[2:], 2)
            texts.append(f"The {words[0]} {words[1]}: {first} and {second} again. {rng.choice(fillers)}")
            labels.append(label)
    return texts, labels


def words_of(result: Themes) -> str:
    return json.dumps([theme.as_dict() for theme in result.themes]).lower()


def test_clearly_on_topic_comments_get_their_seed_names():
    result = themes_build(ROUND, backend="tfidf")

    keys = {result.theme(theme_id).key for theme_id in result.assignments}
    assert keys == set(SEEDED)
    for key, comments in SEEDED.items():
        ids = {result.assignments[ROUND.index(comment)] for comment in comments}
        assert [result.theme(theme_id).key for theme_id in ids] == [key]
    assert result.theme(result.assignments[0]).name == "Pressure and mandates"


def test_an_off_topic_comment_goes_to_other():
    result = themes_build([*ROUND, OFF_TOPIC], backend="tfidf")

    assert result.assignments[-1] == OTHER
    assert result.themes[-1].key == "other"
    assert result.themes[-1].size == 1


@pytest.mark.parametrize("subjects", [3, 4, 5])
def test_automatic_k_finds_the_number_of_clearly_separate_subjects(subjects):
    texts, labels = subjects_generate(subjects)

    result = themes_build(texts, backend="tfidf", seeds=())

    assert result.k == subjects
    assert len(result.themes) - 1 == subjects
    for subject in range(subjects):
        assert len({result.assignments[i] for i, label in enumerate(labels) if label == subject}) == 1


def test_a_given_k_is_used():
    texts, _ = subjects_generate(4)

    assert themes_build(texts, backend="tfidf", seeds=(), k=2).k == 2


def test_themes_name_by_distinctive_terms_and_key_by_the_top_two():
    texts, _ = subjects_generate(3)

    result = themes_build(texts, backend="tfidf", seeds=())

    coffee = next(theme for theme in result.themes if "espresso" in theme.terms)
    assert coffee.key.startswith("t-")
    assert coffee.name == ", ".join(coffee.terms[:3])
    assert all(1 <= len(term.split()) <= 2 for theme in result.themes for term in theme.terms)
    assert sum(theme.size for theme in result.themes) == len(texts)


def test_placeholders_never_become_terms():
    texts = [f"{comment} Ask [name] at [email], see [link], call [phone] or ping [handle]." for comment in ROUND]

    result = themes_build(texts, backend="tfidf")

    placeholder_words = {"name", "email", "link", "phone", "handle"}
    assert not placeholder_words & set(corpus_build(texts).all_terms)
    assert not any(placeholder_words & set(term.split()) for theme in result.themes for term in theme.terms)
    assert text_terms("Ask [name] today") == ["ask", "today"]


def test_the_same_input_and_random_state_give_the_same_themes():
    texts, _ = subjects_generate(4)
    texts += ROUND

    assert themes_build(texts, backend="tfidf", random_state=7) == themes_build(texts, backend="tfidf", random_state=7)


def test_no_comments_or_only_noise_leave_everything_in_other():
    assert themes_build([], backend="tfidf").themes == (Theme(OTHER, "other", "other", (), 0),)

    result = themes_build(["", "the and of", "[name]"], backend="tfidf")

    assert result.assignments == (OTHER, OTHER, OTHER)


def hand_built(assignments: list[int], themes: list[Theme]) -> Themes:
    other = Theme(OTHER, "other", "other", (), assignments.count(OTHER))
    return Themes(themes=(*themes, other), assignments=tuple(assignments), backend="tfidf", k=len(themes))


def test_terms_used_by_too_few_respondents_are_dropped():
    texts = [f"The parking garage is full again. {extra}" for extra in ["Lights out."] * 3 + ["Barrier broken."] * 3]
    garage = Theme(0, "t-garage-parking", "parking garage, barrier", ("parking garage", "barrier"), 6)
    result = hand_built([0] * 6, [garage])

    private = themes_private(result, texts, ["a", "b", "c", "d", "d", "d"], min_respondents=3)

    assert private.themes[0].terms == ("parking garage",)
    assert private.themes[0].name == "parking garage"
    assert private.themes[0].key == "t-garage-parking"
    assert private.themes[0].respondents == 4


def test_themes_with_too_few_respondents_are_merged_into_other():
    texts = [*PRESSURE[:4], "The coffee machine leaks.", "The coffee machine leaks again.", "Coffee machine!"]
    pressure = Theme(0, "pressure", "Pressure and mandates", ("pressure",), 4, seeded=True)
    coffee = Theme(1, "t-coffee-machine", "coffee machine", ("coffee machine",), 3)
    result = hand_built([0, 0, 0, 0, 1, 1, 1], [pressure, coffee])

    private = themes_private(result, texts, ["a", "b", "c", "d", "e", "e", "f"], min_respondents=3)

    assert [theme.key for theme in private.themes] == ["pressure", "other"]
    assert private.assignments == (0, 0, 0, 0, OTHER, OTHER, OTHER)
    assert private.themes[-1].size == 3
    assert private.themes[-1].respondents == 2
    assert "coffee" not in words_of(private)


def test_a_unique_sentence_from_one_respondent_never_leaks():
    secret = "The quarterly xylophone audit humiliated Bartholomew before the zeppelin committee."
    texts = [*ROUND, secret, secret + " Again.", "Again: " + secret]
    respondents = [f"r{i}" for i in range(len(ROUND))] + ["whistleblower"] * 3
    result = themes_build(texts, backend="tfidf")
    assert "xylophone" in words_of(result)  # the engine alone would show it: the privacy step must not

    private = themes_private(result, texts, respondents, min_respondents=3)

    shown = words_of(private)
    for word in ("quarterly", "xylophone", "audit", "humiliated", "bartholomew", "zeppelin", "committee"):
        assert word not in shown
    assert all(private.assignments[i] == OTHER for i in range(len(ROUND), len(texts)))
    assert all(len(term.split()) <= 3 for theme in private.themes for term in theme.terms)


def test_privacy_needs_one_respondent_per_comment():
    result = themes_build(ROUND, backend="tfidf")

    with pytest.raises(ValueError, match="one respondent per"):
        themes_private(result, ROUND, ["a"], min_respondents=3)


def test_theme_match_keeps_names_across_two_rounds():
    first_texts, _ = subjects_generate(3, seed=1)
    second_texts, _ = subjects_generate(3, seed=2)
    first = themes_build(first_texts + PRESSURE, backend="tfidf")
    second = themes_build(second_texts + PRESSURE[::-1], backend="tfidf")

    carried = themes_carry_over(first.themes, second)

    assert {theme.key for theme in carried.themes} == {theme.key for theme in first.themes}
    assert {theme.name for theme in carried.themes} == {theme.name for theme in first.themes}


def test_theme_match_pairs_unseeded_themes_by_shared_words_even_when_keys_differ():
    before = [
        Theme(0, "t-coffee-machine", "coffee machine, espresso", ("coffee machine", "espresso", "broken"), 9),
        Theme(1, "t-garage-parking", "parking garage", ("parking garage", "permit"), 7),
        Theme(2, "pressure", "Pressure and mandates", ("pressure",), 5, seeded=True),
    ]
    after = [
        Theme(0, "t-espresso-queue", "espresso, queue", ("espresso", "queue", "coffee machine"), 8),
        Theme(1, "t-printer-toner", "printer, toner", ("printer", "toner"), 6),
        Theme(2, "pressure", "Pressure and mandates", ("mandate",), 4, seeded=True),
    ]

    matches = theme_match(before, after)

    assert {new_id: theme.key for new_id, theme in matches.items()} == {0: "t-coffee-machine", 2: "pressure"}


def test_theme_sentiments_average_the_callers_scores_per_theme():
    result = hand_built([0, 0, OTHER], [Theme(0, "pressure", "Pressure and mandates", (), 2, seeded=True)])

    assert theme_sentiments(result, [0.5, -0.1, None]) == {0: pytest.approx(0.2), OTHER: None}


def test_the_backend_comes_from_the_setting_and_a_bad_name_says_what_is_expected(settings, monkeypatch):
    settings.CANDOR_THEMES_BACKEND = "tfidf"
    assert themes_backends.backend_get().name == "tfidf"

    monkeypatch.setattr(themes_backends, "embeddings_installed", lambda: False)
    assert themes_backends.embedding_backend().name == "tfidf"
    with pytest.raises(themes_backends.BackendUnavailable, match=r"requirements-embeddings\.txt"):
        themes_backends.backend_get("embeddings")
    with pytest.raises(ValueError, match="CANDOR_THEMES_BACKEND must be one of auto, tfidf, embeddings"):
        themes_backends.backend_get("bert")


@pytest.fixture
def vader(settings, tmp_path):
    settings.NLTK_DATA_DIR = tmp_path
    lexicon.analyzer.cache_clear()
    lexicon.lexicon_install(tmp_path)
    yield
    lexicon.analyzer.cache_clear()


def test_the_command_writes_one_theme_per_comment_from_stdin(monkeypatch):
    lines = [*ROUND, OFF_TOPIC]
    monkeypatch.setattr(sys, "stdin", io.StringIO("\n".join(lines) + "\n"))
    out = io.StringIO()

    call_command("themes_cluster", "--backend", "tfidf", stdout=out)

    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert len(rows) == len(lines)
    assert rows[0]["name"] == "Pressure and mandates"
    assert rows[-1] == {"theme": -1, "key": "other", "name": "other"}


def test_the_command_summary_lists_each_theme_with_terms_size_and_sentiment(tmp_path, vader):
    path = tmp_path / "comments.txt"
    path.write_text("\n".join([*ROUND, OFF_TOPIC]) + "\n", encoding="utf-8")
    out = io.StringIO()

    call_command("themes_cluster", str(path), "--summary", "--backend", "tfidf", stdout=out)

    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert {row["key"] for row in rows} == {*SEEDED, "other"}
    assert sum(row["size"] for row in rows) == len(ROUND) + 1
    assert all(set(row) == {"theme", "key", "name", "terms", "size", "sentiment"} for row in rows)
    assert next(row for row in rows if row["key"] == "pressure")["sentiment"] < 0


@pytest.mark.skipif(
    not themes_backends.embeddings_installed(),
    reason="runs only where the embeddings install option is importable (pip install -r requirements-embeddings.txt)",
)
def test_the_embeddings_backend_loads_offline_and_finds_the_seed_themes():
    result = themes_build([*ROUND, OFF_TOPIC], backend="embeddings")

    assert result.backend == "embeddings"
    assert {theme.key for theme in result.themes} >= set(SEEDED)
    assert os.environ["HF_HUB_OFFLINE"] == "1"
