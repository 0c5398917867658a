/**
 * OutboxStore on MySQL/MariaDB: the emails intake and the commands queued (support_message rows with
 * delivery 'pending'), claimed by one sending process at a time, marked sent or failed with a back-off.
 * Split from MysqlIntakeStore: the outbox service is its only consumer, and it shares no transaction
 * with intake (the rows are written by the intake and ticket stores inside theirs).
 */
import type { MessageKind } from '../../src/domain/message-kind.ts';
import type { OutboundRow, OutboxState, OutboxStore } from '../../src/ports/outbox-store.ts';
import { connQuery, getConnection, poolQuery, type CorePool, type CorePoolConnection } from './callback-sql.ts';
import { toAppError, type Database } from './database.ts';
import { goneOwners, processRuns, thisHostPattern, thisProcessOwner } from './claim-owner.ts';
import { nullableNumber, splitIds, stringOr } from './row.ts';

/** How long a claim on an email to send lasts unless renewed (the sender renews it every third of it). */
export const OUTBOX_CLAIM_MS = 60_000;

export class MysqlOutboxStore implements OutboxStore {
  readonly #pool: CorePool;
  /** In whose name this process claims emails to send: its host, pid and start time (see releaseOutboundClaims). */
  readonly #claimOwner: string;

  constructor(database: Database) {
    this.#pool = database.pool.pool;
    this.#claimOwner = thisProcessOwner();
  }

