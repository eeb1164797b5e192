// A bulk load's shortcut for the demo seed (lib/db/seed.ts): inside its transaction, the seeded tables'
// secondary indexes and foreign keys are dropped, the rows inserted, then the indexes rebuilt (one sorted
// build each instead of millions of random B-tree and GIN inserts) and the foreign keys re-added (one
// validating join instead of a locked lookup per row). All in the one transaction: a failure restores them.
import type { TransactionSql } from 'postgres';

/** The tables the seed fills. */
const TABLES = ['connections', 'connection_sites', 'connection_events'];

interface Dropped {
  indexes: { name: string; def: string }[];
  foreignKeys: { table: string; name: string; def: string }[];
}

/** Indexes that back no primary-key, unique or exclusion constraint, and the foreign keys, of `TABLES`. */
async function droppable(tx: TransactionSql): Promise<Dropped> {
  const indexes = await tx<{ name: string; def: string }[]>`
    select i.indexrelid::regclass::text as name, pg_get_indexdef(i.indexrelid) as def
    from pg_index i
    where i.indrelid = any(${TABLES}::regclass[])
      and not exists (select 1 from pg_constraint c where c.conindid = i.indexrelid and c.conrelid = i.indrelid)`;
  const foreignKeys = await tx<{ table: string; name: string; def: string }[]>`
    select conrelid::regclass::text as table, quote_ident(conname) as name, pg_get_constraintdef(oid) as def
    from pg_constraint where contype = 'f' and conrelid = any(${TABLES}::regclass[])`;
  return { indexes: [...indexes], foreignKeys: [...foreignKeys] };
}

/** Runs `load` with the tables' secondary indexes and foreign keys dropped, and restores them after. */
export async function withoutSecondaryStructures<T>(tx: TransactionSql, load: () => Promise<T>): Promise<T> {
  const dropped = await droppable(tx);
  for (const fk of dropped.foreignKeys) await tx.unsafe(`alter table ${fk.table} drop constraint ${fk.name}`);
  for (const index of dropped.indexes) await tx.unsafe(`drop index ${index.name}`);
  const result = await load();
  for (const index of dropped.indexes) await tx.unsafe(index.def);
  for (const fk of dropped.foreignKeys) await tx.unsafe(`alter table ${fk.table} add constraint ${fk.name} ${fk.def}`);
  return result;
}

/** Whether `rows` new connections are at least as many as the table holds: then rebuilding is the cheaper way. */
export async function worthRebuilding(tx: TransactionSql, rows: number): Promise<boolean> {
  const [{ n }] = await tx<{ n: number }[]>`select count(*)::int as n from (select 1 from connections limit ${rows}) existing`;
  return n < rows;
}
