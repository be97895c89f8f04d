"""Prints the sales CSV given on the command line as a table: python scripts/report.py sales.csv"""
import csv
import sys

from tabulate import tabulate

with open(sys.argv[1], newline="") as handle:
    rows = list(csv.reader(handle))
print(tabulate(rows[1:], headers=rows[0]))
