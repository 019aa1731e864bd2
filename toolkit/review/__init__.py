"""Review of human annotations: validate against the schemas, agreement, adjudication, show."""
