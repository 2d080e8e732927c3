import json
import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

import nltk
import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from feedback.models import Comment
from reports import pipeline
from sentiment import domain, lexicon
from sentiment.scoring import NEGATIVE_BELOW, POSITIVE_ABOVE, candor_analyzer, compound_score, label, score_comment
from sentiment.splitting import ASSERTED, CONCEDED, PLAIN, split_units
from surveys import rounds, submission
from surveys.models import Round
from tests.rounds import open_round_with, people

WORKPLACE_SET = Path(__file__).parent / "data" / "workplace_sentiment.tsv"
ISSUE_EXAMPLES = {
    "It feels like surveillance.": "negative",
    "We are forced to hit token targets.": "negative",
    "None": "neutral",
}


@pytest.fixture(autouse=True)
def _vader_lexicon(monkeypatch):
    def refuse_download(*args, **kwargs):
        raise AssertionError("nltk.download must never be called")

    monkeypatch.setattr(nltk, "download", refuse_download)
    if not lexicon.lexicon_installed(settings.NLTK_DATA_DIR):
        lexicon.lexicon_install(settings.NLTK_DATA_DIR)


def units_text(text: str) -> list[str]:
    return [text[unit.start : unit.end] for unit in split_units(text)]


def stock_compound(text: str) -> float:
    return lexicon.analyzer().polarity_scores(text)["compound"]


# --- splitting ---------------------------------------------------------------------------------


def test_a_comment_splits_at_sentence_stops_and_line_breaks():
    text = "The tool is fine. Is it fast? No! It is slow\nThe dashboard is new"

    assert units_text(text) == ["The tool is fine.", "Is it fast?", "No!", "It is slow", "The dashboard is new"]


@pytest.mark.parametrize(
    "text",
    [
        "Some tools, e.g. the chat assistant, help.",
        "Other tools, i.e. the ones we pay for, help.",
        "Dr. Jones and Mr. Smith agree with Ms. Lee.",
        "Usage went up 3.5 times since v2.1 shipped.",
        "See [link] or https://example.com/docs/page.html?x=1 for the policy.",
        "Copilot, ChatGPT, etc. are all allowed.",
        "The U.S. office has no mandate.",
    ],
)
def test_abbreviations_decimals_and_links_do_not_end_a_sentence(text):
    assert units_text(text) == [text]


def test_etc_ends_a_sentence_when_the_next_one_starts_with_a_capital():
    assert units_text("We use Copilot, ChatGPT, etc. The rest is fine.") == [
        "We use Copilot, ChatGPT, etc.",
        "The rest is fine.",
    ]


def test_an_ellipsis_ends_a_sentence_only_when_a_new_one_starts():
    assert units_text("It works... mostly. Then it stops… Sometimes.") == [
        "It works... mostly.",
        "Then it stops…",
        "Sometimes.",
    ]


def test_bullet_markers_are_left_out_of_the_units():
    text = "Downsides:\n- slow\n* buggy\n• noisy\n1. pricey\n2) clunky"

    assert units_text(text) == ["Downsides:", "slow", "buggy", "noisy", "pricey", "clunky"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The tool is great but the leaderboard is toxic", ["The tool is great", "but the leaderboard is toxic"]),
        ("The tool is great, however the targets hurt.", ["The tool is great,", "however the targets hurt."]),
        ("I use it daily although it is slow.", ["I use it daily", "although it is slow."]),
        ("I use it daily, though it is slow.", ["I use it daily,", "though it is slow."]),
        ("I use it daily, even though it is slow.", ["I use it daily,", "even though it is slow."]),
        ("It is fast, yet it hallucinates.", ["It is fast,", "yet it hallucinates."]),
        ("Sales loves it whereas we hate it.", ["Sales loves it", "whereas we hate it."]),
        ("It writes the tests while I review them.", ["It writes the tests", "while I review them."]),
        ("The tool helps; the quota does not.", ["The tool helps;", "the quota does not."]),
    ],
)
def test_clauses_split_at_contrastive_conjunctions_and_semicolons(text, expected):
    assert units_text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "It gave me nothing but trouble.",
        "I used it for a while and stopped.",
        "I have not tried it yet.",
        "Yet another dashboard to check.",
        "The leaderboard, however, is new.",
        "Fast but buggy.",
        "It is good though.",
        "However much I try, it fails.",
    ],
)
def test_words_that_only_look_contrastive_do_not_split_a_clause(text):
    assert units_text(text) == [text]


def test_an_opening_concession_runs_to_its_comma_and_concedes_to_the_main_clause():
    text = "Although the tool is great, the leaderboard is toxic."

    units = split_units(text)

    assert [text[unit.start : unit.end] for unit in units] == [
        "Although the tool is great,",
        "the leaderboard is toxic.",
    ]
    assert [unit.role for unit in units] == [CONCEDED, ASSERTED]


