"""The boot walk's view of the files: a few files' indexes laid over the lazily built others."""

from __future__ import annotations

from importaudit.judge.reach import FileIndex, Overlay
from importaudit.model import ParsedFile


def _index(path: str) -> FileIndex:
    return FileIndex(parsed=ParsedFile(path=path, module=path.removesuffix(".py"), is_package=False))


def test_an_overlay_replaces_some_files_and_lists_every_file_once() -> None:
    base = {"app.py": _index("app.py"), "views.py": _index("views.py")}
    placed = _index("views.py")  # the same file re-indexed with what a framework places in it
    extra = {"views.py": placed, "settings.py": _index("settings.py")}
    files = Overlay(base, extra)
    assert files["views.py"] is placed
    assert files["app.py"] is base["app.py"]
    assert "settings.py" in files and "app.py" in files and "urls.py" not in files
    assert list(files) == ["app.py", "views.py", "settings.py"]
    assert len(files) == 3
    assert dict(files.items()) == {
        "app.py": base["app.py"], "views.py": placed, "settings.py": extra["settings.py"]}
