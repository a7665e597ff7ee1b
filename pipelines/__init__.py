"""Item pipelines, in order: extract → normalize → dedupe → flag → store."""
