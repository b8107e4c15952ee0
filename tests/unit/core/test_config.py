import pytest

from worker.core.config import ConfigError, Limits, load_settings


def test_defaults_match_the_sandbox_policy():
    limits = load_settings({}).limits
    assert (limits.memory_mb, limits.pids, limits.cpus, limits.wall_seconds) == (256, 64, 1.0, 10.0)


def test_env_overrides_and_ceiling_clamps():
    settings = load_settings({"LAB_MEMORY_MB": "512", "LAB_MAX_MEMORY_MB": "300",
                              "LAB_WALL_SECONDS": "4"})
    assert settings.limits.memory_mb == 300
    assert settings.limits.wall_seconds == 4.0


def test_challenge_can_tighten_but_not_exceed_the_ceiling():
    ceiling = Limits(memory_mb=512, wall_seconds=20)
    got = Limits().tightened({"memory_mb": 64, "wall_seconds": 99}, ceiling)
    assert got.memory_mb == 64 and got.wall_seconds == 20


@pytest.mark.parametrize("value", ["lots", "-1", "0", ""])
def test_bad_values_name_the_variable(value):
    with pytest.raises(ConfigError, match="LAB_MEMORY_MB"):
        load_settings({"LAB_MEMORY_MB": value})


def test_worker_queues():
    from worker.core.kinds import queue_for

    assert load_settings({}).worker_queues == ("run", "submit", "build")
    assert load_settings({"LAB_WORKER_QUEUES": "build"}).worker_queues == ("build",)
    with pytest.raises(ConfigError, match="LAB_WORKER_QUEUES"):
        load_settings({"LAB_WORKER_QUEUES": "gpu"})
    assert [queue_for("run", "python"), queue_for("submit", "flask"),
            queue_for("run", "dockerfile")] == ["run", "submit", "build"]