def test_a_contrast_asserts_what_follows_and_concedes_what_precedes_even_across_sentences():
    text = "The training was good. But the quota is a problem. The rest is fine."

    assert [unit.role for unit in split_units(text)] == [CONCEDED, ASSERTED, PLAIN]


def test_a_unit_is_scored_without_its_leading_conjunction():
    text = "Great tool, but slow."

    last = split_units(text)[-1]

    assert text[last.start : last.end] == "but slow."
    assert text[last.body_start : last.end] == "slow."


def test_unit_offsets_point_at_trimmed_spans_of_the_original_text():
    text = "  First point here.   Second one, but with a twist!  \n\n  - third  "

    for unit in split_units(text):
        span = text[unit.start : unit.end]
        assert span == span.strip() and span
    assert units_text(text) == ["First point here.", "Second one,", "but with a twist!", "third"]


# --- scoring -----------------------------------------------------------------------------------


def test_the_tool_is_great_but_the_leaderboard_is_toxic_gives_one_positive_and_one_negative_unit():
    score = score_comment("the tool is great but the leaderboard is toxic")

    assert [sentence.label for sentence in score.sentences] == ["positive", "negative"]
    assert [(sentence.start, sentence.end) for sentence in score.sentences] == [(0, 17), (18, 46)]
    assert score.label == "negative"


@pytest.mark.parametrize(("text", "expected"), ISSUE_EXAMPLES.items())
def test_the_issue_examples_get_the_label_a_reader_gives(text, expected):
    assert score_comment(text).label == expected


def test_surveillance_likeness_is_negative_where_stock_vader_calls_it_positive():
    assert stock_compound("It feels like surveillance.") > 0
    assert compound_score("It feels like surveillance.") < -0.3


def test_being_forced_to_hit_token_targets_is_clearly_negative():
    text = "We are forced to hit token targets."

    assert compound_score(text) < -0.5
    assert compound_score(text) < stock_compound(text)


@pytest.mark.parametrize("text", ["Downsides: none", "Upsides: speed.\nDownsides: none.", "None, great tool overall."])
def test_none_in_a_list_of_downsides_is_not_negative(text):
    assert compound_score(text) >= 0


def test_a_concession_weighs_less_than_the_main_clause():
    assert score_comment("Although the tool is great, the leaderboard is toxic.").label == "negative"
    assert score_comment("Although the leaderboard is annoying, the tool is great.").label == "positive"


def test_a_but_in_one_sentence_does_not_rescale_the_others():
    text = "The rollout was awful. The training was awful. The tool is okay but slow."

    assert score_comment(text).compound < stock_compound(text)


def test_empty_text_is_neutral_and_has_no_units():
    assert score_comment("   \n ") == score_comment("")
    assert score_comment("").compound == 0.0
    assert score_comment("").label == "neutral"
    assert score_comment("").sentences == []


@pytest.mark.parametrize(
    ("compound", "expected"),
    [
        (-1.0, "negative"),
        (NEGATIVE_BELOW, "negative"),
        (-0.0499, "neutral"),
        (0.0, "neutral"),
        (0.0499, "neutral"),
        (POSITIVE_ABOVE, "positive"),
        (1.0, "positive"),
    ],
)
def test_labels_follow_vaders_conventional_thresholds(compound, expected):
    assert label(compound) == expected


def test_unit_labels_use_the_same_thresholds_as_the_comment():
    score = score_comment("The tool is great. The leaderboard is toxic. We meet on Mondays.")

    assert [sentence.label for sentence in score.sentences] == [label(s.compound) for s in score.sentences]
    assert [sentence.label for sentence in score.sentences] == ["positive", "negative", "neutral"]


def test_compound_score_is_the_comment_compound():
    text = "Useful tool. Awful targets."

    assert compound_score(text) == score_comment(text).compound


# --- the domain layer --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "It's like a search engine for our docs.",
        "It looks like a chatbot.",
        "Things like prompts and tokens.",
        "I would like more guidance.",
        "I'd like a choice.",
        "It was, like, a normal week.",
    ],
)
def test_like_as_a_comparison_or_a_wish_carries_no_sentiment(text):
    assert compound_score(text) == 0.0


@pytest.mark.parametrize("text", ["I like the new tool.", "We really like it.", "People like a good tool."])
def test_like_as_a_verb_stays_positive(text):
    assert compound_score(text) > 0.2


def test_like_being_watched_is_negative_and_disliking_it_stays_negative():
    assert score_comment("It is like being watched all day.").label == "negative"
    assert score_comment("I don't like being tracked.").label == "negative"


@pytest.mark.parametrize("text", ["None", "None.", "N/A", "n/a", "Nothing to add.", "Nope.", "No.", "Nothing, really."])
def test_non_answers_are_neutral(text):
    assert score_comment(text).label == "neutral"


