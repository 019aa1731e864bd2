"""Model in the loop: train spaCy pipelines on a packaged release, learning curves, and reading what a trained
pipeline predicts back as record items (entities, quotes, events)."""
