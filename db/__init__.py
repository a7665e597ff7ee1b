"""The SQL store: models (a contract for downstream tools), engine, migrations, writes."""
