"""A scripted respondent for the Flask test client: reads the page form, posts answers by code."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from werkzeug.datastructures import MultiDict

from surveyapp.extensions import db
from surveyapp.services import surveys
from surveyapp.services.audit import Actor

BAROMETER = Path(__file__).resolve().parents[2] / "surveyapp" / "surveys" / "barometre-2015.yaml"
SLUG = "barometre-2015"

#: A French marketer in a small company who answers everything (values of hidden questions
#: are never posted: the walker posts only the fields a page shows).
FRENCH_USER: dict[str, object] = {
    "consent": "1",
    "s1": "1",
    "s2": "1",
    "s3": "1",
    "s4": "2",
    "s5": "1",
    "s6": "2",
    "s7": "5",
    "s8": "1",
    "q1": "1",
    "q2": "3",
    "q3": ["1", "2", "3"],
    "q4": "3",
    "q5": "3",
    "q6": ["1", "3", "8"],
    "q7": "2",
    "q7a": "3",
    "q8": "1",
    "q8a": "3",
    "q9": "3",
    "q9a": "2",
    "q10": "1",
    "q10a": ["1"],
    "q11": "2",
    "q12": "1",
    "q11a": "2",
    "q13": ["3", "8"],
    "q14": "2",
    "q14a": ["1", "2"],
    "q15": "2",
    "q16": ["1", "4"],
    "q17": {"a": "1", "b": "2", "c": "3"},
    "q18": "1",
    "q19": ["1", "4"],
    "q20": "2",
    "q22": "Commencer petit et mesurer.",
    "q23": ["1"],
    "q23_email": "nom@entreprise.fr",
}
AMERICAN_USER = {**FRENCH_USER, "s1": "2", "q22": "Start small.", "q23": ["4"]}
#: Shows every optional page of a user: P15 (Q8 agency), P17 (Q10 paid), P26 (Q20 RSE), P29.
EVERY_USER_PAGE = {
    **FRENCH_USER,
    "q8": "5",
    "q8b": ["2"],
    "q10": "1",
    "q20": "1",
    "q20a": ["4"],
    "q3": ["1", "2", "3", "15"],
    "q3_other": "",
}
CANADIAN = {**FRENCH_USER, "s1": "3", "s1b": "2", "q23": ["4"]}
NON_USER = {**FRENCH_USER, "q1": "2", "q1a": ["2", "3"], "q1b": "Plus de temps."}
SCREENED_OUT = {**FRENCH_USER, "s1": "4"}


def db_dump(app) -> dict[str, list[tuple]]:
    """Every row of every table, as text (to compare before/after or grep)."""
    from sqlalchemy import text as sql

    from surveyapp.models import Base

    dump = {}
    with db.engine_for(app).connect() as conn:
        for table in Base.metadata.sorted_tables:
            rows = conn.execute(sql(f"SELECT * FROM {table.name}")).all()  # noqa: S608
            dump[table.name] = sorted(tuple(str(v) for v in row) for row in rows)
    return dump


def open_barometer(app):
    """Load the barometer and open it for fieldwork; returns the Survey row."""
    with app.app_context():
        result = surveys.load_schema_file(db.session, BAROMETER, Actor.cli())
        surveys.set_state(db.session, result.survey, "open", Actor.cli())
        return result.survey


@dataclass
class Control:
    """One form control as the page shows it."""

    tag: str
    type: str
    name: str
    value: str
    checked: bool = False
    options: list[str] = field(default_factory=list)


class FormParser(HTMLParser):
    """The controls of the form `form_id` (inputs, selects with their options, textareas)."""

    def __init__(self, form_id: str = "page-form") -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.inside = False
        self.action: str | None = None
        self.controls: list[Control] = []
        self.outside: list[Control] = []
        self._select: Control | None = None
        self._textarea: Control | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        if tag == "form" and a.get("id") == self.form_id:
            self.inside, self.action = True, a.get("action")
        elif tag in ("input", "button") and "name" in a:
            control = Control(
                tag, a.get("type", "text"), a["name"], a.get("value", ""), "checked" in a
            )
            if self.inside:
                self.controls.append(control)
            elif a.get("form") == self.form_id:
                self.outside.append(control)
        elif tag == "select" and self.inside:
            self._select = Control("select", "select", a["name"], "")
            self.controls.append(self._select)
        elif tag == "option" and self._select is not None:
            self._select.options.append(a.get("value", ""))
            if "selected" in a:
                self._select.value = a.get("value", "")
        elif tag == "textarea" and self.inside:
            self._textarea = Control("textarea", "textarea", a["name"], "")
            self.controls.append(self._textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data


def parse_form(html: str, form_id: str = "page-form") -> FormParser:
    """The page form's controls."""
    parser = FormParser(form_id)
    parser.feed(html)
    return parser


