"""The pure core: the model, the deadline grammar, working days, units and involvement,
status, stats, the plan diff and the error family. Typed, quiet, no I/O: nothing here
reads files or the clock, prints or exits, and nothing imports a layer above."""
