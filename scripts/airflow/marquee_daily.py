"""Airflow DAG: marquee's daily release-catalog batch, one BashOperator per step.

Each task runs one marquee job for the DAG run's logical date ({{ ds }}, the
release steps) or the day before ({{ macros.ds_add(ds, -1) }}, the event steps).
marquee prints a one-line JSON summary as the LAST stdout line, which
BashOperator pushes to XCom (do_xcom_push=True); exit code 99 means "nothing to
do for this date" and marks the task skipped (skip_on_exit_code=99).

Exit codes: 0 ok, 1 failed, 2 usage/config, 3 too many rejected records,
4 dependency unavailable (retried by Airflow), 99 nothing to do, 130 interrupted.

Configuration comes from /etc/marquee/config.yaml (MARQUEE_CONFIG) and the
MARQUEE_* environment of the worker; secrets (MARQUEE_MONGO_URI,
MARQUEE_SEARCH_API_KEY) come from the worker's environment or *_file keys.
"""
from datetime import timedelta

import pendulum
from airflow import DAG
from airflow.operators.bash import BashOperator

MARQUEE = "/usr/local/bin/marquee"
LINEAGE = (
    " --parent-run-id '{{ run_id }}'"
    " --parent-job-name '{{ dag.dag_id }}.{{ task.task_id }}'"
    " --metrics-file /var/lib/node_exporter/textfile/marquee_{{ task.task_id }}.prom"
    " --log-format json"
)
ENV = {"MARQUEE_CONFIG": "/etc/marquee/config.yaml"}

default_args = {
    "owner": "data-platform",
    "retries": 2,
    "retry_delay": timedelta(minutes=10),
    "retry_exponential_backoff": True,
    "execution_timeout": timedelta(hours=2),
}

with DAG(
    dag_id="marquee_daily",
    description="Crawl, load, enrich and index upcoming releases; export and mart the activity logs",
    schedule="30 4 * * *",
    start_date=pendulum.datetime(2026, 11, 1, tz="Asia/Seoul"),
    catchup=False,
    max_active_runs=1,
    default_args=default_args,
    tags=["marquee", "catalog"],
) as dag:

    def step(task_id, args, date="{{ ds }}"):
        return BashOperator(
            task_id=task_id,
            bash_command=f"{MARQUEE} {args} --date {date}{LINEAGE}",
            env=ENV,
            append_env=True,
            skip_on_exit_code=99,
            do_xcom_push=True,
        )

    crawl = step("crawl", "crawl")
    ingest_posters = step("ingest_posters", "ingest-posters")
    load_mongo = step("load_mongo", "load-mongo --max-rejects 0.05")
    compute_similar = step("compute_similar", "compute-similar --k 10 --source mongo")
    reindex_es = step("reindex_es", "reindex-es --alias releases --keep 2")
    export_events = step(
        "export_events",
        "export-parquet --dataset events --input 'gs://app-logs/events/{{ macros.ds_add(ds, -1) }}/*.jsonl.gz'",
        date="{{ macros.ds_add(ds, -1) }}",
    )
    export_releases = step("export_releases", "export-parquet --dataset releases")
    build_mart = step("build_mart", "build-mart --mart all --top 100", date="{{ macros.ds_add(ds, -1) }}")

    crawl >> ingest_posters >> load_mongo >> [compute_similar, reindex_es, export_releases]
    export_events >> build_mart
    export_releases >> build_mart
