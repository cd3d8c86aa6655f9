import json

import keras
import numpy as np
import tensorflow as tf
from scipy import stats

from keras_gans import AdversarialModel
from keras_gans.losses import Regularizer
from keras_gans.losses import RegularizerInputs
from keras_gans.losses.penalties import GradientPenalty
from keras_gans.losses.penalties import R1Penalty
from keras_gans.losses.penalties import gradient_penalty
from keras_gans.losses.penalties import r1_penalty
from tests.testing import tiny_generator


def _linear_critic(w):
    """D(x) = <w, x>: its gradient is w everywhere, of norm ||w||."""
    w = tf.constant(w, tf.float32)
    return lambda x: tf.reduce_sum(x * w, axis=[1, 2, 3])[:, None]


def _quadratic_critic(x):
    """D(x) = sum(x^2): its gradient is 2x."""
    return tf.reduce_sum(tf.square(x), axis=[1, 2, 3])


class _Critic:
    """Stands in for the `AdversarialModel` a `RegularizerInputs` asks for outputs.

    Records every batch of samples and labels the regulariser shows the
    discriminator.
    """

    def __init__(self, critic):
        self.critic = critic
        self.samples = []
        self.labels = []

    def discriminate(self, samples, labels=None, training=False):
        if tf.executing_eagerly():
            self.samples.append(np.asarray(samples))
            self.labels.append(labels)
        return self.critic(samples)


def _inputs(critic, real, fake, step=0, seed=None, labels=None):
    seed = keras.random.SeedGenerator(0) if seed is None else seed
    return RegularizerInputs(critic, real, fake, labels, None, step, seed)


class GradientPenaltyTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        rng = np.random.default_rng(0)
        self.real = rng.normal(size=(4, 2, 2, 1)).astype("float32")
        self.fake = rng.normal(size=(4, 2, 2, 1)).astype("float32")
        self.weights = rng.uniform(size=(4,)).astype("float32")

    def test_linear_critic_closed_form(self):
        w = np.full((2, 2, 1), 1.5, "float32")  # ||w|| = 3
        value = gradient_penalty(_linear_critic(w), self.real, self.fake, self.weights)
        self.assertAllClose(value, (3.0 - 1.0) ** 2)
        small = np.full((2, 2, 1), 0.25, "float32")  # ||w|| = 0.5
        critic = _linear_critic(small)
        self.assertAllClose(gradient_penalty(critic, self.real, self.fake, self.weights), 0.25)
        self.assertAllClose(
            gradient_penalty(critic, self.real, self.fake, self.weights, one_sided=True), 0.0
        )
        self.assertAllClose(
            gradient_penalty(_linear_critic(w), self.real, self.fake, self.weights, target=3.0),
            0.0,
            atol=1e-6,
        )

    def test_interpolates_per_sample(self):
        value = gradient_penalty(_quadratic_critic, self.real, self.fake, self.weights)
        a = self.weights.astype("float64")[:, None, None, None]
        mixed = a * self.real + (1 - a) * self.fake
        norms = np.sqrt(np.sum((2 * mixed) ** 2, axis=(1, 2, 3)) + 1e-10)
        self.assertAllClose(value, np.mean((norms - 1.0) ** 2), rtol=1e-5)

    def test_zero_gradient_is_safe(self):
        scale = tf.Variable(0.0)
        with tf.GradientTape() as tape:
            value = gradient_penalty(
                lambda x: scale * tf.reduce_sum(x, axis=[1, 2, 3]),
                self.real,
                self.fake,
                self.weights,
            )
        self.assertAllClose(value, 1.0, atol=1e-4)
        gradient = tape.gradient(value, scale)
        self.assertTrue(np.isfinite(gradient.numpy()))

    def test_penalty_object_draws_a_uniform_weight_per_sample(self):
        # Real = 1 and fake = 0: sample i is interpolated to a_i everywhere, and
        # the quadratic critic's gradient there, 2 a_i, has the norm
        # 2 a_i sqrt(4). So the samples the critic sees reveal each weight, and
        # the penalty's value must be the mean of (4 a_i - 1)^2 over them.
        batch = 8
        real = np.ones((batch, 2, 2, 1), "float32")
        fake = np.zeros((batch, 2, 2, 1), "float32")
        penalty = GradientPenalty(weight=10.0)
        seed = keras.random.SeedGenerator(7)
        alphas = []
        for step in range(50):
            critic = _Critic(_quadratic_critic)
            value = penalty(_inputs(critic, real, fake, step=step, seed=seed))
            (mixed,) = critic.samples
            # One weight per sample, the same for all of its elements.
            self.assertAllClose(mixed, np.broadcast_to(mixed[:, :1, :1, :1], mixed.shape))
            a = mixed[:, 0, 0, 0].astype("float64")
            self.assertLen(set(a.tolist()), batch)  # distinct per sample
            norms = np.sqrt((2 * a) ** 2 * 4 + 1e-10)
            self.assertAllClose(value, 10.0 * np.mean((norms - 1.0) ** 2), rtol=1e-5)
            alphas.append(a)
        alphas = np.concatenate(alphas)
        self.assertLen(set(alphas.tolist()), alphas.size)  # new draws at every step
        self.assertAllInRange(alphas, 0.0, 1.0)
        # 400 draws from U(0, 1): the KS statistic of a fixed seed, far from rejection.
        result = stats.kstest(alphas, "uniform")
        self.assertGreater(result.pvalue, 0.05, result)

    def test_lazy_gradient_penalty(self):
        w = np.full((2, 2, 1), 1.5, "float32")  # GP = (3 - 1)^2 = 4 at any weights
        penalty = GradientPenalty(weight=10.0, every=2)
        critic = _Critic(_linear_critic(w))
        values = [
            float(penalty(_inputs(critic, self.real, self.fake, step=step), lazy=True))
            for step in range(4)
        ]
        # 10 * 2 * 4 on even steps, zero on odd ones, the discriminator not
        # even called: the same average as 10 * 4 every step.
        self.assertAllClose(values, [80.0, 0.0, 80.0, 0.0])
        self.assertLen(critic.samples, 2)
        eager = float(penalty(_inputs(critic, self.real, self.fake, step=1), lazy=False))
        self.assertAllClose(eager, 40.0)
        self.assertAllClose(penalty.compute(_inputs(critic, self.real, self.fake)), 4.0)

    def test_config_and_errors(self):
        penalty = GradientPenalty(5.0, target=2.0, one_sided=True, every=4)
        config = {"weight": 5.0, "target": 2.0, "one_sided": True, "every": 4}
        self.assertEqual(penalty.get_config(), config)
        self.assertEqual(GradientPenalty.from_config(config).get_config(), config)
        serialized = json.loads(json.dumps(keras.saving.serialize_keras_object(penalty)))
        restored = keras.saving.deserialize_keras_object(serialized)
        self.assertIsInstance(restored, GradientPenalty)
        self.assertEqual(restored.get_config(), config)
        self.assertEqual(
            GradientPenalty().get_config(),
            {"weight": 10.0, "target": 1.0, "one_sided": False, "every": 1},
        )
        self.assertEqual((penalty.name, penalty.player), ("gradient_penalty", "discriminator"))
        with self.assertRaisesRegex(ValueError, "weight=-1"):
            GradientPenalty(-1)
        with self.assertRaisesRegex(ValueError, "`one_sided` must be True or False"):
            GradientPenalty(one_sided=1)
        with self.assertRaisesRegex(ValueError, "every=0"):
            GradientPenalty(every=0)


