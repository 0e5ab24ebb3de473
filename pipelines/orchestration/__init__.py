"""Orchestration adapters: the Airflow DAG (`airflow_dag`) and the Dagster definitions
(`dagster_defs`). Both are thin: they call `sales_tasks.pipelines.extract.run_extract` /
the vendors' sources and `sales_tasks.pipelines.push.run_push`, the factories the CLI uses, with
settings from `settings`. Neither imports its orchestrator here, so this package imports anywhere.
"""
