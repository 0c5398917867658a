/**
 * What the IMAP tests share: a fresh Dovecot user per test (its own empty mailbox on the local
 * Dovecot, which accepts any user name with the local password), delivery by IMAP APPEND, and
 * waiting for a condition.
 */
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import { LOCAL_ENDPOINTS } from '../../adapters/local-services/index.ts';

export interface ImapUser {
  readonly user: string;
  /** IMAP_URL for this user's folder, plain text (loopback): set IMAP_ALLOW_PLAIN=true with it. */
  url(folder?: string, password?: string): string;
  /** Appends raw messages to a folder (created when missing); returns their UIDs. */
  append(raws: readonly Buffer[], folder?: string): Promise<number[]>;
  /** A connected client on this user's mailbox, for assertions; close it with logout(). */
  client(): Promise<ImapFlow>;
  /** UIDs and flags of a folder's messages. */
  list(folder?: string): Promise<{ uid: number; seen: boolean; messageId: string | null }[]>;
}

export function imapUser(label = 'box'): ImapUser {
  const user = `tr-${label}-${randomBytes(4).toString('hex')}`;
  const { host, port, password } = LOCAL_ENDPOINTS.imap;
  const client = async () => {
    const c = new ImapFlow({
      host,
      port,
      secure: false,
      doSTARTTLS: false,
      auth: { user, pass: password },
      logger: false,
    });
    c.on('error', () => undefined);
    await c.connect();
    return c;
  };
  return {
    user,
    url: (folder = 'INBOX', pass = password) =>
      `imap://${user}:${encodeURIComponent(pass)}@${host}:${port}/${encodeURIComponent(folder)}`,
    client,
    async append(raws, folder = 'INBOX') {
      const c = await client();
      try {
        if (folder !== 'INBOX') await c.mailboxCreate(folder).catch(() => undefined);
        const uids: number[] = [];
        for (const raw of raws) {
          const res = await c.append(folder, raw);
          if (res && res.uid) uids.push(res.uid);
        }
        return uids;
      } finally {
        await c.logout();
      }
    },
    async list(folder = 'INBOX') {
      const c = await client();
      try {
        const box = await c.mailboxOpen(folder).catch(() => null);
        if (!box || box.exists === 0) return [];
        const out: { uid: number; seen: boolean; messageId: string | null }[] = [];
        for await (const m of c.fetch('1:*', { uid: true, flags: true, envelope: true })) {
          out.push({
            uid: m.uid,
            seen: m.flags?.has('\\Seen') ?? false,
            messageId: m.envelope?.messageId?.replace(/[<>]/g, '') ?? null,
          });
        }
        return out;
      } finally {
        await c.logout();
      }
    },
  };
}

/** Polls `check` until it returns a truthy value; fails with `what` after timeoutMs. */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T> | T,
  timeoutMs = 15_000,
  everyMs = 50,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await check();
    if (last) return last as NonNullable<T>;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last value: ${JSON.stringify(last)})`);
}
