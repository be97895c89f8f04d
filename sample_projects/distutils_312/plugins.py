"""Loads every plugins.d/*.py file as a module."""
import imp  # removed in Python 3.12
import os


def load_plugins(directory):
    plugins = {}
    if not os.path.isdir(directory):
        return plugins
    for filename in sorted(os.listdir(directory)):
        if filename.endswith(".py"):
            name = filename[:-3]
            plugins[name] = imp.load_source(name, os.path.join(directory, filename))
    return plugins
