import net from 'node:net';
import path from 'node:path';

import mysql from 'mysql2/promise';
import { beforeAll, describe, expect, it } from 'vitest';

import {
  LOCAL_ENDPOINTS,
  servicesStatus,
  servicesUp,
  type LocalEndpoints,
  type LocalServiceName,
} from '../../adapters/local-services/index.ts';

// The project's shared development services: this file only starts them (never stops them),
// because other integration tests use the same instances.
const dataDir = path.resolve(import.meta.dirname, '../../.data');
const services: readonly LocalServiceName[] = ['mariadb', 'redis', 'dovecot'];
const lines: string[] = [];
const options = { dataDir, services, log: (line: string) => lines.push(line) };

/** Connects, optionally sends `send`, resolves with the first line the server answers. */
function firstLine(port: number, send?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    let received = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer on port ${port}`));
    }, 5_000);
    socket.once('connect', () => {
      if (send !== undefined) socket.write(send);
    });
    socket.on('data', (chunk: Buffer) => {
      received += chunk.toString('latin1');
      const end = received.indexOf('\r\n');
      if (end !== -1) {
        clearTimeout(timer);
        socket.destroy();
        resolve(received.slice(0, end));
      }
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

describe('local development services', () => {
  let endpoints: LocalEndpoints;

  beforeAll(async () => {
    endpoints = await servicesUp(options);
  }, 300_000);

  it('returns the fixed local endpoints', () => {
    expect(endpoints).toEqual(LOCAL_ENDPOINTS);
    expect(endpoints.databaseUrl).toBe('mysql://ticketrelay:ticketrelay@127.0.0.1:33306/ticketrelay');
    expect(endpoints.testDatabaseUrl).toBe('mysql://ticketrelay:ticketrelay@127.0.0.1:33306/ticketrelay_test');
    expect(endpoints.redisUrl).toBe('redis://127.0.0.1:36379');
    expect(endpoints.imap).toEqual({ host: '127.0.0.1', port: 31143, password: 'secret' });
  });

  it('a second servicesUp finds the running instances and does nothing, quickly', async () => {
    const before = await servicesStatus(options);
    const second: string[] = [];
    const startedAt = performance.now();
    const again = await servicesUp({ ...options, log: (line) => second.push(line) });
    const elapsed = performance.now() - startedAt;

    expect(again).toEqual(LOCAL_ENDPOINTS);
    expect(elapsed).toBeLessThan(1_000);
    expect(second).toHaveLength(3);
    for (const line of second)
      expect(line).toMatch(/^(mariadb|redis|dovecot): already running on 127\.0\.0\.1:\d+ \(pid \d+\)$/);
    const after = await servicesStatus(options);
    expect(after.map((status) => status.pid)).toEqual(before.map((status) => status.pid));
  });

  it('servicesStatus reports all three running, with pids', async () => {
    const statuses = await servicesStatus(options);
    expect(statuses.map((status) => status.name)).toEqual(['mariadb', 'redis', 'dovecot']);
    for (const status of statuses) {
      expect(status.running, `${status.name}: ${status.detail}`).toBe(true);
      expect(status.pid).toBeGreaterThan(0);
    }
    expect(statuses.map((status) => status.endpoint)).toEqual([
      'mysql://127.0.0.1:33306',
      'redis://127.0.0.1:36379',
      'imap://127.0.0.1:31143',
    ]);
  });

  it('MariaDB accepts the ticketrelay login and may create ticketrelay_* databases', async () => {
    const connection = await mysql.createConnection(endpoints.testDatabaseUrl);
    try {
      const [rows] = await connection.query('SELECT 1 AS one');
      expect(rows).toEqual([{ one: 1 }]);
      const [charset] = await connection.query('SELECT @@character_set_server AS cs, DATABASE() AS db');
      expect(charset).toEqual([{ cs: 'utf8mb4', db: 'ticketrelay_test' }]);
      await connection.query('CREATE DATABASE IF NOT EXISTS ticketrelay_test_services_probe');
      await connection.query('DROP DATABASE ticketrelay_test_services_probe');
    } finally {
      await connection.end();
    }
  });

  it('Redis answers PING', async () => {
    expect(await firstLine(36379, 'PING\r\n')).toBe('+PONG');
  });

  it('Redis keeps its queues across a crash (append-only file) and never evicts a key', async () => {
    const port = Number(new URL(endpoints.redisUrl).port);
    // Inline commands: the answer to CONFIG GET is an array whose second bulk string is the value.
    const value = async (name: string) => {
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = net.connect({ host: '127.0.0.1', port });
        let received = '';
        socket.once('connect', () => socket.write(`CONFIG GET ${name}\r\n`));
        socket.on('data', (chunk: Buffer) => {
          received += chunk.toString('latin1');
          if (received.split('\r\n').length >= 6) {
            socket.destroy();
            resolve(received);
          }
        });
        socket.once('error', reject);
      });
      return answer.split('\r\n')[4];
    };
    expect(await value('appendonly')).toBe('yes');
    expect(await value('appendfsync')).toBe('everysec');
    expect(await value('maxmemory-policy')).toBe('noeviction');
  });

  it('the IMAP port greets with * OK', async () => {
    expect(await firstLine(endpoints.imap.port)).toMatch(/^\* OK/);
  });
});
