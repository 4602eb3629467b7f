/**
 * The work manager's tables, in the bootstrap's central.db next to the
 * tables of bootstrap/tables (whose `users` table registration links to).
 * Unit and replica rows use the job's integer `seq`, not its text id, to keep
 * the hot rows and their keys small.
 */
export const COMPUTE_SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  id TEXT NOT NULL UNIQUE,
  owner TEXT NOT NULL,
  name TEXT NOT NULL,
  app TEXT NOT NULL,
  app_name TEXT NOT NULL,
  spec TEXT NOT NULL,
  priority INTEGER NOT NULL,
  state TEXT NOT NULL,
  unit_count INTEGER NOT NULL,
  submitted_at INTEGER NOT NULL,
  finished_at INTEGER,
  unit_states TEXT NOT NULL,
  replica_states TEXT NOT NULL,
  solo_valid_units INTEGER NOT NULL DEFAULT 0,
  errors TEXT NOT NULL DEFAULT '[]',
  owner_addrs TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS jobs_owner ON jobs (owner, seq);
CREATE INDEX IF NOT EXISTS jobs_running ON jobs (state) WHERE state = 'running';

CREATE TABLE IF NOT EXISTS units (
  job_seq INTEGER NOT NULL,
  unit_index INTEGER NOT NULL,
  state TEXT NOT NULL,
  args TEXT NOT NULL,
  inputs TEXT NOT NULL,
  cost REAL NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  want INTEGER NOT NULL,
  valid_hash BLOB,
  error TEXT,
  decided_at INTEGER,
  PRIMARY KEY (job_seq, unit_index)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS replicas (
  id INTEGER PRIMARY KEY,
  job_seq INTEGER NOT NULL,
  unit_index INTEGER NOT NULL,
  provider TEXT NOT NULL,
  state TEXT NOT NULL,
  solo INTEGER NOT NULL DEFAULT 0,
  assigned_at INTEGER NOT NULL,
  deadline_at INTEGER NOT NULL,
  reported_at INTEGER,
  hash BLOB,
  output_bytes INTEGER,
  wall_ms INTEGER,
  error TEXT
);
CREATE INDEX IF NOT EXISTS replicas_unit ON replicas (job_seq, unit_index);

CREATE TABLE IF NOT EXISTS providers (
  peer_id TEXT PRIMARY KEY,
  host TEXT NOT NULL,
  cpus INTEGER NOT NULL,
  max_memory_mb INTEGER NOT NULL,
  apps TEXT NOT NULL,
  state TEXT NOT NULL,
  banned INTEGER NOT NULL DEFAULT 0,
  valid INTEGER NOT NULL DEFAULT 0,
  invalid INTEGER NOT NULL DEFAULT 0,
  failed INTEGER NOT NULL DEFAULT 0,
  timed_out INTEGER NOT NULL DEFAULT 0,
  lost INTEGER NOT NULL DEFAULT 0,
  valid_streak INTEGER NOT NULL DEFAULT 0,
  turnaround_sum INTEGER NOT NULL DEFAULT 0,
  turnaround_count INTEGER NOT NULL DEFAULT 0,
  first_seen INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS provider_apps (
  peer_id TEXT NOT NULL REFERENCES providers (peer_id) ON DELETE CASCADE,
  app_cid TEXT NOT NULL,
  PRIMARY KEY (peer_id, app_cid)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS provider_apps_app ON provider_apps (app_cid);

CREATE TABLE IF NOT EXISTS user_details (
  user_serial_id INTEGER PRIMARY KEY REFERENCES users (user_serial_id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  registered_at INTEGER NOT NULL
);
`
