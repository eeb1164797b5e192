// Two upstream fixes to postgres (postgres.js) 3.4.9 that Reconnect depends on, applied by `npm install`.
// Each is idempotent (skipped once its result is there); remove one once a release has it.
//
// 1. nextWrite guard: an uncatchable TypeError from a timer when a connection's backend dies while a small
//    write is buffered (porsager/postgres#1154, #1208; fix proposed in #1176/#1209), and a cleared-but-not-reset
//    write timer can poison the connection. A terminated backend or a failover must not crash Reconnect.
// 2. sql.begin under max_pipeline 0 (porsager/postgres#1210; fix proposed in #1211/#1218): `execute` ran the
//    hook that reserves a connection for a transaction only when the connection could take more pipelined
//    queries, so with max_pipeline 0 every sql.begin failed with UNSAFE_TRANSACTION. Behind a transaction
//    pooler Reconnect turns pipelining off (a pooler hands a connection back at the first reply, and later
//    pipelined queries hang), so the hook must run whenever BEGIN was written. The connection then takes no
//    more pipelined queries, exactly as before when the hook ran.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const files = ['node_modules/postgres/src/connection.js', 'node_modules/postgres/cjs/src/connection.js'];
const MARK = '/* reconnect: nextWrite guard */';

const fixes = [
  {
    name: 'guarded nextWrite',
    replacements: [
      [
        '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
        `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options, socket))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
      ],
      ['    clearImmediate(nextWriteTimer)\n    if (socket) {', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {'],
      ['    clearImmediate(nextWriteTimer)\n    socket.removeListener', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener'],
    ],
  },
  {
    name: 'reserved sql.begin whatever max_pipeline',
    replacements: [
      [
        '      return write(toBuffer(q))\n        && !q.describeFirst\n        && !q.cursorFn\n        && sent.length < max_pipeline\n        && (!q.options.onexecute || q.options.onexecute(connection))',
        '      /* reconnect: onexecute whenever written */\n      const written = write(toBuffer(q))\n      if (written && q.options.onexecute)\n        return q.options.onexecute(connection), false\n      return written\n        && !q.describeFirst\n        && !q.cursorFn\n        && sent.length < max_pipeline',
      ],
    ],
  },
];

for (const file of files.filter((f) => existsSync(f))) {
  let source = readFileSync(file, 'utf8');
  const applied = [];
  for (const { name, replacements } of fixes) {
    for (const [from, to] of replacements) {
      if (source.includes(to)) continue;
      if (!source.includes(from)) {
        console.warn(`patch-postgres: ${file} changed upstream (fixed there?); review scripts/patch-postgres.mjs (${name})`);
        continue;
      }
      source = source.replace(from, to);
      if (!applied.includes(name)) applied.push(name);
    }
  }
  if (applied.length === 0) continue;
  writeFileSync(file, source);
  console.log(`patch-postgres: ${applied.join(', ')} in ${file}`);
}
