/** The IMAP checkpoint in support_mailbox_state, and the Message-ID lookup that lets a catch-up skip downloads. */
// Plain SQL on the pool, like the other stores: the intake role then never loads drizzle-orm.
import type { RowDataPacket } from 'mysql2/promise';
import type { MailboxCheckpoint, MailboxCheckpointStore } from '../../src/ports/mailbox.ts';
import { toAppError, type Database } from './database.ts';

export class MysqlMailboxCheckpoints implements MailboxCheckpointStore {
  readonly #database: Database;

  constructor(database: Database) {
    this.#database = database;
  }

  async get(mailbox: string): Promise<MailboxCheckpoint | null> {
    try {
      const [rows] = await this.#database.pool.query<RowDataPacket[]>(
        'SELECT account, uid_validity AS uidValidity, last_uid AS lastUid FROM support_mailbox_state WHERE mailbox = ? LIMIT 1',
        [mailbox],
      );
      const row = rows[0];
      return row
        ? { account: String(row['account']), uidValidity: Number(row['uidValidity']), lastUid: Number(row['lastUid']) }
        : null;
    } catch (error) {
      throw toAppError(error, `reading the checkpoint of mailbox "${mailbox}"`);
    }
  }

  async save(mailbox: string, checkpoint: MailboxCheckpoint): Promise<void> {
    try {
      // Written by hand because the order matters: MySQL applies the assignments left to right, and
      // last_uid must be compared against the OLD account and UIDVALIDITY before they are replaced.
      await this.#database.pool.query(
        `INSERT INTO support_mailbox_state (mailbox, account, uid_validity, last_uid, updated_at)
        VALUES (?, ?, ?, ?, ?)
        ON DUPLICATE KEY UPDATE
          last_uid = IF(uid_validity = VALUES(uid_validity) AND account = VALUES(account), GREATEST(last_uid, VALUES(last_uid)), VALUES(last_uid)),
          uid_validity = VALUES(uid_validity),
          account = VALUES(account),
          updated_at = VALUES(updated_at)`,
        [mailbox, checkpoint.account, checkpoint.uidValidity, checkpoint.lastUid, new Date()],
      );
    } catch (error) {
      throw toAppError(error, `saving the checkpoint of mailbox "${mailbox}"`);
    }
  }

  async knownMessageIds(messageIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (messageIds.length === 0) return new Set();
    try {
      const [rows] = await this.#database.pool.query<RowDataPacket[]>(
        'SELECT message_id AS messageId FROM support_message WHERE message_id IN (?)',
        [[...new Set(messageIds)]],
      );
      // The column's collation ignores case: compare the same way.
      const stored = new Set(rows.map((r) => String(r['messageId']).toLowerCase()));
      return new Set(messageIds.filter((id) => stored.has(id.toLowerCase())));
    } catch (error) {
      throw toAppError(error, 'looking up Message-IDs');
    }
  }
}
