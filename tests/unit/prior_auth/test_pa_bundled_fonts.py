"""Packets print Chinese and Spanish names in Lambda, which has no system fonts: the layer
carries its own."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake.authorization.packet import fonts

BUNDLED = Path(str(fonts.resources.files("intake.data").joinpath("fonts")))


def test_without_system_fonts_the_bundled_latin_and_cjk_fonts_are_found(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given a machine with no font directories of its own (as in Lambda)
    monkeypatch.setattr(fonts, "_SYSTEM_DIRS", ())
    monkeypatch.delenv(fonts.FONT_DIR_ENV, raising=False)
    for cached in (fonts._find, fonts.font_plan):
        if hasattr(cached, "cache_clear"):
            cached.cache_clear()
    try:
        # When fonts are looked up, Then each comes from the layer
        for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DroidSansFallbackFull.ttf"):
            found = fonts._find(name)
            assert found is not None and found.parent == BUNDLED, name
    finally:
        for cached in (fonts._find, fonts.font_plan):
            if hasattr(cached, "cache_clear"):
                cached.cache_clear()
