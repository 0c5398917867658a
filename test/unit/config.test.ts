/**
 * loadConfig as an operator meets it: each mistake named by its variable, every mistake at once,
 * no secret in the message.
 */
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected the configuration to be refused');
}

describe('loadConfig', () => {
  it('refuses a DATABASE_URL without a database name, without showing its password', () => {
    const message = problems({ DATABASE_URL: 'mysql://shop:Pa55-secret@db.internal:3306' });
    expect(message).toContain(
      'DATABASE_URL: the database name is missing at the end, e.g. mysql://user:pass@host:3306/shop',
    );
    expect(message).not.toContain('Pa55-secret');
    expect(problems({ DATABASE_URL: 'mysql://shop:Pa55-secret@db.internal:3306/' })).toContain(
      'DATABASE_URL: the database name is missing',
    );
  });

  it("says what a number variable must be in words, not in the validator's terms", () => {
    const message = problems({
      HTTP_PORT: 'abc',
      SLACK_PORT: '70000',
      INGEST_CONCURRENCY: '1.5',
      ACK_MAX_PER_HOUR: '-1',
    });
    expect(message).toContain('HTTP_PORT: must be a whole number (it is not a number)');
    expect(message).toContain('SLACK_PORT: must be at most 65535');
    expect(message).toContain('INGEST_CONCURRENCY: must be a whole number');
    expect(message).toContain('ACK_MAX_PER_HOUR: must be at least 0');
    expect(problems({ LOG_LEVEL: 'loud' })).toContain(
      'LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent',
    );
    expect(message).not.toMatch(/NaN|expected number/);
  });

  it('takes a variable set to nothing as not set, except a URL; a wrong SMTP_URL gets one sentence', () => {
    const config = loadConfig({
      IMAP_URL: 'imap://a:b@127.0.0.1:143/INBOX',
      IMAP_ALLOW_PLAIN: '',
      HTTP_PORT: '',
      ACK_ENABLED: ' ',
    });
    expect(config.imap.mailboxes[0]?.allowPlain).toBe(false);
    expect(config.http.port).toBe(8080);
    expect(problems({ DATABASE_URL: '' })).toContain('DATABASE_URL: a mysql:// URL');
    const smtp = problems({ SMTP_URL: 'smtp//mailer:S3cret@mail.example:587' });
    expect(smtp.match(/SMTP_URL/g)).toHaveLength(1);
    expect(smtp).toContain('SMTP_URL: an smtp:// or smtps:// URL such as smtp://user:pass@mail.example.com:587');
    expect(smtp).not.toContain('S3cret');
  });

  it('warns of a variable named like ours that nothing reads, with the name it probably meant', () => {
    const { warnings } = loadConfig({
      SUPPORT_ADRESS: 'help@shop.example',
      IMAP_URL: 'imap://a:b@127.0.0.1:143/INBOX',
      IMAP_ALLOW_PLAN: 'true',
      HTTP_PROXY: 'http://proxy:3128',
      PATH: '/usr/bin',
    });
    expect(warnings).toEqual([
      'IMAP_ALLOW_PLAN is not a ticketrelay variable and is not read: did you mean IMAP_ALLOW_PLAIN? (.env.example lists them all).',
      'SUPPORT_ADRESS is not a ticketrelay variable and is not read: did you mean SUPPORT_ADDRESS? (.env.example lists them all).',
    ]);
    const several = loadConfig({
      IMAP_MAILBOXES: 'support',
      IMAP_SUPPORT_URL: 'imaps://a:b@imap.example/INBOX',
      IMAP_SALES_URL: 'imaps://c:d@imap.example/INBOX',
    });
    expect(several.warnings).toEqual(['IMAP_SALES_URL is set, but "sales" is not in IMAP_MAILBOXES: it is not read.']);
    expect(loadConfig({ SUPPORT_ADDRESS: 'help@shop.example', SUPPORT_NAME: 'Shop' }).warnings).toEqual([]);
    // A typo inside the prefix, or under a prefix other software shares.
    expect(
      loadConfig({
        DATABSE_URL: 'mysql://a:b@db/shop',
        SUPORT_NAME: 'Shop',
        REDIS_URI: 'redis://r:6379',
        LOG_LEVL: 'debug',
        // Two characters off our alphabet are still a near miss; npm's own lower-case variables are not ours.
        Log_LEVEL: 'info',
        npm_config_cache: '/root/.npm',
        npm_package_scripts_bench_pipe: 'tsx bench/pipe.bench.ts',
      }).warnings,
    ).toEqual([
      'DATABSE_URL is not a ticketrelay variable and is not read: did you mean DATABASE_URL? (.env.example lists them all).',
      'LOG_LEVL is not a ticketrelay variable and is not read: did you mean LOG_LEVEL? (.env.example lists them all).',
      'Log_LEVEL is not a ticketrelay variable and is not read: did you mean LOG_LEVEL? (.env.example lists them all).',
      'REDIS_URI is not a ticketrelay variable and is not read: did you mean REDIS_URL? (.env.example lists them all).',
      'SUPORT_NAME is not a ticketrelay variable and is not read: did you mean SUPPORT_NAME? (.env.example lists them all).',
    ]);
    expect(
      loadConfig({ HTTP_PROXY: 'http://proxy:3128', HOME: '/root', PATH: '/usr/bin', HOSTNAME: 'box', TERM: 'xterm' })
        .warnings,
    ).toEqual([]);
  });

  it('says once, in one sentence, what a malformed DATABASE_URL should look like', () => {
    const message = problems({ DATABASE_URL: 'not a url' });
    expect(message.match(/DATABASE_URL/g)).toHaveLength(1);
    expect(message).toContain('DATABASE_URL: a mysql:// URL such as mysql://user:pass@host:3306/shop');
  });

  it('refuses a DIGEST_CRON the scheduler would refuse, instead of failing when the scheduler starts', () => {
    expect(problems({ DIGEST_CRON: '61 * * * *' })).toMatch(
      /DIGEST_CRON: "61 \* \* \* \*" is not a cron pattern \(.*59.*\); e\.g\. "0 8 \* \* \*"/,
    );
    expect(problems({ DIGEST_CRON: '0 8 * *' })).toContain(
      'DIGEST_CRON: "0 8 * *" has 4 fields; write minute hour day-of-month month day-of-week',
    );
    expect(loadConfig({ DIGEST_CRON: '30 7 * * mon-fri', DIGEST_TIMEZONE: 'America/New_York' }).digest).toEqual({
      cron: '30 7 * * mon-fri',
      timezone: 'America/New_York',
    });
  });

  it('reports every problem at once: variables, mailboxes, time zone and cron together', () => {
    const message = problems({
      HTTP_PORT: '99999',
      IMAP_URL: 'http://imap.example',
      DIGEST_TIMEZONE: 'Mars/Base',
      DIGEST_CRON: 'every day',
    });
    expect(message).toContain('HTTP_PORT:');
    expect(message).toContain('IMAP_URL: an imap:// or imaps:// URL');
    expect(message).toContain('DIGEST_TIMEZONE: "Mars/Base" is not an IANA time zone');
    expect(message).toContain('DIGEST_CRON: "every day" has 2 fields');
  });

  it('knows the variables of each mailbox, for messages that name the one to fix', () => {
    expect(loadConfig({ IMAP_URL: 'imaps://a:b@imap.example/INBOX' }).imap.mailboxes[0]?.envPrefix).toBe('IMAP_');
    const several = loadConfig({
      IMAP_MAILBOXES: 'support,billing',
      IMAP_SUPPORT_URL: 'imaps://a:b@imap.example/INBOX',
      IMAP_BILLING_URL: 'imaps://c:d@imap.example/INBOX',
    });
    expect(several.imap.mailboxes.map((m) => m.envPrefix)).toEqual(['IMAP_SUPPORT_', 'IMAP_BILLING_']);
  });

  it('reads API_TOKENS as name:scope[+scope]:token, and never shows a token in its messages', () => {
    const long = 'a'.repeat(40);
    const config = loadConfig({
      API_TOKENS: `oldsite:read+write:${long}, monitor:metrics:${'b'.repeat(32)}:with-colons`,
    });
    expect(config.http.tokens).toEqual([
      { name: 'oldsite', scopes: ['read', 'write'], token: long },
      { name: 'monitor', scopes: ['metrics'], token: `${'b'.repeat(32)}:with-colons` },
    ]);
    const message = problems({
      API_TOKENS:
        'oldsite:read:short-Secret-1,bad entry Secret-2,x:admin:' +
        'c'.repeat(40) +
        ',oldsite:read:' +
        'd'.repeat(40) +
        ',y:read:' +
        'd'.repeat(40),
    });
    expect(message).toContain(
      'API_TOKENS: entry 1 ("oldsite"): the token is too short: at least 32 characters (openssl rand -hex 32)',
    );
    expect(message).toContain('API_TOKENS: entry 2 is not name:scope[+scope]:token');
    expect(message).toContain('API_TOKENS: entry 3 ("x"): the scopes must be read, write and/or metrics joined by +');
    expect(message).toContain('API_TOKENS: entry 4 ("oldsite"): the name is used twice');
    expect(message).toContain('API_TOKENS: entry 5 ("y"): the same token is given twice');
    for (const secret of ['short-Secret-1', 'Secret-2', 'c'.repeat(40), 'd'.repeat(40)])
      expect(message).not.toContain(secret);
  });

  it('reads rates, trusted proxies, SMTP_ALLOW_PLAIN and the console key, each mistake named', () => {
    const config = loadConfig({
      FORM_RATE_PER_IP: '3/min, 10/hour',
      TRUSTED_PROXIES: '127.0.0.1, 10.0.0.0/8, ::1',
      SMTP_ALLOW_PLAIN: 'true',
    });
    expect(config.http.formRatePerIp.map((r) => [r.limit, r.windowMs])).toEqual([
      [3, 60_000],
      [10, 3_600_000],
    ]);
    expect(config.http.formRateTotal.map((r) => r.text)).toEqual(['300/hour']);
    expect(config.http.trustedProxies).toEqual(['127.0.0.1', '10.0.0.0/8', '::1']);
    expect(config.smtp.allowPlain).toBe(true);
    expect(loadConfig({}).smtp.allowPlain).toBe(false);
    expect(loadConfig({}).http.tokens).toEqual([]);
    const message = problems({
      FORM_RATE_TOTAL: 'lots',
      TRUSTED_PROXIES: 'proxy.internal,10.0.0.0/33',
      CONSOLE_MANAGER_KEY: 'short-Key',
    });
    expect(message).toContain('FORM_RATE_TOTAL: one or more limits such as 5/min or 5/min,30/hour');
    expect(message).toContain('TRUSTED_PROXIES: "proxy.internal", "10.0.0.0/33" are not addresses or ranges');
    expect(message).toContain('CONSOLE_MANAGER_KEY: too short: at least 16 characters');
    expect(message).not.toContain('short-Key');
  });
});
