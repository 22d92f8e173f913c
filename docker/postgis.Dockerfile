# PostGIS 3.3 on PostgreSQL 15 with pgRouting, which the postgis image lacks.
FROM postgis/postgis:15-3.3
RUN apt-get update \
 && apt-get install -y --no-install-recommends postgresql-15-pgrouting \
 && rm -rf /var/lib/apt/lists/*
