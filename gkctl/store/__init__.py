"""Files and git: YAML read with positions, the loader and its cross-checks, units.yaml, the
parsed-plan cache, the byte-preserving editor with atomic writes under a lock, the checks a
write must pass, git revisions as plan sources, and the choice of data folder."""
