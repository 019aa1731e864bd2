"""convert: source documents to records (readers, news-aware sentence segmentation, tokens, stable ids)."""
