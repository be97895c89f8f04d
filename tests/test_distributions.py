"""Tests for installed metadata, the bundled tables, module -> dist matching and closures."""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Optional

import pytest
from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from importaudit.model import AuditError, Provider
from importaudit.providers.distributions import (
    DistributionIndex,
    bundled_dists,
    bundled_module_map,
)
from importaudit.providers.environment import InstalledDist, InstalledEnvironment, module_prefixes
from importaudit.source.conditions import TargetEnv

SITE = str(Path(__file__).parent / "fixtures" / "site-packages")
DATA = Path(__file__).parents[1] / "importaudit" / "data"
PY312 = TargetEnv((3, 12))


@pytest.fixture(scope="module")
def site() -> InstalledEnvironment:
    return InstalledEnvironment.from_paths([SITE])


def write_dist(root: Path, name: str, files: list[str], requires: tuple[str, ...] = ()) -> None:
    info = root / f"{name.replace('-', '_')}-1.0.dist-info"
    info.mkdir(parents=True)
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    (info / "METADATA").write_text(metadata)
    (info / "RECORD").write_text("".join(f"{f},,\n" for f in files))


# ---------------------------------------------------------------- module prefixes from RECORD


@pytest.mark.parametrize(
    ("paths", "expected"),
    [
        (["flask/__init__.py", "flask/app.py"], ("flask",)),
        (["six.py", "__pycache__/six.cpython-311.pyc"], ("six",)),
        (["_cffi_backend.cpython-311-x86_64-linux-gnu.so"], ("_cffi_backend",)),
        (
            ["google/cloud/storage/__init__.py", "google/cloud/storage/blob.py"],
            ("google.cloud.storage",),
        ),
        (
            ["google/protobuf/__init__.py", "google/_upb/_message.abi3.so"],
            ("google._upb._message", "google.protobuf"),
        ),
        (
            ["google/__init__.py", "google/cloud/__init__.py", "google/cloud/x/__init__.py"],
            ("google",),
        ),
        (["backports/tarfile.py"], ("backports.tarfile",)),
        (["ruamel/yaml/__init__.py", "ruamel.yaml-0.18.pth"], ("ruamel.yaml",)),
        (["psycopg2/__init__.py", "psycopg2_binary.libs/libpq.so.5"], ("psycopg2",)),
        (
            [
                "3c22db458360489351e4__mypyc.cpython-311-x86_64-linux-gnu.so",
                "charset_normalizer/__init__.py",
            ],
            ("charset_normalizer",),
        ),
        (
            [
                "../../bin/flask",
                "bin/tool",
                "distutils-precedence.pth",
                "_distutils_hack/__init__.py",
            ],
            ("_distutils_hack",),
        ),
        (
            [
                "__editable__.app-1.0.pth",
                "__editable___app_1_0_finder.py",
                "_editable_impl_app.pth",
            ],
            (),
        ),
        (["pandas-stubs/__init__.pyi", "foo-1.0.data/scripts/x.py", "pkg.dist-info/METADATA"], ()),
        ([], ()),
    ],
)
def test_module_prefixes(paths: list[str], expected: tuple[str, ...]) -> None:
    assert module_prefixes(paths) == expected


# ---------------------------------------------------------------- the installed environment


