"""For dockerfile challenges: what the grader learned about the candidate's image.

    from imagefacts import facts
    facts()["config"]["User"]          # image config: User, Cmd, Entrypoint, ExposedPorts,
                                       # Healthcheck, Labels, Env, WorkingDir, StopSignal
    facts()["size_mb"], facts()["layers"], facts()["history"], facts()["dockerfile"]
    facts()["probes"]["name"]          # {exit_code, output, timed_out, seconds[, error]}
    facts()["main"]                    # {running, logs} of the container started from the image
"""

import json

_cache = None


def facts() -> dict:
    global _cache
    if _cache is None:
        with open("/judge/facts.json", encoding="utf-8") as handle:
            _cache = json.load(handle)
    return _cache
