/**
 * The spam and authentication rules read from the headers our mail server writes (src/domain/spam.ts),
 * the mailbox the acknowledgement caps count, and what an acknowledgement may echo of the sender.
 */
import { describe, expect, it } from 'vitest';
import { TICKET_COMMAND, toCommandText } from '../../adapters/discord/discord-command-definition.ts';
import { parseCommand } from '../../src/domain/command.ts';
import { ackSubject, composeAcknowledgement } from '../../src/domain/acknowledgement.ts';
import type { HeaderMap } from '../../src/domain/inbound-email.ts';
import { senderAuthentication } from '../../src/domain/sender-authentication.ts';
import {
  normalisedMailbox,
  senderAuthenticated,
  trustedAuthenticationResults,
  upstreamSpamVerdict,
} from '../../src/domain/spam.ts';

const headers = (pairs: readonly (readonly [string, string])[]): HeaderMap => {
  const map = new Map<string, string[]>();
  for (const [k, v] of pairs) map.set(k.toLowerCase(), [...(map.get(k.toLowerCase()) ?? []), v]);
  return map;
};
const MX = 'mx.shop.example';
const verdict = (pairs: readonly (readonly [string, string])[], trusted: string | null = MX) => {
  const h = headers(pairs);
  return upstreamSpamVerdict(h, trustedAuthenticationResults(h, trusted));
};

describe("the mail server's spam verdicts", () => {
  it('honours SpamAssassin and rspamd headers that say spam', () => {
    expect(verdict([['X-Spam-Flag', 'YES']])).toMatchObject({ code: 'x-spam-flag' });
    expect(verdict([['X-Spam-Status', 'Yes, score=12.3 required=5.0 tests=GTUBE autolearn=no']])).toMatchObject({
      code: 'x-spam-status',
    });
    expect(verdict([['X-Spam', 'Yes']])).toMatchObject({ code: 'x-spam' });
    expect(verdict([['X-Rspamd-Action', 'add header']])).toMatchObject({ code: 'rspamd-action' });
    expect(verdict([['X-Spamd-Result', 'default: True [16.20 / 15.00]; GTUBE(0.00)[]']])).toMatchObject({
      code: 'x-spamd-result',
      reason: expect.stringContaining('16.20 of 15.00'),
    });
  });

  it('lets through what those headers call clean', () => {
    expect(
      verdict([
        ['X-Spam-Flag', 'NO'],
        ['X-Spam-Status', 'No, score=1.2 required=5.0'],
        ['X-Rspamd-Action', 'no action'],
        ['X-Spamd-Result', 'default: False [2.40 / 15.00]'],
      ]),
    ).toBeNull();
  });

  it('takes DMARC fail under p=reject or quarantine from our own server as spam, in the forms servers write', () => {
    expect(
      verdict([
        [
          'Authentication-Results',
          `${MX}; spf=fail smtp.mailfrom=bank.example; dkim=none; dmarc=fail (p=REJECT sp=REJECT dis=NONE) header.from=bank.example`,
        ],
      ]),
    ).toMatchObject({
      code: 'dmarc-reject',
      reason: expect.stringContaining('bank.example'),
    });
    expect(
      verdict([
        ['Authentication-Results', `${MX} 1; dmarc=fail policy.dmarc=quarantine header.from=shop-promo.example`],
      ]),
    ).toMatchObject({ code: 'dmarc-quarantine' });
    // p=none: the owner asks for nothing, so nothing is done.
    expect(verdict([['Authentication-Results', `${MX}; dmarc=fail (p=NONE) header.from=small.example`]])).toBeNull();
  });

  it('ignores Authentication-Results written by anyone else, and our id below the topmost one of ours', () => {
    const forged = [
      ['Authentication-Results', `mx.attacker.example; dmarc=fail (p=REJECT) header.from=bank.example`],
    ] as const;
    expect(verdict(forged)).toBeNull();
    // Our server prepends its own instance: one further down with our id came with the message.
    const below = [
      ['Authentication-Results', `${MX}; dmarc=pass header.from=customer.example`],
      ['Authentication-Results', `${MX}; dmarc=fail (p=reject) header.from=customer.example`],
    ] as const;
    expect(verdict(below)).toBeNull();
    expect(trustedAuthenticationResults(headers(below), MX)?.results[0]).toMatchObject({
      method: 'dmarc',
      result: 'pass',
    });
    // No trusted id configured: no instance is believed.
    expect(
      verdict([['Authentication-Results', `${MX}; dmarc=fail (p=REJECT) header.from=bank.example`]], null),
    ).toBeNull();
  });
});

describe('whether our server authenticated the address an acknowledgement would go to', () => {
  const auth = (value: string) => trustedAuthenticationResults(headers([['Authentication-Results', value]]), MX)!;

  it('accepts DMARC, DKIM or SPF pass for that address domain (or a parent/subdomain of it)', () => {
    expect(
      senderAuthenticated(auth(`${MX}; dmarc=pass (p=none) header.from=customer.example`), 'jane@customer.example')
        .authenticated,
    ).toBe(true);
    expect(
      senderAuthenticated(auth(`${MX}; dkim=pass header.d=mail.customer.example header.s=s1`), 'jane@customer.example')
        .authenticated,
    ).toBe(true);
    expect(
      senderAuthenticated(auth(`${MX}; spf=pass smtp.mailfrom=bounce@customer.example`), 'jane@customer.example')
        .authenticated,
    ).toBe(true);
  });

  it('refuses a pass for another domain (the Reply-To relay) and a fail', () => {
    const relay = senderAuthenticated(
      auth(
        `${MX}; spf=pass smtp.mailfrom=attacker.example; dkim=pass header.d=attacker.example; dmarc=pass header.from=attacker.example`,
      ),
      'victim@third.example',
    );
    expect(relay).toEqual({ authenticated: false, how: expect.stringContaining('did not authenticate third.example') });
    expect(
      senderAuthenticated(
        auth(`${MX}; spf=softfail smtp.mailfrom=victim.example; dmarc=fail (p=none) header.from=victim.example`),
        'v@victim.example',
      ).authenticated,
    ).toBe(false);
    // "notvictim.example" is not a subdomain of "victim.example".
    expect(
      senderAuthenticated(auth(`${MX}; dkim=pass header.d=notvictim.example`), 'v@victim.example').authenticated,
    ).toBe(false);
  });
});

