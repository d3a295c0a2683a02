"""Cameras: the replay adapter on real card pictures and on garbage, a stream that stops, the factory,
the worker that decodes off the UI thread, and the Pi adapter against picamera2's documented shapes."""
import importlib.util
import io
import sys
import threading
import time
import types
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from kiosk.camera import CameraError, Frame, ScanWorker, open_camera
from kiosk.camera.base import BAD_SETTING, CAMERA_STOPPED, NO_CAMERA
from kiosk.camera.opencv_camera import OpenCvCamera
from kiosk.camera.picamera2_camera import Picamera2Camera
from kiosk.camera.replay_camera import ReplayCamera
from kiosk.i18n import _
from kiosk.qr.decode import decode
from kiosk.qr.cards import qr_png
from kiosk.qr.practice import CARDS
from tests.helpers import card_frame, wait_for

HAS_CV2 = importlib.util.find_spec("cv2") is not None


@pytest.fixture
def camera():
    cameras = []
    yield lambda cam: cameras.append(cam) or cam
    for cam in cameras:
        cam.stop()


def test_replay_loops_over_a_folder_at_its_pace(tmp_path, camera):
    for i, card in enumerate(CARDS[:3]):
        card_frame(card.payload).save(tmp_path / f"{i}.png")
    cam = camera(ReplayCamera(tmp_path, fps=100))
    cam.start()
    wait_for(lambda: cam.latest() is not None and cam.latest().number >= 7)
    frame = cam.latest()
    assert frame.rgb.shape == (480, 640, 3) and frame.grey.shape == (480, 640)
    assert frame.rgb.dtype == np.uint8 and frame.grey.flags.c_contiguous
    assert cam.error is None
    newer = cam.wait_newer(frame.number, timeout=2)
    assert newer.number > frame.number


def test_stop_releases_the_thread_and_forgets_the_last_frame(tmp_path):
    card_frame(CARDS[0].payload).save(tmp_path / "a.png")
    cam = ReplayCamera(tmp_path, fps=50)
    cam.start()
    wait_for(lambda: cam.latest() is not None)
    cam.stop()
    assert cam.latest() is None and cam.error is None
    assert not any(t.name == "replay-reader" for t in threading.enumerate())


def test_garbage_pictures_are_skipped_and_the_card_is_still_read(tmp_path, camera):
    (tmp_path / "1-corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\ngarbage" * 10)
    Image.new("RGB", (2, 2)).save(tmp_path / "2-tiny.png")
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (480, 640, 3), dtype=np.uint8)).save(tmp_path / "3-noise.png")
    card_frame(CARDS[1].payload).save(tmp_path / "4-card.png")
    cam = camera(ReplayCamera(tmp_path, fps=60))
    found = []
    worker = ScanWorker(cam, decode, lambda codes, frame: found.append(codes[0].text))
    cam.start()
    worker.start()
    wait_for(lambda: len(found) >= 2)
    worker.stop()
    assert set(found) == {CARDS[1].payload}
    assert cam.error is None


def test_open_starts_the_named_camera_and_close_releases_it(tmp_path):
    card_frame(CARDS[2].payload).save(tmp_path / "card.png")
    found = []
    worker = ScanWorker.open(f"replay:{tmp_path}", decode, lambda codes, frame: found.append(codes[0].text),
                             lambda error: None)
    wait_for(lambda: found)
    worker.close()
    assert found[0] == CARDS[2].payload
    assert worker.camera.latest() is None
    assert not any(t.name in ("replay-reader", "qr-scan") for t in threading.enumerate())
    with pytest.raises(CameraError):
        ScanWorker.open(f"replay:{tmp_path / 'nothing-here'}", decode, lambda codes, frame: None, lambda error: None)


def test_a_stream_that_stops_reports_once_and_ends_the_worker(tmp_path, camera):
    for i in range(3):
        card_frame(CARDS[i].payload).save(tmp_path / f"{i}.png")
    cam = camera(ReplayCamera(tmp_path, fps=30, loop=False))
    errors, found = [], []
    worker = ScanWorker(cam, decode, lambda codes, frame: found.append(frame.number), errors.append)
    cam.start()
    worker.start()
    wait_for(lambda: errors)
    wait_for(lambda: not worker._thread.is_alive())
    assert len(errors) == 1 and errors[0].message == _(CAMERA_STOPPED)
    assert cam.error is errors[0]
    assert cam.latest().number == 3 and set(found) <= {1, 2, 3}


def test_a_camera_giving_only_garbage_is_declared_stopped(tmp_path, camera):
    for i in range(3):
        (tmp_path / f"{i}.jpg").write_bytes(b"not a jpeg")
    cam = camera(ReplayCamera(tmp_path, fps=500))
    cam.start()
    wait_for(lambda: cam.error is not None)
    assert cam.error.message == _(CAMERA_STOPPED) and cam.latest() is None


def test_a_decoder_that_chokes_does_not_end_the_worker(tmp_path, camera):
    card_frame(CARDS[0].payload).save(tmp_path / "a.png")
    cam = camera(ReplayCamera(tmp_path, fps=60))
    calls, found = [], []

    def flaky(grey):
        calls.append(1)
        if len(calls) % 2:
            raise RuntimeError("decoder bug")
        return decode(grey)

    worker = ScanWorker(cam, flaky, lambda codes, frame: found.append(codes[0].text))
    cam.start()
    worker.start()
    wait_for(lambda: len(found) >= 2)
    worker.stop()
    assert found[0] == CARDS[0].payload


