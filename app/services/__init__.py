"""Business rules as plain functions over a SQLAlchemy session, testable without a request."""
