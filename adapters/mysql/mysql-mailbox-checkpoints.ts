/** The IMAP checkpoint in support_mailbox_state, and the Message-ID lookup that lets a catch-up skip downloads. */
import { inArray, sql } from 'drizzle-orm';
import type { MailboxCheckpoint, MailboxCheckpointStore } from '../../src/ports/mailbox.ts';
import { toAppError, type Database } from './database.ts';
import { supportMailboxState, supportMessage } from './schema.ts';

export class MysqlMailboxCheckpoints implements MailboxCheckpointStore {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  async get(mailbox: string): Promise<MailboxCheckpoint | null> {
    try {
      const rows = await this.#database.db
        .select({ uidValidity: supportMailboxState.uidValidity, lastUid: supportMailboxState.lastUid })
        .from(supportMailboxState)
        .where(sql`${supportMailboxState.mailbox} = ${mailbox}`)
        .limit(1);
      return rows[0] ?? null;
    } catch (error) {
      throw toAppError(error, `reading the checkpoint of mailbox "${mailbox}"`);
    }
  }

  async save(mailbox: string, checkpoint: MailboxCheckpoint): Promise<void> {
    try {
      // last_uid first: MySQL evaluates the assignments in order, and it must compare the old UIDVALIDITY.
      await this.#database.db
        .insert(supportMailboxState)
        .values({ mailbox, uidValidity: checkpoint.uidValidity, lastUid: checkpoint.lastUid, updatedAt: new Date() })
        .onDuplicateKeyUpdate({
          set: {
            lastUid: sql`IF(${supportMailboxState.uidValidity} = VALUES(${supportMailboxState.uidValidity}), GREATEST(${supportMailboxState.lastUid}, VALUES(${supportMailboxState.lastUid})), VALUES(${supportMailboxState.lastUid}))`,
            uidValidity: sql`VALUES(${supportMailboxState.uidValidity})`,
            updatedAt: sql`VALUES(${supportMailboxState.updatedAt})`,
          },
        });
    } catch (error) {
      throw toAppError(error, `saving the checkpoint of mailbox "${mailbox}"`);
    }
  }

  async knownMessageIds(messageIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (messageIds.length === 0) return new Set();
    try {
      const rows = await this.#database.db
        .select({ messageId: supportMessage.messageId })
        .from(supportMessage)
        .where(inArray(supportMessage.messageId, [...new Set(messageIds)]));
      // The column's collation ignores case: compare the same way.
      const stored = new Set(rows.map((r) => r.messageId.toLowerCase()));
      return new Set(messageIds.filter((id) => stored.has(id.toLowerCase())));
    } catch (error) {
      throw toAppError(error, 'looking up Message-IDs');
    }
  }
}
