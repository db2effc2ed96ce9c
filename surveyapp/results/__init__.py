"""Results for the study team: frequency tables, breakdowns, weighting, significance, charts.

Pure functions over a column store of the filtered responses (`data.Dataset`), read with the
exports' reader and layout: `variables` (what can be tabulated), `breakdowns`, `weighting`,
`tables` and `numbers` (the tables), `significance` (SciPy and statsmodels tests), `report`
(the full set), `sheet`, `files` and `charts` (CSV, XLSX, SVG/PNG). The database side is
`surveyapp.services.results`; the pages are `surveyapp.results.web` (blueprint `results`).
See docs/results.md.
"""
