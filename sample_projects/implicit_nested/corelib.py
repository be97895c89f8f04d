import click
import markdown


@click.command()
def main() -> None:
    click.echo(markdown.markdown("hi"))
