"""What a page shows: visible questions with piped texts, ordered options and current values."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .model import Derived, Option, Page, Parameter, Question, Row, Survey, Text
from .questions import QuestionType
from .visibility import Answers, environment, question_state

PLACEHOLDER = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")
#: Languages written with a decimal comma (piped decimal numbers follow the language).
DECIMAL_COMMA = frozenset({"fr", "de", "es", "it", "pt", "nl", "pl", "ru", "sv", "da", "fi"})


@dataclass(frozen=True, slots=True)
class OptionView:
    """An option as displayed."""

    code: str
    label: str
    exclusive: bool = False
    other: bool = False
    fixed: bool = False


@dataclass(frozen=True, slots=True)
class RowView:
    """A matrix row as displayed, with its current answer."""

    code: str
    text: str
    value: str | None = None


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A visible question: piped texts in the page language, options in display order."""

    question: Question
    text: str
    help: str | None
    options: tuple[OptionView, ...]
    rows: tuple[RowView, ...]
    value: Any
    other_value: str | None
    anchors: tuple[str, str] | None = None
    #: A number question's "don't know" box: its label, and whether the stored answer is it.
    dont_know: str | None = None
    dont_know_checked: bool = False
    #: `required_when` holds on the answers known when the page is drawn.
    required_now: bool = False

    @property
    def id(self) -> str:
        """The question id (also the form field name)."""
        return self.question.id

    @property
    def kind(self) -> QuestionType:
        """The question type object (render hints: widget, min, max, max_length…)."""
        return self.question.kind

    @property
    def required(self) -> bool:
        """An answer is required (`required_when`: as far as the answers known now say)."""
        return self.question.required or self.required_now

    @property
    def order(self) -> tuple[str, ...]:
        """Codes (rows for a matrix) in display order, as stored in `<id>_order`."""
        if self.question.kind.has_rows:
            return tuple(r.code for r in self.rows)
        return tuple(o.code for o in self.options)


@dataclass(frozen=True, slots=True)
class PageView:
    """A page ready to render."""

    id: str
    language: str
    questions: tuple[QuestionView, ...]


def seeded_order(
    items: Sequence[Any],
    seed: str,
    qid: str,
    pinned: Callable[[Any], bool] = lambda item: False,
) -> list[Any]:
    """A deterministic shuffle (same seed, same order); pinned items keep their place."""
    movable = [item for item in items if not pinned(item)]
    movable.sort(
        key=lambda item: hashlib.sha256(f"{seed}\x1f{qid}\x1f{item.code}".encode()).digest()
    )
    shuffled = iter(movable)
    return [item if pinned(item) else next(shuffled) for item in items]


def display_options(q: Question, visible: Sequence[Option], seed: str) -> list[Option]:
    """The visible options in display order."""
    if not q.random_order or q.kind.has_rows:
        return list(visible)
    codes = {o.code for o in visible}
    ordered = seeded_order(q.options, seed, q.id, lambda o: o.pinned)
    return [o for o in ordered if o.code in codes]


def display_rows(q: Question, visible: Sequence[Row], seed: str) -> list[Row]:
    """The visible rows of a matrix in display order."""
    if not q.random_order:
        return list(visible)
    codes = {r.code for r in visible}
    return [r for r in seeded_order(q.rows, seed, q.id) if r.code in codes]


def render_page(
    survey: Survey,
    page_id: str,
    answers: Answers,
    seed: str,
    lang: str,
    typeset: Callable[[str], str] | None = None,
) -> PageView:
    """The page's visible questions, texts in `lang` with `${id}` piping applied.

    `typeset` (the web layer's typography for `lang`) is applied to the schema's texts before
    piping, so an answer piped into a text is shown exactly as the respondent typed it.
    """
    page: Page = survey.page(page_id)
    lang = survey.language(lang)
    env = environment(survey, answers)
    views = []
    if page.when is None or page.when(env):
        for q in page.questions:
            state = question_state(q, env)
            if state.visible:
                view = _question_view(survey, q, state, env, seed, lang, typeset)
                views.append(_own_state(view, q, answers, env, lang, typeset))
    return PageView(page.id, lang, tuple(views))


