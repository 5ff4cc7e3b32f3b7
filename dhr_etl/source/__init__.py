"""Discovery, polite fetching and the landing zone. No Dagster here."""
