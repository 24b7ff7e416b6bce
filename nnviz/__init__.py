"""nnviz: watch a neural net learn. A YAML config in; a NumPy-trained tiny net's video out.

    import nnviz
    video = nnviz.render("configs/sine-2x10-adam.yaml")     # a nnviz.Video; in Jupyter it plays inline
    rec = nnviz.Recorder(x, y)                              # a net trained elsewhere: rec.record(step, ...)

The Python API (docs/python.md) is loaded on first use, so `import nnviz` and the command line stay quick.
"""
__version__ = "0.1.0"
__all__ = ["render", "Video", "Recorder", "RecordError", "ConfigError", "RenderError", "NnvizError"]


def __getattr__(name: str):
    if name in ("render", "Video"):
        from . import api

        return getattr(api, name)
    if name in ("Recorder", "RecordError"):
        from . import record

        return getattr(record, name)
    if name in ("ConfigError", "RenderError", "NnvizError"):
        from . import errors

        return getattr(errors, name)
    raise AttributeError(f"module 'nnviz' has no attribute {name!r}")