class R1PenaltyTest(tf.test.TestCase):
    def test_against_numpy(self):
        real = np.random.default_rng(1).normal(size=(3, 2, 2, 1)).astype("float32")
        expected = np.mean(np.sum((2.0 * real.astype("float64")) ** 2, axis=(1, 2, 3)))
        self.assertAllClose(r1_penalty(_quadratic_critic, real), expected, rtol=1e-5)
        w = np.full((2, 2, 1), 1.5, "float32")
        self.assertAllClose(r1_penalty(_linear_critic(w), real), 9.0)

    def test_lazy_regularisation(self):
        real = np.ones((2, 2, 2, 1), "float32")  # r1 = 16 for the quadratic critic
        fake = np.zeros_like(real)
        penalty = R1Penalty(gamma=2.0, every=4)
        critic = _Critic(_quadratic_critic)
        values = [float(penalty(_inputs(critic, real, fake, step=step))) for step in range(8)]
        # 0.5 * gamma * every * r1 on steps 0 and 4, zero elsewhere: the same
        # average as 0.5 * gamma * r1 on every step.
        self.assertAllClose(values, [64.0, 0, 0, 0, 64.0, 0, 0, 0])
        self.assertAllClose(np.mean(values), 0.5 * 2.0 * 16.0)
        # R1 looks at the real samples only.
        for samples in critic.samples:
            self.assertAllEqual(samples, real)
        eager = R1Penalty(gamma=2.0)
        self.assertAllClose(eager(_inputs(critic, real, fake, step=3)), 16.0)
        self.assertAllClose(penalty(_inputs(critic, real, fake, step=3), lazy=False), 16.0)
        self.assertAllClose(penalty.compute(_inputs(critic, real, fake, step=3)), 16.0)

    def test_lazy_regularisation_in_a_traced_step(self):
        real = np.ones((2, 2, 2, 1), "float32")
        penalty = R1Penalty(gamma=2.0, every=3)
        step = tf.Variable(0, dtype=tf.int64)
        critic, seed = _Critic(_quadratic_critic), keras.random.SeedGenerator(0)

        @tf.function
        def value():
            return penalty(_inputs(critic, real, real, step=step, seed=seed))

        values = []
        for _ in range(6):
            values.append(float(value()))
            step.assign_add(1)
        self.assertAllClose(values, [48.0, 0, 0, 48.0, 0, 0])

    def test_config_and_errors(self):
        self.assertEqual(R1Penalty(3.0, every=16).get_config(), {"gamma": 3.0, "every": 16})
        self.assertEqual(R1Penalty(3.0).weight, 1.5)
        restored = keras.saving.deserialize_keras_object(
            keras.saving.serialize_keras_object(R1Penalty(3.0, every=16))
        )
        self.assertEqual(
            (type(restored), restored.get_config()), (R1Penalty, R1Penalty(3.0, 16).get_config())
        )
        with self.assertRaisesRegex(ValueError, "every=0"):
            R1Penalty(every=0)
        with self.assertRaisesRegex(ValueError, "gamma='a'"):
            R1Penalty(gamma="a")


# --- Penalties of a conditional model -------------------------------------

SCALES = np.array([1.0, 2.0, 3.0], "float32")  # the critic's scale of each class


def _conditional_critic():
    """D(x, y) = s_y * sum(x^2) / 2: its gradient s_y * x needs the right label."""
    image = keras.Input((2, 2, 1), name="image")
    label = keras.Input((), dtype="int32", name="label")
    scale = keras.layers.Embedding(3, 1, name="scale")(label)
    energy = keras.layers.Lambda(lambda x: 0.5 * keras.ops.sum(x * x, axis=(1, 2, 3)))(image)
    outputs = keras.layers.Multiply()([scale, keras.layers.Reshape((1,))(energy)])
    critic = keras.Model({"image": image, "label": label}, outputs)
    critic.get_layer("scale").set_weights([SCALES[:, None]])
    return critic


