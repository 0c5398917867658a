/** The OutboxStore contract on MySQL (the same cases run on the in-memory fake in unit/). */
import { afterAll, beforeAll } from 'vitest';
import { MysqlIntakeStore } from '../../adapters/mysql/mysql-intake-store.ts';
import { MysqlOutboxStore } from '../../adapters/mysql/mysql-outbox-store.ts';
import { outboxStoreContract } from '../contract/outbox-store.contract.ts';
import { createTestDatabase, type TestDatabase } from './harness.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase('outbox_contract');
});
afterAll(async () => {
  await db.drop();
});

outboxStoreContract('MysqlOutboxStore', async () => ({
  intake: new MysqlIntakeStore(db.database),
  outbox: new MysqlOutboxStore(db.database),
  // Our table only (the legacy tables are never touched by these cases).
  cleanup: async () => {
    await db.query('DELETE FROM support_message');
  },
}));
