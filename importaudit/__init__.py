"""importaudit: will this deploy boot? Imports checked against what each target installs."""

__version__ = "0.1.0"