def posted_names(survey: Survey, page_id: str, answers: Answers) -> set[str]:
    """The form fields page `page_id` may post for these answers: question ids, `<id>.<row>`,
    `<id>.<part>` (a date's day, month, year), `<id>_other`, `<id>_dk`, of its visible
    questions. The names of `render_page`'s view, without building it (no texts, piping or
    display order): a posted page only needs them to refuse a field the page does not ask."""
    page: Page = survey.page(page_id)
    env = environment(survey, answers)
    names: set[str] = set()
    if page.when is not None and not page.when(env):
        return names
    for q in page.questions:
        if q.type == "note":
            continue
        state = question_state(q, env)
        if not state.visible:
            continue
        if q.type == "matrix":
            names.update(f"{q.id}.{row.code}" for row in state.rows)
        else:
            names.add(q.id)
        names.update(f"{q.id}.{part}" for part in q.kind.parts)
        if any(o.other for o in state.options):
            names.add(f"{q.id}_other")
        if getattr(q.kind, "dont_know", None) is not None:
            names.add(f"{q.id}_dk")
    return names


def _own_state(
    view: QuestionView,
    q: Question,
    answers: Answers,
    env: Mapping[str, Any],
    lang: str,
    typeset: Callable[[str], str] | None,
) -> QuestionView:
    """The "don't know" box (label, ticked) and `required_when` as known now."""
    dk = getattr(q.kind, "dont_know", None)
    required_now = q.required_when is not None and bool(q.required_when(env))
    if dk is None and not required_now:
        return view
    label = dk.label[lang] if dk is not None else None
    return replace(
        view,
        dont_know=typeset(label) if typeset and label else label,
        dont_know_checked=dk is not None and answers.get(q.id) == dk.code,
        required_now=required_now,
    )


def _question_view(
    survey: Survey,
    q: Question,
    state: Any,
    env: Mapping[str, Any],
    seed: str,
    lang: str,
    typeset: Callable[[str], str] | None,
) -> QuestionView:
    def text(t: Text | None) -> str | None:
        if t is None:
            return None
        return pipe(survey, plain(t), env, lang, typeset)

    def plain(t: Text) -> str:
        return typeset(t[lang]) if typeset else t[lang]

    value = env.get(q.id)
    options = tuple(
        OptionView(o.code, text(o.label) or "", o.exclusive, o.other, o.pinned)
        for o in display_options(q, state.options, seed)
    )
    rows = tuple(
        RowView(r.code, text(r.text) or "", value.get(r.code) if isinstance(value, dict) else None)
        for r in display_rows(q, state.rows, seed)
    )
    anchors = getattr(q.kind, "anchors", None)
    return QuestionView(
        question=q,
        text=text(q.text) or "",
        help=text(q.help),
        options=options,
        rows=rows,
        value=value,
        other_value=env.get(f"{q.id}_other"),
        anchors=(plain(anchors[0]), plain(anchors[1])) if anchors else None,
    )


def pipe(
    survey: Survey,
    text: str,
    env: Mapping[str, Any],
    lang: str,
    typeset: Callable[[str], str] | None = None,
) -> str:
    """Replace each `${id}` by the label of the earlier answer in `lang` ('' if none).

    `typeset` applies to option labels (the schema's text), never to what a respondent typed.
    """
    if "${" not in text:
        return text
    return PLACEHOLDER.sub(lambda m: answer_label(survey, m.group(1), env, lang, typeset), text)


def answer_label(
    survey: Survey,
    ident: str,
    env: Mapping[str, Any],
    lang: str,
    typeset: Callable[[str], str] | None = None,
) -> str:
    """An answer as text: option labels (the "other" text if given), numbers, free text."""
    value = env.get(ident)
    if value is None:
        return ""
    options = _options_of(survey, ident)
    if isinstance(value, list):
        return ", ".join(_code_label(options, code, ident, env, lang, typeset) for code in value)
    if isinstance(value, str) and options:
        return _code_label(options, value, ident, env, lang, typeset)
    if isinstance(value, float):
        text = f"{value:g}"
        return text.replace(".", ",") if lang in DECIMAL_COMMA else text
    return str(value) if isinstance(value, str | int) else ""


def _options_of(survey: Survey, ident: str) -> tuple[Option, ...]:
    if ident in survey.questions:
        return survey.questions[ident].options
    items: tuple[Derived | Parameter, ...] = (*survey.derived, *survey.parameters)
    for item in items:
        if item.id == ident:
            return item.options
    return ()


def _code_label(
    options: Sequence[Option],
    code: str,
    ident: str,
    env: Mapping[str, Any],
    lang: str,
    typeset: Callable[[str], str] | None = None,
) -> str:
    option = next((o for o in options if o.code == code), None)
    if option is None:
        return code
    other = env.get(f"{ident}_other")
    if option.other and isinstance(other, str) and other:
        return other  # typed by the respondent: shown as typed
    label = option.label.get(lang, "")
    return typeset(label) if typeset else label
