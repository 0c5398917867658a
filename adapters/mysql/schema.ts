/**
 * ticketrelay's own tables, created by the drizzle-kit migrations in adapters/mysql/migrations.
 * Everything the legacy tables cannot hold efficiently lives here; `support_ticket.ticket_id` is the
 * legacy `___xtr_msg.msg_id` of the ticket row (the ticket number shown everywhere).
 */
import {
  bigint,
  double,
  char,
  datetime,
  index,
  int,
  json,
  mediumtext,
  mysqlEnum,
  mysqlTable,
  primaryKey,
  text,
  tinyint,
  uniqueIndex,
  varchar,
} from 'drizzle-orm/mysql-core';

const STATUS = ['open', 'closed'] as const;
const PRIORITY = ['urgent', 'high', 'normal', 'low'] as const;
const CATEGORY = ['general', 'technical', 'billing', 'complaint', 'suggestion'] as const;

export const supportTicket = mysqlTable(
  'support_ticket',
  {
    ticketId: int('ticket_id', { unsigned: true }).primaryKey(),
    customerId: int('customer_id', { unsigned: true }).notNull(),
    customerEmail: varchar('customer_email', { length: 255 }).notNull(),
    subject: varchar('subject', { length: 500 }).notNull(),
    status: mysqlEnum('status', STATUS).notNull().default('open'),
    priority: mysqlEnum('priority', PRIORITY).notNull().default('normal'),
    category: mysqlEnum('category', CATEGORY).notNull().default('general'),
    language: varchar('language', { length: 8 }),
    source: varchar('source', { length: 16 }).notNull().default('email'),
    mailbox: varchar('mailbox', { length: 64 }),
    orderNumber: varchar('order_number', { length: 64 }),
    triaged: tinyint('triaged').notNull().default(0),
    triagedAt: datetime('triaged_at', { fsp: 3 }),
    assigneeAgentId: int('assignee_agent_id', { unsigned: true }),
    messageCount: int('message_count', { unsigned: true }).notNull().default(1),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
    updatedAt: datetime('updated_at', { fsp: 3 }).notNull(),
    lastMessageAt: datetime('last_message_at', { fsp: 3 }).notNull(),
    firstResponseAt: datetime('first_response_at', { fsp: 3 }),
    closedAt: datetime('closed_at', { fsp: 3 }),
    // Triage's decision (the reasons are what agents see) and the model that made it.
    categoryConfidence: double('category_confidence'),
    priorityConfidence: double('priority_confidence'),
    /** -1 (furious) … +1 (delighted). */
    sentiment: double('sentiment'),
    triageReasons: json('triage_reasons').$type<unknown>(),
    modelVersion: varchar('model_version', { length: 64 }),
    /** Set once, when the escalation was announced: a second run of the job announces nothing. */
    escalatedAt: datetime('escalated_at', { fsp: 3 }),
    /** An agent corrected category or priority: triage no longer overwrites them. */
    corrected: tinyint('corrected').notNull().default(0),
    /** Since when the customer waits for us: their first message not yet answered by an agent (null: answered). */
    awaitingReplySince: datetime('awaiting_reply_since', { fsp: 3 }),
    /** What the customer chose on the old site's web form: triage proposes, never overrides it (migration 0015). */
    customerPriority: mysqlEnum('customer_priority', PRIORITY),
    customerCategory: mysqlEnum('customer_category', CATEGORY),
  },
  (t) => [
    index('idx_ticket_status_created').on(t.status, t.createdAt),
    index('idx_ticket_priority_status').on(t.priority, t.status, t.createdAt),
    index('idx_ticket_category_status').on(t.category, t.status, t.createdAt),
    index('idx_ticket_created').on(t.createdAt),
    index('idx_ticket_closed').on(t.closedAt),
    index('idx_ticket_triaged').on(t.triaged, t.createdAt),
    index('idx_ticket_customer').on(t.customerId),
    index('idx_ticket_customer_email').on(t.customerEmail, t.createdAt),
    index('idx_ticket_status_awaiting').on(t.status, t.awaitingReplySince),
    index('idx_ticket_assignee_status').on(t.assigneeAgentId, t.status),
    // Words walked newest first from the index alone (migration 0025, newest-first-search.ts).
    index('idx_ticket_created_words').on(t.createdAt, t.ticketId, t.subject, t.customerEmail),
    // Also FULLTEXT ft_ticket_subject_email (subject, customer_email), for /ticket list's words:
    // created by the hand-written migration 0003_ticket_search.sql (drizzle cannot declare FULLTEXT).
  ],
);

