"""UI text of the mediation page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
}
