import type BetterSqlite3 from "better-sqlite3";
import { requirePeer } from "../peer-client.js";
import { sqliteMetadata } from "./metadata.js";

/**
 * The `better-sqlite3` module (an optional peer dependency), checked against the range the
 * backend's metadata declares; the backend and the viewer's `--db` reader both open databases
 * through it.
 *
 * @returns the module's `Database` class
 * @throws TraceletError `TRACELET_ERR_DEPENDENCY_MISSING` (with the `npm install` line),
 *   `TRACELET_ERR_DEPENDENCY_VERSION`
 */
export function sqliteDriver(): typeof BetterSqlite3 {
  const [name, range] = Object.entries(sqliteMetadata.requires)[0] as [string, string];
  return requirePeer<typeof BetterSqlite3>("sqlite", name, range);
}
