"""A nightly job run by hand: no image copies jobs/, so its imports are nobody's deploy."""

import numpy

print(numpy.__name__)
