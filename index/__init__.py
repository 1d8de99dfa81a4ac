"""Stores chunks and their embeddings: Chroma for vectors, bm25s for Swedish keyword search, SQLite beside them."""