/**
 * The customer's text of each ticket (its first 20,000 characters, without the metadata block), for the
 * old pages' search by words of the message: FULLTEXT ft_ticket_text_body (body), created by the
 * hand-written migration 0015_web_form_choice.sql (drizzle cannot declare FULLTEXT indexes).
 */
export const supportTicketText = mysqlTable('support_ticket_text', {
  ticketId: int('ticket_id', { unsigned: true }).primaryKey(),
  body: mediumtext('body').notNull(),
});

/**
 * support_ticket counted by status, priority and category, kept by the database's own triggers on
 * support_ticket (migration 0004), whoever writes the rows: /ticket stats reads ≤ 2,560 rows instead
 * of counting millions. `shard` is the writing connection's id mod 64, so concurrent transactions
 * never wait on each other's counter rows.
 */
export const supportTicketTally = mysqlTable(
  'support_ticket_tally',
  {
    status: mysqlEnum('status', STATUS).notNull(),
    priority: mysqlEnum('priority', PRIORITY).notNull(),
    category: mysqlEnum('category', CATEGORY).notNull(),
    shard: tinyint('shard', { unsigned: true }).notNull(),
    tickets: bigint('tickets', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.status, t.priority, t.category, t.shard] })],
);

/**
 * support_ticket counted by the hour of created_at (UTC), kept by triggers as the tally is (migration 0025):
 * "created since" reads whole hours here and only the first, partial hour from the created_at index.
 */
export const supportTicketHourly = mysqlTable(
  'support_ticket_hourly',
  {
    hour: datetime('hour').notNull(),
    shard: tinyint('shard', { unsigned: true }).notNull(),
    tickets: bigint('tickets', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.hour, t.shard] })],
);

/**
 * Every email seen, in or out, keyed by its Message-ID (unique: the same email twice is one row).
 * Outbound rows double as the outbox: `delivery` goes pending → sent | failed | suppressed.
 */
export const supportMessage = mysqlTable(
  'support_message',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    messageId: varchar('message_id', { length: 255 }).notNull(),
    ticketId: int('ticket_id', { unsigned: true }),
    legacyMsgId: int('legacy_msg_id', { unsigned: true }),
    direction: mysqlEnum('direction', ['inbound', 'outbound']).notNull(),
    kind: mysqlEnum('kind', ['ticket', 'reply', 'automated', 'rejected', 'ack', 'agent_reply']).notNull(),
    outcome: varchar('outcome', { length: 24 }).notNull(),
    threadSignal: varchar('thread_signal', { length: 16 }),
    automatedKind: varchar('automated_kind', { length: 16 }),
    automatedReason: varchar('automated_reason', { length: 500 }),
    /** Automated mail: the stable code of the rule that decided (`bounce.dsn`, `auto_reply.subject` …). */
    automatedCode: varchar('automated_code', { length: 48 }),
    peerAddress: varchar('peer_address', { length: 255 }),
    /** Inbound: the sender's display name, and when they sent it (the Date header, when plausible). */
    peerName: varchar('peer_name', { length: 255 }),
    sentAt: datetime('sent_at', { fsp: 3 }),
    /** Outbound: the other people on the thread, copied (space-separated). */
    ccAddresses: varchar('cc_addresses', { length: 2600 }),
    subject: varchar('subject', { length: 500 }),
    inReplyTo: text('in_reply_to'),
    referencesIds: text('references_ids'),
    language: varchar('language', { length: 8 }),
    bodyText: mediumtext('body_text'),
    originalText: mediumtext('original_text'),
    notes: json('notes').$type<string[]>(),
    source: varchar('source', { length: 64 }),
    rawSize: int('raw_size', { unsigned: true }),
    delivery: mysqlEnum('delivery', ['pending', 'sent', 'failed', 'suppressed']),
    deliveryAttempts: int('delivery_attempts', { unsigned: true }).notNull().default(0),
    deliveryError: varchar('delivery_error', { length: 500 }),
    /** Outbound: soft bounces that sent it back to the outbox (bounded: then the address is flagged). */
    bounceCount: int('bounce_count', { unsigned: true }).notNull().default(0),
    /** Outbox: not before this time (a retry's backoff). */
    deliveryNextAt: datetime('delivery_next_at', { fsp: 3 }),
    /** Outbox: a process is sending it until then (its claim); nobody else takes it meanwhile. */
    deliveryClaimedUntil: datetime('delivery_claimed_until', { fsp: 3 }),
    deliveryClaimedBy: varchar('delivery_claimed_by', { length: 128 }),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
  },
  (t) => [
    uniqueIndex('uq_message_message_id').on(t.messageId),
    index('idx_message_ticket').on(t.ticketId, t.createdAt),
    index('idx_message_peer_kind').on(t.peerAddress, t.kind, t.createdAt),
    index('idx_message_delivery').on(t.delivery, t.createdAt),
    index('idx_message_automated_code').on(t.automatedCode, t.createdAt),
  ],
);

