"""What the study team reads for quota cells and their variables: labels in a language, the
ids only where the current version describes nothing.
"""

from __future__ import annotations

from typing import Any

from surveyapp.engine import Survey as Schema
from surveyapp.models import Survey
from surveyapp.services import surveys


def code_labels(schema: Schema | None, ref: str, lang: str) -> dict[str, str]:
    """Code -> label of a question, derived variable or parameter, in `lang`."""
    if schema is None:
        return {}
    source: Any = schema.questions.get(ref)
    if source is None:
        others: tuple[Any, ...] = (*schema.derived, *schema.parameters)
        source = next((d for d in others if d.id == ref), None)
    options = getattr(source, "options", ()) if source is not None else ()
    return {o.code: o.label.get(lang) or next(iter(o.label.values()), o.code) for o in options}


def cell_name(survey: Survey, cell_id: str, lang: str) -> str:
    """A cell as the study team reads it (`France × Petite (1 à 99 salariés)`); its id when the
    current version does not describe it."""
    schema = surveys.compiled(survey.current_version) if survey.current_version else None
    for quota in schema.quotas if schema else ():
        for cell in quota.cells:
            if cell.id == cell_id:
                labels = [
                    code_labels(schema, ref, lang).get(c, c)
                    for ref, c in zip(quota.by, cell.codes, strict=False)
                ]
                label = quota.label.get(lang) if quota.label else None
                return " × ".join(labels) or label or quota.id
    return cell_id


def variable_name(schema: Schema, ref: str, lang: str) -> str:
    """What a quota variable is called in `lang`: a derived variable's label, a question's
    text, a parameter's name; the id when none is known."""
    source: Any = schema.questions.get(ref)
    text = getattr(source, "text", None) if source is not None else None
    if source is None:
        others: tuple[Any, ...] = (*schema.derived, *schema.parameters)
        source = next((d for d in others if d.id == ref), None)
        text = getattr(source, "label", None)
    if not text:
        return ref
    return text.get(lang) or next(iter(text.values()), ref)
