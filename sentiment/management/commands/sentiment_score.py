import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from sentiment.scoring import score_comment


class Command(BaseCommand):
    help = (
        "Score one text per line (from FILE or standard input) with Candor's sentiment scorer and write one "
        'JSON object per line: {"compound", "label", "sentences": [{"text", "compound", "label"}]}.'
    )

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", type=Path, help="UTF-8 text file; standard input if left out")

    def handle(self, *args, file: Path | None = None, **options):
        self._stdout_utf8()
        for line in self._lines(file):
            self.stdout.write(json.dumps(_scored(line), ensure_ascii=False))

    def _lines(self, file: Path | None):
        if file is None:
            yield from _decoded(getattr(sys.stdin, "buffer", sys.stdin))
            return
        try:
            stream = file.open("rb")
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error.strerror}.", returncode=2) from error
        with stream:
            yield from _decoded(stream)

    def _stdout_utf8(self):
        # The caller's text goes out as it came in, whatever the terminal's locale says.
        reconfigure = getattr(self.stdout, "reconfigure", None)
        if reconfigure:
            reconfigure(encoding="utf-8", errors="replace")


def _decoded(stream):
    for number, raw in enumerate(stream):
        line = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
        line = line.rstrip("\r\n")
        yield line.removeprefix("\ufeff") if number == 0 else line


def _scored(text: str) -> dict:
    score = score_comment(text)
    sentences = [
        {"text": text[sentence.start : sentence.end], "compound": sentence.compound, "label": sentence.label}
        for sentence in score.sentences
    ]
    return {"compound": score.compound, "label": score.label, "sentences": sentences}
