"""docs/exports.md "Opening the files": its pandas block reads the three presets alike."""

from __future__ import annotations

import re

import pandas as pd

from tests.support.servers import REPO

DOC = REPO / "docs" / "exports.md"


def pandas_block() -> str:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("**pandas**") :]
    return re.search(r"```python\n(.*?)```", section, re.DOTALL).group(1)


def test_the_documented_pandas_snippet_reads_every_preset(
    app, runner, panel, tmp_path, monkeypatch
):
    files = {
        "excel": "barometre.csv",
        "excel-fr": "barometre-fr.csv",
        "plain": "barometre-plain.csv",
    }
    with app.app_context():
        for preset, name in files.items():
            args = ["export", "barometre-2015", "--preset", preset, "-o", str(tmp_path / name)]
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    exec(compile(pandas_block(), str(DOC), "exec"), scope)  # noqa: S102 - our own documentation
    df, df_excel, df_fr = scope["df"], scope["df_excel"], scope["df_fr"]
    assert len(df) == 4  # the panel's complete, non-test responses
    assert list(df.columns[:3]) == ["response_id", "status", "ending"]
    assert df.shape[1] > 150
    assert pd.api.types.is_numeric_dtype(df["s1"])
    assert pd.api.types.is_numeric_dtype(df["duration_s"])
    pd.testing.assert_frame_equal(df_fr, df_excel)
    # plain writes text verbatim; the spreadsheet presets neutralise formula-like text cells.
    numbers = df.select_dtypes("number").columns
    assert len(numbers) > 100
    pd.testing.assert_frame_equal(df_excel[numbers], df[numbers])
    typed = df["s7_other"].notna()
    assert typed.any()
    assert (df_excel.loc[typed, "s7_other"] == "'" + df.loc[typed, "s7_other"]).all()


def test_the_snippet_would_fail_with_the_wrong_separator(app, runner, panel, tmp_path):
    """Sensitivity: read as comma-separated, the excel-fr file is one column."""
    with app.app_context():
        out = tmp_path / "fr.csv"
        assert (
            runner.invoke(
                args=["export", "barometre-2015", "--preset", "excel-fr", "-o", str(out)]
            ).exit_code
            == 0
        )
    assert pd.read_csv(out, encoding="utf-8-sig").shape[1] == 1
