from imagefacts import facts


def test_page_is_served_on_8080():
    output = facts()["probes"]["page"]["output"]
    assert output.startswith("200"), output[:200]
    assert "All systems operational" in output


def test_has_title_label():
    labels = facts()["config"]["Labels"] or {}
    assert labels.get("org.opencontainers.image.title") == "status-page"