@pytest.mark.parametrize(
    ("key", "modules"),
    [
        ("google-cloud-storage", ("google.cloud.storage",)),
        (
            "google-cloud-pubsub",
            ("google.cloud.pubsub", "google.cloud.pubsub_v1", "google.pubsub", "google.pubsub_v1"),
        ),
        ("protobuf", ("google._upb._message", "google.protobuf")),
        ("psycopg2-binary", ("psycopg2",)),
        ("PyYAML", ("_yaml", "yaml")),
        ("myservice", ()),  # hatchling editable: only a .pth in RECORD, no top_level.txt
        ("oldapp", ("oldapp",)),  # setuptools editable: top_level.txt
        ("legacydist", ()),  # no RECORD at all
        ("six", ("six",)),
    ],
)
def test_installed_modules(site: InstalledEnvironment, key: str, modules: tuple[str, ...]) -> None:
    dist = site.get(key)
    assert dist is not None
    assert dist.key == canonicalize_name(key)
    assert dist.modules == modules


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        ("google.cloud.storage.blob", ("google.cloud.storage", ("google-cloud-storage",))),
        ("google.cloud.pubsub_v1", ("google.cloud.pubsub_v1", ("google-cloud-pubsub",))),
        ("google.protobuf.message", ("google.protobuf", ("protobuf",))),
        ("google.cloud.bigquery", ("", ())),
        ("google", ("", ())),
        ("psycopg2.extras", ("psycopg2", ("psycopg2-binary",))),
        ("yaml", ("yaml", ("pyyaml",))),
        ("myservice", ("", ())),
    ],
)
def test_installed_providers(
    site: InstalledEnvironment, module: str, expected: tuple[str, tuple[str, ...]]
) -> None:
    assert site.providers(module) == expected


def test_installed_dists_are_sorted_and_carry_requirements(site: InstalledEnvironment) -> None:
    keys = [dist.key for dist in site.dists()]
    assert keys == sorted(keys)
    service = site.get("MyService")
    assert service is not None and service.version == "0.1.0"
    assert service.requires[0] == "flask>=3"


def test_first_dist_on_the_path_wins(tmp_path: Path) -> None:
    write_dist(tmp_path / "a", "dup", ["dup_a/__init__.py"])
    write_dist(tmp_path / "b", "dup", ["dup_b/__init__.py"])
    env = InstalledEnvironment.from_paths(
        [str(tmp_path / "a"), str(tmp_path / "b"), str(tmp_path / "none")]
    )
    assert [d.modules for d in env.dists()] == [("dup_a",)]


def test_unreadable_metadata_is_skipped(tmp_path: Path) -> None:
    broken = tmp_path / "broken-1.0.dist-info"
    broken.mkdir()
    (broken / "METADATA").write_bytes(b"\xff\xfe\x00garbage")
    write_dist(tmp_path, "fine", ["fine.py"])
    env = InstalledEnvironment.from_paths([str(tmp_path)])
    assert env.get("fine") is not None


def test_current_is_the_running_environment() -> None:
    env = InstalledEnvironment.current()
    assert env.python_version == sys.version_info[:2]
    assert env.providers("packaging.version") == ("packaging", ("packaging",))


def test_from_python_reads_that_interpreter() -> None:
    env = InstalledEnvironment.from_python(sys.executable)
    assert env.python_version == sys.version_info[:2]
    packaging = env.get("packaging")
    assert packaging is not None and "packaging" in packaging.modules


@pytest.mark.parametrize("python", ["/nonexistent/python3", "false"])
def test_from_python_failure_is_an_audit_error(python: str) -> None:
    with pytest.raises(AuditError, match="--python"):
        InstalledEnvironment.from_python(python)


def test_a_large_environment_loads_fast(tmp_path: Path) -> None:
    import time

    for n in range(300):
        files = [f"pkg{n}/__init__.py"] + [f"pkg{n}/mod{i}.py" for i in range(40)]
        write_dist(tmp_path, f"dist{n}", files, ("requests>=2",))
    start = time.perf_counter()
    env = InstalledEnvironment.from_paths([str(tmp_path)])
    elapsed = time.perf_counter() - start
    assert len(env.dists()) == 300
    assert env.providers("pkg299.mod3") == ("pkg299", ("dist299",))
    assert elapsed < 3.0  # measured about 0.2 s; generous for slow CI machines


