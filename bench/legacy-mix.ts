/**
 * The shop's ___xtr_msg at its real size and mix, for bench:scale: mostly staff→customer order messages
 * from the PHP era, reviews, legal pages and redirect rules (JSON rows with a "type"), web-form tickets
 * with the metadata block (compact or pretty-printed, English or French words, PHP or ISO dates) and
 * their replies. Deterministic by msg_id: a run stopped half-way resumes where the table ends, and every
 * machine builds the same table. Rows are written in bulk (multi-row INSERTs, a few at a time).
 */
import type { Pool } from 'mysql2/promise';
import { METADATA_MARKER } from '../adapters/mysql/legacy-format.ts';
import { customerNames, ISSUES, rowRandom, writeCustomers } from './shop-data.ts';

export const CUSTOMERS = 600_000;
const BATCH = 5_000;
const PARALLEL = 3;

const pick = <T>(list: readonly T[], r: number): T => list[Math.floor(r * list.length)]!;

/** The mix's customers: all of the shared name lists. */
const customers = customerNames();
export const customerEmail = customers.email;

const PARTS = [
  'plaquettes de frein',
  'filtre à huile',
  'courroie de distribution',
  'kit embrayage',
  'amortisseurs',
  'ampoule de phare',
  'balais d’essuie-glace',
  'batterie',
  'alternateur',
  'bougies',
  'pot d’échappement',
  'radiateur',
  'disques de frein',
  'pompe à eau',
  'démarreur',
];
const ISSUES_FR = [
  'pas reçu',
  'mauvaise pièce',
  'demande de remboursement',
  'facture manquante',
  'arrivé endommagé',
  'ne correspond pas',
  'question',
  'retard de livraison',
  'étiquette de retour',
  'paiement refusé',
  'double débit',
  'compatibilité',
  'garantie',
];
/** The mix's English issues: the first 11 of the shared list. */
const ISSUES_EN = ISSUES.slice(0, 11);
const RARE = ['turbocompresseur', 'différentiel', 'catalyseur', 'carburateur'];

/** 'Y-m-j H:i:s' as the PHP site wrote it (day and month not padded), in UTC for simplicity. */
function phpDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getUTCFullYear()}-${d.getUTCMonth() + 1}-${d.getUTCDate()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
}

export type RowKind = 'order_message' | 'json' | 'ticket' | 'reply';

/** What row n is: 62 % order messages, 8 % JSON rows, 15 % web-form tickets, 15 % replies. */
export function kindOf(n: number): RowKind {
  const r = rowRandom(n, 1);
  return r < 0.62 ? 'order_message' : r < 0.7 ? 'json' : r < 0.85 ? 'ticket' : 'reply';
}

/** The time of row n out of `total`: 2009 to now, in msg_id order (as an auto-increment writes them). */
function timeOf(n: number, total: number, now: number): Date {
  const start = Date.UTC(2009, 0, 1);
  return new Date(start + Math.floor(((now - start) * n) / total));
}

/** The most recent web-form ticket at or before row n (a reply's parent), or null. */
function ticketBefore(n: number): number | null {
  for (let m = n - 1; m > 0 && m > n - 200; m--) if (kindOf(m) === 'ticket') return m;
  return null;
}

