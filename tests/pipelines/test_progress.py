from clingen_hf.pipelines.progress import JobProgress, duration


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def test_the_overall_line_counts_stages_and_recalibrates_the_time_left(capsys):
    clock = Clock()
    progress = JobProgress([("generating zerogen", 100.0), ("training zerogen", 50.0), ("quality numbers", 50.0)], clock)
    assert progress.start("generating zerogen") == ("clingen: [stage 1/3] generating zerogen | elapsed 0 s | "
                                                     "about 3 min 20 s left")
    clock.now = 200.0  # the first stage took twice its estimate: the rest will take longer too
    scale = (200.0 + 50.0) / (100.0 + 50.0)  # shrunk towards 1 by a quarter of the 200 s plan
    assert progress.start("training zerogen").endswith(
        f"[stage 2/3] training zerogen | elapsed 3 min 20 s | about {duration(scale * 100.0)} left")
    assert "stage 2/3" in capsys.readouterr().out
    clock.now = 250.0
    assert progress.remaining() == scale * (50.0 + 50.0) - 50.0  # the estimates rescaled, less the 50 s spent


def test_a_short_fast_first_stage_does_not_rescale_the_long_ones():
    clock = Clock()
    progress = JobProgress([("starting the embedded LLM", 45.0), ("generating clingen-kg", 600.0),
                            ("training clingen-kg", 600.0)], clock)
    progress.start("starting the embedded LLM")
    clock.now = 11.0
    progress.start("generating clingen-kg")
    assert 0.9 * 1200.0 < progress.remaining() < 1200.0


def test_a_stage_out_of_plan_is_an_error():
    progress = JobProgress([("a", 1.0), ("b", 1.0)])
    try:
        progress.start("b")
    except ValueError as error:
        assert "'b' started where 'a' was planned" in str(error)
    else:
        raise AssertionError("out-of-plan stage accepted")
    assert duration(61) == "1 min 01 s" and duration(5.4) == "5 s"