  async renewOutboundClaims(rowIds: readonly number[]): Promise<void> {
    if (rowIds.length === 0) return;
    try {
      await poolQuery(
        this.#pool,
        "UPDATE support_message SET delivery_claimed_until = ? WHERE id IN (?) AND delivery = 'pending' AND delivery_claimed_by = ?",
        [new Date(Date.now() + OUTBOX_CLAIM_MS), [...rowIds], this.#claimOwner],
      );
    } catch (error) {
      throw toAppError(error, 'renewing the outbox claims');
    }
  }

  /**
   * Releases the live claims of processes of this host that no longer run (one that crashed or was
   * killed, and is being started again): their emails are sent now, not when the claim runs out.
   * A process on another host is left alone: its claim runs out by itself within OUTBOX_CLAIM_MS.
   */
  async releaseOutboundClaims(isRunning: (pid: number) => boolean = processRuns): Promise<number> {
    try {
      const owners = (await poolQuery(
        this.#pool,
        "SELECT DISTINCT delivery_claimed_by AS owner FROM support_message WHERE delivery = 'pending' AND delivery_claimed_until > NOW(3) AND delivery_claimed_by LIKE ?",
        [thisHostPattern()],
      )) as Record<string, unknown>[];
      const gone = goneOwners(
        owners.map((r) => String(r['owner'])),
        isRunning,
      );
      if (gone.length === 0) return 0;
      const result = (await poolQuery(
        this.#pool,
        "UPDATE support_message SET delivery_claimed_until = NULL, delivery_claimed_by = NULL WHERE delivery = 'pending' AND delivery_claimed_by IN (?)",
        [gone],
      )) as unknown as { affectedRows?: number };
      return Number(result.affectedRows ?? 0);
    } catch (error) {
      throw toAppError(error, 'releasing the outbox claims');
    }
  }

  async pendingOutbound(
    limit: number,
    maxAttempts: number,
    options: { readonly ignoreBackoff?: boolean; readonly afterId?: number; readonly withoutAutomatic?: boolean } = {},
  ): Promise<OutboundRow[]> {
    let conn: CorePoolConnection;
    try {
      conn = await getConnection(this.#pool);
    } catch (error) {
      throw toAppError(error, 'reading the outbox');
    }
    try {
      const now = new Date();
      const [, rows] = (await connQuery(
        conn,
        `START TRANSACTION;
         SELECT id, message_id, ticket_id, kind, peer_address, cc_addresses, subject, body_text, in_reply_to, references_ids, delivery_attempts
           FROM support_message
          WHERE delivery = 'pending' AND delivery_attempts < ? AND (delivery_claimed_until IS NULL OR delivery_claimed_until <= ?)
            AND (? OR delivery_next_at IS NULL OR delivery_next_at <= ?) AND id > ? AND (? OR kind <> 'ack')
          ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED`,
        [
          maxAttempts,
          now,
          options.ignoreBackoff === true,
          now,
          options.afterId ?? 0,
          options.withoutAutomatic !== true,
          limit,
        ],
      )) as [unknown, Record<string, unknown>[]];
      if (rows.length > 0) {
        // Claim them, so that a second process sending the outbox leaves them alone.
        await connQuery(
          conn,
          'UPDATE support_message SET delivery_claimed_until = ?, delivery_claimed_by = ? WHERE id IN (?);\nCOMMIT',
          [new Date(now.getTime() + OUTBOX_CLAIM_MS), this.#claimOwner, rows.map((r) => r['id'])],
        );
      } else {
        await connQuery(conn, 'COMMIT', []);
      }
      return rows.map((r) => ({
        rowId: Number(r['id']),
        messageId: String(r['message_id']),
        ticketId: nullableNumber(r['ticket_id']),
        kind: r['kind'] as MessageKind,
        to: stringOr(r['peer_address'], ''),
        cc: splitIds(r['cc_addresses']),
        subject: stringOr(r['subject'], ''),
        text: stringOr(r['body_text'], ''),
        inReplyTo: splitIds(r['in_reply_to']),
        references: splitIds(r['references_ids']),
        attempts: Number(r['delivery_attempts']),
      }));
    } catch (error) {
      await connQuery(conn, 'ROLLBACK', []).catch(() => undefined);
      throw toAppError(error, 'reading the outbox');
    } finally {
      conn.release();
    }
  }

  async outboxState(failedDays: number): Promise<OutboxState> {
    try {
      const since = new Date(Date.now() - failedDays * 86_400_000);
      const [counts, pendingError, failedError, examples] = await Promise.all([
        poolQuery(
          this.#pool,
          "SELECT delivery, COUNT(*) AS n, MIN(created_at) AS oldest FROM support_message WHERE delivery = 'pending' OR (delivery = 'failed' AND created_at >= ?) GROUP BY delivery",
          [since],
        ),
        poolQuery(
          this.#pool,
          "SELECT delivery_error FROM support_message WHERE delivery = 'pending' AND delivery_error IS NOT NULL ORDER BY created_at DESC, id DESC LIMIT 1",
          [],
        ),
        poolQuery(
          this.#pool,
          "SELECT delivery_error FROM support_message WHERE delivery = 'failed' AND created_at >= ? ORDER BY created_at DESC, id DESC LIMIT 1",
          [since],
        ),
        poolQuery(
          this.#pool,
          "(SELECT delivery, ticket_id, kind, peer_address, created_at FROM support_message WHERE delivery = 'pending' ORDER BY created_at LIMIT 5) UNION ALL (SELECT delivery, ticket_id, kind, peer_address, created_at FROM support_message WHERE delivery = 'failed' AND created_at >= ? ORDER BY created_at DESC LIMIT 5)",
          [since],
        ),
      ]);
      const by = new Map((counts as Record<string, unknown>[]).map((r) => [String(r['delivery']), r]));
      const pending = by.get('pending');
      const firstError = (rows: unknown) => {
        const value = (rows as Record<string, unknown>[])[0]?.['delivery_error'];
        return typeof value === 'string' && value ? value : null;
      };
      return {
        pending: Number(pending?.['n'] ?? 0),
        oldestPendingAt: pending?.['oldest'] instanceof Date ? pending['oldest'] : null,
        lastError: firstError(pendingError),
        failed: Number(by.get('failed')?.['n'] ?? 0),
        lastFailure: firstError(failedError),
        examples: (examples as Record<string, unknown>[]).map((r) => ({
          delivery: r['delivery'] === 'failed' ? ('failed' as const) : ('pending' as const),
          ticketId: nullableNumber(r['ticket_id']),
          kind: String(r['kind']),
          to: stringOr(r['peer_address'], ''),
        })),
      };
    } catch (error) {
      throw toAppError(error, 'reading the outbox');
    }
  }

  async retryFailedOutbound(since: Date): Promise<number> {
    try {
      const result = (await poolQuery(
        this.#pool,
        "UPDATE support_message SET delivery = 'pending', delivery_attempts = 0, delivery_next_at = NULL, delivery_claimed_until = NULL WHERE delivery = 'failed' AND created_at >= ?",
        [since],
      )) as unknown as { affectedRows?: number };
      return Number(result.affectedRows ?? 0);
    } catch (error) {
      throw toAppError(error, 'putting failed emails back in the outbox');
    }
  }

  async markOutbound(
    rowIds: readonly number[],
    result: { delivery: 'sent' | 'failed' | 'pending'; error: string | null },
  ): Promise<void> {
    if (rowIds.length === 0) return;
    try {
      await poolQuery(
        this.#pool,
        // Exponential backoff for a retry: 30 s, 1 min, 2 min … (capped at 1 h).
        `UPDATE support_message
            SET delivery = ?, delivery_error = ?, delivery_attempts = delivery_attempts + 1,
                delivery_next_at = IF(? = 'pending', NOW(3) + INTERVAL LEAST(3600, 30 * POW(2, delivery_attempts)) SECOND, NULL),
                delivery_claimed_until = NULL
          WHERE id IN (?)`,
        [result.delivery, result.error, result.delivery, [...rowIds]],
      );
    } catch (error) {
      throw toAppError(error, 'updating the outbox');
    }
  }
}
