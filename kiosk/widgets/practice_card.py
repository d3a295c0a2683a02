"""A practice card drawn on the screen as it is printed: its title, its QR code, its caption and
its number, for a learner who has no printed card (or a kiosk with no camera).

The code is the same PNG the printed sheet uses (``kiosk.qr.cards.qr_png``), shown with its
modules kept square and sharp, so a phone held up to the screen reads it too.
"""
import io
from pathlib import Path

from kivy.core.image import Image as CoreImage
from kivy.lang import Builder
from kivy.properties import ObjectProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.i18n import _
from kiosk.qr.cards import NUMBER, qr_png
from kiosk.qr.practice import Card, card_number

Builder.load_file(str(Path(__file__).with_suffix(".kv")))


class PracticeCard(BoxLayout):
    card: Card | None = ObjectProperty(None, allownone=True)
    texture = ObjectProperty(None, allownone=True)

    def on_card(self, _widget, card: Card | None) -> None:
        if card is None:
            self.texture = None
            return
        texture = CoreImage(io.BytesIO(qr_png(card.payload, scale=4)), ext="png").texture
        texture.mag_filter = "nearest"
        self.texture = texture

    def number_text(self, card: Card | None) -> str:
        return _(NUMBER).format(number=card_number(card)) if card else ""
