import subprocess
import sys

import nltk
import pytest
from django.conf import settings

from sentiment import lexicon


@pytest.fixture
def fresh_analyzer(settings, tmp_path, monkeypatch):
    def refuse_download(*args, **kwargs):
        raise AssertionError("nltk.download must never be called")

    monkeypatch.setattr(nltk, "download", refuse_download)
    settings.NLTK_DATA_DIR = tmp_path
    lexicon.analyzer.cache_clear()
    yield tmp_path
    lexicon.analyzer.cache_clear()


def test_the_lexicon_installs_from_the_wheel_and_vader_scores_offline(fresh_analyzer):
    lexicon.lexicon_install(fresh_analyzer)

    scores = lexicon.analyzer().polarity_scores

    assert scores("This tool is great and saves me hours.")["compound"] > 0.5
    assert scores("The leaderboard is awful and stressful.")["compound"] < -0.5


def test_the_analyzer_is_loaded_once_per_process(fresh_analyzer):
    lexicon.lexicon_install(fresh_analyzer)

    assert lexicon.analyzer() is lexicon.analyzer()


def test_a_missing_lexicon_says_how_to_install_it(fresh_analyzer):
    with pytest.raises(LookupError, match=r"manage\.py install_vader_lexicon"):
        lexicon.analyzer()


def test_the_installed_lexicon_is_the_one_vader_publishes(fresh_analyzer):
    lexicon.lexicon_install(fresh_analyzer)

    words = lexicon.analyzer().lexicon

    assert len(words) > 7000
    assert words["good"] == pytest.approx(1.9)


def test_the_install_command_writes_into_the_configured_nltk_folder(tmp_path):
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.test", "NLTK_DATA": str(tmp_path), "PATH": ""}
    result = subprocess.run(
        [sys.executable, "manage.py", "install_vader_lexicon"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    assert (tmp_path / "sentiment" / "vader_lexicon.zip").is_file()
