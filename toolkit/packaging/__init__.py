"""package and verify: versioned, leak-free Hugging Face releases (Parquet, card, manifest, DocBins, Hub)."""
