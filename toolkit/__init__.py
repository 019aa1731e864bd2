"""News annotation toolkit: news documents in, versioned human-checked NLP datasets out."""

__version__ = "0.1.0"