/**
 * Where a background pass over the legacy tables stands (`legacy_adoption`: the highest ___xtr_msg id
 * looked at for tickets the old site created), so a restart does not read the whole table again.
 */
export const supportSyncState = mysqlTable('support_sync_state', {
  name: varchar('name', { length: 64 }).primaryKey(),
  position: bigint('position', { mode: 'number', unsigned: true }).notNull().default(0),
  updatedAt: datetime('updated_at', { fsp: 3 }).notNull(),
});

/** Everyone who was on a ticket's thread (from, to, cc): who may thread by the [#N] subject tag. */
export const supportParticipant = mysqlTable(
  'support_participant',
  {
    ticketId: int('ticket_id', { unsigned: true }).notNull(),
    address: varchar('address', { length: 255 }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.ticketId, t.address] })],
);

/** Attachment metadata; the bytes are on disk, addressed by sha256. */
export const supportAttachment = mysqlTable(
  'support_attachment',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    messageRowId: bigint('message_row_id', { mode: 'number', unsigned: true }).notNull(),
    ticketId: int('ticket_id', { unsigned: true }),
    sha256: char('sha256', { length: 64 }),
    filename: varchar('filename', { length: 255 }).notNull(),
    contentType: varchar('content_type', { length: 128 }).notNull(),
    size: bigint('size', { mode: 'number', unsigned: true }).notNull(),
    dropped: varchar('dropped', { length: 16 }),
  },
  (t) => [index('idx_attachment_ticket').on(t.ticketId), index('idx_attachment_message').on(t.messageRowId)],
);

/** The audit trail: who changed what on which ticket, and when. */
export const supportEvent = mysqlTable(
  'support_event',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    ticketId: int('ticket_id', { unsigned: true }),
    type: varchar('type', { length: 32 }).notNull(),
    actor: varchar('actor', { length: 128 }).notNull(),
    details: json('details').$type<Record<string, unknown>>(),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
  },
  (t) => [index('idx_event_ticket').on(t.ticketId, t.createdAt), index('idx_event_type').on(t.type, t.createdAt)],
);

/** Email address → legacy customer id; its primary key serialises concurrent creation of one customer. */
export const supportCustomer = mysqlTable('support_customer', {
  email: varchar('email', { length: 255 }).primaryKey(),
  customerId: int('customer_id', { unsigned: true }).notNull(),
});

/** Addresses nothing more may be sent to (they bounced). */
export const supportAddressFlag = mysqlTable('support_address_flag', {
  address: varchar('address', { length: 255 }).primaryKey(),
  reason: varchar('reason', { length: 255 }).notNull(),
  ticketId: int('ticket_id', { unsigned: true }),
  flaggedAt: datetime('flagged_at', { fsp: 3 }).notNull(),
});

