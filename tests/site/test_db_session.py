"""The settings every application connection starts with (mipres/settings.py): a web request
reads a page, so its statements get a generic plan, no parallel workers and no JIT."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def test_each_connection_plans_for_a_page_not_for_a_report():
    with connection.cursor() as cursor:
        shown = {}
        for name in ("plan_cache_mode", "max_parallel_workers_per_gather", "jit"):
            cursor.execute(f"SHOW {name}")
            shown[name] = cursor.fetchone()[0]
    assert shown == {
        "plan_cache_mode": "force_generic_plan",
        "max_parallel_workers_per_gather": "0",
        "jit": "off",
    }
