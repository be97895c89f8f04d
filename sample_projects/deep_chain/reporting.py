"""Builds the monthly sales report."""
from formatting import as_text_table

SALES = [("January", 120), ("February", 95), ("March", 143)]


def monthly_report():
    return as_text_table(["month", "units"], SALES)
