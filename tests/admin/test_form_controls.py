"""What the admin forms show, in the page's language: placeholders in hints as unbreakable
code, French punctuation that never starts a line, and file inputs whose visible text is the
page's language (the browser's own text is in the browser's language)."""

from __future__ import annotations

import re

import pytest

from surveyapp.typography import NNBSP

INVITATIONS = "/admin/surveys/demo/invitations"


def _make_study(make_user, app, lang):
    make_user(f"study-{lang}@example.org", "study", language=lang)
    from tests.admin.helpers import login

    client = app.test_client()
    assert login(client, f"study-{lang}@example.org").status_code == 303
    return client


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_placeholders_in_a_hint_are_unbreakable_code(app, make_user, demo_survey, lang):
    client = _make_study(make_user, app, lang)
    html = client.get(INVITATIONS).get_data(as_text=True)
    hint = re.search(r'<p class="hint" id="text-hint">(.*?)</p>', html, re.S)
    assert hint, "no hint under the mail text"
    codes = re.findall(r'<code class="placeholder">(.*?)</code>', hint[1])
    assert codes == ["{{ link }}", "{{ unsubscribe_link }}", "{{ source }}"]
    outside = re.sub(r'<code class="placeholder">.*?</code>', "", hint[1])
    assert "{{" not in outside
    assert "}}" not in outside
    if lang == "fr":  # « {{ link }} ; peut » : the semicolon never starts a line
        assert f"</code>{NNBSP}; peut contenir" in hint[1]


def test_a_hint_is_escaped_around_its_placeholders(app):
    from flask_babel import force_locale

    from surveyapp.admin.formatting import field_hint

    with app.test_request_context(), force_locale("en"):
        out = str(field_hint("<b>{{ x }}</b> & {{ <i> }}"))
    assert out == (
        '&lt;b&gt;<code class="placeholder">{{ x }}</code>&lt;/b&gt; &amp; '
        '<code class="placeholder">{{ &lt;i&gt; }}</code>'
    )


@pytest.mark.parametrize(
    ("lang", "button", "none"),
    [
        ("fr", "Choisir un fichier", "Aucun fichier choisi"),
        ("en", "Choose a file", "No file chosen"),
    ],
)
@pytest.mark.parametrize(
    ("page", "name", "accept"),
    [("/admin/surveys/upload", "schema", ".yaml,.yml"), (INVITATIONS, "contacts", ".csv,.txt")],
)
def test_file_inputs_carry_the_pages_language(
    app, make_user, demo_survey, lang, button, none, page, name, accept
):
    client = _make_study(make_user, app, lang)
    html = client.get(page).get_data(as_text=True)
    picker = re.search(r'<div class="file-picker" data-file-picker>(.*?)</div>', html, re.S)
    assert picker, "no file picker"
    native = re.search(r"<input [^>]*>", picker[1])[0]
    # The real input: labelled, required, filtered by extension.
    assert f'id="{name}"' in native
    assert 'type="file"' in native
    assert "required" in native
    assert f'accept="{accept}"' in native
    assert f'<label for="{name}">' in html
    face = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", picker[1])).strip()
    assert face == f"{button} {none}"
    assert 'aria-hidden="true" hidden' in picker[1]  # without JavaScript: the native control
    assert "/static/file-picker.js" in html


def test_french_admin_pages_get_french_typography(app, make_user, demo_survey):
    """Interface strings and the questionnaire's texts on admin pages: no `?`, `:` or `;`
    starts a line in French; English is untouched."""
    from tests.admin.helpers import add_response

    add_response(app, demo_survey, current_page="p2")  # in progress, stopped on p2
    fr = _make_study(make_user, app, "fr")
    en = _make_study(make_user, app, "en")
    dashboard = "/admin/surveys/demo/dashboard"
    assert f"2 · Couleurs aimées{NNBSP}?" in fr.get(dashboard).get_data(as_text=True)
    assert "2 · Colours you like?" in en.get(dashboard).get_data(as_text=True)
    invitations = fr.get(INVITATIONS).get_data(as_text=True)
    assert f"Contacts\u00a0: 0{NNBSP}; à inviter\u00a0: 0{NNBSP}; à relancer" in invitations


def test_quota_labels_keep_their_numbers_whole_in_french(app, make_user):
    """The barometer's size bands: « (1 000 personnes ou plus) » never splits after « 1 »."""
    from pathlib import Path

    from surveyapp.extensions import db
    from surveyapp.services import surveys
    from surveyapp.services.audit import Actor

    path = Path(__file__).resolve().parents[2] / "surveyapp/surveys/barometre-2015.yaml"
    with app.app_context():
        slug = surveys.load_schema_text(
            db.session, path.read_text(), path.name, Actor("system", "t")
        ).survey.slug
    fr = _make_study(make_user, app, "fr").get(f"/admin/surveys/{slug}/quotas")
    html = fr.get_data(as_text=True)
    assert "(1\u00a0000 personnes ou plus)" in html
    assert "(1 000 " not in html
    en = _make_study(make_user, app, "en").get(f"/admin/surveys/{slug}/quotas")
    assert "\u202f" not in re.sub(r"<[^>]+>", "", en.get_data(as_text=True))


def test_a_response_names_its_next_page_by_number_and_question(app, make_user, demo_survey):
    from tests.admin.helpers import add_response

    rid = add_response(app, demo_survey, current_page="p2")
    fr = _make_study(make_user, app, "fr").get(f"/admin/surveys/demo/responses/{rid}")
    en = _make_study(make_user, app, "en").get(f"/admin/surveys/demo/responses/{rid}")
    assert f'2 · Couleurs aimées{NNBSP}? <span class="hint">(p2)</span>' in fr.get_data(
        as_text=True
    )
    assert '2 · Colours you like? <span class="hint">(p2)</span>' in en.get_data(as_text=True)


def test_the_tokens_page_keeps_code_as_code_and_names_roles(app, make_user):
    """« Authorization: Bearer » is an HTTP header: French typography must not put a space
    before its colon; the owner list names roles in words."""
    from tests.admin.helpers import login

    pages = {}
    for lang in ("fr", "en"):
        make_user(f"admin-{lang}@example.org", "admin", language=lang)
        client = app.test_client()
        assert login(client, f"admin-{lang}@example.org").status_code == 303
        pages[lang] = client.get("/admin/tokens").get_data(as_text=True)
    assert "dans l’en-tête <code>Authorization: Bearer …</code>\u202f; un jeton" in pages["fr"]
    assert "admin-fr@example.org (administrateur)" in pages["fr"]
    assert "in the header <code>Authorization: Bearer …</code>; a token" in pages["en"]
    assert "admin-en@example.org (administrator)" in pages["en"]
