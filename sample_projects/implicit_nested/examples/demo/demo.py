import jinja2

import corelib

TEMPLATE = jinja2.Template("{{ x }}")
COMMAND = corelib.main
