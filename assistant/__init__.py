"""Understands the question, retrieves, composes the cited answer; serves the CLI and the chat."""
