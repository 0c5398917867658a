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
        .select({ account: supportMailboxState.account, uidValidity: supportMailboxState.uidValidity, lastUid: supportMailboxState.lastUid })
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
      // Written by hand because the order matters: MySQL applies the assignments left to right, and
      // last_uid must be compared against the OLD account and UIDVALIDITY before they are replaced.
      await this.#database.db.execute(sql`
        INSERT INTO support_mailbox_state (mailbox, account, uid_validity, last_uid, updated_at)
        VALUES (${mailbox}, ${checkpoint.account}, ${checkpoint.uidValidity}, ${checkpoint.lastUid}, ${new Date()})
        ON DUPLICATE KEY UPDATE
          last_uid = IF(uid_validity = VALUES(uid_validity) AND account = VALUES(account), GREATEST(last_uid, VALUES(last_uid)), VALUES(last_uid)),
          uid_validity = VALUES(uid_validity),
          account = VALUES(account),
          updated_at = VALUES(updated_at)`);
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
