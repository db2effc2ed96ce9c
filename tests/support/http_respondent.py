"""A respondent over real HTTP: reads the page's hidden fields, answers with the engine's
simulator, posts like a browser without JavaScript. Used by concurrency tests and benchmarks."""

from __future__ import annotations

import random
import re
import time
from dataclasses import dataclass, field
from html import unescape
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests

from surveyapp.engine import (
    EndingReached,
    Survey,
    apply_page,
    next_step,
    render_page,
    validate_page,
)
from tests.support.simulate import random_form

HIDDEN = re.compile(r'<input[^>]*type="hidden"[^>]*>')
ATTR = re.compile(r'(name|value)="([^"]*)"')
PAGE_URL = re.compile(r"/s/[^/]+/p/([^/?#]+)")


def loopback_session() -> requests.Session:
    """An HTTP session for a server on this machine: it never goes through a proxy, so it does
    not read the proxy settings from the environment at every request (`trust_env`: requests
    otherwise scans every environment variable twice per request, a third of a load
    generator's CPU), which load runs would count against the server sharing the cores."""
    http = requests.Session()
    http.trust_env = False
    return http


@dataclass
class Timing:
    """One request: what it was and how long it took."""

    kind: str
    status: int
    seconds: float


@dataclass
class HttpRespondent:
    """One simulated respondent with its own cookies."""

    base: str
    slug: str
    survey: Survey
    rng: random.Random
    lang: str = "fr"
    script: dict[str, Any] = field(default_factory=dict)
    timings: list[Timing] = field(default_factory=list)
    answers: dict[str, Any] = field(default_factory=dict)
    http: requests.Session = field(default_factory=loopback_session)
    url: str = ""
    html: str = ""

    def _request(self, kind: str, method: str, url: str, **kwargs) -> requests.Response:
        start = time.perf_counter()
        response = self.http.request(method, url, timeout=30, allow_redirects=False, **kwargs)
        self.timings.append(Timing(kind, response.status_code, time.perf_counter() - start))
        return response

    def get(self, url: str) -> requests.Response:
        """GET, following redirects by hand so that each hop is timed."""
        url = urljoin(self.base, url)
        for _ in range(5):
            response = self._request("get", "GET", url)
            if response.status_code not in (301, 302, 303, 307):
                self.url, self.html = url, response.text
                return response
            url = urljoin(url, response.headers["Location"])
        raise RuntimeError(f"redirect loop at {url}")

    def start(self) -> requests.Response:
        """Open the survey's entry URL."""
        return self.get(f"/s/{self.slug}/?lang={self.lang}")

    @property
    def page_id(self) -> str | None:
        """The page shown, None on an ending."""
        match = PAGE_URL.search(urlsplit(self.url).path)
        return match.group(1) if match else None

    def hidden_fields(self) -> list[tuple[str, str]]:
        """The hidden inputs of the page (CSRF token, page language…)."""
        fields = []
        for tag in HIDDEN.findall(self.html):
            attrs = dict(ATTR.findall(tag))
            if "name" in attrs:
                fields.append((attrs["name"], unescape(attrs.get("value", ""))))
        return fields

    def prepare(self) -> tuple[str, list[tuple[str, str]]]:
        """The current page id and a valid body answering it."""
        page_id = self.page_id
        assert page_id is not None, f"not on a page: {self.url}"
        view = render_page(self.survey, page_id, self.answers, "http", self.lang)
        form = random_form(view, self.rng)
        shown = {qv.id for qv in view.questions}
        for name, value in self.script.items():
            if name.split(".")[0] in shown:
                form[name] = value if isinstance(value, list) else [str(value)]
        result = validate_page(self.survey, page_id, form, self.answers, "http")
        assert not result.errors, (page_id, result.errors)
        self.answers = apply_page(self.survey, page_id, result.values, self.answers, "http")
        body = self.hidden_fields() + [(k, v) for k, vs in form.items() for v in vs]
        return page_id, body + [("_action", "next")]

    def post(self, page_id: str, body: list[tuple[str, str]]) -> requests.Response:
        """POST a page; 303 expected."""
        return self._request(
            "post", "POST", urljoin(self.base, f"/s/{self.slug}/p/{page_id}"), data=body
        )

    def answer_page(self) -> bool:
        """Answer the current page and go where the server says; False once ended."""
        page_id, body = self.prepare()
        response = self.post(page_id, body)
        if response.status_code != 303:
            raise RuntimeError(f"{page_id}: HTTP {response.status_code}")
        self.get(response.headers["Location"])
        return self.page_id is not None

    def expected_ending(self) -> str | None:
        """The ending the engine predicts for the answers so far (quotas aside)."""
        step = next_step(self.survey, self.page_id or "", self.answers)
        return step.ending.id if isinstance(step, EndingReached) else None

    def run(self, max_pages: int = 100, think: float = 0.0) -> None:
        """Start and answer every page until an ending."""
        self.start()
        for _ in range(max_pages):
            if think:
                time.sleep(self.rng.uniform(0, 2 * think))
            if not self.answer_page():
                return
        raise RuntimeError("no ending reached")
