"""Test collection: the `large` marker, no phantom `test_session` items, file order.

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
    # Files with `large` tests first, each file's tests kept in order: the two
    # workers (`-n 2 --dist loadfile --no-loadscope-reorder`, setup.cfg) take
    # files in this order, so the long ones start early and the many short
    # ones even out the end instead of one worker finishing a long file alone.
    large_files = {item.path for item in items if item.get_closest_marker("large")}
    items.sort(key=lambda item: item.path not in large_files)
