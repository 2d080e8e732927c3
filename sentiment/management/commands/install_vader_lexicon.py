from django.conf import settings
from django.core.management.base import BaseCommand

from sentiment.lexicon import lexicon_install


class Command(BaseCommand):
    help = "Install NLTK's VADER lexicon from the vaderSentiment package (no download)."

    def handle(self, *args, **options):
        target = lexicon_install(settings.NLTK_DATA_DIR)
        self.stdout.write(f"VADER lexicon installed at {target}")
