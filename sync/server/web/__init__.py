"""The staff dashboard: server-rendered pages for ward staff, beside the kiosks' API.

``mount.mount(app, …)`` adds its routers, static files and error pages to the ward server's app.
Pages are plain HTML and CSS (no script), in Vietnamese unless English is asked for.
"""
