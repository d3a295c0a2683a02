"""Kiosk start-up against a bare Kivy window, under the same display, in one run.

Prints the median time from process start to the first frame on screen (the kiosk's welcome screen
drawn, so taking touches; the bare app's single label drawn) and the peak memory (RSS) of each,
with the ratios. The CPU time each used until then is printed too: unlike the time, other load on
the machine hardly changes it, so it tells a busy machine's noise from a slower start. Targets: time ratio ≤ 1.5, memory ratio ≤ 2 (a Raspberry Pi 3 has 1 GB).
Run it under Xvfb: ``make bench`` does.

Both children stop at the window's first ``on_flip``, the moment the kiosk tells systemd READY. The
kiosk starts exactly as ``kiosk`` does (``kiosk.cli.main``): the hook is set once its window
settings are given to Kivy, so nothing of the kiosk or of Kivy is imported ahead of its own order.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RUNS = 9

CHILD_COMMON = """
import os, resource, sys
os.environ["KIVY_NO_ARGS"] = "1"
def stop_at_first_frame():
    from kivy.app import App
    from kivy.core.window import Window
    def drawn(*_args):
        Window.unbind(on_flip=drawn)
        usage = resource.getrusage(resource.RUSAGE_SELF)
        print("READY", usage.ru_maxrss, usage.ru_utime + usage.ru_stime, flush=True)
        App.get_running_app().stop()
    Window.bind(on_flip=drawn)
"""

BARE = CHILD_COMMON + """
from kivy.config import Config
Config.set("graphics", "width", "800"); Config.set("graphics", "height", "480")
from kivy.app import App
from kivy.uix.label import Label
class Bare(App):
    def build(self):
        return Label(text="Xin chào")
    def on_start(self):
        stop_at_first_frame()
Bare().run()
"""

KIOSK = CHILD_COMMON + """
import kiosk.widgets.window
prepare_window = kiosk.widgets.window.prepare_window
def prepare_then_watch(config):
    prepare_window(config)
    stop_at_first_frame()
kiosk.widgets.window.prepare_window = prepare_then_watch
import kiosk.cli
sys.exit(kiosk.cli.main([]))
"""


def measure(script: Path, env: dict[str, str]) -> tuple[float, int, float]:
    """Seconds from spawning the process to its READY line, its peak RSS in KiB and its CPU seconds."""
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        child = subprocess.Popen([sys.executable, str(script)], env=env, stdout=subprocess.PIPE, stderr=log, text=True)
        for line in child.stdout:
            if line.startswith("READY"):
                elapsed = time.perf_counter() - started
                child.wait(30)
                _, peak_kb, cpu_s = line.split()
                return elapsed, int(peak_kb), float(cpu_s)
        log.seek(0)
        raise RuntimeError(f"the child exited ({child.wait()}) before its first screen:\n{log.read()[-2000:]}")


def main() -> int:
    if not os.environ.get("DISPLAY") and not os.environ.get("SDL_VIDEODRIVER"):
        print("bench/startup.py needs a display: run it with `make bench` (Xvfb)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="bench-startup-"))
    # Both run from compiled bytecode, as the installed kiosk does (pip compiles the wheel's modules),
    # even where PYTHONDONTWRITEBYTECODE is set: else the kiosk's own sources, unlike Kivy's installed
    # ones, are compiled again on every start. The bytecode goes to the scratch folder, not the tree.
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    env |= {"KIOSK_DATA_DIR": str(work / "data"), "KIOSK_WINDOW_SIZE": "800x480", "KIVY_NO_FILELOG": "1",
            "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "PYTHONPYCACHEPREFIX": str(work / "bytecode")}
    (work / "bare.py").write_text(BARE)
    (work / "kiosk_start.py").write_text(KIOSK)
    bare_script, kiosk_script = work / "bare.py", work / "kiosk_start.py"
    measure(bare_script, env)
    measure(kiosk_script, env)  # warm the file cache and compile the bytecode for both before timing
    bare, kiosk = [], []
    for _ in range(RUNS):
        bare.append(measure(bare_script, env))
        kiosk.append(measure(kiosk_script, env))
    bare_s, kiosk_s = (statistics.median(run[0] for run in runs) for runs in (bare, kiosk))
    bare_kb, kiosk_kb = (statistics.median(run[1] for run in runs) for runs in (bare, kiosk))
    bare_cpu, kiosk_cpu = (statistics.median(run[2] for run in runs) for runs in (bare, kiosk))
    print(f"runs: {RUNS} each, alternating, same display")
    print(f"start-up to first interactive screen: bare Kivy {bare_s * 1000:.0f} ms, kiosk {kiosk_s * 1000:.0f} ms, "
          f"ratio {kiosk_s / bare_s:.2f} (target ≤ 1.5)")
    print(f"CPU time until then: bare Kivy {bare_cpu * 1000:.0f} ms, kiosk {kiosk_cpu * 1000:.0f} ms, "
          f"ratio {kiosk_cpu / bare_cpu:.2f}")
    print(f"peak RSS: bare Kivy {bare_kb / 1024:.1f} MiB, kiosk {kiosk_kb / 1024:.1f} MiB, "
          f"ratio {kiosk_kb / bare_kb:.2f} (target ≤ 2)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
