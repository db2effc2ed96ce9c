"""Resource limits of a questionnaire schema, in one place (documented in docs/schema.md).

A schema is data uploaded by the study team, but one mistyped or hostile file must not take a
worker down: two 1,500-option questions crossed in one quota are 2.25 million quota cells.
The loader checks each limit as early as it can (sizes are counted before anything is built:
quota cells are the product of the option counts) and refuses with a located message.

The values are generous for real studies (the 2015 barometer: 29 pages, 61 questions, at most
15 options, 42 cells in its largest quota, texts under 500 characters). They are constants on
purpose: the engine reads no configuration, and a limit that each deployment could raise would
no longer protect the workers. Raise one here, with a test, if a real study needs it.
"""

from __future__ import annotations

#: Size of a schema file or upload, in bytes (the 2015 barometer is 54 kB).
MAX_SCHEMA_BYTES = 1_000_000
#: YAML values after alias expansion (guards against alias bombs).
MAX_NODES = 100_000
#: Nesting of YAML mappings and lists (a condition 32 levels deep needs about 70).
MAX_YAML_DEPTH = 128
#: Pages of a survey.
MAX_PAGES = 200
#: Questions of a survey, every page together.
MAX_QUESTIONS = 1_000
#: Options of one option list, inline list or parameter.
MAX_OPTIONS = 1_000
#: Rows of one matrix question.
MAX_ROWS = 100
#: Cells of one quota (the product of the option counts of its `by` variables).
MAX_QUOTA_CELLS = 1_000
#: Cells of every quota of the survey together.
MAX_TOTAL_QUOTA_CELLS = 5_000
#: Nesting of all / any / not in one condition.
MAX_CONDITION_DEPTH = 32
#: Characters of one translated text (a question, an option label, an introduction…).
MAX_TEXT_LENGTH = 10_000

# XLSForm workbooks (surveyapp/xlsform/opening.py), checked before openpyxl reads a cell.
#: Size of an .xlsx file, in bytes.
MAX_WORKBOOK_BYTES = 10_000_000
#: Size of one part of the .xlsx archive (a sheet's XML, the shared strings…) once inflated.
MAX_WORKBOOK_MEMBER_BYTES = 20_000_000
#: Size of every part together once inflated.
MAX_WORKBOOK_EXPANDED_BYTES = 100_000_000
#: Compression ratio of a part over 1 MB (spreadsheet XML: about 10; whitespace: 1,000).
MAX_WORKBOOK_RATIO = 100
#: Rows of one sheet (the survey sheet of a 1,000-question form has about 1,500).
MAX_WORKSHEET_ROWS = 20_000
#: Columns of one sheet (labels, hints and messages in 10 languages fit in 60).
MAX_WORKSHEET_COLUMNS = 200


def plural(count: int, word: str) -> str:
    """`1,500 options`: counts in messages, with a thousands separator."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"
