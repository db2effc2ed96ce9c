"""Exports: CSV presets with formula-injection safety, the codebook, SPSS."""
