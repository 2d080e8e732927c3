from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Say which database and broker this process uses, and how to switch to the production ones."

    def handle(self, *args, **options):
        database = settings.DATABASES["default"]
        if settings.USING_SQLITE:
            self.stdout.write(f"Database: SQLite at {database['NAME']} (set DATABASE_URL to use PostgreSQL)")
        else:
            self.stdout.write(f"Database: {database['ENGINE'].rsplit('.', 1)[-1]} {database['NAME']}")
        if settings.REDIS_URL:
            self.stdout.write("Broker:   Redis (REDIS_URL)")
        else:
            folder = settings.CELERY_BROKER_TRANSPORT_OPTIONS["data_folder_in"]
            self.stdout.write(f"Broker:   local filesystem queue in {folder} (set REDIS_URL to use Redis)")
