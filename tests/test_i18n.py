"""User-facing text is Chinese by default (gettext catalogue complete), with English available."""

import re
from pathlib import Path

from django.urls import reverse
from django.utils import translation

PO = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def entries():
    text = PO.read_text(encoding="utf-8")
    for block in text.split("\n\n")[1:]:
        if "msgid" not in block or block.lstrip().startswith("#~"):
            continue
        yield block


def test_every_message_has_a_chinese_translation():
    untranslated = [b for b in entries() if re.search(r'msgstr(\[0\])? ""\s*$', b) or "#, fuzzy" in b]
    assert untranslated == []


def test_catalogue_is_compiled_and_used():
    with translation.override("zh-hans"):
        assert translation.gettext("Under municipal review") == "市级评审中"
    with translation.override("en"):
        assert translation.gettext("Under municipal review") == "Under municipal review"


def test_api_errors_are_chinese_by_default_and_english_on_request(api, users, ref):
    body = {"credit_code": "91500112000001235X", "name": "x", "district": "500112", "industry": "C"}
    zh = api(users.staff_a, language="zh-hans").post(reverse("enterprise-list"), body, format="json").json()
    assert "统一社会信用代码无效" in zh["errors"]["credit_code"][0]
    assert "校验码" in zh["errors"]["credit_code"][0]
    en = api(users.staff_a, language="en").post(reverse("enterprise-list"), body, format="json").json()
    assert "check character" in en["errors"]["credit_code"][0]


def test_login_page_is_chinese_by_default(client):
    page = client.get(reverse("login"))
    assert "登录" in page.content.decode()


def test_admin_picker_script_is_chinese(client, users):
    """The admin's two-box picker ("Choose 梯度 by selecting…") reads its words from the JavaScript catalogue."""
    client.force_login(users.superuser)
    import json

    catalogue = client.get("/admin/jsi18n/").content.decode("utf-8")
    for text in ("选中所需的%s", "选择全部%s"):
        assert text in catalogue or json.dumps(text)[1:-1] in catalogue


def test_candidate_table_words_are_the_right_chinese():
    # The district's candidate table once read "指标" for "one indicator short" and "变更内容" for "has".
    with translation.override("zh-hans"):
        assert translation.gettext("one indicator short") == "差一项指标"
        assert translation.gettext("has") == "现为"


def test_auditors_refusal_in_the_api_is_chinese(api, users, ref):
    refused = api(users.auditor, language="zh-hans").post(reverse("enterprise-list"), {}, format="json")
    assert refused.status_code == 403 and refused.json()["detail"] == "您的角色无权执行此操作。"
