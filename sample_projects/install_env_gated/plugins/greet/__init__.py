import markdown

GREETING = markdown.markdown("hi")
