"""UI text of the incidents page: key -> (中文, English)."""

TEXT: dict[str, tuple[str, str]] = {
}
