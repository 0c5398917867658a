/** The OutboxStore contract on the in-memory fake the unit tests use (the same cases run on MySQL in integration/). */
import { outboxStoreContract } from '../contract/outbox-store.contract.ts';
import { InMemoryIntakeStore } from '../fakes/in-memory-intake-store.ts';

outboxStoreContract('InMemoryIntakeStore', async () => {
  // One fake holds both ports: the outbox sends the rows intake recorded.
  const store = new InMemoryIntakeStore({ clock: () => new Date() });
  return { intake: store, outbox: store, cleanup: async () => undefined };
});
