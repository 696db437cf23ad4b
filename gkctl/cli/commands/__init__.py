"""The command layer: one module per command family, each only wiring options to the core."""
