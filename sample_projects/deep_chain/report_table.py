"""Grid rendering, four imports away from the entry point."""
from tabulate import tabulate


def render_grid(headers, rows):
    return tabulate(rows, headers=headers, tablefmt="github")
