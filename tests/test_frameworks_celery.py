"""Celery broker / result-backend URLs and task modules named in configuration."""

from __future__ import annotations

from dataclasses import replace
from typing import Optional

import pytest
from frameworks_support import parsed_context

from importaudit.frameworks import FrameworkResult, framework_imports
from importaudit.model import Scope


def analyse(
    source: str, env: Optional[dict[str, str]] = None, installed: Optional[dict[str, str]] = None
) -> FrameworkResult:
    ctx = parsed_context({"proj/celery.py": source}, {"proj.celery": "proj/celery.py"}, env, installed)
    return framework_imports(ctx)


def found(result: FrameworkResult) -> set[tuple[str, Optional[str], Optional[str]]]:
    return {(item.module, item.distribution_hint, item.phase) for item in result.imports}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("redis://localhost:6379/0", {("redis", "redis")}),
        ("rediss://:pw@host:6380/0", {("redis", "redis")}),
        ("sentinel://h:26379", {("redis", "redis")}),
        ("amqp://guest@localhost//", {("amqp", "amqp")}),
        ("pyamqp://guest@localhost//", {("amqp", "amqp")}),
        ("sqs://", {("boto3", "boto3"), ("pycurl", "pycurl")}),
        ("mongodb://h/db", {("pymongo", "pymongo")}),
        ("memory://", set()),
        ("filesystem://", set()),
    ],
)
def test_broker_transport(url: str, expected: set[tuple[str, str]]) -> None:
    result = analyse(f'from celery import Celery\napp = Celery("proj", broker="{url}")\n')
    assert {(i.module, i.distribution_hint) for i in result.imports} == expected
    assert all(i.phase == "boot" and i.via == "Celery broker" for i in result.imports)
    assert result.unresolved == ()


@pytest.mark.parametrize(
    ("backend", "installed", "expected"),
    [
        ("redis://h/1", {}, {("redis", "redis")}),
        ("rpc://", {}, {("amqp", "amqp")}),
        ("django-db", {}, {("django_celery_results", "django-celery-results")}),
        (
            "db+postgresql://u@h/db",
            {"sqlalchemy": "2.0.1"},
            {("sqlalchemy", "SQLAlchemy"), ("psycopg2", "psycopg2|psycopg2-binary")},
        ),
        ("db+sqlite:///results.db", {}, {("sqlalchemy", "SQLAlchemy")}),
        ("s3://bucket", {}, {("boto3", "boto3")}),
        ("cache+memcached://h:11211/", {}, {("pylibmc", "pylibmc|python-memcached")}),
    ],
)
def test_result_backend(
    backend: str, installed: dict[str, str], expected: set[tuple[str, str]]
) -> None:
    result = analyse(f'app = celery.Celery("proj", backend="{backend}")\n', installed=installed)
    assert {(i.module, i.distribution_hint) for i in result.imports} == expected


@pytest.mark.parametrize(
    ("source", "env", "expected"),
    [
        ('app = Celery("p")\napp.conf.broker_url = "redis://h"', {}, {("redis", "redis", "boot")}),
        (
            'app = Celery("p")\napp.conf.update(result_backend="rpc://")',
            {},
            {("amqp", "amqp", "boot")},
        ),
        ('app = Celery("p")\napp.conf.BROKER_URL = "amqp://h"', {}, {("amqp", "amqp", "boot")}),
        (
            'import os\nCELERY_BROKER_URL = os.environ.get("REDIS_URL", "redis://localhost")',
            {},
            {("redis", "redis", "request")},
        ),
        (
            'import os\nbroker_url = os.getenv("BROKER", "redis://localhost")',
            {"BROKER": "sqs://"},
            {("boto3", "boto3", "request"), ("pycurl", "pycurl", "request")},
        ),
        (
            'BROKER = "amqp://h"\n'
            'app = Celery("p", broker=BROKER, include=["proj.tasks", "proj.mail"])',
            {},
            # a web process never imports include= while it boots; only a worker or beat does
            {("amqp", "amqp", "boot"), ("proj.tasks", None, "request"), ("proj.mail", None, "request")},
        ),
        ('CELERY_IMPORTS = ("proj.tasks",)', {}, {("proj.tasks", None, "request")}),
        (
            'def make():\n    return Celery("p", broker="redis://h")',
            {},
            {("redis", "redis", "request")},
        ),
    ],
)
def test_configuration_sources(
    source: str, env: dict[str, str], expected: set[tuple[str, Optional[str], str]]
) -> None:
    assert found(analyse(source + "\n", env)) == expected


def worker_result(source: str, boot: tuple[str, ...] = ("proj/celery.py",)) -> FrameworkResult:
    ctx = parsed_context({"proj/celery.py": source}, {"proj.celery": "proj/celery.py"}, boot=boot)
    return framework_imports(replace(ctx, worker=True, celery_app="proj.celery", celery_app_at="Procfile:1"))


def test_worker_imports_include_and_imports_at_boot() -> None:
    result = worker_result(
        'from celery import Celery\napp = Celery("p", broker="memory://", include=["proj.tasks"])\n'
        'app.conf.imports = ("proj.mail",)\n'
    )
    assert found(result) == {("proj.tasks", None, "boot"), ("proj.mail", None, "boot")}
    assert result.unfollowed == ()


@pytest.mark.parametrize(
    ("source", "boot", "says"),
    [
        # include= from the environment
        ('import os\nfrom celery import Celery\napp = Celery("p", include=os.environ["T"].split(","))\n',
         ("proj/celery.py",), "proj/celery.py:3: the Celery app's `include`"),
        # configuration module named by the environment
        ('import os\nfrom celery import Celery\napp = Celery("p")\napp.config_from_object(os.environ["C"])\n',
         ("proj/celery.py",), "proj/celery.py:4: the Celery app's config_from_object()"),
        # the Django settings, with no DJANGO_SETTINGS_MODULE found
        ('from celery import Celery\napp = Celery("p")\napp.config_from_object("django.conf:settings")\n',
         ("proj/celery.py",), "no DJANGO_SETTINGS_MODULE"),
        # an app made by something importaudit cannot read
        ("from helpers import make_app\napp = make_app()\n", ("proj/celery.py",),
         "Procfile:1: celery loads proj.celery, but importaudit found no Celery(...) app"),
        # the -A module is not in the project
        ('from celery import Celery\napp = Celery("p")\n', (), "could not find that module"),
    ],
)
def test_worker_whose_app_is_not_found_or_read_is_unfollowed(source: str, boot: tuple[str, ...], says: str) -> None:  # noqa: E501
    (reason,) = worker_result(source, boot).unfollowed
    assert says in reason


def test_factory_scope_is_recorded() -> None:
    (item,) = analyse('def make():\n    return Celery("p", broker="redis://h")\n').imports
    assert (item.scope, item.function) == (Scope.FUNCTION, "make")


@pytest.mark.parametrize(
    ("source", "needs"),
    [
        ('import os\napp = Celery("p", broker=os.environ["BROKER_URL"])', "BROKER_URL"),
        ('import os\nCELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL")', "CELERY_BROKER_URL"),
        ('app = Celery("p", broker="kafka-ish://h")', "does not know"),
    ],
)
def test_unresolved_brokers(source: str, needs: str) -> None:
    result = analyse(source + "\n")
    assert result.imports == ()
    assert len(result.unresolved) == 1
    assert needs in result.unresolved_messages[0]


def test_unrelated_assignments_are_ignored() -> None:
    source = 'url = "redis://h"\nclass Conf:\n    broker = "redis://h"\nx = Celery\n'
    assert analyse(source).imports == ()
