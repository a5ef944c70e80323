"""The store: table models, the engine and session scope, text the database can hold."""
