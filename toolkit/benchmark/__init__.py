"""benchmark: score extraction systems against a packaged split, with the field's reference metrics."""
