"""The questionnaire engine: pure Python (it imports neither Flask nor SQLAlchemy).

load_survey / load_survey_file turn a YAML schema into an immutable Survey (or raise
SchemaError with located problems); the flow functions run a respondent through it with
plain answer dicts; lint_file adds reachability warnings and path statistics.
"""

from __future__ import annotations

from . import flow
from .derived import derived_values
from .export import Missing, export_columns, export_row
from .flow import (
    EndingReached,
    NextPage,
    Step,
    first_page,
    first_step,
    language_from_answers,
    next_step,
    previous_page,
    progress,
    route,
    visible_pages,
)
from .lint import LintReport, lint_file, lint_text
from .messages import MESSAGES, N_, FieldError, message_text
from .model import (
    Cell,
    Column,
    Derived,
    Ending,
    Option,
    Page,
    Parameter,
    Question,
    Quota,
    Row,
    Survey,
)
from .placeholders import Placeholder, unfilled_placeholders
from .problems import Problem, SchemaError
from .questions import QUESTION_TYPES, QuestionType
from .quotas import (
    CellRef,
    parameters_from_query,
    quota_cells,
    redirect_url,
    transient_parameters,
)
from .render import OptionView, PageView, QuestionView, RowView, render_page
from .schema import load_survey, load_survey_file
from .stats import PathStats
from .validate import (
    ContactRecord,
    PageResult,
    apply_page,
    contact_fields,
    split_contact,
    validate_page,
)

__all__ = [
    "MESSAGES",
    "N_",
    "QUESTION_TYPES",
    "Cell",
    "CellRef",
    "Column",
    "ContactRecord",
    "Derived",
    "Ending",
    "EndingReached",
    "FieldError",
    "LintReport",
    "Missing",
    "NextPage",
    "Option",
    "OptionView",
    "Page",
    "PageResult",
    "PageView",
    "Parameter",
    "PathStats",
    "Placeholder",
    "Problem",
    "Question",
    "QuestionType",
    "QuestionView",
    "Quota",
    "Row",
    "RowView",
    "SchemaError",
    "Step",
    "Survey",
    "apply_page",
    "contact_fields",
    "derived_values",
    "export_columns",
    "export_row",
    "first_page",
    "first_step",
    "flow",
    "language_from_answers",
    "lint_file",
    "lint_text",
    "load_survey",
    "load_survey_file",
    "message_text",
    "next_step",
    "parameters_from_query",
    "previous_page",
    "progress",
    "quota_cells",
    "redirect_url",
    "render_page",
    "route",
    "split_contact",
    "transient_parameters",
    "unfilled_placeholders",
    "validate_page",
    "visible_pages",
]
