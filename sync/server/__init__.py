"""The ward server: enrolls kiosks, stores their records once each, serves lesson packs."""
