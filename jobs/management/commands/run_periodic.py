import time

from django.core.management.base import BaseCommand
from django.utils import timezone

from jobs.periodic import enqueue_due


class Command(BaseCommand):
    help = (
        "Enqueue the periodic jobs of the current slot (idempotent: run it from cron every "
        "minute, or with --every SECONDS as a long-running scheduler beside the worker)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            help="repeat every SECONDS seconds until stopped (0: once and exit)",
        )

    def handle(self, *args, every, **options):
        while True:
            enqueue_due(timezone.now())
            if every <= 0:
                return
            time.sleep(every)
