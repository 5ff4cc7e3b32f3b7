"""SQLModel tables, bulk loading, checks and atomic publishing of warehouse versions."""
