/**
 * Reply templates on MySQL (support_template): the latest version of each key is the one in use; an
 * import that changes a template adds a version, one that changes nothing keeps it.
 */
import type { RowDataPacket } from 'mysql2/promise';
import type { ReplyTemplate, StoredTemplate, TemplateActions } from '../../src/domain/reply-template.ts';
import type { Database } from './database.ts';

const parsed = <T>(v: unknown): T => (typeof v === 'string' ? (JSON.parse(v) as T) : (v as T));

export class MysqlTemplateStore {
  readonly #db: Database;

  constructor(database: Database) {
    this.#db = database;
  }

  async latest(key: string): Promise<StoredTemplate | null> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      'SELECT * FROM support_template WHERE template_key = ? ORDER BY version DESC LIMIT 1',
      [key],
    );
    return rows[0] ? toTemplate(rows[0]) : null;
  }

  async all(): Promise<StoredTemplate[]> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      `SELECT t.* FROM support_template t
        JOIN (SELECT template_key, MAX(version) AS version FROM support_template GROUP BY template_key) m
          ON m.template_key = t.template_key AND m.version = t.version ORDER BY t.template_key`,
    );
    return rows.map(toTemplate);
  }

  async keys(prefix: string, limit: number): Promise<string[]> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      "SELECT DISTINCT template_key FROM support_template WHERE template_key LIKE CONCAT(?, '%') ORDER BY template_key LIMIT ?",
      [prefix.replace(/[%_\\]/g, '\\$&'), limit],
    );
    return rows.map((r) => String(r['template_key']));
  }

  /** Saves a template: 'added' (new key), 'updated' (new version), 'same', or 'exists' (a key present without replace). */
  async save(
    template: ReplyTemplate,
    replace: boolean,
    at: Date,
  ): Promise<{ outcome: 'added' | 'updated' | 'same' | 'exists'; version: number }> {
    const conn = await this.#db.pool.getConnection();
    try {
      await conn.beginTransaction();
      const [rows] = await conn.query<RowDataPacket[]>(
        'SELECT * FROM support_template WHERE template_key = ? ORDER BY version DESC LIMIT 1 FOR UPDATE',
        [template.key],
      );
      const current = rows[0] ? toTemplate(rows[0]) : null;
      if (current && JSON.stringify(comparable(current)) === JSON.stringify(comparable(template))) {
        await conn.commit();
        return { outcome: 'same', version: current.version };
      }
      if (current && !replace) {
        await conn.commit();
        return { outcome: 'exists', version: current.version };
      }
      const version = (current?.version ?? 0) + 1;
      await conn.query(
        'INSERT INTO support_template (template_key, version, title, tags, actions, bodies, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        [
          template.key,
          version,
          template.title.slice(0, 200),
          JSON.stringify(template.tags),
          JSON.stringify(template.actions),
          JSON.stringify(template.bodies),
          at,
        ],
      );
      await conn.commit();
      return { outcome: current ? 'updated' : 'added', version };
    } catch (error) {
      await conn.rollback().catch(() => undefined);
      throw error;
    } finally {
      conn.release();
    }
  }

  /**
   * The templates of the replies sent since then (the audit's key@version), most used first. Only replies
   * the mail server accepted count: not one still in the outbox, failed or suppressed, nor one whose address
   * hard-bounced since (the bounce flags the address for that ticket; a soft bounce puts it back in the outbox).
   */
  async topUsed(since: Date, limit: number): Promise<{ ref: string; count: number }[]> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      `SELECT JSON_UNQUOTE(JSON_EXTRACT(e.details, '$.template')) AS ref, COUNT(*) AS n FROM support_event e
         JOIN support_message m ON m.message_id = JSON_UNQUOTE(JSON_EXTRACT(e.details, '$.messageId'))
          AND m.direction = 'outbound' AND m.delivery = 'sent'
        WHERE e.type = 'replied' AND e.created_at >= ? AND JSON_EXTRACT(e.details, '$.template') IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM support_address_flag f WHERE f.address = m.peer_address AND f.reason LIKE 'bounced%'
                             AND f.flagged_at >= m.created_at AND (f.ticket_id IS NULL OR f.ticket_id = m.ticket_id))
        GROUP BY ref ORDER BY n DESC, ref LIMIT ?`,
      [since, limit],
    );
    return rows.map((r) => ({ ref: String(r['ref']), count: Number(r['n']) }));
  }

  /** What a template's variables need that the ticket row does not carry: the customer's names on the legacy table. */
  async customerNames(customerId: number): Promise<{ firstName: string | null; lastName: string | null }> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      'SELECT cst_fname, cst_name FROM ___xtr_customer WHERE cst_id = ? LIMIT 1',
      [customerId],
    );
    const r = rows[0];
    const clean = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);
    return { firstName: clean(r?.['cst_fname']), lastName: clean(r?.['cst_name']) };
  }

  async ticketFacts(
    ticketId: number,
  ): Promise<{ customerId: number; language: string | null; orderNumber: string | null } | null> {
    const [rows] = await this.#db.pool.query<RowDataPacket[]>(
      'SELECT customer_id, language, order_number FROM support_ticket WHERE ticket_id = ?',
      [ticketId],
    );
    const r = rows[0];
    if (!r) return null;
    return {
      customerId: Number(r['customer_id']),
      language: (r['language'] as string | null) ?? null,
      orderNumber: (r['order_number'] as string | null) ?? null,
    };
  }
}

/** The template's content with object keys sorted (MySQL's JSON columns reorder them). */
const comparable = (t: ReplyTemplate): unknown =>
  sorted({ title: t.title, tags: t.tags, actions: t.actions, bodies: t.bodies });
const sorted = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(sorted)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, sorted((v as Record<string, unknown>)[k])]),
        )
      : v;

function toTemplate(r: RowDataPacket): StoredTemplate {
  return {
    key: String(r['template_key']),
    version: Number(r['version']),
    title: String(r['title']),
    tags: parsed<string[]>(r['tags']),
    actions: parsed<TemplateActions>(r['actions']),
    bodies: parsed<Record<string, string>>(r['bodies']),
  };
}
