// The sandbox's clock control: moving time ahead for the connections. The simulator moves its own clock (its grants
// age), and the app ages its connections by the same amount in one transaction (lib/connections/age.ts): the app
// itself keeps the one real clock (docs/architecture.md, Clocks).
import { ageConnections } from '../connections/age';
import type { Executor } from '../db';

/** The simulator's clock as its control API reports it. */
export interface SimulatorClock {
  now: string;
  offset_seconds: number;
}

/** What moves the simulator's clock (its control API's client). */
export interface SimulatorClockControl {
  advanceClock(seconds: number): Promise<SimulatorClock>;
}

/**
 * `seconds` pass for every connection: the app's connections and timelines move that far into the past and the
 * simulator's clock that far ahead, or neither (the simulator is asked last, inside the transaction that ages).
 */
export async function advanceSandboxClock(db: Executor, simulator: SimulatorClockControl, seconds: number): Promise<SimulatorClock> {
  return db.transaction(async (tx) => {
    await ageConnections(tx, seconds);
    return simulator.advanceClock(seconds);
  });
}
