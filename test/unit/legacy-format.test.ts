/** The shop's row format, as adapters/mysql/legacy-format.ts writes and reads it (pure: no database). */
import { describe, expect, it } from 'vitest';
import {
  composeLegacyContent,
  formatLegacyDate,
  METADATA_MARKER,
  newTicketContent,
  parseLegacyContent,
  parseLegacyDate,
  phoneColumn,
} from '../../adapters/mysql/legacy-format.ts';
import type { NewTicket } from '../../src/ports/intake-store.ts';

describe('legacy dates', () => {
  it("writes ISO-8601 UTC to the second, and reads both the shop's 'Y-m-j H:i:s' and ISO-8601", () => {
    expect(formatLegacyDate(new Date('2026-03-05T08:09:10.123Z'))).toBe('2026-03-05T08:09:10Z');
    // The shop wrote Paris local time, day not padded: 5 March is UTC+1.
    expect(parseLegacyDate('2026-3-5 9:09:10')?.toISOString()).toBe('2026-03-05T08:09:10.000Z');
    // Summer time is UTC+2.
    expect(parseLegacyDate('2024-7-1 12:00:00')?.toISOString()).toBe('2024-07-01T10:00:00.000Z');
    expect(parseLegacyDate('2026-03-05T08:09:10Z')?.toISOString()).toBe('2026-03-05T08:09:10.000Z');
    expect(parseLegacyDate('not a date')).toBeNull();
    expect(parseLegacyDate(null)).toBeNull();
  });
});

describe('the metadata block', () => {
  it('round-trips the text and the JSON the old site reads', () => {
    const content = composeLegacyContent('Bonjour,\nma commande…\n\n', {
      priority: 'high',
      category: 'billing',
      created_at: '2026-01-01T00:00:00Z',
    });
    expect(content).toBe(
      'Bonjour,\nma commande…\n\n--- MÉTADONNÉES ---\n{"priority":"high","category":"billing","created_at":"2026-01-01T00:00:00Z"}',
    );
    expect(parseLegacyContent(content)).toEqual({
      text: 'Bonjour,\nma commande…',
      metadata: { priority: 'high', category: 'billing', created_at: '2026-01-01T00:00:00Z' },
    });
    expect(parseLegacyContent('{"type":"review","stars":5}').metadata).toBeNull();
    expect(parseLegacyContent('text\n--- MÉTADONNÉES ---\nnot json').metadata).toBeNull();
  });
});

describe('a ticket intake opens', () => {
  const emailTicket: NewTicket = {
    customerId: 7,
    customerEmail: 'jane@customer.example',
    subject: 'Where is my order?',
    text: 'Hello,\n\nI ordered brake pads <b>last week</b>.',
    priority: 'normal',
    category: 'general',
    language: 'en',
    orderNumber: null,
    source: 'email',
    mailbox: 'support',
    at: new Date('2026-01-15T10:00:00.250Z'),
    messageId: '<CAJane.1@mail.customer.example>',
    attachments: [{ name: 'invoice.pdf', sha256: 'b'.repeat(64), size: 1234 }],
    customerChoice: { priority: null, category: null },
  };

  it('is the text, then the block the old site reads, with who wrote it and nothing of a web form', () => {
    const content = newTicketContent(emailTicket);
    expect(content.startsWith('Hello,\n\nI ordered brake pads &lt;b&gt;last week&lt;/b&gt;.')).toBe(true);
    expect(content).toContain(`\n\n${METADATA_MARKER}\n`);
    const { text, metadata } = parseLegacyContent(content);
    expect(text).toBe(emailTicket.text);
    expect(metadata).toEqual({
      priority: 'normal',
      category: 'general',
      created_at: '2026-01-15T10:00:00Z',
      source: 'email',
      status: 'open',
      language: 'en',
      order_number: null,
      message_id: '<CAJane.1@mail.customer.example>',
      attachments: [{ name: 'invoice.pdf', sha256: 'b'.repeat(64), size: 1234 }],
      triaged: false,
      ticketrelay: 1,
    });
  });

  it("keeps a web form's fields as the old backend wrote them, in its order", () => {
    const content = newTicketContent({
      ...emailTicket,
      source: 'web',
      messageId: null,
      attachments: [],
      phone: '06 12 34 56 78',
      linkedTicketId: 41,
      priority: 'urgent',
      customerChoice: { priority: 'urgent', category: null },
      webForm: {
        categoryAsSent: 'product',
        vehicleInfo: { brand: 'Peugeot', model: '308' },
        sourcePage: '/contact',
        customerIdNotTaken: 80001,
      },
    });
    const json = content.slice(content.indexOf(METADATA_MARKER) + METADATA_MARKER.length + 1);
    expect(Object.keys(JSON.parse(json) as object)).toEqual([
      'priority',
      'category',
      'created_at',
      'source',
      'status',
      'language',
      'order_number',
      'phone',
      'linked_ticket',
      'message_id',
      'attachments',
      'triaged',
      'ticketrelay',
      'form_category',
      'vehicle_info',
      'chosen_by_customer',
      'source_page',
      'customer_id_not_taken',
    ]);
    expect(parseLegacyContent(content).metadata).toMatchObject({
      priority: 'urgent',
      source: 'web',
      phone: '06 12 34 56 78',
      linked_ticket: 41,
      message_id: null,
      chosen_by_customer: ['priority'],
      customer_id_not_taken: '80001',
    });
  });
});

describe('phone numbers', () => {
  it('go to cst_gsm when they are a French mobile, cst_tel otherwise', () => {
    expect(
      ['06 12 34 56 78', '+33 7 12 34 56 78', '0033612345678', '01 42 00 00 00', '+44 20 7946 0958'].map(phoneColumn),
    ).toEqual(['cst_gsm', 'cst_gsm', 'cst_gsm', 'cst_tel', 'cst_tel']);
  });
});
