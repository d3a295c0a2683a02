"""Reusable Kivy widgets and the kiosk's look; ``common.kv`` holds their rules."""
