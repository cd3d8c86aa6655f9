"""`keras-gans info`: what a trained model is, as text or JSON."""

import json

from keras_gans.cli import common

NAME = "info"
HELP = "describe a trained model (.keras or SavedModel)"
DESCRIPTION = (
    "Prints what MODEL is (AdversarialModel class or SavedModel), its latent size, classes, "
    "resolution, whether it is style-based, and the trained steps (.keras) or the "
    "signatures (SavedModel)."
)
EXAMPLE = "keras-gans info runs/digits/gan.keras"


def add_arguments(parser):
    parser.add_argument("model", metavar="MODEL", help=common.MODEL_HELP)
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")


def _spec(spec):
    shape = ", ".join("None" if d is None else str(d) for d in spec.shape)
    return f"{spec.dtype.name}[{shape}]"


def _signature(function):
    args, kwargs = function.structured_input_signature
    inputs = {spec.name: spec for spec in args} if args else dict(kwargs)
    outputs = function.structured_outputs
    if not isinstance(outputs, dict):
        outputs = {"output": outputs}
    # By name: a loaded SavedModel gives its keyword inputs in no fixed order.
    return {
        "inputs": {name: _spec(inputs[name]) for name in sorted(inputs)},
        "outputs": {name: _spec(outputs[name]) for name in sorted(outputs)},
    }


def describe(model):
    """The facts `info` prints, as a JSON-able dict."""
    source = model.source
    facts = {"model": model.path}
    if model.gan is not None:
        import keras

        gan = model.gan
        facts["kind"] = f"AdversarialModel ({type(gan).__name__})"
        facts["generator"] = type(gan.generator).__name__
        facts["discriminator"] = type(gan.discriminator).__name__
        facts["parameters"] = {
            "generator": int(gan.generator.count_params()),
            "discriminator": int(gan.discriminator.count_params()),
        }
        facts["trained_steps"] = int(keras.ops.convert_to_numpy(gan.trained_steps))
        facts["weight_average"] = bool(gan.uses_ema)
    else:
        facts["kind"] = "SavedModel"
        facts["signatures"] = {
            name: _signature(function)
            for name, function in sorted(model.saved_model.signatures.items())
        }
    facts["latent_dim"] = int(source.latent_dim)
    facts["conditional"] = bool(source.conditional)
    facts["num_classes"] = source.num_classes
    facts["image_shape"] = [int(d) for d in source.image_shape]
    facts["style_based"] = model.style_based
    if model.style_based:
        facts["num_ws"], facts["w_dim"] = (int(d) for d in source.w_shape)
    return facts


def _text(facts):
    height, width, channels = facts["image_shape"]
    if not facts["conditional"]:
        classes = "unconditional"
    elif facts["num_classes"] is None:
        classes = "conditional (the number of classes is not recorded)"
    else:
        classes = f"{facts['num_classes']} (conditional)"
    lines = [
        f"model:        {facts['model']}",
        f"kind:         {facts['kind']}",
        f"latent size:  {facts['latent_dim']}",
        f"classes:      {classes}",
        f"resolution:   {height}x{width}, {channels} channel{'s' if channels != 1 else ''}",
    ]
    if facts["style_based"]:
        lines.append(f"style-based:  yes ({facts['num_ws']} style layers, w of {facts['w_dim']})")
    else:
        lines.append("style-based:  no")
    if "trained_steps" in facts:
        lines += [
            f"trained steps: {facts['trained_steps']}",
            f"networks:     {facts['generator']} ({facts['parameters']['generator']:,} "
            f"parameters), {facts['discriminator']} "
            f"({facts['parameters']['discriminator']:,} parameters)",
            f"weight average: {'yes' if facts['weight_average'] else 'no'}",
        ]
    for name, signature in facts.get("signatures", {}).items():
        inputs = ", ".join(f"{k}: {v}" for k, v in signature["inputs"].items())
        outputs = ", ".join(f"{k}: {v}" for k, v in signature["outputs"].items())
        lines.append(f"signature {name}({inputs}) -> {outputs}")
    return "\n".join(lines)


def run(args):
    common.model_kind(args.model)
    model = common.load_model(args.model, args.verbose)
    facts = describe(model)
    print(json.dumps(facts, indent=2) if args.json else _text(facts))
