"""The compiled questionnaire: immutable dataclasses built by the loader."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from surveyapp.domain import ResponseStatus

from .calc import Calc
from .expressions import Condition

if TYPE_CHECKING:
    from .questions import QuestionType

Text = Mapping[str, str]
EMPTY: Mapping[str, Any] = MappingProxyType({})

#: The response statuses an ending may set (every status but in_progress).
STATUSES = tuple(s.value for s in ResponseStatus if s is not ResponseStatus.IN_PROGRESS)


def _empty() -> Mapping[Any, Any]:
    return EMPTY


@dataclass(frozen=True, slots=True)
class Option:
    """A choice: stored as its code, shown with its label."""

    code: str
    label: Text
    when: Condition | None = None
    exclusive: bool = False
    other: bool = False
    fixed: bool = False
    #: The author's name for the option in export column names (`project-alpha`): a multiple
    #: choice's 0/1 column is `<question column>_<option column or code>`.
    column: str | None = None

    @property
    def pinned(self) -> bool:
        """Keeps its place when the order is randomised."""
        return self.fixed or self.other or self.exclusive


@dataclass(frozen=True, slots=True)
class Row:
    """A matrix row."""

    code: str
    text: Text
    when: Condition | None = None


@dataclass(frozen=True, slots=True)
class Check:
    """A cross-question check: `condition` must hold when the page is submitted, else
    `message` (in every declared language) is shown next to the question `field`."""

    condition: Condition
    message: Text
    field: str = ""


@dataclass(frozen=True, slots=True)
class DontKnow:
    """ "Don't know" on a number question: a box whose tick stores `code` instead of a number."""

    code: int
    label: Text


@dataclass(frozen=True, slots=True)
class Question:
    """A question; type-specific settings live in `kind` (see questions.py)."""

    id: str
    kind: QuestionType
    text: Text
    page_id: str
    page_index: int
    position: int
    help: Text | None = None
    when: Condition | None = None
    required: bool = True
    personal: bool = False
    options: tuple[Option, ...] = ()
    option_list: str | None = None
    options_from: str | None = None
    autocode_single: bool = False
    random_order: bool = False
    rows: tuple[Row, ...] = ()
    sets_language: Mapping[str, str] = field(default_factory=_empty)
    dynamic: bool = False  # options or rows depend on answers (conditions, options_from)
    #: `required` that depends on answers (earlier pages or this page, at submission).
    required_when: Condition | None = None
    #: The message of a bound or pattern error, replacing the platform's default one.
    constraint_message: Text | None = None
    checks: tuple[Check, ...] = ()
    #: The author's name for the export columns (`rCSI`, `d4.3`) when it is not the id.
    column: str | None = None

    @property
    def export_name(self) -> str:
        """The name of the question's export column(s): the author's `column`, else the id."""
        return self.column or self.id

    @property
    def authored_names(self) -> bool:
        """Whether an author's `column` names any of its export columns (its own or an option's)."""
        return self.column is not None or any(o.column for o in self.options)

    def with_ids_only(self) -> Question:
        """The same question with its export columns named from ids (no author's `column`)."""
        options = tuple(replace(o, column=None) for o in self.options)
        return replace(self, column=None, options=options)

    @property
    def type(self) -> str:
        """The type name (single, multiple, matrix, …)."""
        return self.kind.name

    @property
    def other_option(self) -> Option | None:
        """The "other, please specify" option, if any."""
        return next((o for o in self.options if o.other), None)


@dataclass(frozen=True, slots=True)
class Page:
    """A page: the unit of display and of submission."""

    id: str
    index: int
    questions: tuple[Question, ...]
    when: Condition | None = None
    checks: tuple[Check, ...] = ()


@dataclass(frozen=True, slots=True)
class Ending:
    """How a response ends: a status, a message and an optional redirect."""

    id: str
    status: str
    message: Text
    index: int
    check_after: str | None = None
    when: Condition | None = None
    redirect: str | None = None
    default: bool = False
    #: Another ending of the same status under which exports and results report this one
    #: (two checks of one screen-out rule, e.g. `so3_gm` reported as `so3`); the ending's own
    #: id stays available as the detail.
    report_as: str | None = None


@dataclass(frozen=True, slots=True)
class Cell:
    """One quota cell: the codes of the `by` variables and the target."""

    id: str
    codes: tuple[str, ...]
    target: int


@dataclass(frozen=True, slots=True)
class Quota:
    """A hard (screen out when full) or soft (monitored) quota."""

    id: str
    kind: str
    cells: tuple[Cell, ...]
    counts: tuple[str, ...]
    label: Text | None = None
    by: tuple[str, ...] = ()
    check_after: str | None = None
    ending: str | None = None
    limit: str | None = None
    when: Condition | None = None
    cell_by_codes: Mapping[tuple[str, ...], Cell] = field(default_factory=_empty)


@dataclass(frozen=True, slots=True)
class Case:
    """One case of a derived variable: a constant value or a copy, when a condition holds."""

    when: Condition | None = None
    value: str | int | float | None = None
    copy: str | None = None


@dataclass(frozen=True, slots=True)
class Derived:
    """A variable computed from answers: first matching case, or a count."""

    id: str
    type: str
    label: Text | None = None
    options: tuple[Option, ...] = ()
    option_list: str | None = None
    cases: tuple[Case, ...] = ()
    count: str | None = None
    calc: Calc | None = None
    #: "Don't know" codes of the number questions it reads: read as null, never as numbers.
    unknown: Mapping[str, int] = field(default_factory=_empty)
    #: The author's name for the export column when it is not the id.
    column: str | None = None

    @property
    def export_name(self) -> str:
        """The name of the export column: the author's `column`, else the id."""
        return self.column or self.id


@dataclass(frozen=True, slots=True)
class Parameter:
    """A URL parameter kept with the response."""

    id: str
    param: str
    type: str
    options: tuple[Option, ...] = ()
    option_list: str | None = None
    aliases: Mapping[str, str] = field(default_factory=_empty)
    default: str | None = None
    transient: bool = False


@dataclass(frozen=True, slots=True)
class Column:
    """One export column of the fixed layout derived from the schema."""

    name: str
    source_id: str
    kind: str
    title: Text | None = None
    labels: Mapping[str, Text] = field(default_factory=_empty)
    personal: bool = False
    code: str | None = None
    row: str | None = None


@dataclass(frozen=True, slots=True)
class VarInfo:
    """What conditions may know about an id: its value kind, codes and when it is known."""

    id: str
    source: str  # question | derived | parameter
    kind: str  # code | set | number | text | matrix | consent | note
    page: int  # index of the page after which the value is known; -1 for parameters
    codes: tuple[str, ...] = ()
    rows: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True, slots=True, repr=False, eq=False)
