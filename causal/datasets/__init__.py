"""Datasets in one schema: the data contract, its loaders, synthetic worlds with known truth,
and the analysis table (a dataset joined and typed for discovery and effects)."""

from causal.datasets.analysis_table import (
    AnalysisTable,
    Frame,
    build_analysis_table,
    table_from_frame,
)
from causal.datasets.schema import (
    DataError,
    Dataset,
    DatasetSchema,
    Role,
    UnknownVariableError,
    VariableInfo,
)
from causal.datasets.variables import Kind, Level, VariableSpec

__all__ = [
    "AnalysisTable",
    "DataError",
    "Dataset",
    "DatasetSchema",
    "Frame",
    "Kind",
    "Level",
    "Role",
    "UnknownVariableError",
    "VariableInfo",
    "VariableSpec",
    "build_analysis_table",
    "table_from_frame",
]
