"""`TerminateOnDivergence`, the guard `AdversarialModel.fit` adds (defined with the engine)."""

from keras_gans.models.divergence import TerminateOnDivergence

__all__ = ["TerminateOnDivergence"]
