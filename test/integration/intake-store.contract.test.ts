/** The IntakeStore contract on MySQL (the same cases run on the in-memory fake in unit/). */
import { afterAll, beforeAll } from 'vitest';
import { MysqlIntakeStore } from '../../adapters/mysql/mysql-intake-store.ts';
import { intakeStoreContract } from '../contract/intake-store.contract.ts';
import { createTestDatabase, type TestDatabase } from './harness.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('intake_contract');
});
afterAll(async () => {
  await db.drop();
});

// Each case uses addresses and Message-IDs of its own, so the database is shared and dropped at the end.
intakeStoreContract('MysqlIntakeStore', async () => ({
  store: new MysqlIntakeStore(db.database),
  cleanup: async () => undefined,
}));
