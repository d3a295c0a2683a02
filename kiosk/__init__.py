"""The kiosk: a Kivy app over plain-Python services. Only app.py, screens/ and widgets/ import Kivy."""
