import { ping } from './index';

/** 'ok' when a round trip to Postgres succeeds within two seconds. */
export async function checkDatabase(): Promise<'ok' | 'unreachable'> {
  try {
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000));
    await Promise.race([ping(), timeout]);
    return 'ok';
  } catch {
    return 'unreachable';
  }
}
