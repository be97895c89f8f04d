"""The project's CLI: `shop server start APP` is uvicorn's own command line, mounted in the group."""
import click
import uvicorn


@click.group()
@click.option("--verbose", is_flag=True)
def shop_cli(verbose: bool) -> None:
    """Command-line interface to the shop."""


@shop_cli.group("server")
def shop_server() -> None:
    """Server commands."""


@shop_server.command("develop")
def run_develop() -> None:
    """A development server with reload (not what the image runs)."""
    uvicorn.run("shop.devapp:app", reload=True)


shop_server.add_command(uvicorn.main, name="start")


@shop_cli.command()
def list_orders() -> None:
    """Prints the orders."""
    click.echo("none")


def entrypoint() -> None:
    """The console script."""
    shop_cli()
