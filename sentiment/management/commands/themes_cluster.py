import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sentiment.themes import Themes, theme_sentiments, themes_build
from sentiment.themes_backends import BACKEND_NAMES, BackendUnavailable


class Command(BaseCommand):
    help = (
        "Cluster comments, one per line from FILE or stdin, into themes. Writes one JSON line per comment "
        '({"theme": id, "key": ..., "name": ...}; id -1 is "other"), or with --summary one per theme. '
        "No privacy threshold is applied: the input is your own."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="one comment per line (default: stdin)")
        parser.add_argument("--k", type=int, help="number of clusters (default: chosen automatically)")
        parser.add_argument("--summary", action="store_true", help="one line per theme: key, name, terms, size")
        parser.add_argument("--backend", choices=BACKEND_NAMES, help="default: CANDOR_THEMES_BACKEND, else auto")
        parser.add_argument("--random-state", type=int, default=0)

    def handle(self, *args, **options):
        texts = _lines_read(options["file"])
        if options["k"] is not None and options["k"] < 1:
            raise CommandError("--k must be at least 1.")
        try:
            result = themes_build(
                texts, k=options["k"], backend=options["backend"], random_state=options["random_state"]
            )
        except (BackendUnavailable, ValueError) as error:
            raise CommandError(str(error)) from error
        lines = self._summary(result, texts) if options["summary"] else _assignments(result)
        for line in lines:
            self.stdout.write(json.dumps(line, ensure_ascii=False))

    def _summary(self, result: Themes, texts: list[str]) -> list[dict]:
        sentiments = self._sentiments(result, texts)
        rows = []
        for theme in result.themes:
            row = {"theme": theme.id, "key": theme.key, "name": theme.name, "terms": list(theme.terms)}
            row["size"] = theme.size
            if sentiments is not None:
                row["sentiment"] = None if sentiments[theme.id] is None else round(sentiments[theme.id], 4)
            rows.append(row)
        return rows

    def _sentiments(self, result: Themes, texts: list[str]):
        from sentiment.scoring import compound_score

        try:
            return theme_sentiments(result, [compound_score(text) if text.strip() else None for text in texts])
        except LookupError as error:
            self.stderr.write(f"Sentiment left out: {error}")
            return None


def _lines_read(path: Path | None) -> list[str]:
    if path is None:
        raw = getattr(sys.stdin, "buffer", sys.stdin).read()
    else:
        try:
            raw = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}.", returncode=2) from error
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    lines = text.removeprefix("\ufeff").split("\n")
    if lines[-1] == "":
        lines.pop()
    return [line.removesuffix("\r") for line in lines]


def _assignments(result: Themes) -> list[dict]:
    names = {theme.id: (theme.key, theme.name) for theme in result.themes}
    return [{"theme": i, "key": names[i][0], "name": names[i][1]} for i in result.assignments]
