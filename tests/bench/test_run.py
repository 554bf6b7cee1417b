"""bench/run.py's page list: the web-service and write pages of the supply benchmark parse,
and bad lines are refused with the line named (no server, no database)."""

import email
import http.client

import pytest

from bench.pages import BODY_KINDS, Page, SetupError, load_pages, matches, pick_user
from bench.prepare import cookie_header, set_cookies
from bench.run import parse_args


def pages_from(tmp_path, text: str, only=None) -> list[Page]:
    path = tmp_path / "urls.txt"
    path.write_text("floor /divipola/05001/\n" + text, encoding="utf-8")
    return load_pages(path, only)


def test_the_shipped_list_parses():
    from bench.pages import DEFAULT_URLS

    pages = load_pages(DEFAULT_URLS, None)
    labels = {page.label: page for page in pages}
    assert labels["sum-to-program"].selector == {
        "entity_type": "PROVEEDOR",
        "role": "administrativo",
    }
    assert labels["ws-entrega"].method == "PUT"
    assert labels["ws-entrega"].body == "entrega"
    assert labels["ws-dir-fecha"].ws == {"entity_type": "PROVEEDOR"}
    assert labels["sum-program"].method == "POST"


def test_methods_options_and_placeholders(tmp_path):
    [_floor, get, put] = pages_from(
        tmp_path,
        "a /x/{nit}/{token}/{date} ws=entity_type=PROVEEDOR\n"
        "b PUT /y/{nit}/{token} ws=payer_code=EPS099 body=entrega\n",
    )
    assert (get.method, get.ws, get.body) == ("GET", {"entity_type": "PROVEEDOR"}, "")
    assert (put.method, put.ws, put.body) == ("PUT", {"payer_code": "EPS099"}, "entrega")
    assert "entrega" in BODY_KINDS


@pytest.mark.parametrize(
    "line",
    [
        "a /x/{token}",  # a web-service placeholder without ws=
        "a /x/{entity}/ ws=entity_type=EPS",  # a user placeholder without as=
        "a PUT /x/ ws=entity_type=EPS",  # a write without body=
        "a /x/ ws=entity_type=EPS body=entrega",  # a GET with a body
        "a PUT /x/ ws=entity_type=EPS body=nada",  # an unknown body kind
        "a /x/ como=algo",  # an unknown option
    ],
)
def test_bad_lines_are_refused(tmp_path, line):
    with pytest.raises(SetupError):
        pages_from(tmp_path, line + "\n")


def test_web_service_callers_are_picked_like_users():
    callers = [
        {"entity_type": "EPS", "payer_code": "EPS099", "nit": "1"},
        {"entity_type": "PROVEEDOR", "payer_code": None, "nit": "2"},
    ]
    assert pick_user(callers, {"entity_type": "proveedor"})["nit"] == "2"
    assert pick_user(callers, {"payer_code": "EPS099"})["nit"] == "1"
    assert matches(["delegado", "administrativo"], "Administrativo")


def test_supply_volume_needs_volume():
    assert parse_args(["--volume", "10", "--supply-volume", "5"]).supply_volume == 5
    with pytest.raises(SystemExit):
        parse_args(["--supply-volume", "5"])


def test_fhir_pages_send_the_token_as_a_bearer_header():
    from bench.measure import wrk_command
    from bench.pages import DEFAULT_URLS

    pages = {page.label: page for page in load_pages(DEFAULT_URLS, None)}
    assert pages["fhir-medreq"].ws == {"payer_code": "EPS099"}
    assert pages["fhir-medreq"].path.startswith("/fhir/r4/")
    args = parse_args([])
    command = wrk_command(args, "http://x/fhir/r4/Task", "1s", {"Authorization": "Bearer abc"})
    assert command[command.index("-H") + 1] == "Authorization: Bearer abc"


def test_a_run_of_several_pages_measures_the_floor_again_at_the_end():
    from bench.pages import DEFAULT_URLS, FLOOR_END_LABEL, FLOOR_LABEL
    from bench.run import floor_again

    pages = load_pages(DEFAULT_URLS, "presc-own,presc-entity")
    [again] = floor_again(pages)
    floor = pages[0]
    assert floor.label == FLOOR_LABEL and again.label == FLOOR_END_LABEL
    assert again.path == floor.path and again is not floor
    # Not for a floor and one page (a quick check), nor counting the --mixed writes.
    assert floor_again(load_pages(DEFAULT_URLS, "presc-own")) == []


def test_a_login_keeps_its_session_but_not_the_short_primary_reads_pin():
    headers = email.message_from_string(
        "Set-Cookie: csrftoken=abc; Max-Age=31449600; Path=/\n"
        "Set-Cookie: sessionid=s1; HttpOnly; Path=/\n"
        "Set-Cookie: primary_reads=1; Max-Age=5; Path=/\n",
        _class=http.client.HTTPMessage,
    )
    jar = {"primary_reads": "1"}
    set_cookies(headers, jar)
    assert cookie_header(jar) == "csrftoken=abc; sessionid=s1"
