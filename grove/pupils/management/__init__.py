"""Management commands of the pupils app."""
