# Two commands from a clean clone on Debian: `make run` and `make test`.
# Everything they need is installed here: Debian packages (as root, or through sudo) and a .venv.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON ?= python3
DEBS := python3-venv xvfb xauth libgl1 libegl1 libmtdev1 libzbar0 espeak-ng poppler-utils postgresql fonts-material-design-icons-iconfont librsvg2-bin systemd shellcheck chromium
# Tests, screenshots and benchmarks run on a virtual screen with no sound card.
XVFB := SDL_AUDIODRIVER=dummy xvfb-run -a -s "-screen 0 1280x800x24"
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CATALOGS := $(patsubst %.po,%.mo,$(wildcard kiosk/locale/*/LC_MESSAGES/*.po))
export KIVY_NO_ARGS := 1
export KIVY_LOG_MODE := PYTHON

.PHONY: setup debs run test screenshots bench clean translations pictures pi-test

setup: debs $(VENV)/.installed $(CATALOGS)

debs:
	@missing=$$(for p in $(DEBS); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q 'ok installed' || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:" $$missing; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

$(VENV)/.installed: setup.py
	@echo "Setting up $(VENV) (Kivy, the ward server and the test tools)"
	@[ -x $(PY) ] || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --disable-pip-version-check -e '.[server,dev]'
	@touch $@

kiosk/locale/%.mo: kiosk/locale/%.po $(VENV)/.installed
	@$(VENV)/bin/pybabel compile -i $< -o $@

run: setup
	@$(PY) -m deploy.local_run

test: setup
	@$(XVFB) $(PY) -m pytest -q -p no:cacheprovider tests

screenshots: setup
	@$(XVFB) $(PY) -m tests.screenshots build/screenshots/800x480
	@KIOSK_TEST_WIDTH=1280 KIOSK_TEST_HEIGHT=800 KIVY_DPI=149 $(XVFB) $(PY) -m tests.screenshots build/screenshots/1280x800
	@$(PY) -m tests.dashboard_screenshots build/screenshots/dashboard

bench: setup
	@$(XVFB) $(PY) bench/startup.py
	@$(PY) bench/qr.py
	@$(PY) bench/outbox.py
	@$(PY) bench/sync.py
	@$(PY) bench/dashboard.py

clean:
	rm -rf build var $(VENV) *.egg-info

translations: setup
	@$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k N_ --no-location --sort-output -o kiosk/locale/kiosk.pot .
	@$(VENV)/bin/pybabel update -D kiosk -i kiosk/locale/kiosk.pot -d kiosk/locale --no-fuzzy-matching --ignore-obsolete

# The lesson pictures: PNGs rendered from their SVG sources (committed, so a kiosk needs no renderer).
pictures: debs
	@for svg in lessons/pictures/src/*.svg; do rsvg-convert -w 480 -h 360 "$$svg" -o "lessons/pictures/$$(basename "$${svg%.svg}").png"; done

# The real install.sh in an emulated arm64 Raspberry Pi OS userland, up to the kiosk's first frame.
# Not part of `make test`: it needs root and takes ten minutes or more (see deploy/pi-test.sh).
pi-test:
	@bash deploy/pi-test.sh
