"""Seed data for the service (named like a test module, but the service imports it)."""
import yaml


def load_fixtures():
    return yaml.safe_load("orders: [1, 2, 3]")
