"""Placeholder: commands of this family are being written."""

import typer


def register(app: typer.Typer) -> None:
    """Nothing registered yet."""