def page_id_of(location: str) -> str | None:
    """The page id in a questionnaire URL, None for other URLs."""
    match = re.search(r"/p/([a-z0-9_]+)$", urlsplit(location).path)
    return match.group(1) if match else None


class Respondent:
    """Drives the questionnaire through the test client like a browser without JavaScript."""

    def __init__(self, client, slug: str = SLUG, headers: dict | None = None) -> None:
        self.client = client
        self.slug = slug
        self.headers = headers or {}
        self.url: str | None = None
        self.html = ""
        self.status = 0
        self.pages: list[str] = []

    def get(self, url: str):
        """GET a URL, following redirects; remembers the final page."""
        response = self.client.get(url, headers=self.headers, follow_redirects=True)
        self.url = response.request.path + (
            "?" + response.request.query_string.decode() if response.request.query_string else ""
        )
        self.html = response.get_data(as_text=True)
        self.status = response.status_code
        return response

    def start(self, query: str = ""):
        """Open the survey's entry URL."""
        return self.get(f"/s/{self.slug}/{query}")

    @property
    def page_id(self) -> str | None:
        """The page currently shown."""
        return page_id_of(self.url or "")

    def hidden(self) -> dict[str, str]:
        """The hidden fields of the page form (CSRF token, page language, start token)."""
        form = parse_form(self.html)
        return {c.name: c.value for c in form.controls if c.type == "hidden"}

    def fields(self) -> list[Control]:
        """The answer controls of the page form."""
        form = parse_form(self.html)
        return [
            c for c in form.controls if c.type not in ("hidden", "submit") and c.tag != "button"
        ]

    def form_for(self, script: dict) -> list[tuple[str, str]]:
        """The POST body answering the page from a script (first option offered otherwise)."""
        body = list(self.hidden().items())
        seen: set[str] = set()
        for control in self.fields():
            name = control.name
            if name in seen:
                continue
            seen.add(name)
            for value in self.script_values(name, control, script):
                body.append((name, value))
        return body

    def script_values(self, name: str, control: Control, script: dict) -> list[str]:
        """Values for one field name."""
        base, _, row = name.partition(".")
        if name.endswith("_other"):
            return [""]
        value = script.get(base)
        if row and isinstance(value, dict):
            return [value[row]]
        if row in DATE_PARTS and isinstance(value, str):
            # a date scripted as ISO text, typed as a person does: day, month, year fields
            return [str(int(value.split("-")[DATE_PARTS[row]]))]
        if value is None:
            choices = [
                c.value for c in self.fields() if c.name == name and c.type in ("radio", "checkbox")
            ]
            if control.tag == "select":
                return [control.options[1]]
            if choices:
                return [choices[0]]
            return [""]
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    def post(self, body, action: str = "next", url: str | None = None):
        """POST the page form (no redirect followed)."""
        form = parse_form(self.html)
        target = url or form.action or self.url
        data = MultiDict([*body, ("_action", action)] if action else list(body))
        return self.client.post(target, data=data, headers=self.headers)

    def answer(self, script: dict, action: str = "next", expect: int = 303):
        """Answer the current page from the script and follow the redirect."""
        page = self.page_id
        response = self.post(self.form_for(script), action)
        assert response.status_code == expect, (
            page,
            response.status_code,
            response.get_data(as_text=True)[:3000],
        )
        if page:
            self.pages.append(page)
        if expect == 303:
            return self.get(response.headers["Location"])
        self.html = response.get_data(as_text=True)
        return response

    def complete(self, script: dict, query: str = "", limit: int = 40) -> list[str]:
        """From the entry URL to an ending; returns the pages answered."""
        self.start(query)
        for _ in range(limit):
            if self.page_id is None:
                return self.pages
            self.answer(script)
        raise AssertionError(f"no ending after {limit} pages: {self.pages}")


#: A date question's fields and their place in ISO text (YYYY-MM-DD).
DATE_PARTS = {"year": 0, "month": 1, "day": 2}


def shown_code(html: str) -> str:
    """The code of `<code class="r-code">` as a person copies it: its groups joined."""
    found = re.search(r'<code class="r-code">(.*?)</code>', html, re.S)
    assert found, "no code shown"
    return re.sub(r"<[^>]+>", "", found[1])
