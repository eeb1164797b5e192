import type { TestProject } from 'vitest/node';
import { createTestDatabase } from '../helpers/database';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseUrl: string;
  }
}

// One fresh, migrated database for the whole vitest run; dropped at the end.
export default async function setup(project: TestProject) {
  const db = await createTestDatabase('unit');
  project.provide('databaseUrl', db.url);
  return () => db.drop();
}
