"""The kiosk releases route: the newest release's manifest, then its archive, to enrolled kiosks only.

``kiosk-update fetch`` reads ``GET /api/v1/releases/latest`` (``sync.releases.ReleaseManifest``) and,
when the release is new to it and signed with a key it trusts, downloads
``GET /api/v1/releases/{version}``: the archive streamed from its file, never read whole into memory.
Both take the device token like the packs route (401 without one, 429 beyond the device's rate).
"""
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Path, Request, Response
from fastapi.responses import FileResponse

from sync.releases import ReleaseManifest
from sync.server.api.body import problems
from sync.server.api.deps import Sender
from sync.server.api.releasesource import ReleaseSource
from sync.server.api.schemas import VERSION_PATTERN

router = APIRouter()


def release_source(request: Request) -> ReleaseSource:
    return request.app.state.releases


Releases = Annotated[ReleaseSource, Depends(release_source)]


@router.get("/api/v1/releases/latest", response_model=ReleaseManifest, responses=problems(401, 404, 429))
def latest_release(releases: Releases, _sender: Sender) -> Response:
    """The manifest of the release the ward offers its kiosks: version, archive size and SHA-256, signing key."""
    manifest = releases.latest()
    if manifest is None:
        raise HTTPException(404, "this ward server has published no kiosk release")
    return Response(manifest.model_dump_json(), media_type="application/json")


@router.get("/api/v1/releases/{version}", response_class=FileResponse, responses={
    200: {"description": "the release archive (.tar of the signed release folder)",
          "content": {"application/x-tar": {"schema": {"type": "string", "format": "binary"}}}},
    **problems(401, 404, 422, 429)})
def release_archive(version: Annotated[str, Path(max_length=40, pattern=VERSION_PATTERN)], releases: Releases,
                    _sender: Sender) -> FileResponse:
    path = releases.archive(version)
    if path is None:
        raise HTTPException(404, f"no published kiosk release {version}")
    return FileResponse(path, media_type="application/x-tar", filename=f"bdhvs-release-{version}.tar")
