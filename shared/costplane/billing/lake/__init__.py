"""The FOCUS lake: an Apache Iceberg table any engine can read, written by restatement.

settings.py/catalog.py open the pyiceberg catalog (SQLite locally, Glue on AWS, REST
elsewhere); table.py creates the FOCUS table; writer.py ingests bill files (datafiles.py
writes their Parquet files, restate.py commits them in one snapshot, manifest.py remembers
what was ingested, commit.py retries lost commit races, conflicts.py refuses what would
double a bill and counts what a restatement replaces, datasets.py combines Azure's actual
and amortized exports); query.py reads the lake back (`lake sql` sandboxed).
"""
