"""Variables a platform sets on the app from its add-ons (Heroku app.json `addons`)."""

from __future__ import annotations

import json
import posixpath

from importaudit.model import Target
from importaudit.workspace import Workspace

# Heroku add-ons (app.json `addons`) and the variable each sets on the app when attached: its
# scheme is what decides a driver (the rest of the URL is a secret of the platform).
_ADDON_URLS = {
    "heroku-postgresql": ("DATABASE_URL", "postgres://heroku-postgresql"),
    "heroku-redis": ("REDIS_URL", "redis://heroku-redis"),
    "cloudamqp": ("CLOUDAMQP_URL", "amqps://cloudamqp"),
    "jawsdb": ("JAWSDB_URL", "mysql://jawsdb"),
    "jawsdb-maria": ("JAWSDB_MARIA_URL", "mysql://jawsdb-maria"),
    "cleardb": ("CLEARDB_DATABASE_URL", "mysql://cleardb"),
}


def with_addons(ws: Workspace, target: Target, env: dict[str, str]) -> dict[str, str]:
    """A Procfile's processes on Heroku get the variables of the app's add-ons (app.json beside the
    Procfile): heroku-postgresql sets DATABASE_URL, so `dj_database_url.config(default="mysql://...")`
    reads a postgres URL there, not its development default. `as: NAME` renames it (NAME_URL)."""
    if target.kind != "procfile" or not target.file:
        return env
    folder = posixpath.dirname(target.file)
    app_json = posixpath.join(folder, "app.json") if folder else "app.json"
    if app_json not in set(ws.project.files):
        return env
    try:
        data = json.loads((ws.root / app_json).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return env
    addons = data.get("addons") if isinstance(data, dict) else None
    for addon in addons if isinstance(addons, list) else ():
        plan = addon.get("plan") if isinstance(addon, dict) else addon
        if not isinstance(plan, str):
            continue
        found = _ADDON_URLS.get(plan.split(":")[0])
        if found is None:
            continue
        var, url = found
        alias = addon.get("as") if isinstance(addon, dict) else None
        env.setdefault(f"{alias}_URL" if isinstance(alias, str) and alias else var, url)
    return env