def test_a_paused_worker_reports_nothing(tmp_path, camera):
    card_frame(CARDS[0].payload).save(tmp_path / "a.png")
    cam = camera(ReplayCamera(tmp_path, fps=60))
    found = []
    worker = ScanWorker(cam, decode, lambda codes, frame: found.append(frame.number))
    worker.pause()
    cam.start()
    worker.start()
    time.sleep(0.5)
    assert found == []
    worker.resume()
    wait_for(lambda: found)
    worker.stop()


@pytest.mark.skipif(not HAS_CV2, reason="OpenCV is an optional extra")
def test_replay_plays_a_video_file_and_loops(tmp_path, camera):
    import cv2

    path = tmp_path / "cards.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10, (640, 480))
    for card in CARDS[:2]:
        writer.write(cv2.cvtColor(np.asarray(card_frame(card.payload)), cv2.COLOR_RGB2BGR))
    writer.release()
    cam = camera(ReplayCamera(path, fps=100))
    found = set()
    worker = ScanWorker(cam, decode, lambda codes, frame: found.add(codes[0].text))
    cam.start()
    worker.start()
    wait_for(lambda: cam.latest() is not None and cam.latest().number > 6 and len(found) == 2)
    worker.stop()
    assert found == {CARDS[0].payload, CARDS[1].payload}


def test_factory_reads_the_setting():
    assert isinstance(open_camera("picamera2"), Picamera2Camera)
    assert isinstance(open_camera("opencv"), OpenCvCamera) and open_camera("opencv:2").device == 2
    replay = open_camera("replay:/srv/demo cards")
    assert isinstance(replay, ReplayCamera) and replay.source == Path("/srv/demo cards")
    for bad in ("", "webcam", "opencv:x", "replay:", "picamera2:1"):
        with pytest.raises(CameraError) as error:
            open_camera(bad)
        assert error.value.message == _(BAD_SETTING)


def test_missing_sources_raise_a_clear_vietnamese_message(tmp_path):
    for cam in (ReplayCamera(tmp_path / "nowhere"), ReplayCamera(tmp_path), OpenCvCamera(63)):
        with pytest.raises(CameraError) as error:
            cam.start()
        assert error.value.message == _(NO_CAMERA) == "Máy này chưa có máy ảnh. Bác xem thẻ trên màn hình nhé."
        assert error.value.staff_message == "Máy chưa tìm thấy máy ảnh. Xin kiểm tra dây cắm máy ảnh."


def test_picamera2_missing_is_a_camera_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", None)  # import fails as on a laptop
    with pytest.raises(CameraError, match="picamera2 is not installed"):
        Picamera2Camera().start()


class FakePicamera2:
    """Just the picamera2 calls the adapter makes, returning arrays shaped as the manual documents."""

    cameras = [{"Model": "imx708"}]
    stride = 704  # the lores YUV420 rows are padded beyond the 640-pixel width

    def __init__(self, num: int) -> None:
        self.streams: dict = {}
        self.closed = False

    @classmethod
    def global_camera_info(cls) -> list[dict]:
        return cls.cameras

    def create_preview_configuration(self, main: dict, lores: dict) -> dict:
        return {"main": main, "lores": lores}

    def configure(self, config: dict) -> None:
        self.streams = config

    def start(self) -> None:
        pass

    def stream_configuration(self, name: str) -> dict:
        return {**self.streams[name], "stride": self.stride}

    def capture_arrays(self, names: list[str]) -> tuple[list[np.ndarray], dict]:
        main_w, main_h = self.streams["main"]["size"]
        main = np.zeros((main_h, main_w, 4), np.uint8)
        main[..., 0], main[..., 3] = 200, 255  # [R, G, B, 255]: a red picture
        lores_w, lores_h = self.streams["lores"]["size"]
        yuv = np.full((lores_h * 3 // 2, self.stride), 128, np.uint8)
        yuv[:lores_h, :lores_w] = 77  # the Y plane
        return [main, yuv], {"SensorTimestamp": 1}

    def stop(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True


def test_picamera2_adapter_gives_the_preview_rgb_and_the_lores_y_plane(monkeypatch):
    monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=FakePicamera2))
    cam = Picamera2Camera(preview_size=(800, 600), decode_size=(640, 480))
    cam.start()
    try:
        frame = cam.wait_newer(0, timeout=5)
        assert frame.rgb.shape == (600, 800, 3) and (frame.rgb[0, 0] == [200, 0, 0]).all()
        assert frame.grey.shape == (480, 640) and (frame.grey == 77).all()
        assert cam._camera.streams["lores"] == {"size": (640, 480), "format": "YUV420"}
    finally:
        cam.stop()


def test_picamera2_without_a_connected_camera(monkeypatch):
    class NoCamera(FakePicamera2):
        cameras = []

    monkeypatch.setitem(sys.modules, "picamera2", types.SimpleNamespace(Picamera2=NoCamera))
    with pytest.raises(CameraError, match="ribbon cable") as error:
        Picamera2Camera().start()
    assert error.value.message == _(NO_CAMERA)


@pytest.mark.parametrize("bad", [np.zeros((4, 4, 3), np.uint8), np.zeros((100, 100, 2), np.uint8),
                                 np.zeros((100, 100, 3), np.float32), np.zeros(100, np.uint8)])
def test_frames_must_be_pictures(bad):
    with pytest.raises(ValueError):
        Frame.build(1, bad)
