"""UI text of the satisfaction page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
}
