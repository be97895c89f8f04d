import markdown


def page(text: str) -> str:
    return markdown.markdown(text)
