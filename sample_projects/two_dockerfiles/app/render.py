"""Markdown to HTML for the notes pages."""
import markdown

_converter = markdown.Markdown(extensions=["tables", "fenced_code"])


def render_note(text):
    _converter.reset()
    return _converter.convert(text)