/** IMAP checkpoint: advanced only after a message's rows are committed. */
export const supportMailboxState = mysqlTable('support_mailbox_state', {
  mailbox: varchar('mailbox', { length: 64 }).primaryKey(),
  /** user@host:port/folder the checkpoint belongs to: UIDVALIDITY is only unique within one account's folder. */
  account: varchar('account', { length: 255 }).notNull().default(''),
  uidValidity: bigint('uid_validity', { mode: 'number', unsigned: true }).notNull(),
  lastUid: bigint('last_uid', { mode: 'number', unsigned: true }).notNull(),
  updatedAt: datetime('updated_at', { fsp: 3 }).notNull(),
});

/** People who work tickets from chat; `staff_id` is written to the legacy rows' `msg_cnfa_id`. */
export const supportAgent = mysqlTable(
  'support_agent',
  {
    id: int('id', { unsigned: true }).autoincrement().primaryKey(),
    name: varchar('name', { length: 128 }).notNull(),
    /** How the agent signs replies to customers ("Zoé Lemaître"); null: the name. */
    fullName: varchar('full_name', { length: 255 }),
    staffId: int('staff_id', { unsigned: true }),
    role: mysqlEnum('role', ['agent', 'manager']).notNull().default('agent'),
    active: tinyint('active').notNull().default(1),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
  },
  (t) => [uniqueIndex('uq_agent_name').on(t.name)],
);

/** How a chat user is recognised as an agent: Slack user id or email, Discord user id or role id, console user. */
export const supportAgentIdentity = mysqlTable(
  'support_agent_identity',
  {
    platform: varchar('platform', { length: 16 }).notNull(),
    kind: varchar('kind', { length: 16 }).notNull(),
    value: varchar('value', { length: 191 }).notNull(),
    agentId: int('agent_id', { unsigned: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.platform, t.kind, t.value] }), index('idx_agent_identity_agent').on(t.agentId)],
);

/** Agents' corrections of triage: the training data of `triage train`. */
export const supportTriageCorrection = mysqlTable(
  'support_triage_correction',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    ticketId: int('ticket_id', { unsigned: true }).notNull(),
    field: mysqlEnum('field', ['category', 'priority']).notNull(),
    fromValue: varchar('from_value', { length: 16 }),
    toValue: varchar('to_value', { length: 16 }).notNull(),
    agentId: int('agent_id', { unsigned: true }),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
  },
  (t) => [index('idx_correction_ticket').on(t.ticketId), index('idx_correction_created').on(t.createdAt)],
);

/** A ticket's message in a chat channel: where its customer's replies are threaded. */
export const supportChatPost = mysqlTable(
  'support_chat_post',
  {
    platform: varchar('platform', { length: 16 }).notNull(),
    channel: varchar('channel', { length: 64 }).notNull(),
    ticketId: int('ticket_id', { unsigned: true }).notNull(),
    kind: varchar('kind', { length: 16 }).notNull(),
    messageRef: varchar('message_ref', { length: 64 }).notNull(),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.platform, t.channel, t.ticketId, t.kind] }),
    index('idx_chat_post_ticket').on(t.ticketId),
  ],
);

/** One digest per channel per day: the primary key is the guarantee, whoever races. */
export const supportDigestPost = mysqlTable(
  'support_digest_post',
  {
    channel: varchar('channel', { length: 128 }).notNull(),
    day: char('day', { length: 10 }).notNull(),
    status: mysqlEnum('status', ['claimed', 'posted']).notNull(),
    claimedAt: datetime('claimed_at', { fsp: 3 }).notNull(),
    postedAt: datetime('posted_at', { fsp: 3 }),
    messageRef: varchar('message_ref', { length: 64 }),
  },
  (t) => [primaryKey({ columns: [t.channel, t.day] })],
);

