import itsdangerous
from rich.console import Console

console = Console()
signer = itsdangerous.Signer("secret")