describe('who wrote an email, as the threading rules ask it: one Authentication-Results parser serves both', () => {
  const of = (pairs: readonly (readonly [string, string])[], from: string | null, trusted: string | null = MX) =>
    senderAuthentication(trustedAuthenticationResults(headers(pairs), trusted), from);

  it('pass on DMARC pass or an aligned SPF/DKIM pass, fail on DMARC fail or SPF fail without DKIM', () => {
    expect(
      of([['Authentication-Results', `${MX}; dmarc=pass header.from=customer.example`]], 'j@customer.example'),
    ).toBe('pass');
    expect(
      of([['Authentication-Results', `${MX}; dkim=pass (good) header.d=customer.example`]], 'j@customer.example'),
    ).toBe('pass');
    expect(of([['Authentication-Results', `${MX}; dmarc=fail (p=reject) header.from=x.example`]], 'j@x.example')).toBe(
      'fail',
    );
    expect(of([['Authentication-Results', `${MX}; spf=fail smtp.mailfrom=x.example`]], 'j@x.example')).toBe('fail');
    // A pass for the attacker's own domain says nothing about the From's.
    expect(
      of([['Authentication-Results', `${MX}; spf=pass smtp.mailfrom=attacker.example`]], 'victim@customer.example'),
    ).toBe('unknown');
  });

  it("believes only our server's topmost instance: none trusted, or another authserv-id, is unknown", () => {
    const pass = [['Authentication-Results', `${MX}; dmarc=pass header.from=customer.example`]] as const;
    expect(of(pass, 'j@customer.example', null)).toBe('unknown');
    expect(
      of(
        [['Authentication-Results', 'mx.attacker.example; dmarc=pass header.from=customer.example']],
        'j@customer.example',
      ),
    ).toBe('unknown');
    // The sender's own forged instance below ours does not override ours.
    expect(
      of(
        [
          ['Authentication-Results', `${MX}; dmarc=fail header.from=customer.example`],
          ['Authentication-Results', `${MX}; dmarc=pass header.from=customer.example`],
        ],
        'j@customer.example',
      ),
    ).toBe('fail');
  });
});

describe('the mailbox the caps count', () => {
  it('folds case and +tags everywhere, and dots where the provider ignores them', () => {
    expect(normalisedMailbox('Victim+7@Third-Party.example')).toBe('victim@third-party.example');
    expect(normalisedMailbox('victim+a+b@third-party.example')).toBe('victim@third-party.example');
    expect(normalisedMailbox('J.Ane.Doe+shop@GoogleMail.com')).toBe('janedoe@gmail.com');
    expect(normalisedMailbox('jane.doe@customer.example')).toBe('jane.doe@customer.example');
  });
});

describe('what the acknowledgement echoes', () => {
  it('says no name and only the start of the subject, without links', () => {
    const ack = composeAcknowledgement({
      ticketId: 363,
      subject: 'Visit http://spam.example/7 for cheap pills, and more cheap pills, and even more',
      language: 'fr',
      supportName: 'Support',
    });
    expect(ack.subject).toBe('[#363] Visit … for cheap pills, and more cheap…');
    expect(ack.text).toMatch(/^Bonjour,\n/);
    expect(ack.text).not.toContain('spam.example');
    expect(ackSubject('You won 1000 EUR: claim at phish.example now')).toBe('You won 1000 EUR: claim at … now');
    expect(ackSubject('Plaquettes de frein')).toBe('Plaquettes de frein');
  });
});

describe('/ticket spam in the command grammar (Slack, Discord and the console type the same line)', () => {
  it('reads a list, a page and a release, and says what to type otherwise', () => {
    expect(parseCommand('/ticket spam')).toEqual({ ok: true, command: { name: 'spam', page: 1 } });
    expect(parseCommand('/ticket spam list page 3')).toEqual({ ok: true, command: { name: 'spam', page: 3 } });
    expect(parseCommand('spam release #12')).toEqual({ ok: true, command: { name: 'spam_release', spamId: 12 } });
    expect(parseCommand('/ticket spam release')).toMatchObject({
      ok: false,
      error: expect.stringContaining('"/ticket spam release 12"'),
    });
    expect(parseCommand('/ticket spam delete 3')).toMatchObject({
      ok: false,
      error: expect.stringContaining('"/ticket spam release 12" takes #12'),
    });
  });

  it("is what Discord's /ticket spam subcommand turns into", () => {
    expect(toCommandText('spam', new Map())).toBe('spam');
    expect(toCommandText('spam', new Map([['page', 2]]))).toBe('spam page 2');
    expect(toCommandText('spam', new Map([['release', 12]]))).toBe('spam release 12');
    expect(TICKET_COMMAND.options.map((o) => o.name)).toContain('spam');
  });
});