/** One ___xtr_msg row: msg_id, cst, ord, cnfa, date, subject, content, parent, open, close. */
export function legacyRow(n: number, total: number, now: number): unknown[] {
  const kind = kindOf(n);
  const at = timeOf(n, total, now);
  const customer = 1 + Math.floor(rowRandom(n, 2) * CUSTOMERS);
  const part = pick(PARTS, rowRandom(n, 3));
  const recent = now - at.getTime() < 30 * 86_400_000;
  switch (kind) {
    case 'order_message': {
      const order = String(100_000 + Math.floor(n / 3));
      const staff = String(3 + Math.floor(rowRandom(n, 4) * 38));
      const body =
        `<p>Bonjour,</p><p>Votre commande n°${order} (${part}) a été ${pick(['expédiée', 'préparée', 'validée', 'remboursée', 'mise à jour'], rowRandom(n, 5))} ` +
        `le ${phpDate(at).split(' ')[0]}. Numéro de suivi : ${Math.floor(rowRandom(n, 6) * 1e12)}.</p><p>Cordialement,<br>Le service client</p>`;
      return [n, String(customer), order, staff, phpDate(at), `Votre commande n°${order}`, body, null, '0', '0'];
    }
    case 'json': {
      const type = pick(['review', 'review', 'review', 'legal', 'redirect'], rowRandom(n, 7));
      const content =
        type === 'review'
          ? JSON.stringify({
              type,
              rating: 1 + Math.floor(rowRandom(n, 8) * 5),
              product: part,
              text: `Très bon produit, ${part} conforme.`,
            })
          : type === 'legal'
            ? JSON.stringify({
                type,
                page: pick(['cgv', 'mentions-legales', 'politique-confidentialite'], rowRandom(n, 9)),
                version: n,
                html: '<h1>Conditions</h1><p>…</p>',
              })
            : JSON.stringify({
                type,
                from: `/old/page-${n}.html`,
                to: `/pieces/${part.replace(/\W+/g, '-')}`,
                code: 301,
              });
      return [n, null, null, null, phpDate(at), `${type} ${n}`, content, null, '0', '0'];
    }
    case 'ticket': {
      const french = rowRandom(n, 10) < 0.7;
      const issue = french ? pick(ISSUES_FR, rowRandom(n, 11)) : pick(ISSUES_EN, rowRandom(n, 11));
      const subject = rowRandom(n, 12) < 0.0005 ? `${pick(RARE, rowRandom(n, 13))} ${issue}` : `${part} : ${issue}`;
      const priority = french
        ? pick(['normale', 'normale', 'haute', 'basse', 'urgente'], rowRandom(n, 14))
        : pick(['normal', 'normal', 'high', 'low', 'urgent'], rowRandom(n, 14));
      const category = french
        ? pick(['general', 'technique', 'facturation', 'reclamation'], rowRandom(n, 15))
        : pick(['general', 'technical', 'billing', 'complaint'], rowRandom(n, 15));
      const isoDates = at.getUTCFullYear() >= 2022;
      const created = isoDates ? at.toISOString() : phpDate(at);
      const block = {
        priority,
        category,
        created_at: created,
        status: recent && rowRandom(n, 16) < 0.6 ? 'open' : 'closed',
        source: 'contact_form',
      };
      const json = rowRandom(n, 17) < 0.4 ? JSON.stringify(block, null, 2) : JSON.stringify(block);
      const text = french
        ? `Bonjour, au sujet de ma commande (${part}) : ${issue}. Merci de me répondre rapidement.`
        : `Hello, about my order (${part}): ${issue}. Please get back to me.`;
      const open = block.status === 'open';
      const order = rowRandom(n, 18) < 0.5 ? String(100_000 + Math.floor(n / 3)) : null;
      return [
        n,
        String(customer),
        order,
        null,
        created,
        subject,
        `${text}\n\n${METADATA_MARKER}\n${json}`,
        null,
        open ? '1' : '0',
        open ? '0' : '1',
      ];
    }
    case 'reply': {
      const parent = ticketBefore(n);
      const staff = rowRandom(n, 19) < 0.6 ? String(3 + Math.floor(rowRandom(n, 4) * 38)) : null;
      const text = staff
        ? 'Bonjour, nous avons transmis votre demande au service concerné. Cordialement.'
        : 'Merci, j’attends votre retour.';
      return [
        n,
        String(customer),
        null,
        staff,
        phpDate(at),
        'Re: votre demande',
        text,
        parent === null ? null : String(parent),
        '0',
        '0',
      ];
    }
  }
}

export interface GenerateProgress {
  (done: number, total: number): void;
}

/** Fills ___xtr_customer and ___xtr_msg up to `total` rows, resuming after the highest msg_id present. */
export async function generateLegacyMix(
  pool: Pool,
  total: number,
  now: number,
  progress: GenerateProgress,
): Promise<{ seconds: number; written: number }> {
  const started = performance.now();
  const [[written]] = (await pool.query('SELECT COALESCE(MAX(cst_id), 0) AS n FROM ___xtr_customer')) as unknown as [
    [{ n: number }],
  ];
  await writeCustomers(pool, customers, Number(written.n) + 1, CUSTOMERS, 10_000);
  const [[top]] = (await pool.query('SELECT COALESCE(MAX(msg_id), 0) AS n FROM ___xtr_msg')) as unknown as [
    [{ n: number }],
  ];
  // Batches are written a few at a time: a run stopped half-way may have left a gap below the highest
  // id. The last batches are written again (INSERT IGNORE keeps what is there).
  let next = Math.max(1, Number(top.n) + 1 - PARALLEL * BATCH);
  const from = next;
  const inflight = new Set<Promise<void>>();
  while (next <= total) {
    const rows: unknown[][] = [];
    const end = Math.min(total, next + BATCH - 1);
    for (let n = next; n <= end; n++) rows.push(legacyRow(n, total, now));
    next = end + 1;
    const write = (async () => {
      await pool.query(
        'INSERT IGNORE INTO ___xtr_msg (msg_id, msg_cst_id, msg_ord_id, msg_cnfa_id, msg_date, msg_subject, msg_content, msg_parent_id, msg_open, msg_close) VALUES ?',
        [rows],
      );
    })();
    inflight.add(write);
    void write.finally(() => inflight.delete(write));
    if (inflight.size >= PARALLEL) await Promise.race(inflight);
    progress(end, total);
  }
  await Promise.all(inflight);
  return { seconds: (performance.now() - started) / 1000, written: Math.max(0, total - from + 1) };
}
