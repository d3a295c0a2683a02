"""``kiosk``: start the kiosk app with its settings, print them, or check the unit (``kiosk doctor``).

Kivy is imported only once the settings are read and a display is known to exist, so
``kiosk --settings`` and the no-display message work anywhere.
"""
import argparse
import logging
import os
import signal
import sys

from kiosk.config import describe_settings, load_config

log = logging.getLogger("kiosk")


def has_display() -> bool:
    """A window can open: X11, Wayland, or an SDL driver chosen explicitly (kmsdrm on the Pi)."""
    return any(os.environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "SDL_VIDEODRIVER"))


def doctor(as_json: bool) -> int:
    """``kiosk doctor``: the checks in the kiosk's language; exit code 0 when the unit is fit."""
    import json

    from kiosk import doctor as checks
    from kiosk.i18n import use_language

    loaded = load_config()
    use_language(loaded.config.language)
    findings = checks.run_checks(loaded.config)
    print(json.dumps(checks.as_json(findings), ensure_ascii=False, indent=1) if as_json else checks.report(findings))
    return 0 if checks.fit(findings) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="kiosk", description="The Bình Dân Học Vụ Số learning kiosk.")
    parser.add_argument("command", nargs="?", choices=["doctor"], help="doctor: check that this unit is fit "
                        "(exit code 0) or say what to fix (exit code 1)")
    parser.add_argument("--settings", action="store_true", help="list every setting with its default and meaning")
    parser.add_argument("--json", action="store_true", help="with doctor: one JSON document, for scripts")
    args = parser.parse_args(argv)
    if args.settings:
        print(describe_settings())
        return 0
    if args.command == "doctor":
        return doctor(args.json)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    loaded = load_config()
    config = loaded.config
    if not has_display():
        print("kiosk: no display found; run it on the kiosk screen, or on a virtual one with "
              "`xvfb-run -a -s '-screen 0 1280x800x24' kiosk` (or SDL_VIDEODRIVER=offscreen)", file=sys.stderr)
        return 2
    from kiosk.widgets.window import prepare_window

    prepare_window(config)
    from kiosk.app import KioskApp
    from kiosk.i18n import use_language
    from kiosk.services import KioskServices

    use_language(config.language)
    try:
        services = KioskServices(config, loaded.problems)
    except (OSError, RuntimeError) as exc:
        print(f"kiosk: cannot start: {exc}", file=sys.stderr)
        return 1
    app = KioskApp(services)
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_args: app.stop())  # Ctrl-C or systemd: stop cleanly, no traceback
    app.run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
