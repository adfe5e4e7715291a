"""The model-backed generator and corrector over the OpenAI-compatible API (docs/modelo.md)."""
