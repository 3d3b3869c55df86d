"""The command line: `medius analyze`, `history`, `export`, `evaluate` and the stance test."""
