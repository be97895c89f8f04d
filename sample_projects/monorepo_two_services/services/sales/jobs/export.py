"""Another job no image ships."""

import numpy
import openpyxl

print(numpy.__name__, openpyxl.__name__)
