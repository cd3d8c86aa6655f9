"""TFDS's own builder code, run as far as it goes without a network.

`tfds.testing.mock_data` replaces the builders' reading; these tests run the real
builders: their metadata and the checksum files they look up (which need the
`importlib_resources` module the install must bring), and a download that fails
the way it fails offline, up to the error a user reads.
"""

import json
import subprocess
import sys
import textwrap
from unittest import mock

import pytest
import tensorflow as tf
import tensorflow_datasets as tfds
from tensorflow_datasets.core.download import download_manager

import keras_gans
from keras_gans.data.tfds_source import DownloadFailedError


class TFDSBuilderTest(tf.test.TestCase):
    def test_builders_read_their_metadata_and_checksums(self):
        data_dir = self.get_temp_dir()
        for name, shape, url_part in (
            ("mnist", (28, 28, 1), "mnist/train-images-idx3-ubyte.gz"),
            ("celeb_a", (218, 178, 3), "drive.google.com"),
        ):
            builder = tfds.builder(name, data_dir=data_dir)
            self.assertEqual(tuple(builder.info.features["image"].shape), shape)
            # The registered checksums: read through importlib_resources.
            urls = builder.url_infos
            self.assertTrue(any(url_part in url for url in urls), msg=sorted(urls))
            self.assertTrue(
                all(info.size > 0 and len(info.checksum) == 64 for info in urls.values())
            )

    @pytest.mark.large
    def test_a_failed_download_names_the_folder_alternative(self):
        # The real download path, down to the HTTP request, which fails at once
        # (offline, requests retries for minutes). In a process of its own: TFDS
        # downloads on a thread pool that outlives a failed `load`.
        script = textwrap.dedent(
            """
            import json, sys
            from unittest import mock
            import requests
            import keras_gans

            def send(session, request, **kwargs):
                raise requests.exceptions.ConnectionError("Failed to resolve " + request.url)

            messages = {}
            with mock.patch.object(requests.Session, "send", send):
                for name in ("mnist", "celeb_a"):
                    try:
                        keras_gans.data.load_dataset(name, data_dir=sys.argv[1], batch_size=4)
                    except Exception as e:
                        messages[name] = [type(e).__name__, str(e), type(e.__cause__).__name__]
            print(json.dumps(messages))
            """
        )
        result = subprocess.run(
            [sys.executable, "-c", script, self.get_temp_dir()],
            capture_output=True,
            text=True,
            timeout=300,
        )
        self.assertEqual(result.returncode, 0, msg=result.stderr[-2000:])
        messages = json.loads(result.stdout.strip().splitlines()[-1])
        for name, folder in (("mnist", "path/to/images"), ("celeb_a", "path/to/img_align_celeba")):
            kind, message, cause = messages[name]
            self.assertEqual(kind, "DownloadFailedError")
            self.assertEqual(cause, "ConnectionError")
            self.assertIn(f"could not download {name!r}", message)
            self.assertIn(f"--data={folder}", message)
            self.assertIn("Failed to resolve https://", message)

    def test_a_checksum_mismatch_is_a_failed_download_too(self):
        # What TFDS raises when a quota page is served instead of the CelebA files.
        error = download_manager.NonMatchingChecksumError("https://drive.google.com/uc?id=x")
        with mock.patch.object(download_manager.DownloadManager, "download", side_effect=error):
            with self.assertRaisesRegex(DownloadFailedError, "download quota"):
                keras_gans.data.load_dataset("celeb_a", data_dir=self.get_temp_dir())
