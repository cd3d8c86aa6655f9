"""Test collection: the `large` marker, and no phantom `test_session` items.

`python -m pytest tests` runs the whole suite (what CI runs). Tests marked
`large` start subprocesses, run examples or check the pretrained generators;
`python -m pytest tests -m "not large"` leaves them out for a quick run.
"""


def pytest_collection_modifyitems(config, items):
    # Every `tf.test.TestCase` inherits a `test_session` method, which pytest
    # collects and TensorFlow then skips: deselected here, so that a real
    # skip shows in the summary.
    phantom = [item for item in items if item.name == "test_session"]
    if phantom:
        config.hook.pytest_deselected(items=phantom)
        items[:] = [item for item in items if item.name != "test_session"]
