"""The OpenAPI schema is complete, and a bounded schemathesis run over every endpoint finds no 500 and
no answer the schema does not declare, with and without a device token, on SQLite and PostgreSQL."""
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from lessons.signing import generate_keypair
from sync.client import enroll
from sync.server.api.releasesource import ReleaseSource
from tests.harness import WardServer
from tests.helpers import signed_release

EXAMPLES_PER_OPERATION = 8  # per operation and generation mode: the whole run stays well under a minute
EXPECTED = {
    ("POST", "/api/v1/enroll"): {"200", "400", "403", "413", "422", "429"},
    ("POST", "/api/v1/records"): {"200", "401", "413", "422", "429"},
    ("POST", "/api/v1/heartbeat"): {"204", "401", "413", "422", "429"},
    ("GET", "/api/v1/packs"): {"200", "304", "401", "404", "429", "503"},
    ("GET", "/api/v1/cards"): {"200", "304", "401", "429"},
    ("GET", "/api/v1/releases/latest"): {"200", "401", "404", "429"},
    ("GET", "/api/v1/releases/{version}"): {"200", "401", "404", "422", "429"},
    ("GET", "/healthz"): {"200"},
}


@pytest.fixture
def open_server(database_url, tmp_path):
    """A ward server whose rate limits stay out of the fuzzer's way, so its requests reach the handlers,
    with a kiosk release published (so the releases routes answer 200 too)."""
    server = WardServer(database_url, rate_per_s=1000, burst=1000, failure_rate_per_s=1000, failure_burst=1000,
                        releases_dir=tmp_path / "releases").start()
    private, _ = generate_keypair(tmp_path / "release-key")
    ReleaseSource(tmp_path / "releases").publish(signed_release(tmp_path, private, "1.0.0"))
    yield server
    server.stop()


def test_the_schema_declares_bodies_security_and_every_status(open_server):
    document = schemathesis.openapi.from_url(f"{open_server.url}/openapi.json").raw_schema
    for (method, path), codes in EXPECTED.items():
        operation = document["paths"][path][method.lower()]
        assert set(operation["responses"]) == codes, path
        assert ("requestBody" in operation) == (method == "POST"), path
        assert bool(operation.get("security")) == (path not in ("/api/v1/enroll", "/healthz")), path
    assert document["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert {"Batch", "Record", "HeartbeatBody", "EnrollRequest"} <= set(document["components"]["schemas"])


@pytest.mark.parametrize("with_token", [False, True], ids=["no-token", "token"])
def test_schemathesis_finds_no_server_error_on_any_endpoint(open_server, with_token):
    schema = schemathesis.openapi.from_url(f"{open_server.url}/openapi.json")
    headers = {}
    if with_token:
        credentials = enroll(open_server.url, open_server.enrollment_token(), "kiosk-fuzz0001")
        headers = {"Authorization": f"Bearer {credentials.device_id}.{credentials.secret}"}
    operations = [op for op in (result.ok() for result in schema.get_all_operations())
                  if op.path.startswith("/api/") or op.path == "/healthz"]  # the kiosks' API; the dashboard has its own tests
    assert {(op.method.upper(), op.path) for op in operations} == set(EXPECTED)
    for operation in operations:
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(GenerationMode.NEGATIVE))
        def call(case) -> None:
            case.call_and_validate(base_url=open_server.url, headers=headers, timeout=10,
                                   checks=[not_a_server_error, response_schema_conformance])

        call()
