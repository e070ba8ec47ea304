"""UI text of the data page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
}
