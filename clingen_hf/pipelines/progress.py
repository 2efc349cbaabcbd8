"""One overall progress line for a long job, above the per-stage bars: stage k of n, time
elapsed, and time left, estimated from each stage's expected cost and recalibrated by how
long the finished stages really took."""

from __future__ import annotations

import time

SHRINKAGE = 0.25  # of the plan's estimated seconds: how much evidence a rescaling needs


def duration(seconds: float) -> str:
    minutes, seconds = divmod(int(round(seconds)), 60)
    return f"{minutes} min {seconds:02d} s" if minutes else f"{seconds} s"


class JobProgress:
    def __init__(self, stages: list[tuple[str, float]], clock=time.monotonic):
        """`stages`: (name, estimated seconds) in the order they run."""
        self.stages = stages
        self.clock = clock
        self.started = clock()
        self.current = -1
        self.stage_started = self.started

    def start(self, name: str) -> str:
        """Mark the next stage (its name must be the next one planned) and print the line."""
        self.current += 1
        self.stage_started = self.clock()
        planned = self.stages[self.current][0]
        if planned != name:
            raise ValueError(f"stage {name!r} started where {planned!r} was planned")
        line = (f"clingen: [stage {self.current + 1}/{len(self.stages)}] {name} | elapsed "
                f"{duration(self.elapsed())} | about {duration(self.remaining())} left")
        print(line, flush=True)
        return line

    def elapsed(self) -> float:
        return self.clock() - self.started

    def remaining(self) -> float:
        """The estimates of this and the later stages, scaled by how the finished stages
        compared with theirs, less the time the current stage has run already. The scale is
        shrunk towards 1 by a quarter of the whole plan, so a short first stage that ran fast
        (the LLM starting) does not rescale the long ones after it."""
        done_estimate = sum(estimate for _, estimate in self.stages[: self.current])
        done_actual = self.stage_started - self.started
        prior = SHRINKAGE * sum(estimate for _, estimate in self.stages)
        scale = (done_actual + prior) / (done_estimate + prior) if done_estimate + prior > 0 else 1.0
        left = scale * sum(estimate for _, estimate in self.stages[max(self.current, 0):])
        return max(0.0, left - (self.clock() - self.stage_started))
