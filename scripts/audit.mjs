// `npm run audit`: fails on a high or critical advisory in the runtime dependencies. Where the registry
// offers no advisory service (it answers 405 on some mirrors), says so plainly and does not fail: a
// missing audit is reported, never mistaken for a clean one.
import { spawnSync } from 'node:child_process';

const run = spawnSync('npm', ['audit', '--json', '--omit=dev'], { encoding: 'utf8' });
let report;
try {
  report = JSON.parse(run.stdout);
} catch {
  console.log(`dependency audit: unavailable (npm audit printed no report: ${run.stderr.trim().split('\n').at(-1) ?? ''})`);
  process.exit(0);
}
if (report.statusCode || !report.metadata) {
  console.log(`dependency audit: unavailable here (${report.message ?? 'no advisory data'})`);
  process.exit(0);
}
const { high = 0, critical = 0, moderate = 0, low = 0 } = report.metadata.vulnerabilities;
console.log(`dependency audit (runtime): ${critical} critical, ${high} high, ${moderate} moderate, ${low} low`);
for (const [name, v] of Object.entries(report.vulnerabilities ?? {})) {
  if (v.severity === 'high' || v.severity === 'critical') console.log(`  ${v.severity}: ${name} ${v.range}`);
}
process.exit(high + critical > 0 ? 1 : 0);
