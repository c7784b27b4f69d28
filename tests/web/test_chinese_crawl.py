"""Every page and every admin page, as every demo role, in Chinese: no English words outside an allowlist.

The crawl takes every URL pattern of the site (a page added later without a sample fails here until
it is added to SAMPLES), fills it from the demo data, opens it as each demo user, and reads the text
a person sees (and the title, placeholder, aria-label and alt attributes, and button values).  Text
inside an element marked translate="no" (credit codes, file names, JSON of job results) is data, not
wording, and is skipped.  Admin pages: the index, each model's list, add form, first object and its
history.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone, translation

from accounts.models import User
from enterprises.models import Enterprise, ImportRun
from programs.models import BenefitMatch
from reference.services.demo import load_demo_data
from servicedesk.models import Demand
from servicedesk.notifications import collect
from tiers.models import TierListImport

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]

ROLES = ("admin", "official_cq", "staff_yubei", "progadmin", "auditor")

# Words that are the same in Chinese pages: abbreviations, units, formats and names.
ALLOWED = {
    "PDF", "Excel", "CSV", "YAML", "xlsx", "csv", "API", "URL", "SRDI", "GB", "SHA", "TOTP", "JSON", "ID", "OK",
    "Django",  # the admin's "Django 管理" header is replaced, but the admin's docs mention it nowhere else
    "htmx", "ECharts", "WPS", "Office",
    "admin", "auditor", "progadmin",  # demo user names, shown as data (who entered a value, who acted)
    "Control", "Command", "Mac",  # key names in Django's own Chinese help text of multiple-choice lists
    "MIIT", "APEC", "ETDA",  # 工信部 in a source's citation, APEC in Chongqing's plan, the code of 北京经开区
}  # fmt: skip
WORD = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z][A-Za-z'’\-]{2,}(?![A-Za-z0-9_])")
# Scripts and styles are no text; a textarea holds what was typed in (data, like an input's value).
SKIP_TAGS = {"script", "style", "noscript", "template", "textarea"}
ENGLISH_FIELD = re.compile(r"\bfield-\w+_en\b")
# A token with a digit, an underscore, a slash, a dot or an @, or a lower-case slug with hyphens, is a code
# (credit codes, cq-2022-2025-action-plan, bj-cloud-adoption, file names, addresses), not wording.
CODE = re.compile(r"[0-9_/.@:=]|^[a-z]+(-[a-z]+)+$")
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """Collects what a reader sees, skipping scripts, styles and elements marked translate="no"."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, bool]] = []
        self.chunks: list[str] = []

    def _skipping(self) -> bool:
        return any(skip for _tag, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        skip = tag in SKIP_TAGS or values.get("translate") == "no" or values.get("type") == "hidden"
        # The admin's row of a field that holds English by definition (name_en, notes_en): data.
        skip = skip or bool(ENGLISH_FIELD.search(values.get("class") or ""))
        if not skip and not self._skipping():
            for name in ("title", "placeholder", "aria-label", "alt"):
                # Django's admin draws booleans as icons with alt="True"/"False" that it never translates.
                if name == "alt" and "/admin/img/" in (values.get("src") or ""):
                    continue
                if values.get(name):
                    self.chunks.append(values[name] or "")
            if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
                self.chunks.append(values["value"] or "")
        if tag not in VOID:
            self.stack.append((tag, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        text = data.strip()
        # The admin shows JSON fields (a job's result, an import's counts) as JSON: data, not wording.
        if not self._skipping() and not (text[:1] in "{[" and text[-1:] in "}]" and len(text) > 2):
            self.chunks.append(data)


def english_words(html: str) -> set[str]:
    parser = VisibleText()
    parser.feed(html)
    # JSON inside a sentence (a help text's example, {"base": "contract_value"}) is code too.
    tokens = re.sub(r"\{[^{}]*\}", " ", " ".join(parser.chunks)).split()
    text = " ".join(t for t in tokens if not CODE.search(t.strip("()[]{},;:.!?·、，。：；（）")))
    return {w for w in WORD.findall(text) if w not in ALLOWED and w.strip("-'’") not in ALLOWED}


def _patterns(resolver: URLResolver, prefix: str = "") -> list[tuple[str, str]]:
    found = []
    for p in resolver.url_patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            namespace = p.namespace
            for name, r in _patterns(p, route):
                found.append((f"{namespace}:{name}" if namespace and name else name, r))
        elif isinstance(p, URLPattern) and p.name:
            found.append((p.name, route))
    return found


def web_patterns() -> list[tuple[str, str]]:
    """Named page URLs of the site: everything but the API, the admin (crawled apart) and i18n."""
    return [(n, r) for n, r in _patterns(get_resolver()) if not r.startswith(("api/", "admin/", "i18n/"))]


def samples(staff: User) -> dict[str, dict[str, Any]]:
    """Values for the URL's parameters, by URL name; None marks a URL not opened by GET (POST only, files)."""
    enterprise = Enterprise.objects.filter(district=staff.district, demands__isnull=False).first()
    assert enterprise is not None
    demand = Demand.objects.filter(enterprise__district=staff.district).first()
    assert demand is not None
    run = ImportRun.objects.filter(district=staff.district).first()
    tier_list = TierListImport.objects.first()
    # The demo's matches are Beijing's measures: the staff of Yubei get the 404 page, the superuser the form.
    match = BenefitMatch.objects.order_by("pk").first()
    assert match is not None, "the demo runs the policy matching"
    return {
        "enterprises:detail": {"code": enterprise.credit_code},
        "enterprises:year-facts": {"code": enterprise.credit_code},
        "servicedesk:visit-new": {"code": enterprise.credit_code},
        "servicedesk:demand-new": {"code": enterprise.credit_code},
        "servicedesk:demand": {"pk": demand.pk},
        "enterprises:import-detail": {"pk": run.pk} if run else None,
        "tiers:tier-list-detail": {"pk": tier_list.pk} if tier_list else None,
        "reporting:district": {"code": staff.district.code},
        "programs:detail": {"code": "bj-2023-ten-actions"},
        "programs:detail#cq": {"code": "cq-2022-2025-action-plan"},
        # The application prefilled from a match (the demo's matches are Beijing's measures).
        "programs:benefit-new": {"code": match.enterprise.credit_code, "measure_id": match.measure_id}
        if match
        else None,
        # Not pages: POST-only actions, downloads, fragments polled by htmx, the login flow.
        "servicedesk:take-on": None,
        "servicedesk:notifications-read": None,
        "servicedesk:notification-open": None,
        "tiers:tier-list-decide": None,
        "tiers:tier-list-export": None,
        "enterprises:import-errors": None,
        "reporting:report-row": None,
        "logout": None,
        "second-factor": None,
    }


def _fill(route: str, values: dict[str, Any]) -> str:
    def sub(m: re.Match[str]) -> str:
        return str(values[m.group(1)])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", sub, route)


def page_urls(staff: User) -> list[str]:
    known = samples(staff)
    urls, missing = [], []
    for name, route in web_patterns():
        if "<" not in route:
            if known.get(name, {}) is not None:
                urls.append("/" + route)
            continue
        if name not in known:
            missing.append(name)
            continue
        for key, values in known.items():
            if (key == name or key.startswith(name + "#")) and values is not None:
                urls.append(_fill(route, values))
    assert missing == [], f"add sample parameters (or None) for these pages to SAMPLES: {missing}"
    return urls


def admin_urls(client: Any) -> list[str]:
    urls = ["/admin/"]
    for model in admin.site._registry:
        meta = model._meta
        base = f"/admin/{meta.app_label}/{meta.model_name}/"
        listing = client.get(base)
        if listing.status_code != 200:
            continue
        urls += [base, base + "add/"]
        first = re.search(rf'href="({re.escape(base)}(\d+)/change/)[^"]*"', listing.content.decode())
        if first:
            urls += [first.group(1), f"{base}{first.group(2)}/history/"]
    return urls


@pytest.fixture
def demo(db: Any) -> None:
    # As `manage.py load_demo_data` runs: in the system's language (the tests otherwise run in English).
    with translation.override("zh-hans"):
        load_demo_data(per_district=3)
        collect(timezone.localdate())


def test_every_page_is_chinese_for_every_role(client, demo):
    staff = User.objects.get(username="staff_yubei")
    pages = page_urls(staff)
    leaks: dict[str, set[str]] = {}
    opened = 0
    for username in ROLES:
        client.force_login(User.objects.get(username=username))
        urls = pages + admin_urls(client)
        for url in urls:
            response = client.get(url)
            if response.status_code in (301, 302) or "text/html" not in response.get("Content-Type", ""):
                continue
            assert response.status_code < 500, url
            opened += 1
            words = english_words(response.content.decode())
            if words:
                leaks[f"{username} {url} [{response.status_code}]"] = words
    report = "\n".join(f"{where}: {sorted(words)[:12]}" for where, words in sorted(leaks.items()))
    assert opened > 200
    assert not leaks, f"English words on Chinese pages:\n{report}"


def test_the_crawler_finds_english_and_skips_data():
    assert english_words("<p>保存 <b>Save</b></p><script>var x = 'Save';</script>") == {"Save"}
    assert english_words('<p>代码 <span translate="no">manual_value</span> PDF</p>') == set()
    assert english_words('<input type="submit" value="Continue"><a title="Open it">打开</a>') == {"Continue", "Open"}
