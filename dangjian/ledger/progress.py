"""A small progress bar for the commands, on stderr: redrawn in place on a terminal, silent otherwise
(logs and pipes stay clean), and at most ten redraws a second however fast the rows go."""
import sys
import time


class ProgressBar:
    WIDTH = 30

    def __init__(self, label, stream=None, interval=0.1):
        self.label, self.stream, self.interval = label, stream or sys.stderr, interval
        self.enabled = hasattr(self.stream, "isatty") and self.stream.isatty()
        self._last = 0.0
        self._drawn = False

    def __call__(self, done, total):
        if not self.enabled:
            return
        now = time.monotonic()
        if done < total and now - self._last < self.interval:
            return
        self._last = now
        share = done / total if total else 1
        filled = int(self.WIDTH * share)
        bar = "█" * filled + "░" * (self.WIDTH - filled)
        self.stream.write(f"\r{self.label} {bar} {share:4.0%} {done}/{total}")
        self.stream.flush()
        self._drawn = True

    def close(self):
        if self._drawn:
            self.stream.write("\n")
            self.stream.flush()
