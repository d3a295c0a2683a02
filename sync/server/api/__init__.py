"""The kiosks' API (sync protocol v1, ``/api/v1/…``) as APIRouter modules: ``kiosks`` (the routes),
``deps`` (what they depend on, overridable in tests), ``body`` (reading untrusted bodies),
``schemas`` (what goes over the wire) and ``packsource`` (the lesson packs handed out).
"""
