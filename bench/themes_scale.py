"""Scale of theme building (TF-IDF backend) on generated workplace comments: 10k, 100k, and 1M if it fits.

    .venv/bin/python bench/themes_scale.py [--sizes 10000,100000,1000000] [--budget-seconds 900]

Comments are generated from templates and vocabulary about twelve subjects (nine with seed themes, three
without), mixed with filler sentences, second subjects, redaction placeholders and, in half of them, an
aside of 2-6 words drawn Zipf-like from ~7,000 real English words (the VADER lexicon), so the structure
is real but noisy and the vocabulary keeps growing with n. Each size runs in its own process, so its
peak memory (ru_maxrss) is its own; wall time covers themes_build only, not generating the comments.
The 1M run is skipped with a message when the 100k time projected by n log n exceeds the budget.
"""

import argparse
import itertools
import json
import math
import random
import resource
import subprocess
import sys
import time
from functools import cache
from importlib import resources
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# Slot fillers, "|"-separated.
SLOTS = {
    slot: words.split("|")
    for slot, words in {
        "tool": "Copilot|ChatGPT|the assistant|the chatbot|Gemini|Claude|the AI tool|the code assistant",
        "boss": "my manager|leadership|the VP|our director|my team lead|management|the exec team",
        "task": "code reviews|emails|reports|tickets|slide decks|test cases|documentation|specs|customer replies"
        "|data analysis|meeting prep|release notes",
        "time": "every day|every week|in standups|this quarter|since January|all the time|lately",
        "feel": "frustrating|exhausting|stressful|annoying|demoralising|ridiculous|tiring",
        "good": "great|really useful|a big help|surprisingly good|helpful|solid",
    }.items()
}

TOPICS = {
    "pressure": [
        "{boss} keeps pushing us to use {tool} for {task} even when it does not help",
        "there is constant pressure to use AI for everything {time}",
        "the AI mandate came from the top and nobody asked whether it fits {task}",
        "we are forced to use {tool} whether it helps or not, it is {feel}",
        "using {tool} is now mandatory for {task} and the pressure is {feel}",
        "{boss} insists that every task must involve AI, the pressure never stops",
    ],
    "targets": [
        "the usage leaderboard ranks us by prompts and it is {feel}",
        "we have a weekly target of AI prompts and {boss} checks the dashboard {time}",
        "token dashboards turned AI use into a quota we have to hit",
        "people game the leaderboard by sending pointless prompts to {tool} to climb the ranking",
        "our usage target is tracked per person on a dashboard {time}",
        "the monthly quota of AI sessions is a KPI now and it is {feel}",
    ],
    "monitoring": [
        "I feel monitored, {boss} can see every prompt I send to {tool}",
        "nobody explained who can read our prompts and that kills trust",
        "it feels like surveillance, every keystroke in {tool} is logged",
        "I do not trust that our AI usage data stays private from {boss}",
        "the telemetry on {tool} makes me feel watched {time}",
        "usage logs are shared with {boss} and trust in the process is gone",
    ],
    "productivity": [
        "{tool} saves me hours on {task} {time}",
        "I am much faster at {task} with {tool}, it is {good}",
        "honestly {tool} is {good} and makes me more productive on {task}",
        "{tool} boosts my productivity, {task} take half the time",
        "drafting {task} with {tool} is quicker and saves real time",
        "the efficiency gain on {task} is real, {tool} is {good}",
    ],
    "quality": [
        "{tool} makes mistakes in {task} that take ages to catch",
        "the output has errors and hallucinated facts, we have to check everything",
        "{tool} invents APIs that do not exist and the code has bugs",
        "the quality of AI generated {task} is poor and full of wrong answers",
        "hallucinations in {task} slipped into production {time}",
        "reviewing sloppy AI output for errors costs more than writing {task} myself",
    ],
    "job_security": [
        "I worry AI will replace my job within a year",
        "people fear layoffs because {boss} talks about AI replacing headcount",
        "it feels like we are training {tool} to make our own jobs obsolete",
        "my career path looks uncertain now that {task} are automated",
        "job security is the elephant in the room, nobody says if roles will be cut",
        "after the last layoffs everyone thinks AI is the reason jobs disappear",
    ],
    "training": [
        "we got no training on how to use {tool} for {task}",
        "there is no guidance on when AI is appropriate for {task}",
        "a proper workshop on prompting {tool} would help a lot",
        "the onboarding for {tool} was one slide, we need real training",
        "clear guidelines and examples for {task} would help us learn",
        "nobody teaches us best practices, we learn {tool} by trial and error",
    ],
    "friction": [
        "{tool} is slow and crashes {time}",
        "getting access to {tool} took weeks of approval tickets",
        "the licence for {tool} expired again and I was blocked {time}",
        "{tool} does not integrate with our repositories, it is clunky",
        "logging in to {tool} through the VPN times out constantly",
        "the setup and permissions for {tool} are {feel}",
    ],
    "waste": [
        "a lot of AI use here is theatre to look busy",
        "I waste time rewriting what {tool} produced for {task}",
        "we do pointless busywork with {tool} just to show usage",
        "it is a waste of effort, the AI step adds rework to {task}",
        "half the prompts are for show, it is box ticking",
        "redoing {task} after {tool} got them wrong is wasted effort",
    ],
    "meetings": [
        "the AI note taker in meetings misses the decisions",
        "meeting summaries from {tool} are long and nobody reads them",
        "I do not like a bot recording every meeting and call",
        "the meeting transcript bot joins calls without asking",
        "automatic meeting notes replaced the minutes and the action items got lost",
        "calendar invites now come with an AI summary of the meeting agenda",
    ],
    "customers": [
        "customers complain about the support chatbot",
        "clients hate talking to the AI agent instead of a person",
        "the customer bot gives clients wrong refund information",
        "our client satisfaction scores dropped since the support bot launched",
        "customers ask for a human because the chatbot loops",
        "escalations from the customer chatbot landed on our support team",
    ],
    "office": [
        "the new hybrid office policy matters more to me than AI",
        "the office is too noisy and there are never enough desks",
        "commuting three days a week to the office is {feel}",
        "please fix the parking and the canteen at the office",
        "the desk booking system at the office is {feel}",
        "the office coffee machine has been broken for weeks",
    ],
}

