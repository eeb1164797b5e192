// postgres (postgres.js) 3.4.9 throws an uncatchable TypeError from a timer when a connection's backend
// dies while a small write is buffered (porsager/postgres#1154, #1208; fix proposed in #1176/#1209), and a
// cleared-but-not-reset write timer can poison the connection. A terminated backend or a failover must not
// crash Reconnect, so `npm install` applies the upstream guard. Idempotent; remove once a release has it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const MARK = '/* reconnect: nextWrite guard */';
const files = ['node_modules/postgres/src/connection.js', 'node_modules/postgres/cjs/src/connection.js'];

const replacements = [
  [
    '  function nextWrite(fn) {\n    const x = socket.write(chunk, fn)',
    `  function nextWrite(fn) {\n    ${MARK}\n    if (!socket) {\n      chunk = nextWriteTimer = null\n      error(Errors.connection('CONNECTION_CLOSED', options, socket))\n      return false\n    }\n    const x = socket.write(chunk, fn)`,
  ],
  ['    clearImmediate(nextWriteTimer)\n    if (socket) {', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    if (socket) {'],
  ['    clearImmediate(nextWriteTimer)\n    socket.removeListener', '    clearImmediate(nextWriteTimer)\n    chunk = nextWriteTimer = null\n    socket.removeListener'],
];

for (const file of files.filter((f) => existsSync(f))) {
  let source = readFileSync(file, 'utf8');
  if (source.includes(MARK)) continue;
  for (const [from, to] of replacements) {
    if (!source.includes(from)) {
      console.warn(`patch-postgres: ${file} changed upstream (fixed there?); review scripts/patch-postgres.mjs`);
      continue;
    }
    source = source.replace(from, to);
  }
  writeFileSync(file, source);
  console.log(`patch-postgres: guarded nextWrite in ${file}`);
}
