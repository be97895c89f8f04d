"""Providers stage: which distribution provides a module, what the target Python ships, and the evidence for it."""
