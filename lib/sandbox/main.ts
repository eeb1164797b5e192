// Standalone entry: npx tsx lib/sandbox/main.ts --port 4010 [--host 127.0.0.1] [--leeway 0] [--auto-consent]
import { parseArgs } from 'node:util';
import { startSimulator, type SimulatorOptions } from './simulator';

function nonNegativeInt(name: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got "${raw}"`);
  return value;
}

function optionsFromArgv(argv: string[]): SimulatorOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      leeway: { type: 'string' },
      'auto-consent': { type: 'boolean' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
    },
    strict: true,
  });
  return {
    port: nonNegativeInt('port', values.port),
    host: values.host,
    leewaySeconds: nonNegativeInt('leeway', values.leeway),
    autoConsent: values['auto-consent'] ?? false,
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
  };
}

async function main(): Promise<void> {
  const simulator = await startSimulator(optionsFromArgv(process.argv.slice(2)));
  console.log(`SIMULATOR_URL=${simulator.url}`);
  const shutdown = (): void => {
    simulator.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
