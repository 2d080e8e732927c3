"""Candor's domain layer for VADER: the vocabulary of AI tools at work and the mandates around them.

Stock VADER was rated by crowd workers on general and social-media English. Survey comments about AI
mandates use words it does not know ("surveillance", "leaderboard", "hallucinates", "busywork") and a
few it misreads ("like" in "it feels like surveillance", "no" in "no complaints").

Two mechanisms, both written from the meaning of the words, not fitted to any data set:

* ``GROUPS``: lexicon entries on VADER's -4..+4 scale, kept modest (|valence| <= 2; VADER's "bad" is
  -2.5, "good" 1.9). A single word goes straight into the analyzer's lexicon; a phrase (anything with a
  space or hyphen) is matched before VADER tokenizes and replaced by one made-up token that carries its
  valence, so VADER's own negation and booster rules still apply to it ("not a time-saver").
* ``rewrite``: rules that change how VADER reads a word in context. "like" as a comparison or a wish
  carries no sentiment; a non-answer ("none", "n/a", "No.") negates nothing; saying a problem is absent
  ("no complaints") is mild praise.

Words whose everyday sense is neutral ("watched", "replaced", "targets", "dashboard") appear only
inside phrases, so "I watched the demo" stays neutral.
"""

import re
from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Group:
    name: str
    rationale: str
    entries: dict[str, float]


