"""Parses shopping-list commands with structural pattern matching (Python 3.10+ syntax)."""


def parse_command(text):
    match text.split():
        case ["add", *words]:
            return {"action": "add", "item": " ".join(words)}
        case ["remove", *words]:
            return {"action": "remove", "item": " ".join(words)}
        case _:
            return {"action": "unknown", "text": text}
