"""Records, the kiosk's outbox, the sync client and the ward server. Never imports Kivy."""
