/**
 * Where running processes say what they are doing, so `ticketrelay status` (another process) can
 * tell which mailbox waits and why. Each process refreshes its entry; an entry expires when its
 * process stops refreshing it (it died), so the board never shows the dead.
 */
import os from 'node:os';
import { Redis } from 'ioredis';

export interface ProcessStatus {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly roles: readonly string[];
  readonly startedAt: string;
  readonly updatedAt: string;
  readonly lines: readonly string[];
}

const TTL_SECONDS = 20;

export class StatusBoard {
  readonly #redis: Redis;
  readonly #key: string;

  constructor(options: { redisUrl: string; prefix: string }) {
    this.#redis = new Redis(options.redisUrl, {
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableOfflineQueue: false,
      connectTimeout: 2_000,
      retryStrategy: (n) => Math.min(n * 500, 5_000),
    });
    this.#redis.on('error', () => undefined);
    this.#key = `${options.prefix}:status`;
  }

  async #ready(): Promise<boolean> {
    if (this.#redis.status === 'wait') await this.#redis.connect().catch(() => undefined);
    return this.#redis.status === 'ready';
  }

  /** Best effort: a status that cannot be written is not worth failing for. */
  async publish(status: Omit<ProcessStatus, 'id' | 'host' | 'pid' | 'updatedAt'>): Promise<void> {
    if (!(await this.#ready())) return;
    const id = `${os.hostname()}:${process.pid}`;
    const entry: ProcessStatus = {
      id,
      host: os.hostname(),
      pid: process.pid,
      updatedAt: new Date().toISOString(),
      ...status,
    };
    await this.#redis.set(`${this.#key}:${id}`, JSON.stringify(entry), 'EX', TTL_SECONDS).catch(() => undefined);
  }

  async remove(): Promise<void> {
    if (!(await this.#ready())) return;
    await this.#redis.del(`${this.#key}:${os.hostname()}:${process.pid}`).catch(() => undefined);
  }

  /** Every live process's entry; null when Redis cannot be reached. */
  async list(): Promise<ProcessStatus[] | null> {
    if (!(await this.#ready())) return null;
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [next, batch] = await this.#redis.scan(cursor, 'MATCH', `${this.#key}:*`, 'COUNT', 100);
      cursor = next;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await this.#redis.mget(keys);
    return values.flatMap((v) => (v ? [JSON.parse(v) as ProcessStatus] : [])).sort((a, b) => a.id.localeCompare(b.id));
  }

  close(): void {
    this.#redis.disconnect();
  }
}
