// The one tone vocabulary of the UI: a status badge, a notice, a timeline event and a dead end each say how
// things stand with one of these words, and components/ui draws each word the same way everywhere.
export const TONES = ['ok', 'info', 'warn', 'bad', 'muted'] as const;

export type Tone = (typeof TONES)[number];