/** Emails held as spam (no ticket, no acknowledgement): the raw kept on disk for review and release. */
export const supportSpam = mysqlTable(
  'support_spam',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    messageId: varchar('message_id', { length: 255 }).notNull(),
    sender: varchar('sender', { length: 255 }),
    subject: varchar('subject', { length: 500 }).notNull().default(''),
    /** What said spam: 'x-spam-flag', 'rspamd-action', 'dmarc-reject', 'spamd'… */
    code: varchar('code', { length: 32 }).notNull(),
    reason: varchar('reason', { length: 500 }).notNull(),
    rawLocation: varchar('raw_location', { length: 1024 }),
    rawSize: int('raw_size', { unsigned: true }),
    source: varchar('source', { length: 64 }),
    receivedAt: datetime('received_at', { fsp: 3 }).notNull(),
    releasedAt: datetime('released_at', { fsp: 3 }),
    releasedBy: varchar('released_by', { length: 128 }),
    /** The ticket a released email opened or joined. */
    ticketId: int('ticket_id', { unsigned: true }),
  },
  (t) => [
    uniqueIndex('uq_spam_message_id').on(t.messageId),
    index('idx_spam_released').on(t.releasedAt, t.id),
    index('idx_spam_received').on(t.receivedAt),
  ],
);

/** Each automatic email queued, by normalised mailbox: what the hourly caps count. */
export const supportAutoMail = mysqlTable(
  'support_auto_mail',
  {
    id: bigint('id', { mode: 'number', unsigned: true }).autoincrement().primaryKey(),
    mailbox: varchar('mailbox', { length: 255 }).notNull(),
    ticketId: int('ticket_id', { unsigned: true }),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
    /** The intake that queued it (random per start): each counts its own exactly, the others' from here. */
    queuedBy: varchar('queued_by', { length: 64 }),
  },
  (t) => [
    index('idx_auto_mail_mailbox').on(t.mailbox, t.createdAt, t.queuedBy),
    index('idx_auto_mail_ticket').on(t.ticketId, t.createdAt),
    index('idx_auto_mail_created').on(t.createdAt, t.queuedBy),
  ],
);

/** The circuit breaker of automatic mail ('automatic_mail'): tripped when the hourly cap is hit, reset by an operator. */
export const supportMailBreaker = mysqlTable('support_mail_breaker', {
  name: varchar('name', { length: 32 }).primaryKey(),
  trippedAt: datetime('tripped_at', { fsp: 3 }),
  reason: varchar('reason', { length: 500 }),
  resetAt: datetime('reset_at', { fsp: 3 }),
  resetBy: varchar('reset_by', { length: 128 }),
});
/**
 * A ticket's SLA clocks as last computed (migration 0017): the policy chosen and why (B4), its targets
 * as they were then (a later edit of SLA_POLICIES_FILE applies to new tickets), and when to look again.
 */
export const supportSla = mysqlTable(
  'support_sla',
  {
    ticketId: int('ticket_id', { unsigned: true }).primaryKey(),
    policy: varchar('policy', { length: 40 }).notNull(),
    policyJson: json('policy_json').$type<unknown>().notNull(),
    reason: varchar('reason', { length: 500 }).notNull(),
    priority: varchar('priority', { length: 16 }).notNull(),
    category: varchar('category', { length: 16 }).notNull(),
    ticketUpdatedAt: datetime('ticket_updated_at', { fsp: 3 }).notNull(),
    computedAt: datetime('computed_at', { fsp: 3 }).notNull(),
    nextCheckAt: datetime('next_check_at', { fsp: 3 }),
    nextDueAt: datetime('next_due_at', { fsp: 3 }),
    firstResponseMetAt: datetime('first_response_met_at', { fsp: 3 }),
    firstResponseLate: tinyint('first_response_late').notNull().default(0),
    atRisk: tinyint('at_risk').notNull().default(0),
    breached: tinyint('breached').notNull().default(0),
    clocks: json('clocks').$type<unknown>().notNull(),
    /** When the resolution clock stopped (the ticket closed after an answer), and whether past its deadline (0024). */
    resolvedAt: datetime('resolved_at', { fsp: 3 }),
    resolutionLate: tinyint('resolution_late').notNull().default(0),
  },
  (t) => [
    index('idx_sla_next_check').on(t.nextCheckAt),
    index('idx_sla_next_due').on(t.nextDueAt),
    index('idx_sla_first_response_met').on(t.firstResponseMetAt),
    index('idx_sla_resolved').on(t.resolvedAt),
  ],
);

