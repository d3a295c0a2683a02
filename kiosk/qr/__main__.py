"""``python -m kiosk.qr``: read QR codes from image files, explain a payload, print practice cards.

    python -m kiosk.qr scan IMAGE…        one JSON line per image: {"path", "codes": [{"text", "kind"}], "ms"}
    python -m kiosk.qr inspect PAYLOAD    what the payload is, its fields and warnings, as JSON ("-" reads stdin)
    python -m kiosk.qr cards --out cards.pdf
    python -m kiosk.qr learner-cards --count 30 --out learner-cards.pdf   prints the new card ids as JSON

``scan`` exits 0 when every file could be read, codes found or not, and 2 when a file could not be
read as an image (the others are still scanned).
"""
import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image

from kiosk.qr.decode import decode
from kiosk.qr.inspect import inspect

UNREADABLE = 2


def _scan(paths: list[Path]) -> int:
    status = 0
    for path in paths:
        try:
            with Image.open(path) as image:
                grey = np.asarray(image.convert("L"))
            start = time.perf_counter()
            codes = decode(grey)
        except (OSError, ValueError, Image.DecompressionBombError) as exc:
            print(f"kiosk.qr scan: cannot read {path} as an image: {exc}", file=sys.stderr)
            status = UNREADABLE
            continue
        ms = (time.perf_counter() - start) * 1000
        found = [{"text": code.text, "kind": inspect(code.text)["kind"]} for code in codes]
        print(json.dumps({"path": str(path), "codes": found, "ms": round(ms, 2)}, ensure_ascii=False), flush=True)
    return status


def _inspect(payload: str) -> int:
    text = sys.stdin.read() if payload == "-" else payload
    print(json.dumps(inspect(text), ensure_ascii=False, indent=2))
    return 0


def _cards(out: Path) -> int:
    from kiosk.qr.cards import make_pdf

    print(make_pdf(out))
    return 0


def _learner_cards(out: Path, count: int) -> int:
    from kiosk.qr.learner_cards import make_learner_cards

    print(json.dumps({"out": str(out), "cards": make_learner_cards(out, count)}))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m kiosk.qr", description="QR codes for the kiosk's drill.")
    commands = parser.add_subparsers(dest="command", required=True)
    scan = commands.add_parser("scan", help="read the QR codes in image files")
    scan.add_argument("images", nargs="+", type=Path)
    look = commands.add_parser("inspect", help="explain a QR payload (\"-\" reads it from stdin)")
    look.add_argument("payload")
    cards = commands.add_parser("cards", help="make the printable practice cards (A4 PDF)")
    cards.add_argument("--out", type=Path, default=Path("cards.pdf"))
    learners = commands.add_parser("learner-cards", help="print new learner cards (A4 PDF); their ids as JSON")
    learners.add_argument("--count", type=int, default=8)
    learners.add_argument("--out", type=Path, default=Path("learner-cards.pdf"))
    args = parser.parse_args(argv)
    if args.command == "learner-cards":
        try:
            return _learner_cards(args.out, args.count)
        except ValueError as exc:
            parser.error(str(exc))
    if args.command == "scan":
        return _scan(args.images)
    if args.command == "inspect":
        return _inspect(args.payload)
    return _cards(args.out)


if __name__ == "__main__":
    sys.exit(main())
