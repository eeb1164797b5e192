import { describe, expect, it } from 'vitest';
import { createLogger } from '../../lib/log';

function capture(format: string | undefined, level?: string) {
  const lines: string[] = [];
  const log = createLogger('worker', { format, level, write: (line) => lines.push(line) });
  return { log, lines };
}

describe('logger', () => {
  it('LOG_FORMAT=json: one JSON object per line with level, time, component and message', () => {
    const { log, lines } = capture('json');
    log.info('ready', { port: 3000 });
    log.warn('slow');
    expect(lines).toHaveLength(2);
    const first = JSON.parse(lines[0]);
    expect(first).toMatchObject({ level: 'info', component: 'worker', msg: 'ready', port: 3000 });
    expect(Number.isNaN(Date.parse(first.time))).toBe(false);
    expect(JSON.parse(lines[1])).toMatchObject({ level: 'warn', msg: 'slow' });
  });

  it('human format: plain lines, fields as key=value, no escape codes', () => {
    const { log, lines } = capture(undefined);
    log.info('webhooks: 1');
    log.error('delivery failed', { endpoint: 'https://example.com/hook', detail: 'a "quoted"\u001b[31m text' });
    expect(lines[0]).toBe('[worker] webhooks: 1');
    expect(lines[1]).toBe('[worker] error: delivery failed endpoint=https://example.com/hook detail="a \\"quoted\\"\\u001b[31m text"');
    expect(lines.join('\n')).not.toContain('\u001b');
  });

  it('debug lines are off by default and on with LOG_LEVEL=debug, in both formats', () => {
    for (const format of ['json', 'human']) {
      const quiet = capture(format);
      quiet.log.debug('refresh: 3');
      expect(quiet.lines).toEqual([]);
      const loud = capture(format, 'debug');
      loud.log.debug('refresh: 3');
      expect(loud.lines).toHaveLength(1);
      expect(loud.lines[0]).toContain('refresh: 3');
    }
  });
});
