#!/bin/bash
# Run once by the postgres image when the primary's data directory is created
# (docker-compose.yml): the replica may stream from it with the application's password.
set -e
echo "host replication all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