/** One SLA alert per ticket, metric, cycle and kind: the primary key is the guarantee, whoever races. */
export const supportSlaAlert = mysqlTable(
  'support_sla_alert',
  {
    ticketId: int('ticket_id', { unsigned: true }).notNull(),
    metric: varchar('metric', { length: 16 }).notNull(),
    cycle: int('cycle', { unsigned: true }).notNull(),
    kind: varchar('kind', { length: 8 }).notNull(),
    dueAt: datetime('due_at', { fsp: 3 }).notNull(),
    firedAt: datetime('fired_at', { fsp: 3 }).notNull(),
    /** 0: recorded too late to be worth posting (a ticket from before SLAs were set up). */
    posted: tinyint('posted').notNull().default(1),
    /** Who is posting it ("host:pid:start"), until when: set while the post is in flight, NULL once done. */
    claimedBy: varchar('claimed_by', { length: 128 }),
    claimedUntil: datetime('claimed_until', { fsp: 3 }),
    /** Posts the platforms refused so far (0024); at the limit the alert is given up (given_up_at) and logged once. */
    attempts: tinyint('attempts', { unsigned: true }).notNull().default(0),
    /** The last refusal in our words (platform, channel, reason), never a token. */
    lastError: varchar('last_error', { length: 500 }),
    givenUpAt: datetime('given_up_at', { fsp: 3 }),
  },
  (t) => [
    primaryKey({ columns: [t.ticketId, t.metric, t.cycle, t.kind] }),
    index('idx_sla_alert_fired').on(t.kind, t.firedAt),
  ],
);

/** Reply templates (issue 20, 2.1): one row per key and version. */
export const supportTemplate = mysqlTable(
  'support_template',
  {
    templateKey: varchar('template_key', { length: 80 }).notNull(),
    version: int('version', { unsigned: true }).notNull(),
    title: varchar('title', { length: 200 }).notNull(),
    tags: json('tags').$type<string[]>().notNull(),
    actions: json('actions').$type<Record<string, string>>().notNull(),
    bodies: json('bodies').$type<Record<string, string>>().notNull(),
    createdAt: datetime('created_at', { fsp: 3 }).notNull(),
  },
  (t) => [primaryKey({ name: 'support_template_key_version', columns: [t.templateKey, t.version] })],
);

/**
 * Automatic assignment (migration 0020): each agent's place in the rotation and absence. Every decision
 * locks these rows, so two workers never assign past a capacity; `sequence` is the rotation pointer.
 */
export const supportAssignmentAgent = mysqlTable('support_assignment_agent', {
  agentId: int('agent_id', { unsigned: true }).primaryKey(),
  sequence: bigint('sequence', { mode: 'number', unsigned: true }).notNull().default(0),
  lastAssignedAt: datetime('last_assigned_at', { fsp: 3 }),
  /** Away since (null: here); away_until null while away means until "/ticket back". */
  awaySince: datetime('away_since', { fsp: 3 }),
  awayUntil: datetime('away_until', { fsp: 3 }),
});

/** The assignment decision on each ticket and its reason (B4); state 'queued' is the queue. */
export const supportAssignment = mysqlTable(
  'support_assignment',
  {
    ticketId: int('ticket_id', { unsigned: true }).primaryKey(),
    /** auto · queued · manual (a person chose: never changed automatically) · left (the rule says manual). */
    state: varchar('state', { length: 8 }).notNull(),
    agentId: int('agent_id', { unsigned: true }),
    strategy: varchar('strategy', { length: 20 }),
    rule: varchar('rule', { length: 40 }),
    reason: varchar('reason', { length: 2000 }).notNull(),
    queuedSince: datetime('queued_since', { fsp: 3 }),
    decidedAt: datetime('decided_at', { fsp: 3 }).notNull(),
  },
  (t) => [index('idx_assignment_queue').on(t.state, t.queuedSince)],
);
