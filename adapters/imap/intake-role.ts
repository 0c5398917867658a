import type { RoleStarter } from '../../src/roles.ts';

/** Placeholder until the IMAP reader lands (issue 3). */
export const startIntakeRole: RoleStarter = async () => {
  throw new Error('the intake role is not built yet');
};
