"""Packaging for the Bình Dân Học Vụ Số kiosk, its sync tools and the ward server."""
from setuptools import find_packages, setup

setup(
    name="bdhvs-kiosk",
    version="0.1.0",
    description="Offline digital-skills kiosk for older learners, with a ward server that collects learning records",
    python_requires=">=3.11",
    packages=find_packages(include=["kiosk*", "lessons*", "sync*", "deploy*"]),
    package_data={
        "kiosk": ["screens/*.kv", "widgets/*.kv", "locale/*.pot", "locale/*/LC_MESSAGES/*.po", "locale/*/LC_MESSAGES/*.mo"],
        "lessons": ["pronunciation.yaml", "packs/*/*.yaml", "packs/*/*.png", "packs/*/signature.json", "pictures/*.png", "pictures/SOURCES.md"],
        "sync": ["server/migrations/*.py", "server/migrations/*.mako", "server/migrations/versions/*.py",
                 "server/web/templates/*.html", "server/web/static/*"],
    },
    install_requires=[
        "kivy==2.3.1",
        "pydantic>=2.6,<3",
        "PyYAML>=6",
        "tinydb>=4.8,<5",
        "requests>=2.31",
        "cryptography>=41",
        "numpy>=1.24",
        "Pillow>=10",
        "pyzbar>=0.1.9",
        "segno>=1.6",
        "fpdf2>=2.7",
        "num2words>=0.5.13",
    ],
    extras_require={
        "pi": ["picamera2"],
        "zxing": ["zxing-cpp>=2.2"],
        "webcam": ["opencv-python-headless>=4.8"],
        "server": [
            "fastapi>=0.110",
            "uvicorn>=0.29",
            "SQLAlchemy>=2.0.30,<3",
            "alembic>=1.13",
            "psycopg[binary]>=3.1",
            "Jinja2>=3.1",
            "argon2-cffi>=23.1",
            "pydantic-settings>=2.2",
            "python-multipart>=0.0.9",
        ],
        "dev": [
            "pytest>=8",
            "hypothesis>=6.100",
            "Babel>=2.14",
            "psutil>=5.9",
            "schemathesis>=4.0",
            "cysystemd>=1.6",  # sd_notify for the watchdog tests; the Pi uses python3-systemd from apt
            "zxing-cpp>=2.2",
            "opencv-python-headless>=4.8",
            "playwright>=1.45",  # drives Debian's chromium: no browser download
        ],
    },
    entry_points={
        "console_scripts": [
            "kiosk=kiosk.cli:main",
            "kiosk-sync=kiosk.sync_cli:main",
            "ward-server=sync.server.cli:main",
            "kiosk-update=deploy.update:main",
        ],
    },
)