# ---------------------------------------------------------------- provider()


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (
            "google.cloud.storage",
            Provider("google.cloud.storage", ("google-cloud-storage",), "installed"),
        ),
        # union: installed psycopg2-binary, the table adds psycopg2 and aws-psycopg2 (all ship it)
        ("psycopg2", Provider("psycopg2", ("aws-psycopg2", "psycopg2", "psycopg2-binary"), "installed")),
        ("yaml", Provider("yaml", ("pyyaml",), "installed")),
        (
            "cv2",
            Provider(
                "cv2",
                (
                    "opencv-contrib-python",
                    "opencv-contrib-python-headless",
                    "opencv-python",
                    "opencv-python-headless",
                ),
                "table",
            ),
        ),
        ("MySQLdb.cursors", Provider("MySQLdb", ("mysqlclient",), "table")),
        (
            "google.cloud.bigquery.job",
            Provider("google.cloud.bigquery", ("google-cloud-bigquery",), "table"),
        ),
        ("werkzeug.routing", Provider("werkzeug", ("werkzeug",), "table")),
        ("foo_bar.baz", Provider("foo_bar", ("foo-bar",), "guess")),
        (
            "google.cloud.nosuchthing",
            Provider("google.cloud.nosuchthing", ("google-cloud-nosuchthing",), "guess"),
        ),
    ],
)
def test_provider(site: InstalledEnvironment, module: str, expected: Provider) -> None:
    assert DistributionIndex(environment=site).provider(module) == expected


@pytest.mark.parametrize("module", ["google.cloud.storage", "google.cloud.storage.blob"])
def test_namespace_siblings_do_not_satisfy(module: str, tmp_path: Path) -> None:
    write_dist(tmp_path, "google-cloud-pubsub", ["google/cloud/pubsub/__init__.py"])
    write_dist(tmp_path, "protobuf", ["google/protobuf/__init__.py"])
    index = DistributionIndex(environment=InstalledEnvironment.from_paths([str(tmp_path)]))
    provider = index.provider(module)
    assert provider.distributions == ("google-cloud-storage",)
    assert provider.module == "google.cloud.storage"


def test_a_longer_table_prefix_beats_a_namespace_less_record(tmp_path: Path) -> None:
    write_dist(
        tmp_path,
        "google-cloud-storage",
        ["google/__init__.py", "google/cloud/__init__.py", "google/cloud/storage/__init__.py"],
    )
    index = DistributionIndex(environment=InstalledEnvironment.from_paths([str(tmp_path)]))
    assert index.provider("google.cloud.storage") == Provider(
        "google.cloud.storage", ("google-cloud-storage",), "table"
    )
    assert index.provider("google.cloud.storage").source == "table"


@pytest.mark.parametrize(
    ("module_map", "module", "expected"),
    [
        ({"yaml": "My_Yaml"}, "yaml.loader", Provider("yaml", ("my-yaml",), "config")),
        (
            {"acme": "acme-core", "acme.plugins": ["Acme.Plugins", "acme-extra"]},
            "acme.plugins.x",
            Provider("acme.plugins", ("acme-extra", "acme-plugins"), "config"),
        ),
        (
            {"acme": "acme-core", "acme.plugins": ["acme-plugins"]},
            "acme.other",
            Provider("acme", ("acme-core",), "config"),
        ),
        ({"acme_unheard_of": []}, "acme_unheard_of", Provider("acme_unheard_of", ("acme-unheard-of",), "guess")),
    ],
)
def test_config_module_map_comes_first(
    site: InstalledEnvironment, module_map: dict[str, object], module: str, expected: Provider
) -> None:
    index = DistributionIndex(module_map, site)  # type: ignore[arg-type]
    assert index.provider(module) == expected


def test_without_bundled_data_it_guesses() -> None:
    index = DistributionIndex(use_bundled=False)
    assert index.provider("yaml") == Provider("yaml", ("yaml",), "guess")
    assert index.requires("flask", (), PY312) is None


# ---------------------------------------------------------------- modules_of()


@pytest.mark.parametrize(
    ("dist", "expected_subset", "absent"),
    [
        ("pyyaml", {"yaml", "_yaml"}, set()),
        ("PyYAML", {"yaml"}, set()),
        ("flask", {"flask"}, set()),
        ("setuptools", {"setuptools", "pkg_resources", "_distutils_hack", "distutils"}, set()),
        ("pymongo", {"pymongo", "bson", "gridfs"}, set()),
        ("google-cloud-storage", {"google.cloud.storage"}, {"google"}),
        ("my-private-dist", {"my_private_dist"}, set()),
        ("acme-core", {"acme"}, {"acme_core"}),
    ],
)
def test_modules_of(
    site: InstalledEnvironment, dist: str, expected_subset: set[str], absent: set[str]
) -> None:
    modules = DistributionIndex({"acme": "acme-core"}, site).modules_of(dist)
    assert expected_subset <= set(modules)
    assert not absent & set(modules)
    assert list(modules) == sorted(modules)


