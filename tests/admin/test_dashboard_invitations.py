"""The survey dashboard's invitation funnel: invited -> opened -> started -> reached an ending,
counts and shares in the admin's language, one aggregate statement whatever the list's size."""

from __future__ import annotations

import html as htmlmod
import re

from surveyapp.extensions import db
from surveyapp.models import Survey
from surveyapp.models.invitation import InvitationContact
from surveyapp.services.invitations import participation
from tests.admin.test_query_counts import statements

#: pending: never mailed (not invited yet); the others were mailed and went that far.
PROGRESS = ["pending"] * 3 + ["sent"] * 4 + ["opened"] * 3 + ["started"] * 2 + ["completed"] * 1


def add_contacts(app, survey_id: int, progress: list[str], first: int = 0) -> None:
    with app.app_context():
        db.session.add_all(
            InvitationContact(
                survey_id=survey_id,
                email=f"c{first + i}@example.org",
                language="fr",
                link_key=f"k{first + i}",
                token_hash=f"{first + i:064d}",
                progress=step,
            )
            for i, step in enumerate(progress)
        )
        db.session.commit()


def funnel_rows(page: str) -> dict[str, list[str]]:
    table = re.search(r'<table class="invitation-funnel">(.*?)</table>', page, re.S)
    assert table, "no invitation funnel on the dashboard"
    rows = re.findall(r'<tr data-step="(\w+)">(.*?)</tr>', table[1], re.S)
    return {
        step: [htmlmod.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in cells]
        for step, body in rows
        for cells in [re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", body, re.S)]
    }


def test_the_funnel_counts_each_step_once(app, demo_survey):
    add_contacts(app, demo_survey.id, PROGRESS)
    with app.app_context():
        totals = participation.funnel_totals(db.session, demo_survey.id)
    # 10 mailed; 6 opened (a contact who started also opened), 3 started, 1 completed.
    assert totals.steps == (("invited", 10), ("opened", 6), ("started", 3), ("completed", 1))


def test_the_dashboard_shows_the_funnel_in_the_admins_language(app, demo_survey, clients):
    add_contacts(app, demo_survey.id, PROGRESS)
    fr = clients["fr"].get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    en = clients["en"].get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert funnel_rows(en) == {
        "invited": ["Invited", "10", "100.0%", ""],
        "opened": ["Opened the link", "6", "60.0%", ""],
        "started": ["Started the survey", "3", "30.0%", ""],
        "completed": ["Reached an ending", "1", "10.0%", ""],
    }
    assert funnel_rows(fr) == {
        "invited": ["Invités", "10", "100,0\u202f%", ""],
        "opened": ["Ont ouvert le lien", "6", "60,0\u202f%", ""],
        "started": ["Ont commencé", "3", "30,0\u202f%", ""],
        "completed": ["Ont terminé", "1", "10,0\u202f%", ""],
    }
    assert "Part des invités" in fr


def test_no_funnel_without_invitations(app, demo_survey, clients):
    add_contacts(app, demo_survey.id, ["pending"] * 2)  # a list imported, nothing sent
    page = clients["en"].get("/admin/surveys/demo/dashboard").get_data(as_text=True)
    assert 'class="invitation-funnel"' not in page


def test_one_statement_whatever_the_number_of_contacts(app, demo_survey, clients):
    client = clients["en"]
    url = "/admin/surveys/demo/dashboard"
    add_contacts(app, demo_survey.id, PROGRESS)
    client.get(url)
    with statements(app) as small:
        assert client.get(url).status_code == 200
    with app.app_context():
        survey_id = db.session.get(Survey, demo_survey.id).id
    add_contacts(app, survey_id, PROGRESS * 30, first=len(PROGRESS))
    with statements(app) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
    on_contacts = [s for s in large if "FROM invitation_contacts" in s]
    assert len(on_contacts) == 1
    assert "count(" in on_contacts[0].lower()
