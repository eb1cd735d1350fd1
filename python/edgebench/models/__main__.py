"""python -m edgebench.models {list | export | train | info}: detection models for edgebench's TorchScript
backend (``torchscript:PATH`` and ``builtin``)."""

import argparse
import ast
import json
import os
import sys


def parse_options(items):
    options = {}
    for item in items:
        key, separator, value = item.partition("=")
        if not separator or not key:
            raise ValueError(f"expected KEY=VALUE, got {item!r}")
        try:
            options[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            options[key] = value
    return options


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m edgebench.models", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    commands.add_parser("list", help="list torchvision's detection architectures")

    export = commands.add_parser("export", help="export a torchvision detection architecture as TorchScript")
    export.add_argument("name", help="architecture, e.g. fasterrcnn_mobilenet_v3_large_320_fpn (see `list`)")
    export.add_argument("out", help="the .pt file to write")
    export.add_argument("--weights", default="DEFAULT",
                        help="DEFAULT (pretrained; downloaded once, needs internet), none (random weights, "
                             "nothing downloaded) or a weights name of the architecture")
    export.add_argument("--seed", type=int, default=0, help="seed of the random weights (with --weights none)")
    export.add_argument("--option", action="append", default=[], metavar="KEY=VALUE",
                        help="a constructor argument of the model, e.g. box_score_thresh=0.0 (repeatable)")

    train = commands.add_parser("train", help="train the built-in shapes detector and export it")
    train.add_argument("--out", default="models/shapes-v2.pt")
    train.add_argument("--iterations", type=int, default=None)
    train.add_argument("--batch-size", type=int, default=None)
    train.add_argument("--train-images", type=int, default=None)
    train.add_argument("--threads", type=int, default=0, help="torch threads (0: all cores)")
    train.add_argument("--seed", type=int, default=0)

    info = commands.add_parser("info", help="print the edgebench metadata of a TorchScript model file")
    info.add_argument("model")

    args = parser.parse_args(argv)
    if args.command == "train" and argv is None and "OMP_WAIT_POLICY" not in os.environ:
        # Importing edgebench has loaded libgomp (through libtorch), which read its settings then:
        # start again with sleeping OpenMP threads, several times faster on a busy machine.
        os.environ["OMP_WAIT_POLICY"] = "PASSIVE"
        os.execv(sys.executable, [sys.executable, "-m", "edgebench.models", *sys.argv[1:]])
    try:
        if args.command == "list":
            from .torchvision_export import STUDY_ARCHITECTURES, architectures

            for name in architectures():
                print(name + ("  (original study)" if name in STUDY_ARCHITECTURES else ""))
        elif args.command == "export":
            from .torchvision_export import export as export_model

            result = export_model(args.name, args.out, args.weights, args.seed, **parse_options(args.option))
            print(f"wrote {args.out}: {result['architecture']}, weights {result['weights']}, "
                  f"{len(result['categories'])} categories")
        elif args.command == "train":
            from . import train as training

            settings = {key: value for key, value in (("iterations", args.iterations),
                                                      ("batch_size", args.batch_size),
                                                      ("train_images", args.train_images)) if value is not None}
            training.train(args.out, seed=args.seed, threads=args.threads, **settings)
        elif args.command == "info":
            from . import metadata

            print(json.dumps(metadata.load(args.model), indent=2))
    except (ValueError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
