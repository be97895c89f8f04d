"""The `shop` console script: names the app for Litestar's CLI, then runs that CLI with its own argv."""

import os


def setup_environment() -> None:
    os.environ.setdefault("LITESTAR_APP", "shop.server:create_app")


def run_cli() -> None:
    setup_environment()
    from litestar.cli.main import litestar_group

    litestar_group()


if __name__ == "__main__":
    run_cli()
