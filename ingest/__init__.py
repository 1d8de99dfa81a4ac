"""Reads documents, repairs OCR damage, and splits them by their own structure into chunks."""
