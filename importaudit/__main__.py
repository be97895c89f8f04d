"""`python -m importaudit` behaves as the `importaudit` command."""

from importaudit.cli import main

if __name__ == "__main__":
    main(prog_name="importaudit")
