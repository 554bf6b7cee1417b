"""Issue 17 item 15: a `next` reaches a page («Volver» links, the form's hidden `next`) only
after Django's url_has_allowed_host_and_scheme accepted it (mipres.lib.next_url)."""

import pytest
from django.test import RequestFactory
from django.urls import reverse

from mipres.lib.next_url import safe_next

pytestmark = pytest.mark.django_db

HOSTILE = ["/\\evil.example", "//evil.example", "https://evil.example/", "javascript:alert(1)"]


@pytest.mark.parametrize("target", HOSTILE)
def test_safe_next_refuses_other_hosts(target):
    request = RequestFactory().get("/", {"next": target})
    assert safe_next(request, "/inicio/") == "/inicio/"


def test_safe_next_keeps_a_path_of_this_site():
    request = RequestFactory().get("/", {"next": "/x/?seccion=suministro"})
    assert safe_next(request, "/inicio/") == "/x/?seccion=suministro"


def test_volver_link_of_the_direct_page_never_carries_a_backslash_host(client, world):
    client.force_login(world["eps_admin"])
    target = reverse("supply:direct", args=[world["eps"].external_id, world["lines"]["S1"].pk])
    content = client.get(target + "?next=/%5Cevil.example").content.decode()
    assert "evil.example" not in content
    to_direct = reverse("supply:to_direct", args=[world["eps"].external_id])
    assert f'href="{to_direct}"' in content