# ---------------------------------------------------------------- requires() and closure()


@pytest.mark.parametrize(
    ("dist", "extras", "env", "expected"),
    [
        ("myservice", (), TargetEnv((3, 10)), (("flask", ()), ("tomli", ()))),
        ("myservice", (), PY312, (("flask", ()),)),
        ("myservice", ("fast",), PY312, (("flask", ()), ("uvloop", ()))),
        ("myservice", ("fast",), TargetEnv((3, 12), platform="win32"), (("flask", ()),)),
        ("myservice", ("ALL",), PY312, (("flask", ()), ("uvloop", ()))),  # all -> myservice[fast]
        (
            "google-cloud-storage",
            ("protobuf",),
            PY312,
            (("google-api-core", ()), ("google-auth", ()), ("protobuf", ()), ("requests", ())),
        ),
        ("legacydist", (), PY312, ()),
        ("no-such-dist-anywhere", (), PY312, None),
    ],
)
def test_requires_installed(
    site: InstalledEnvironment,
    dist: str,
    extras: tuple[str, ...],
    env: TargetEnv,
    expected: Optional[tuple[tuple[str, tuple[str, ...]], ...]],
) -> None:
    assert DistributionIndex(environment=site).requires(dist, extras, env) == expected


@pytest.mark.parametrize(
    ("dist", "extras", "env", "present", "absent"),
    [
        (
            "flask",
            (),
            PY312,
            {"werkzeug", "jinja2", "click", "itsdangerous", "blinker"},
            {"importlib-metadata", "asgiref"},
        ),
        ("flask", (), TargetEnv((3, 9)), {"werkzeug", "importlib-metadata"}, {"asgiref"}),
        ("flask", ("async",), PY312, {"werkzeug", "asgiref"}, set()),
        (
            "uvicorn",
            ("standard",),
            PY312,
            {"click", "h11", "uvloop", "httptools", "websockets"},
            set(),
        ),
        (
            "uvicorn",
            ("standard",),
            TargetEnv((3, 12), platform="win32"),
            {"h11", "httptools"},
            {"uvloop"},
        ),
        ("psycopg", ("binary",), PY312, {"psycopg-binary"}, set()),
    ],
)
def test_requires_bundled(
    dist: str, extras: tuple[str, ...], env: TargetEnv, present: set[str], absent: set[str]
) -> None:
    deps = DistributionIndex().requires(dist, extras, env)
    assert deps is not None
    keys = {key for key, _ in deps}
    assert present <= keys
    assert not absent & keys


def test_closure_paths_and_unknowns(site: InstalledEnvironment) -> None:
    index = DistributionIndex(environment=site)
    closure = index.closure([("myservice", ("all",)), ("not-a-real-dist-xyz", ())], PY312)
    assert closure.dists["myservice"] == ("myservice",)
    assert closure.dists["flask"] == ("myservice", "flask")
    assert closure.dists["werkzeug"] == ("myservice", "flask", "werkzeug")
    assert closure.dists["uvloop"] == ("myservice", "uvloop")
    assert closure.dists["not-a-real-dist-xyz"] == ("not-a-real-dist-xyz",)
    assert "not-a-real-dist-xyz" in closure.unknown
    assert list(closure.dists) == sorted(closure.dists)


def test_closure_follows_extras_asked_later() -> None:
    index = DistributionIndex()
    plain = index.closure([("uvicorn", ())], PY312)
    assert "uvloop" not in plain.dists
    both = index.closure([("uvicorn", ()), ("fastapi", ()), ("uvicorn", ("standard",))], PY312)
    assert both.dists["uvloop"] == ("uvicorn", "uvloop")
    assert both.dists["starlette"] == ("fastapi", "starlette")
    reordered = index.closure([("uvicorn", ("standard",)), ("fastapi", ()), ("uvicorn", ())], PY312)
    assert reordered == both


