"""The settings every application connection starts with (mipres/settings.py): a web request
reads a page, so its statements get a generic plan, no parallel workers and no JIT, and its
indexes are read from memory or SSD (random pages cost little more than sequential ones)."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_each_connection_plans_for_a_page_not_for_a_report():
    with connection.cursor() as cursor:
        shown = {}
        for name in (
            "plan_cache_mode",
            "max_parallel_workers_per_gather",
            "jit",
            "random_page_cost",
        ):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    assert shown == {
        "plan_cache_mode": "force_generic_plan",
        "max_parallel_workers_per_gather": "0",
        "jit": "off",
        "random_page_cost": "1.1",
    }
