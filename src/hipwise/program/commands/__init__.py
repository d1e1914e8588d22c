"""CLI subcommands of the programme: ``profile``, ``today``, ``history``, ``feel``."""
