-- The GPU workers' PostgreSQL role (stemgen_worker): what a Hangfire worker server needs in schema hangfire, and nothing
-- else. It cannot read the studio's tables (users, projects, stems...), cannot create a job and cannot change what a job
-- runs: no INSERT on hangfire.job, and UPDATE of its state columns only. (The studio's own job server also refuses any
-- job type it does not define: src/StemGen.Web/Jobs/StudioJobTypes.cs.)
--
-- Run it in the studio's database as postgres or the studio's role, once the studio has created Hangfire's schema (its
-- first start with Jobs:Storage=Postgres), and again after every upgrade (a new Hangfire version may add tables):
--   sudo -u postgres psql stemgen -f deploy/postgres/hangfire-worker-role.sql
-- The role itself is made first: CREATE ROLE stemgen_worker LOGIN PASSWORD (see deploy/README.md, The studio box).
-- tests/StemGen.Web.Tests/Hostile/WorkerDatabaseRoleTests.cs runs this file against a real PostgreSQL.

DO $$ BEGIN EXECUTE format('GRANT CONNECT ON DATABASE %I TO stemgen_worker', current_database()); END $$;
GRANT USAGE ON SCHEMA hangfire TO stemgen_worker;

-- Start from nothing, so running it again after an upgrade also takes back rights given by hand or by older versions.
REVOKE ALL ON ALL TABLES IN SCHEMA hangfire FROM stemgen_worker;
REVOKE ALL ON ALL SEQUENCES IN SCHEMA hangfire FROM stemgen_worker;

-- Queues, states, parameters, servers, locks, counters, sets, lists, hashes: a worker server writes all of them.
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA hangfire TO stemgen_worker;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA hangfire TO stemgen_worker;

-- Jobs: read them, move their state, expire and delete old ones; never create one or rewrite its type, method or arguments.
REVOKE INSERT, UPDATE ON hangfire.job FROM stemgen_worker;
GRANT UPDATE (stateid, statename, expireat) ON hangfire.job TO stemgen_worker;
