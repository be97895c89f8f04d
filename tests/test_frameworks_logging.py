"""logging.config.dictConfig dicts and gunicorn logconfig_dict: classes, factories, ext://."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Optional

import pytest
from click.testing import CliRunner
from frameworks_support import parsed_context

from importaudit.cli import main
from importaudit.frameworks import FrameworkResult, framework_imports
from importaudit.model import Scope

CONFIG = """{
    "version": 1,
    "filters": {"rid": {"()": "log_request_id.filters.RequestIDFilter"}},
    "formatters": {
        "json": {"()": "pythonjsonlogger.jsonlogger.JsonFormatter"},
        "color": {"class": "colorlog.ColoredFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "stream": "ext://sys.stdout"},
        "rotating": {"class": "logging.handlers.RotatingFileHandler", "filename": "x.log"},
        "loki": {"()": "logging_loki.LokiHandler", "tags": {"app": "x"}},
        "mine": {"class": "myproj.log.Handler", "target": "ext://myproj.log.sink"},
    },
    "root": {"handlers": ["console"], "level": "INFO"},
}
"""
EXPECTED = {
    "log_request_id.filters",
    "pythonjsonlogger.jsonlogger",
    "colorlog",
    "logging",
    "sys",
    "logging.handlers",
    "logging_loki",
    "myproj.log",
}


def analyse(files: dict[str, str], env: Optional[dict[str, str]] = None) -> FrameworkResult:
    modules = {path[:-3].replace("/", "."): path for path in files}
    return framework_imports(parsed_context(files, modules, env))


@pytest.mark.parametrize(
    "source",
    [
        f"import logging.config\nlogging.config.dictConfig({CONFIG})\n",
        f"from logging.config import dictConfig\nLOG = {CONFIG}\ndictConfig(LOG)\n",
        f"from logging import config\nLOG = {CONFIG}\nconfig.dictConfig(LOG)\n",
    ],
)
def test_dictconfig_strings(source: str) -> None:
    result = analyse({"app/log.py": source})
    assert {item.module for item in result.imports} == EXPECTED
    assert {(item.phase, item.scope, item.via) for item in result.imports} == {
        ("boot", Scope.MODULE, "logging.config.dictConfig")
    }


def test_strings_are_located_where_written() -> None:
    source = (
        "import logging.config\n"
        "logging.config.dictConfig({\n"
        '    "version": 1,\n'
        '    "handlers": {\n'
        '        "h": {"class": "colorlog.StreamHandler"},\n'
        "    },\n"
        "})\n"
    )
    (item,) = analyse({"app/log.py": source}).imports
    assert (item.module, item.location.file, item.location.line) == ("colorlog", "app/log.py", 5)


def test_dictconfig_in_a_function_is_a_request_import_of_that_function() -> None:
    body = f"cfg = {CONFIG}\nlogging.config.dictConfig(cfg)\n"
    source = "import logging.config\ndef setup():\n" + textwrap.indent(body, "    ")
    result = analyse({"app/log.py": source})
    assert {item.module for item in result.imports} == EXPECTED
    assert {(item.phase, item.scope, item.function) for item in result.imports} == {
        ("request", Scope.FUNCTION, "setup")
    }


@pytest.mark.parametrize("name", ["gunicorn.conf.py", "deploy/gunicorn_config.py"])
def test_gunicorn_logconfig_dict(name: str) -> None:
    result = analyse({name: f"bind = '0.0.0.0:8000'\nlogconfig_dict = {CONFIG}\n"})
    assert {item.module for item in result.imports} == EXPECTED
    assert {(item.phase, item.via) for item in result.imports} == {
        ("boot", "gunicorn logconfig_dict")
    }


def test_handler_class_from_environment() -> None:
    source = (
        "import os, logging.config\n"
        'HANDLERS = {"h": {"class": os.getenv("H", "colorlog.H")}}\n'
        'logging.config.dictConfig({"version": 1, "handlers": HANDLERS})\n'
    )
    assert {i.module for i in analyse({"a.py": source}).imports} == {"colorlog"}
    targeted = analyse({"a.py": source}, {"H": "watchtower.CloudWatchLogHandler"})
    assert {i.module for i in targeted.imports} == {"watchtower"}


@pytest.mark.parametrize(
    "source",
    [
        "import logging.config\nlogging.config.dictConfig(load_yaml('logging.yaml'))\n",
        "import logging.config\nlogging.config.dictConfig()\n",
        "import logging.config\nlogging.config.dictConfig({'handlers': [1, 2]})\n",
        "import logging.config\ndictConfig({'handlers': {'h': {'class': 'not a path'}}})\n",
        "import logging.config\nlogging.config.fileConfig('logging.ini')\n",
        "logconfig_dict = 'not a dict'\n",
    ],
)
def test_unreadable_configs_name_nothing(source: str) -> None:
    result = analyse({"a.py": source})
    assert result.imports == ()


def test_fileconfig_ini_classes_are_boot_imports(tmp_path: Path) -> None:
    """fileConfig imports a formatter's class; a handler's class is first looked up in logging."""
    files = {
        "requirements.txt": "flask\ngunicorn\n",
        "Dockerfile": "FROM python:3.12-slim\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
                      "CMD gunicorn app:app\n",
        "app.py": "import logging.config\nimport flask\nlogging.config.fileConfig('conf/logging.ini')\n"
                  "app = flask.Flask(__name__)\n",
        "conf/logging.ini": "[loggers]\nkeys=root\n[handlers]\nkeys=console,file\n[formatters]\nkeys=json\n"
                            "[logger_root]\nhandlers=console\n[handler_console]\nclass=StreamHandler\n"
                            "args=(sys.stdout,)\n[handler_file]\nclass=handlers.RotatingFileHandler\n"
                            "args=('x.log',)\n[formatter_json]\nclass=pythonjsonlogger.json.JsonFormatter\n",
    }
    for relpath, text in files.items():
        (tmp_path / relpath).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / relpath).write_text(text)
    result = CliRunner().invoke(main, ["check", str(tmp_path), "--format", "json"], catch_exceptions=False)
    report = json.loads(result.output)
    errors = [(f["module"], f["file"], f["line"], f["context"])
              for f in report["findings"] if f["severity"] == "error"]
    assert errors == [("pythonjsonlogger", "conf/logging.ini", 16, "string")]
    assert report["targets"][0]["verdict"] == "fails-at-boot"