class Survey:
    """A loaded, validated, compiled questionnaire (immutable, safe to cache).

    Compared and hashed by identity, so it can key a cache of per-survey results.
    """

    id: str
    version: str
    languages: tuple[str, ...]
    default_language: str
    title: Text
    pages: tuple[Page, ...]
    questions: Mapping[str, Question]
    endings: tuple[Ending, ...]
    default_ending: Ending
    introduction: Text | None = None
    estimated_seconds_per_question: int = 20
    #: The neutral title shown while screening, up to the page `real_title_from` (excluded).
    screening_title: Text | None = None
    real_title_from: str | None = None
    quotas: tuple[Quota, ...] = ()
    derived: tuple[Derived, ...] = ()
    parameters: tuple[Parameter, ...] = ()
    option_lists: Mapping[str, tuple[Option, ...]] = field(default_factory=_empty)
    variables: Mapping[str, VarInfo] = field(default_factory=_empty)
    source: str = "<string>"
    derived_order: tuple[Derived, ...] = ()
    page_index: Mapping[str, int] = field(default_factory=_empty)
    endings_after: Mapping[str, tuple[Ending, ...]] = field(default_factory=_empty)
    quotas_after: Mapping[str, tuple[Quota, ...]] = field(default_factory=_empty)
    #: Number questions with a "don't know" box: question id -> the code stored when ticked.
    dont_know: Mapping[str, int] = field(default_factory=_empty)

    def __repr__(self) -> str:
        return f"Survey(id={self.id!r}, version={self.version!r}, pages={len(self.pages)})"

    def shown_title(
        self, page_id: str | None = None, *, reached: Iterable[str] = (), status: str = ""
    ) -> Text:
        """The title a respondent sees: the screening title until `real_title_from`.

        On a page, by that page; on an ending, by its status (complete: the real title); elsewhere
        (resume, withdraw, lists, e-mails), by the furthest page in `reached`.
        """
        if self.screening_title is None or self.real_title_from is None:
            return self.title
        if status:
            return self.title if status == "complete" else self.screening_title
        first_real = self.page_index[self.real_title_from]
        pages = (page_id,) if page_id is not None else tuple(reached)
        if any(self.page_index.get(p, -1) >= first_real for p in pages if p):
            return self.title
        return self.screening_title

    def page(self, page_id: str) -> Page:
        """The page with this id (KeyError if unknown)."""
        return self.pages[self.page_index[page_id]]

    def ending(self, ending_id: str) -> Ending:
        """The ending with this id (KeyError if unknown)."""
        for ending in self.endings:
            if ending.id == ending_id:
                return ending
        raise KeyError(ending_id)

    def language(self, lang: str | None) -> str:
        """A declared language: `lang` if declared, else the default language."""
        return lang if lang in self.languages else self.default_language
