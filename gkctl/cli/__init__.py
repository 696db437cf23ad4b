"""The command layer: the Typer application, click's Chinese wording, and one module per
command family under commands/. It parses, calls the layers below, prints and exits."""