@pytest.mark.parametrize(
    "text", ["No complaints.", "No downsides so far.", "I haven't had any issues.", "Zero problems with it."]
)
def test_saying_problems_are_absent_is_mildly_positive(text):
    assert 0 < compound_score(text) < 0.5


def test_oh_no_keeps_its_meaning():
    assert compound_score("Oh no, another mandate.") < 0


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Not bad at all.", "positive"),
        ("Not great.", "negative"),
        ("It is not a time-saver.", "negative"),
        ("It is not reliable.", "negative"),
        ("Could be worse.", "positive"),
    ],
)
def test_negation_applies_to_domain_words_and_phrases(text, expected):
    assert score_comment(text).label == expected


def test_a_phrase_matches_with_a_space_or_a_hyphen_and_all_caps_adds_emphasis():
    assert compound_score("A real time saver.") == compound_score("A real time-saver.") > 0
    assert compound_score("It is BIG BROTHER here.") < compound_score("It is big brother here.") < 0


@pytest.mark.parametrize(
    "text", ["I watched the demo.", "We replaced the old wiki last year.", "The targets are on the wiki."]
)
def test_words_with_an_everyday_neutral_sense_stay_neutral_outside_domain_phrases(text):
    assert score_comment(text).label == "neutral"


def test_curly_apostrophes_negate_like_straight_ones():
    assert compound_score("It doesn’t help.") == compound_score("It doesn't help.") < 0


def test_every_domain_group_explains_itself_and_stays_modest():
    for group in domain.GROUPS:
        assert group.rationale.strip() and group.entries
        assert all(-2.0 <= valence <= 2.0 for valence in group.entries.values())


def test_the_domain_layer_leaves_the_stock_analyzer_alone():
    assert "surveillance" in candor_analyzer().lexicon
    assert "surveillance" not in lexicon.analyzer().lexicon
    assert lexicon.analyzer().lexicon["mandatory"] == pytest.approx(0.3)


def test_the_candor_analyzer_is_built_once_per_process():
    assert candor_analyzer() is candor_analyzer()


def test_scoring_stays_fast():
    texts = [
        "The assistant is a real time-saver, but the usage leaderboard feels like surveillance.",
        "We are forced to hit token targets every week; it is pointless busywork.",
        "None",
    ] * 100
    started = time.perf_counter()

    for text in texts:
        score_comment(text)

    assert time.perf_counter() - started < 3.0


# --- the workplace sanity set ------------------------------------------------------------------


def workplace_rows() -> list[tuple[str, str]]:
    lines = WORKPLACE_SET.read_text(encoding="utf-8").splitlines()
    return [tuple(line.split("\t", 1)) for line in lines if line and not line.startswith("#")]


def test_the_workplace_set_is_labelled_and_holds_the_issue_examples():
    rows = workplace_rows()

    assert len(rows) >= 40
    assert {gold for gold, _text in rows} == {"negative", "neutral", "positive"}
    assert set(ISSUE_EXAMPLES.items()) <= {(text, gold) for gold, text in rows}


def test_candor_reads_workplace_comments_clearly_better_than_stock_vader():
    rows = workplace_rows()

    candor = sum(score_comment(text).label == gold for gold, text in rows) / len(rows)
    stock = sum(label(stock_compound(text)) == gold for gold, text in rows) / len(rows)

    assert candor >= 0.85
    assert candor - stock >= 0.25


# --- scores stored at publication ------------------------------------------------------------------


def round_closed_with(*texts: str) -> Round:
    """A round whose respondents wrote these comments (one each, at least k = 3 of them), closed."""
    team = people(len(texts))
    round = open_round_with(team, k=3, questions=[{"kind": "text"}])
    question = round.questions.get()
    for person, text in zip(team, texts, strict=True):
        submission.round_submit(person=person, round=round, answers=[(question, text)])
    return rounds.round_close(round)


def comments_published(*texts: str) -> list[Comment]:
    round = round_closed_with(*texts)
    pipeline.round_publish(round.id)
    return list(Comment.objects.filter(response__round_id=round.id))


@pytest.mark.django_db
def test_publication_stores_the_compound_the_label_and_unit_offsets_but_no_text():
    text = "the tool is great but the leaderboard is toxic"

    comments = comments_published(text, text, text)

    assert len(comments) == 3
    for comment in comments:
        assert comment.compound == score_comment(text).compound
        assert comment.sentiment == "negative"
        assert comment.sentences == [
            {"start": 0, "end": 17, "compound": 0.6249, "label": "positive"},
            {"start": 18, "end": 46, "compound": comment.sentences[1]["compound"], "label": "negative"},
        ]
        assert all(set(unit) == {"start", "end", "compound", "label"} for unit in comment.sentences)
        assert "toxic" not in json.dumps(comment.sentences)