FILLER = [
    "Thanks for asking.",
    "Just my two cents.",
    "Hope someone reads this.",
    "That is all from me.",
    "Happy to talk more, ask [name].",
    "Contact me at [email] if needed.",
    "See [link] for context.",
]


@cache
def aside_words() -> tuple[list[str], list[float]]:
    """Real English words (the VADER lexicon's) with Zipf weights, so the vocabulary grows as real text does."""
    lines = resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8").splitlines()
    words = [line.split("\t")[0] for line in lines if line.split("\t")[0].isalpha()]
    random.Random(1).shuffle(words)
    return words, list(itertools.accumulate(1 / rank for rank in range(1, len(words) + 1)))


def comment_generate(rng: random.Random) -> tuple[str, str]:
    topic = rng.choice(list(TOPICS))
    sentences = [_sentence(topic, rng) for _ in range(rng.choice((1, 1, 2)))]
    if rng.random() < 0.15:
        sentences.append(_sentence(rng.choice(list(TOPICS)), rng))
    if rng.random() < 0.5:
        words, weights = aside_words()
        sentences.append("Also " + " ".join(rng.choices(words, cum_weights=weights, k=rng.randint(2, 6))) + ".")
    if rng.random() < 0.3:
        sentences.append(rng.choice(FILLER))
    return " ".join(sentences), topic


def _sentence(topic: str, rng: random.Random) -> str:
    template = rng.choice(TOPICS[topic])
    text = template.format(**{slot: rng.choice(words) for slot, words in SLOTS.items()})
    return text[0].upper() + text[1:] + "."


def comments_generate(n: int, seed: int = 0) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    pairs = [comment_generate(rng) for _ in range(n)]
    return [text for text, _ in pairs], [topic for _, topic in pairs]


def one_size(n: int) -> dict:
    """Runs in a child process: generate, then time themes_build alone."""
    from sklearn.metrics import normalized_mutual_info_score

    from sentiment.themes import themes_build

    texts, topics = comments_generate(n)
    start = time.perf_counter()
    result = themes_build(texts, backend="tfidf", random_state=0)
    seconds = time.perf_counter() - start
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    other = sum(theme_id == -1 for theme_id in result.assignments)
    return {
        "n": n,
        "seconds": seconds,
        "peak_mib": peak_mib,
        "clusters": result.k,
        "themes": len(result.themes) - 1,
        "seeded": sum(theme.seeded for theme in result.themes),
        "other_share": other / n,
        "nmi_vs_subject": normalized_mutual_info_score(topics, result.assignments),
        "largest": [(theme.name, theme.size) for theme in result.themes[:12]],
    }


def child_run(n: int) -> dict:
    command = [sys.executable, __file__, "--one", str(n)]
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=ROOT).stdout  # noqa: S603
    return json.loads(output.strip().splitlines()[-1])


def report_print(row: dict) -> None:
    print(
        f"{row['n']:>9,} comments  {row['seconds']:7.1f} s  peak RSS {row['peak_mib']:7.0f} MiB  "
        f"clusters {row['clusters']:3d}  themes {row['themes']:3d} ({row['seeded']} seeded)  "
        f"other {row['other_share']:5.1%}  NMI vs generated subject {row['nmi_vs_subject']:.3f}"
    )
    for name, size in row["largest"]:
        print(f"            {size:>7,}  {name}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--budget-seconds", type=float, default=900.0)
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_size(args.one)))
        return
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = {}
    for n in sizes:
        if n > 100_000 and 100_000 in rows:
            projected = rows[100_000]["seconds"] * (n / 100_000) * math.log(n) / math.log(100_000)
            if projected > args.budget_seconds:
                budget = args.budget_seconds
                print(f"{n:>9,} comments  skipped: n log n projects {projected:.0f} s, over the {budget:.0f} s budget")
                continue
        rows[n] = child_run(n)
        report_print(rows[n])
    for small, large in ((10_000, 100_000), (100_000, 1_000_000)):
        if small in rows and large in rows:
            ratio = rows[large]["seconds"] / rows[small]["seconds"]
            bound = large / small * math.log(large) / math.log(small)
            names = f"{_short(large)})/t({_short(small)}"
            print(f"t({names}) = {ratio:.2f}; n log n would give {bound:.2f} ({large // small}·log(n2)/log(n1))")


def _short(n: int) -> str:
    return f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"


if __name__ == "__main__":
    main()
