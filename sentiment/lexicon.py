"""The VADER lexicon, installed offline from the vaderSentiment wheel into an NLTK data folder.

NLTK looks for ``sentiment/vader_lexicon.zip`` holding ``vader_lexicon/vader_lexicon.txt``;
we build exactly that from the copy the vaderSentiment package ships, so nothing is downloaded.
"""

import zipfile
from functools import cache
from importlib import resources
from pathlib import Path

import nltk
from django.conf import settings
from nltk.sentiment.vader import SentimentIntensityAnalyzer

ZIP_RELATIVE_PATH = Path("sentiment") / "vader_lexicon.zip"
MEMBER_NAME = "vader_lexicon/vader_lexicon.txt"


def shipped_lexicon_text() -> str:
    return resources.files("vaderSentiment").joinpath("vader_lexicon.txt").read_text(encoding="utf-8")


def lexicon_install(data_dir: Path) -> Path:
    """Write the lexicon zip into ``data_dir``; rewriting an existing one is harmless."""
    target = data_dir / ZIP_RELATIVE_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MEMBER_NAME, shipped_lexicon_text())
    partial.replace(target)
    return target


def lexicon_installed(data_dir: Path) -> bool:
    return (data_dir / ZIP_RELATIVE_PATH).is_file()


@cache
def analyzer() -> SentimentIntensityAnalyzer:
    """One analyzer per process: loading the lexicon takes longer than scoring many comments."""
    data_dir = str(settings.NLTK_DATA_DIR)
    if data_dir not in nltk.data.path:
        nltk.data.path.insert(0, data_dir)
    if not lexicon_installed(settings.NLTK_DATA_DIR):
        raise LookupError(
            f"The VADER lexicon is not installed in {data_dir}. Run `python manage.py install_vader_lexicon`."
        )
    return SentimentIntensityAnalyzer()
