"""XLSForm (ODK / KoboToolbox spreadsheets) to and from our questionnaire schema.

`import_xlsform(path)` reads a workbook and returns the schema as YAML text (checked by the
linter); `export_xlsform(yaml_text)` writes a schema as a workbook that imports back to the
same schema. See docs/xlsform.md for the mapping, the refusals and the `surveyapp` extensions.
"""

from __future__ import annotations

from .importer import ImportResult, import_xlsform
from .problems import Location, XlsformError, XlsProblem

__all__ = ["ImportResult", "Location", "XlsProblem", "XlsformError", "import_xlsform"]
