// Migration 13: dataset ids are never reused — the datasets table is rebuilt with AUTOINCREMENT (a deleted dataset's id used to go to the next one created, so a run or URL naming the old id pointed at another dataset).
import type { Database } from 'better-sqlite3';
import type { Migration } from './types';

/**
 * SQLite's table rebuild (https://sqlite.org/lang_altertable.html#otheralter), run with foreign keys off (see
 * Migration.foreignKeysOff) so dropping the old table cascades nothing; the rows of every table that references a
 * dataset stay as they are, and the id of each dataset too. Built from the table's current definition, so columns
 * added by other migrations come along.
 */
function rebuildWithAutoincrement(db: Database): void {
  const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'datasets'").get() as { sql: string };
  const create = table.sql.replace(/^CREATE TABLE datasets\b/, 'CREATE TABLE datasets_rebuilt').replace(/\bid INTEGER PRIMARY KEY\b(?! AUTOINCREMENT)/, 'id INTEGER PRIMARY KEY AUTOINCREMENT');
  if (!create.includes('AUTOINCREMENT') || !create.startsWith('CREATE TABLE datasets_rebuilt')) throw new Error('migration 13: unexpected datasets definition');
  const extras = db.prepare("SELECT sql FROM sqlite_master WHERE tbl_name = 'datasets' AND type IN ('index', 'trigger') AND sql IS NOT NULL").all() as { sql: string }[];
  const columns = (db.prepare('PRAGMA table_info(datasets)').all() as { name: string }[]).map((c) => `"${c.name}"`).join(', ');
  db.exec(create);
  db.exec(`INSERT INTO datasets_rebuilt (${columns}) SELECT ${columns} FROM datasets`);
  db.exec('DROP TABLE datasets');
  db.exec('ALTER TABLE datasets_rebuilt RENAME TO datasets');
  for (const e of extras) db.exec(e.sql);
  // The next id follows the highest one in use; ids deleted before this migration cannot be known.
  db.exec("INSERT INTO sqlite_sequence (name, seq) SELECT 'datasets', coalesce(max(id), 0) FROM datasets WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'datasets')");
}

export const migration0013: Migration = {
  version: 13,
  name: 'dataset-ids-never-reused',
  foreignKeysOff: true,
  up: rebuildWithAutoincrement,
};