GROUPS = (
    Group(
        "mandates",
        "Being made to use a tool instead of choosing it is the core grievance of an AI mandate.",
        {
            "mandated": -0.8,
            # Stock VADER rates "mandatory" +0.3 out of context; here it means compulsion.
            "mandatory": -0.8,
            "compulsory": -0.8,
            "quota": -0.8,
            "quotas": -0.8,
            "coercive": -1.5,
            "micromanaged": -1.8,
            "micromanaging": -1.8,
            "micromanagement": -1.8,
            "pushed to": -1.0,
            "made to use": -1.0,
            "not optional": -1.0,
            "no choice": -1.2,
            "top-down": -0.5,
        },
    ),
    Group(
        "metrics",
        "Counting and ranking AI usage turns a tool into a score employees are judged by.",
        {
            "leaderboard": -0.6,
            "leaderboards": -0.6,
            "token targets": -1.0,
            "token target": -1.0,
            "usage targets": -1.0,
            "usage target": -1.0,
            "token quota": -1.0,
            "token quotas": -1.0,
            "usage quota": -1.0,
            "usage quotas": -1.0,
            "prompt quota": -1.0,
            "kpi theatre": -1.5,
            "kpi theater": -1.5,
            "usage theatre": -1.5,
            "usage theater": -1.5,
            "vanity metrics": -1.2,
            "game the metrics": -1.2,
            "gaming the metrics": -1.2,
            "game the system": -1.2,
            "gaming the system": -1.2,
            "game the numbers": -1.2,
            "ranks us": -0.8,
            "ranked us": -0.8,
            "ranking us": -0.8,
            "ranked by usage": -0.8,
        },
    ),
    Group(
        "monitoring",
        "Usage telemetry read as being watched; perceived monitoring is one of Candor's headline indicators.",
        {
            "surveillance": -1.8,
            "surveilled": -1.8,
            "spying": -1.8,
            "spied": -1.5,
            "snooping": -1.5,
            "creepy": -1.2,
            "intrusive": -1.3,
            "invasive": -1.3,
            "orwellian": -2.0,
            "tracked": -0.8,
            "monitored": -1.0,
            "big brother": -1.8,
            "being watched": -1.2,
            "feel watched": -1.2,
            "feels watched": -1.2,
            "felt watched": -1.2,
            "watching us": -1.0,
            "watches us": -1.0,
            "being tracked": -1.2,
            "being monitored": -1.2,
            "tracking us": -1.2,
            "tracks us": -1.2,
            "monitoring us": -1.2,
            "monitors us": -1.2,
            "keystroke logging": -1.5,
            "over my shoulder": -1.0,
            "over our shoulder": -1.0,
            "over our shoulders": -1.0,
            "over your shoulder": -1.0,
        },
    ),
    Group(
        "job security",
        "AI framed as a way to cut headcount is the fear employees voice most strongly about it.",
        {
            "layoff": -2.0,
            "layoffs": -2.0,
            "downsizing": -1.8,
            "redundancies": -1.8,
            "replaceable": -1.2,
            "expendable": -1.5,
            "laid off": -2.0,
            "let go": -1.0,
            "job cuts": -2.0,
            "headcount cuts": -2.0,
            "made redundant": -2.0,
            "replaced by": -1.5,
            "replace us": -1.5,
            "replacing us": -1.5,
            "take our jobs": -1.8,
            "taking our jobs": -1.8,
            "automated away": -1.5,
            "out of a job": -1.8,
            # A topic, not a feeling: VADER would count "security" +1.4 in "worried about job security".
            "job security": 0.0,
        },
    ),
    Group(
        "tool quality",
        "How well the tools work: AI-specific failure words, and plain quality words VADER's lexicon lacks.",
        {
            "hallucinate": -1.5,
            "hallucinates": -1.5,
            "hallucinated": -1.5,
            "hallucinating": -1.5,
            "hallucination": -1.5,
            "hallucinations": -1.5,
            "buggy": -1.5,
            "glitchy": -1.3,
            "laggy": -1.2,
            "slow": -1.0,
            "sluggish": -1.2,
            "unreliable": -1.5,
            "inaccurate": -1.5,
            "clunky": -1.2,
            "flaky": -1.2,
            "janky": -1.3,
            "unusable": -2.0,
            "overhyped": -1.3,
            "crashes": -1.2,
            "crashing": -1.2,
            "outage": -1.0,
            "outages": -1.0,
            "makes things up": -1.5,
            "makes stuff up": -1.5,
            "rate limited": -0.8,
            "timing out": -1.2,
            "times out": -1.0,
            "timeouts": -1.0,
            # VADER rates "approved" +1.8 (praise); an "approved tool" is the one IT allows, a plain descriptor.
            "approved tool": 0.0,
            "approved tools": 0.0,
            "reliable": 1.3,
            "accurate": 1.3,
            "intuitive": 1.3,
            "seamless": 1.3,
            "handy": 1.3,
            "fast": 0.8,
            "productive": 1.5,
            # VADER has "save" and "saved" but not "saves".
            "saves": 1.8,
            "timesaver": 1.8,
            "time saver": 1.8,
            "game changer": 2.0,
            "speeds up": 1.0,
        },
    ),
    Group(
        "wasted effort",
        "Work done for the metric rather than the task, and rework after the tool: what 'usage theatre' costs.",
        {
            "busywork": -1.3,
            "pointless": -1.5,
            "tedious": -1.3,
            "performative": -1.0,
            "rework": -0.8,
            "box ticking": -1.3,
            "box checking": -1.3,
            "tick box": -1.2,
            "tick the box": -1.0,
            "check the box": -1.0,
            "checkbox exercise": -1.3,
            "for show": -1.0,
            "for the sake of it": -1.0,
            "for the numbers": -1.0,
            "double check everything": -0.8,
            "fixing its output": -1.0,
            "fix its output": -1.0,
            "fixing its mistakes": -1.0,
            "fix its mistakes": -1.0,
            "clean up after it": -1.0,
            "cleaning up after it": -1.0,
        },
    ),
    Group(
        "workplace climate",
        "How a mandate feels: common negative words that VADER's lexicon happens to lack or rates neutral.",
        {
            "toxic": -2.0,
            "burnout": -1.8,
            "burned out": -1.8,
            "burnt out": -1.8,
            "demoralizing": -1.8,
            "demoralising": -1.8,
            "demotivating": -1.5,
            "afraid": -1.5,
            # Stock VADER rates "overwhelmed" +0.2 (joy and stress cancel out); at work it means overloaded.
            "overwhelmed": -1.2,
        },
    ),
    Group(
        "candour markers",
        "'Honestly, ...' announces candour, usually before criticism; in anonymous feedback it is not praise.",
        {
            "honestly": 0.0,
            "truthfully": 0.0,
            "to be honest": 0.0,
            "in all honesty": 0.0,
        },
    ),
    Group(
        "idioms",
        "Everyday phrases whose meaning is the opposite of their most sentiment-laden word.",
        {
            "could be worse": 0.8,
            "no brainer": 1.5,
            "no doubt": 0.5,
            "no longer": 0.0,
        },
    ),
)

# Saying that problems are absent ("no complaints", "without any issues") is mild praise; stock VADER
# adds "no" (-1.2) to the problem word and calls it a complaint.
ABSENCE_OF_PROBLEMS = 0.8
ABSENCE = re.compile(
    r"(?<![\w'])(?:no|zero|without(?: any)?|not any|never had any|(?:have|has|had)n't had any|didn't have any)\s+"
    r"(?:real\s+|major\s+|big\s+|serious\s+|significant\s+|other\s+)?"
    r"(?:downsides?|issues?|problems?|complaints?|concerns?|cons|negatives?|drawbacks?|worries|bugs?)(?![\w'])",
    re.IGNORECASE,
)

# A non-answer ("None.", "N/A", "nothing, really") is neutral and must not negate the next word the way
# VADER's "none" and "nothing" do. "no" counts only at the start of a unit ("No, it's fine" / "No."),
# so that "oh no!" keeps its meaning.
NON_ANSWER = re.compile(
    r"(?:^\s*no|(?<![\w'/])(?:none|nothing|nope|nah|n/a))(?=\s*(?:[,.;:!?)\]\-–—]|$))",
    re.IGNORECASE,
)

