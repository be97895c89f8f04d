"""Turns report rows into text for the dashboard."""
from report_table import render_grid


def as_text_table(headers, rows):
    return render_grid(headers, rows) + "\n"