class ConditionalPenaltyTest(tf.test.TestCase):
    def setUp(self):
        super().setUp()
        keras.utils.set_random_seed(0)
        generator = tiny_generator(image_shape=(2, 2, 1), num_classes=3)
        self.gan = AdversarialModel(generator, _conditional_critic(), num_classes=3, seed=0)
        rng = np.random.default_rng(3)
        self.real = rng.normal(size=(4, 2, 2, 1)).astype("float32")
        self.labels = tf.constant([0, 1, 2, 2], "int32")
        self.norms = SCALES[self.labels.numpy()] * np.sqrt(np.sum(self.real**2, axis=(1, 2, 3)))

    def _values(self, labels):
        # real = fake: the interpolated samples are the real ones, whatever the
        # weights. The discriminator made no update yet: an update where each
        # regulariser is computed, at its plain weight (every=1).
        return self.gan.regularization("discriminator", self.real, self.real, labels, None)

    def test_gradient_penalty_and_r1_see_each_sample_with_its_own_label(self):
        self.gan.compile(regularizers=[GradientPenalty(10.0), R1Penalty(gamma=4.0)])
        values = self._values(self.labels)
        self.assertEqual(sorted(values), ["gradient_penalty", "r1_penalty"])
        norms = self.norms.astype("float64")
        self.assertAllClose(
            values["gradient_penalty"], 10.0 * np.mean((norms - 1.0) ** 2), rtol=1e-5
        )
        self.assertAllClose(values["r1_penalty"], 2.0 * np.mean(norms**2), rtol=1e-5)
        # Another pairing of the same labels gives another value.
        permuted = self._values(self.labels[::-1])
        self.assertNotAllClose(permuted["r1_penalty"], values["r1_penalty"])

    def test_regularizers_see_the_discriminator_outputs_in_float32(self):
        # A discriminator whose outputs stay float16 (no cast at its end).
        keras.mixed_precision.set_global_policy("mixed_float16")
        self.addCleanup(keras.mixed_precision.set_global_policy, "float32")
        image = keras.Input((2, 2, 1), name="image")
        logits = keras.layers.Dense(1)(keras.layers.Flatten()(image))
        discriminator = keras.Model(image, logits)
        generator = tiny_generator(image_shape=(2, 2, 1))
        gan = AdversarialModel(generator, discriminator, seed=0)
        gan.compile(regularizers=[GradientPenalty(10.0)])
        self.assertEqual(keras.backend.standardize_dtype(discriminator(self.real).dtype), "float16")
        inputs = RegularizerInputs(gan, self.real, self.real, None, None, 0, gan.seed_generator)
        outputs = inputs.discriminator_fn(tf.constant(self.real))
        self.assertEqual(keras.backend.standardize_dtype(outputs.dtype), "float32")
        value = gan.regularization("discriminator", self.real, self.real, None, None)
        self.assertEqual(
            keras.backend.standardize_dtype(value["gradient_penalty"].dtype), "float32"
        )


class RegularizerTest(tf.test.TestCase):
    def test_a_subclass_needs_only_compute(self):
        class Constant(Regularizer):
            name = "constant"

            def compute(self, inputs):
                return 3.0

        term = Constant(weight=0.5, every=2)
        inputs = _inputs(_Critic(_quadratic_critic), None, None, step=0)
        self.assertAllClose(term(inputs), 3.0)  # 0.5 * 2 * 3
        inputs.step = 1
        self.assertAllClose(term(inputs), 0.0)
        self.assertAllClose(term(inputs, lazy=False), 1.5)
        self.assertEqual(term.get_config(), {"weight": 0.5, "every": 2})
        self.assertEqual(repr(term), "Constant(weight=0.5, every=2)")

    def test_compile_refuses_bad_regularizers(self):
        gan = AdversarialModel(
            tiny_generator(image_shape=(2, 2, 1)), _conditional_critic_unconditional(), seed=0
        )
        with self.assertRaisesRegex(
            ValueError, "Each regulariser must be a `keras_gans.losses.Regularizer`.*Received: 'gp'"
        ):
            gan.compile(regularizers=["gp"])
        with self.assertRaisesRegex(
            ValueError,
            r"Regulariser names must be unique. "
            r"Received: \['gradient_penalty', 'gradient_penalty'\]",
        ):
            gan.compile(regularizers=[GradientPenalty(), GradientPenalty(1.0)])


def _conditional_critic_unconditional():
    image = keras.Input((2, 2, 1), name="image")
    return keras.Model(image, keras.layers.Dense(1)(keras.layers.Flatten()(image)))
