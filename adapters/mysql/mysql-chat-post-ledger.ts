/**
 * support_chat_post: which chat message announced which ticket, per platform and channel. Its primary
 * key (platform, channel, ticket_id, kind) is the claim that makes a notice go out once, whoever
 * races (two bots processes, the triage worker and the bots loop): the first INSERT posts.
 * A claim is a row with an empty message_ref; it gets the platform's message reference once posted,
 * and is deleted when the platform refused, so that the next pass tries again.
 */
import type { ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { ChatPlatform } from '../../src/domain/platform.ts';
import type { ChatPostLedger } from '../../src/ports/notice-feed.ts';
import type { Database } from './database.ts';

export type { ChatPlatform } from '../../src/domain/platform.ts';

export class MysqlChatPostLedger implements ChatPostLedger {
  readonly #db: Database;

  constructor(database: Database) {
    this.#db = database;
  }

  /** True when this caller inserted the claim and must post. */
  async claim(platform: ChatPlatform, channel: string, ticketId: number, kind: string, at: Date): Promise<boolean> {
    const [result] = await this.#db.pool.query<ResultSetHeader>(
      "INSERT IGNORE INTO support_chat_post (platform, channel, ticket_id, kind, message_ref, created_at) VALUES (?, ?, ?, ?, '', ?)",
      [platform, channel, ticketId, kind.slice(0, 16), at],
    );
    return result.affectedRows === 1;
  }

  async posted(
    platform: ChatPlatform,
    channel: string,
    ticketId: number,
    kind: string,
    messageRef: string,
  ): Promise<void> {
    await this.#db.pool.query(
      'UPDATE support_chat_post SET message_ref = ? WHERE platform = ? AND channel = ? AND ticket_id = ? AND kind = ?',
      [messageRef.slice(0, 64), platform, channel, ticketId, kind.slice(0, 16)],
    );
  }

  /** The platform refused: free the claim so that a later pass posts it. */
  async release(platform: ChatPlatform, channel: string, ticketId: number, kind: string): Promise<void> {
    await this.#db.pool.query(
      "DELETE FROM support_chat_post WHERE platform = ? AND channel = ? AND ticket_id = ? AND kind = ? AND message_ref = ''",
      [platform, channel, ticketId, kind.slice(0, 16)],
    );
  }

  /** The message a ticket's replies are threaded under: its 'new' post, else its escalation. */
  async anchor(platform: ChatPlatform, channel: string, ticketId: number): Promise<string | null> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      "SELECT kind, message_ref FROM support_chat_post WHERE platform = ? AND channel = ? AND ticket_id = ? AND kind IN ('new', 'escalation') AND message_ref <> ''",
      [platform, channel, ticketId],
    );
    const found = rows.find((r) => r['kind'] === 'new') ?? rows[0];
    return found ? String(found['message_ref']) : null;
  }

  /** Whether anything was ever posted to this channel (a first start announces no history). */
  async hasAny(platform: ChatPlatform, channel: string): Promise<boolean> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      'SELECT 1 FROM support_chat_post WHERE platform = ? AND channel = ? LIMIT 1',
      [platform, channel],
    );
    return rows.length > 0;
  }
}