# "like" is a verb of liking only after its subject; after these words it compares ("feels like", "it's
# like", "things like") and carries no sentiment. After "would" or "'d" it is a wish, not praise.
LIKE = re.compile(r"(?<![\w'])like(?![\w'])", re.IGNORECASE)
WORD_BEFORE = re.compile(r"([\w']+)[\s,]*$")
WORD_AFTER = re.compile(r"\s*([\w']+|,)")
COMPARISON_CUES = frozenset(
    """
    feel feels felt feeling seem seems seemed seeming look looks looked looking sound sounds sounded sounding
    is was were are am be been being more less exactly much something things stuff tools apps anything nothing
    everything act acts acted acting treat treats treated treating me us them him it would
    """.split()
)
CONTRACTED_CUES = ("'s", "'re", "'m", "'d")
# "like being watched", "like a robot": a comparison unless a subject or auxiliary makes "like" a verb.
COMPARISON_OBJECTS = frozenset({"being", "a", "an"})
VERB_CUES = frozenset(
    """
    i we you they he she people everyone everybody nobody someone who do does did don't doesn't didn't not never
    really actually also still genuinely truly definitely honestly all both
    """.split()
)

# Made-up words that stand in for a rewritten span; no real text contains them.
NEUTRAL_WORD = "candorneutral"
ABSENCE_WORD = "candorabsenceofproblems"
TYPOGRAPHIC_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'"})


def rewrite(text: str) -> str:
    """The text VADER should score: domain phrases as single tokens, and neutral words neutralized."""
    text = text.translate(TYPOGRAPHIC_APOSTROPHES)
    text = LIKE.sub(lambda match: _like_replacement(text, match), text)
    text = NON_ANSWER.sub(NEUTRAL_WORD, text)
    text = ABSENCE.sub(lambda match: _token_for(match, ABSENCE_WORD), text)
    phrases = _phrases()
    return phrases.pattern.sub(lambda match: _token_for(match, phrases.tokens[_phrase_key(match.group())]), text)


def lexicon_entries() -> dict[str, float]:
    """What the Candor analyzer adds to VADER's lexicon: single words, and one token per phrase."""
    entries = {word: valence for word, valence in _all_entries().items() if not _is_phrase(word)}
    phrases = _phrases()
    entries.update({phrases.tokens[phrase]: valence for phrase, valence in phrases.valences.items()})
    entries[ABSENCE_WORD] = ABSENCE_OF_PROBLEMS
    return entries


def _like_replacement(text: str, match: re.Match) -> str:
    before = WORD_BEFORE.search(text, max(0, match.start() - 40), match.start())
    after = WORD_AFTER.match(text, match.end())
    previous = before.group(1).lower() if before else ""
    following = after.group(1).lower() if after else ""
    return NEUTRAL_WORD if _is_comparison(previous, following, text, match.start()) else match.group()


def _is_comparison(previous: str, following: str, text: str, at: int) -> bool:
    if previous in COMPARISON_CUES or previous.endswith(CONTRACTED_CUES):
        return True
    if following in COMPARISON_OBJECTS:
        return previous not in VERB_CUES
    # A discourse filler: "it was, like, slow" or a unit that opens with "Like,".
    return following == "," and (not previous or text[max(0, at - 16) : at].rstrip().endswith(","))


@dataclass(frozen=True)
class _PhraseTable:
    pattern: re.Pattern
    tokens: dict[str, str]
    valences: dict[str, float]


@cache
def _phrases() -> _PhraseTable:
    valences = {_phrase_key(entry): valence for entry, valence in _all_entries().items() if _is_phrase(entry)}
    tokens = {phrase: "candor" + re.sub(r"[^a-z]", "", phrase) for phrase in valences}
    if len(set(tokens.values())) != len(tokens):
        raise ValueError("Two domain phrases map to the same token.")
    alternatives = sorted(valences, key=len, reverse=True)
    body = "|".join(r"[\s-]+".join(map(re.escape, phrase.split())) for phrase in alternatives)
    pattern = re.compile(rf"(?<![\w'])(?:{body})(?![\w'])", re.IGNORECASE)
    return _PhraseTable(pattern, tokens, valences)


@cache
def _all_entries() -> dict[str, float]:
    entries: dict[str, float] = {}
    for group in GROUPS:
        entries.update(group.entries)
    return entries


def _is_phrase(entry: str) -> bool:
    return " " in entry or "-" in entry


def _phrase_key(phrase: str) -> str:
    return " ".join(re.split(r"[\s-]+", phrase.lower()))


def _token_for(match: re.Match, token: str) -> str:
    # Keep ALL CAPS, which VADER reads as emphasis.
    return token.upper() if match.group().isupper() else token
