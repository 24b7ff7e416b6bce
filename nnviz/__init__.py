"""nnviz: watch a neural net learn. A YAML config in; a NumPy-trained tiny net's video out."""
__version__ = "0.1.0"
