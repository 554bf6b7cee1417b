"""bench/compare.py: each page's cost at two volumes, relative to the floor of its own run."""

import json

import pytest

from bench.compare import main


def run_file(tmp_path, name: str, floor: float, pages: dict[str, float], records=None):
    path = tmp_path / f"{name}.json"
    rows = [{"label": "floor", "requests_per_s": floor}]
    rows += [
        {"label": label, "requests_per_s": rps, "records": (records or {}).get(label)}
        for label, rps in pages.items()
    ]
    path.write_text(json.dumps({"floor_requests_per_s": floor, "pages": rows}), encoding="utf-8")
    return f"{name[:2]}={path}"


def test_the_ratio_divides_out_the_floor_of_each_run(tmp_path, capsys):
    # At 10M the machine was twice as fast (floor 2,000): the list page kept its share of
    # the floor (flat), the detail page lost half of it.
    base = run_file(tmp_path, "1M-a", 1000, {"list": 250, "detail": 100, "gone": 10})
    against = run_file(tmp_path, "10M-a", 2000, {"list": 500, "detail": 100})
    assert main(["--base", base, "--against", against]) == 0
    lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines()[1:])
    assert lines["list"].split() == ["4.00", "4.00", "1.00"]
    assert lines["detail"].split() == ["10.00", "20.00", "2.00", ">", "1.15"]
    assert "gone" not in lines  # measured at one volume only


def test_several_runs_of_a_side_are_averaged(tmp_path, capsys):
    first = run_file(tmp_path, "1M-a", 1000, {"list": 250})  # cost 4
    second = run_file(tmp_path, "1M-b", 1000, {"list": 125})  # cost 8
    against = run_file(tmp_path, "10M", 1000, {"list": 200})  # cost 5
    main(["--base", first, second, "--against", against])
    assert capsys.readouterr().out.splitlines()[1].split() == ["list", "6.00", "5.00", "0.83"]


def test_a_page_with_rows_gets_its_ratio_per_row(tmp_path, capsys):
    # The XFecha day holds 700 rows at 1M and 7,000 at 10M: ten times the cost is flat per
    # row, twenty times is twice the cost per row.
    base = run_file(tmp_path, "1M-a", 1000, {"day": 100, "busy": 100}, {"day": 700, "busy": 700})
    against = run_file(tmp_path, "10M-a", 1000, {"day": 10, "busy": 5}, {"day": 7000, "busy": 7000})
    main(["--base", base, "--against", against])
    lines = dict(line.split(None, 1) for line in capsys.readouterr().out.splitlines()[1:])
    assert lines["day"].split() == ["10.00", "100.00", "10.00", ">", "1.15", "(per", "row", "1.00)"]
    assert lines["busy"].split()[-1] == "2.00)"


def test_a_side_must_name_its_runs_alike(tmp_path):
    first = run_file(tmp_path, "1M-a", 1000, {"list": 250})
    other = run_file(tmp_path, "10M", 1000, {"list": 250})
    with pytest.raises(SystemExit, match=r"NAME=file\.json"):
        main(["--base", first, other, "--against", other])
