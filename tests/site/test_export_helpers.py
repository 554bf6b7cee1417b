"""mipres.lib.export_tasks: the one export helper of the entity lists (issue 13 §6)."""

from types import SimpleNamespace

from django.utils import timezone

from mipres.lib.export_tasks import entity_export, export_format


def test_only_csv_and_xlsx_are_exports(rf):
    assert export_format(rf.get("/", {"formato": "csv"})) == "csv"
    assert export_format(rf.get("/", {"formato": "xlsx"})) == "xlsx"
    assert export_format(rf.get("/", {"formato": "pdf"})) is None  # the page itself
    assert export_format(rf.get("/")) is None


def test_an_entity_export_is_named_by_the_list_the_nit_and_the_day(rf):
    request = rf.get("/", {"formato": "csv"})
    request.entity = SimpleNamespace(nit="900123456")
    response = entity_export(request, "csv", "por-programar", ["Número"], [["1"]])
    day = timezone.localdate().strftime("%Y%m%d")
    assert f'filename="por-programar-900123456-{day}.csv"' in response["Content-Disposition"]
    assert "Número" in response.content.decode("utf-8-sig")
