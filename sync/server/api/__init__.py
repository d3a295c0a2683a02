"""The kiosks' API (sync protocol v1, ``/api/v1/…``) as APIRouter modules: ``kiosks`` (the routes),
``deps`` (what they depend on, overridable in tests), ``body`` (reading untrusted bodies),
``schemas`` (what goes over the wire), ``packsource`` (the lesson packs handed out) and ``releases``
with ``releasesource`` (the kiosk releases the ward publishes).
"""
