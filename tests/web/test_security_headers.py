"""Pages send a Content-Security-Policy that allows only the site's own scripts and styles, carry no inline
script or style for it to block, and authenticated answers are never stored by a cache (issue 12, item 15)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from tests.conftest import ROOT

PAGES = ["enterprises:list", "reporting:dashboard", "reporting:reports", "programs:list"]


def policy(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.mark.parametrize("name", PAGES)
def test_pages_allow_only_their_own_scripts_and_are_not_stored(client, users, name):
    client.force_login(users.official)
    response = client.get(reverse(name))
    assert response.status_code == 200
    csp = policy(response)
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    assert csp["default-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert "no-store" in response["Cache-Control"]


def test_the_api_and_the_login_page(client, api, users):
    assert "no-store" in api(users.staff_a).get(reverse("me"))["Cache-Control"]
    login = client.get(reverse("login"))
    assert policy(login)["script-src"] == ["'self'"]
    docs = client.get(reverse("admin:login"))
    assert "Content-Security-Policy" in docs


def test_no_template_has_inline_script_or_style():
    inline = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")|\bstyle=\"|<style|\son[a-z]+=\"")
    found = []
    for path in ROOT.glob("**/templates/**/*.html"):
        if ".venv" in path.parts:
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if inline.search(line):
                found.append(f"{Path(path).relative_to(ROOT)}:{n}: {line.strip()[:100]}")
    assert not found, "\n".join(found)


def test_the_api_documentation_page_loads_its_script_from_the_site(client, users):
    client.force_login(users.official)
    page = client.get(reverse("docs"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "<script>" not in body and "<style>" not in body
