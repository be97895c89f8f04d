"""Routes, registered by Pyramid's includeme hook (config.include(".routes"))."""


def includeme(config):
    import bleach  # imported when the hook runs, while the app factory builds the app

    config.registry.settings["clean"] = bleach.clean
    config.add_route("home", "/")
