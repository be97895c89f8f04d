"""Imported by nothing: not a boot import."""
import markdown
