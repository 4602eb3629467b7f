/**
 * The central server's tables. The seed (001 §4) names users, the client
 * index and the virtual-server table; `peers` and `meta` are ours, for
 * failover and restart.
 */
export const SCHEMA_VERSION = 1

export const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
  user_serial_id INTEGER PRIMARY KEY AUTOINCREMENT,
  userid TEXT NOT NULL UNIQUE,
  peer_id TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  last_seen INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS virtual_servers (
  peer_id TEXT PRIMARY KEY,
  server_address TEXT NOT NULL,
  server_port INTEGER NOT NULL,
  router_band TEXT NOT NULL,
  client_count INTEGER NOT NULL,
  limit_count INTEGER NOT NULL,
  members TEXT NOT NULL,
  position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS virtual_servers_band ON virtual_servers (router_band);

CREATE TABLE IF NOT EXISTS peers (
  peer_id TEXT PRIMARY KEY,
  router_band TEXT NOT NULL,
  role TEXT NOT NULL,
  virtual_server TEXT,
  addresses TEXT NOT NULL,
  joined_at INTEGER NOT NULL,
  reachable INTEGER NOT NULL,
  cpus INTEGER NOT NULL,
  memory_mb INTEGER NOT NULL,
  position INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS peers_band ON peers (router_band);

CREATE TABLE IF NOT EXISTS client_index (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  cid TEXT NOT NULL,
  peer_id TEXT NOT NULL,
  filename TEXT NOT NULL,
  directory TEXT NOT NULL,
  filesize INTEGER NOT NULL,
  title TEXT NOT NULL DEFAULT '',
  keyword TEXT NOT NULL DEFAULT '',
  user_serial_id INTEGER,
  userid TEXT NOT NULL,
  router_band TEXT NOT NULL DEFAULT '',
  search_text TEXT NOT NULL DEFAULT '',
  UNIQUE (peer_id, cid)
);
CREATE INDEX IF NOT EXISTS client_index_filename ON client_index (filename);
CREATE INDEX IF NOT EXISTS client_index_peer ON client_index (peer_id);
`