def test_closure_of_a_bare_ci_knows_flask_dependencies() -> None:
    closure = DistributionIndex().closure([("Flask", ())], PY312)
    assert {"flask", "werkzeug", "jinja2", "click", "itsdangerous", "blinker", "markupsafe"} <= set(
        closure.dists
    )
    assert closure.unknown == ()


# ---------------------------------------------------------------- the bundled data itself


def test_module_map_rows_are_canonical_and_well_formed() -> None:
    lines = (DATA / "module_map.tsv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split("\t")[:2] == ["import_name", "distributions"]
    for line in lines[1:]:
        module, dists = line.split("\t")[:2]
        assert all(part.isidentifier() for part in module.split(".")), line
        assert dists.strip(), line
    table = bundled_module_map()
    assert table["yaml"] == ("pyyaml",)
    assert table["psycopg2"] == ("psycopg2", "psycopg2-binary")
    assert all(key == canonicalize_name(key) for keys in table.values() for key in keys)


def test_the_table_is_compact_large_and_closed() -> None:
    assert (DATA / "dists.json.gz").stat().st_size < 3_000_000
    meta = json.loads(gzip.decompress((DATA / "dists.json.gz").read_bytes()))["meta"]
    table = bundled_dists()
    assert len(table) == meta["distributions"] >= 2000
    for must in (
        "flask",
        "django",
        "fastapi",
        "celery",
        "gunicorn",
        "uvicorn",
        "boto3",
        "pyyaml",
        "google-cloud-storage",
        "pyhumps",
    ):
        assert must in table
    assert table["pyyaml"].modules == ("_yaml", "yaml")
    assert table["google-cloud-storage"].modules[-1] == "google.cloud.storage"
    assert "flask=flask.cli:main" in table["flask"].scripts
    missing = set()
    for dist in table.values():
        for text in dist.requires:
            try:
                requirement = Requirement(text)
            except InvalidRequirement:  # real metadata is not always valid (Poetry's `||`)
                continue
            base = requirement.marker is None or "extra" not in str(requirement.marker)
            if base and canonicalize_name(requirement.name) not in table:
                missing.add(canonicalize_name(requirement.name))
    # What the generator could not read is listed, with why, in the table itself.
    assert not missing - set(meta["skipped"])
    assert len(missing) < 20, sorted(missing)


def _venv_dists() -> list[InstalledDist]:
    env = InstalledEnvironment.from_paths([p for p in sys.path if p.endswith("site-packages")])
    return [d for d in env.dists() if d.key != "importaudit"]


def test_the_table_agrees_with_the_installed_metadata_of_the_test_venv() -> None:
    # Every distribution installed here (importaudit's own and its test tools') was read by the
    # generator from a wheel; what the installer wrote must say the same.
    table = bundled_dists()
    dists = _venv_dists()
    assert len(dists) >= 20
    absent = [d.key for d in dists if d.key not in table]
    assert not absent
    same = [d for d in dists if table[d.key].version == d.version]
    # The venv's pip and setuptools come with the interpreter's venv module, older than PyPI's.
    assert len(same) >= len(dists) - 2
    for dist in same:
        bundled = table[dist.key]
        assert set(bundled.modules) == set(dist.modules), dist.key
        mine = sorted(str(Requirement(r)) for r in dist.requires)
        assert sorted(str(Requirement(r)) for r in bundled.requires) == mine, dist.key


def test_a_namespace_package_is_provided_by_any_of_its_portions() -> None:
    # Nobody ships azure/__init__.py as a package of its own; `import azure` works with any portion.
    got = DistributionIndex().provider("azure")
    assert got.source == "table" and {"azure-core", "azure-storage-blob"} <= set(got.distributions)
    # A shared namespace's bare owner (a wheel with its own google/__init__.py) does not provide
    # every google.* module: an unknown one is a guess, named after the namespace family.
    assert DistributionIndex().provider("google.cloud.nosuchthing").source == "guess"
    assert DistributionIndex().provider("google.cloud.storage").distributions == ("google-cloud-storage",)
