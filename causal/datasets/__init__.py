"""Datasets in one schema: the data contract, its loaders and synthetic worlds with known truth."""

from causal.datasets.schema import DataError, Dataset, DatasetSchema, Role, VariableInfo

__all__ = ["DataError", "Dataset", "DatasetSchema", "Role", "VariableInfo"]
