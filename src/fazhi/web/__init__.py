"""The web app (FastAPI, server-rendered Jinja2 pages in Chinese): `fazhi serve`.

    from fazhi.web.app import create_app
    app = create_app("sqlite:///fazhi.db")

Importing this package is cheap; FastAPI and friends load in `create_app`.
"""
