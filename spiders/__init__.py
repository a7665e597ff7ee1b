"""One spider per source kind; sources themselves are data (sources.yaml)."""