@pytest.mark.django_db
def test_publishing_a_round_again_leaves_its_scores_alone():
    comments = comments_published("Useful tool.", "The quota is pointless.", "It feels like surveillance.")
    round_id = comments[0].response.round_id
    first = list(Comment.objects.values_list("id", "compound", "sentiment", "sentences"))

    with CaptureQueriesContext(connection) as queries:
        assert pipeline.round_publish(round_id) is None

    assert not [query for query in queries.captured_queries if query["sql"].lstrip().upper().startswith("UPDATE")]
    assert list(Comment.objects.values_list("id", "compound", "sentiment", "sentences")) == first


@pytest.mark.django_db
def test_a_blank_comment_is_published_neutral_with_no_units():
    comments = comments_published("   \n ", "Useful tool.", "Useful tool.")

    blank = next(comment for comment in comments if not comment.text.strip())
    assert (blank.compound, blank.sentiment, blank.sentences) == (0.0, "neutral", [])


@pytest.mark.django_db
def test_publication_writes_every_comment_with_its_scores_in_one_query_whatever_their_number():
    def score_writes(count: int) -> list[str]:
        round = round_closed_with(*[f"Comment number {n} is great." for n in range(count)])
        with CaptureQueriesContext(connection) as queries:
            pipeline.round_publish(round.id)
        assert Comment.objects.filter(response__round_id=round.id, sentiment="positive").count() == count
        writes = [query["sql"] for query in queries.captured_queries if query["sql"].startswith(("INSERT", "UPDATE"))]
        return [query for query in writes if "feedback_comment" in query and "compound" in query.split("WHERE")[0]]

    assert [query.split()[0] for query in score_writes(30)] == ["INSERT"]
    assert [query.split()[0] for query in score_writes(3)] == ["INSERT"]


# --- the command -------------------------------------------------------------------------------


def command_run(args: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "NLTK_DATA": str(settings.NLTK_DATA_DIR)}
    return subprocess.run(
        [sys.executable, "manage.py", "sentiment_score", *args],
        cwd=settings.BASE_DIR,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=60,
    )


def test_the_command_scores_each_line_of_standard_input_as_json():
    stdin = "the tool is great but the leaderboard is toxic\n\nCafé owners ☕ love it\r\n".encode() + b"bad \xff bytes"

    result = command_run([], stdin)

    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    assert len(lines) == 4
    assert lines[0]["label"] == "negative"
    assert [(s["text"], s["label"]) for s in lines[0]["sentences"]] == [
        ("the tool is great", "positive"),
        ("but the leaderboard is toxic", "negative"),
    ]
    assert lines[1] == {"compound": 0.0, "label": "neutral", "sentences": []}
    assert lines[2]["sentences"][0]["text"] == "Café owners ☕ love it"
    assert lines[3]["sentences"][0]["text"] == "bad \ufffd bytes"


def test_the_command_reads_a_file(tmp_path):
    path = tmp_path / "comments.txt"
    path.write_text("\ufeffIt feels like surveillance.\nNone\n", encoding="utf-8")
    out = StringIO()

    call_command("sentiment_score", str(path), stdout=out)

    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [line["label"] for line in lines] == ["negative", "neutral"]
    assert lines[0]["sentences"][0]["text"] == "It feels like surveillance."


def test_a_missing_file_is_a_clear_error_with_exit_code_2(tmp_path):
    missing = tmp_path / "nowhere.txt"

    result = command_run([str(missing)])

    assert result.returncode == 2
    assert f"Cannot read {missing}" in result.stderr.decode()
    with pytest.raises(CommandError, match="No such file"):
        call_command("sentiment_score", str(missing))


@pytest.mark.parametrize(
    "text",
    [
        "Great!!! The tool is GREAT, really... but the leaderboard? Toxic!",
        "'quoted' words, (brackets) and -dashes- :) :( ;-) <3 don't won't it's",
        "?!?wow!?! ,lead; trail: 'both' \"double\" !!! ... -- #tag @handle 3.5 10%",
        "a I x y, z! Ok. OK!! ok?? no:( yes:) meh...",
        "The token leaderboard feels like surveillance, honestly; nobody trusts it.",
    ],
)
def test_the_linear_tokenizer_gives_exactly_nltks_tokens(text):
    from nltk.sentiment.vader import SentiText, VaderConstants

    from sentiment.scoring import LinearSentiText

    constants = VaderConstants()
    ours = LinearSentiText(text, constants.PUNC_LIST, constants.REGEX_REMOVE_PUNCTUATION)
    nltks = SentiText(text, constants.PUNC_LIST, constants.REGEX_REMOVE_PUNCTUATION)

    assert ours.words_and_emoticons == nltks.words_and_emoticons
