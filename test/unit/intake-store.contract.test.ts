/** The IntakeStore contract on the in-memory fake the unit tests use (the same cases run on MySQL in integration/). */
import { intakeStoreContract } from '../contract/intake-store.contract.ts';
import { InMemoryIntakeStore } from '../fakes/in-memory-intake-store.ts';

intakeStoreContract('InMemoryIntakeStore', async () => ({
  store: new InMemoryIntakeStore({ clock: () => new Date() }),
  cleanup: async () => undefined,
}));
