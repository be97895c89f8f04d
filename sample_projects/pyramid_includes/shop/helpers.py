"""Not included, not scanned and imported by nothing: its imports are not boot imports."""
import humanize


def size(n):
    return humanize.naturalsize(n)
