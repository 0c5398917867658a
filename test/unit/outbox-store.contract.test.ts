/** The OutboxStore contract on the in-memory fake the unit tests use (the same cases run on MySQL in integration/). */
import { outboxStoreContract } from '../contract/outbox-store.contract.ts';
import { InMemoryIntakeStore } from '../fakes/in-memory-intake-store.ts';

outboxStoreContract('InMemoryIntakeStore', async () => ({
  store: new InMemoryIntakeStore({ clock: () => new Date() }),
  cleanup: async () => undefined,
}));
