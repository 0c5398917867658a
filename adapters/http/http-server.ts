/**
 * The HTTP front end on node:http: health, readiness, Prometheus metrics, and the old support module's
 * JSON API on the same data. Every error is JSON with a message saying what to do; no stack trace
 * ever leaves the process; bodies are capped. Only the web form, /healthz and /readyz's up/down answer
 * are anonymous: everything else needs a bearer token of API_TOKENS with the route's scope, and the
 * token's name is the actor of every change made with it.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ApiScope, ApiToken } from '../../src/config.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { LocalRateGate, type Rate, type RateDenial } from '../../src/domain/rate-limit.ts';
import type { MetricsRegistry } from '../../src/services/metrics.ts';
import type { Logger } from '../../src/ports/logger.ts';
import type { RateGate } from '../../src/ports/rate-gate.ts';
import type {
  SupportApiStore,
  TicketListItem,
  TicketListPage,
  TicketStatusStore,
} from '../../src/ports/support-api-store.ts';
import { CATEGORIES, parseShopDate, PRIORITIES, type Category, type Priority } from '../../src/domain/ticket.ts';
import type { IntakeResult, IntakeSource } from '../../src/services/intake-result.ts';
import { authenticate, createClientAddress, hasScope, requestTargetProblem } from './api-access.ts';
import { contactFormToEmail, formLanguage, validateContactForm } from './contact-form.ts';
import type { ReadinessReport } from './readiness.ts';

export const MAX_BODY_BYTES = 64 * 1024;
const MAX_LIMIT = 100;
const DEFAULT_LIMIT = 20;
/** Pages by number go this deep; further, follow `nextCursor` (a deep OFFSET reads every row before it). */
export const MAX_PAGE = 100;

/** Who may do what, and how often (config.http's slice). */
export interface HttpAccess {
  readonly tokens: readonly ApiToken[];
  readonly ratePerToken: readonly Rate[];
  readonly formRatePerIp: readonly Rate[];
  readonly formRateTotal: readonly Rate[];
  readonly trustedProxies: readonly string[];
}

export interface HttpDeps {
  readonly ingest: (raw: Uint8Array, source: IntakeSource) => Promise<IntakeResult>;
  readonly tickets: SupportApiStore;
  readonly statuses: TicketStatusStore;
  readonly metrics: MetricsRegistry;
  readonly readiness: () => Promise<ReadinessReport>;
  readonly logger: Logger;
  readonly supportAddress: string;
  readonly access: HttpAccess;
  /** Where the limits are counted: Redis for every process (the http role), or this process's memory (the default). */
  readonly rateGate?: RateGate;
  readonly clock?: () => Date;
}

class HttpProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

function tooMany(denial: RateDenial, message: string): HttpProblem {
  return new HttpProblem(
    429,
    'too_many_requests',
    message,
    { retryAfterSeconds: denial.retryAfterSeconds },
    { 'retry-after': String(denial.retryAfterSeconds) },
  );
}

/** The form's refusal in both languages: its page shows it to the customer. */
function formMessage(denial: RateDenial): string {
  const minutes = Math.ceil(denial.retryAfterSeconds / 60);
  const fr = minutes <= 1 ? 'dans une minute' : `dans ${minutes} minutes`;
  const en = minutes <= 1 ? 'in a minute' : `in ${minutes} minutes`;
  return `Trop de messages ont été envoyés : réessayez ${fr}, ou écrivez-nous par e-mail. / Too many messages were sent: try again ${en}, or write to us by email.`;
}

/** `cursor=<created-at ms>-<ticket number>` as the previous page's nextCursor gave it. */
function cursorParam(
  text: string | null,
  fields: Record<string, string>,
): { createdAt: Date; ticketId: number } | null {
  if (text === null || text === '') return null;
  const m = /^(\d{1,15})-(\d{1,10})$/.exec(text);
  if (!m) {
    fields['cursor'] = 'cursor must be the nextCursor of a previous answer, as given.';
    return null;
  }
  return { createdAt: new Date(Number(m[1])), ticketId: Number(m[2]) };
}

/** Who sent the request: the token used (null: anonymous) and the client's address. */
interface RequestContext {
  readonly token: ApiToken | null;
  readonly client: string;
}

type Handler = (
  req: http.IncomingMessage,
  url: URL,
  params: string[],
  context: RequestContext,
) => Promise<{ status: number; body: unknown; type?: string }>;

/** 'public', or the scope a token needs; 'public-details': anonymous gets a short answer, a metrics token the details. */
type Access = 'public' | 'public-details' | ApiScope;
const REALM = 'Bearer realm="ticketrelay"';

export function createHttpHandler(deps: HttpDeps): http.RequestListener {
  const log = deps.logger.child({ component: 'http' });
  const now = () => (deps.clock ? deps.clock() : new Date());
  const requests = deps.metrics.counter(
    'ticketrelay_http_requests_total',
    'HTTP requests served, by route and status.',
  );
  const latency = deps.metrics.histogram(
    'ticketrelay_http_request_duration_seconds',
    'HTTP request latency, by route.',
  );

  const clientAddress = createClientAddress(deps.access.trustedProxies);
  const rates = deps.rateGate ?? new LocalRateGate();

  const routes: { method: string[]; pattern: RegExp; name: string; access: Access; handle: Handler }[] = [
    {
      method: ['GET', 'HEAD'],
      pattern: /^\/healthz$/,
      name: 'healthz',
      access: 'public',
      handle: async () => ({ status: 200, body: { status: 'ok' } }),
    },
    {
      method: ['GET', 'HEAD'],
      pattern: /^\/readyz$/,
      name: 'readyz',
      access: 'public-details',
      handle: async (_req, _url, _params, context) => {
        const report = await deps.readiness();
        // Anonymous (a load balancer): up or down only; hosts, ports and errors need a metrics token.
        if (!context.token || !hasScope(context.token, 'metrics')) {
          return report.ready
            ? { status: 200, body: { status: 'ready' } }
            : {
                status: 503,
                body: { status: 'not_ready', message: 'Not ready. A token with the metrics scope gets the details.' },
              };
        }
        const down = Object.entries(report.checks)
          .filter(([, v]) => v !== 'ok')
          .map(([k]) => k);
        return report.ready
          ? {
              status: 200,
              body: {
                status: 'ready',
                checks: report.checks,
                ...(report.warnings ? { warnings: report.warnings } : {}),
              },
            }
          : {
              status: 503,
              body: {
                status: 'not_ready',
                down,
                checks: report.checks,
                message: `Not ready: ${down.map((name) => `${name} (${String(report.checks[name] ?? '').replace(/^down: /, '')})`).join('; ')}.`,
              },
            };
      },
    },
    {
      method: ['GET'],
      pattern: /^\/metrics$/,
      name: 'metrics',
      access: 'metrics',
      handle: async () => ({
        status: 200,
        body: await deps.metrics.render(),
        type: 'text/plain; version=0.0.4; charset=utf-8',
      }),
    },
    {
      method: ['POST'],
      pattern: /^\/api\/support\/contact\/?$/,
      name: 'contact',
      access: 'public',
      handle: async (req, _url, _params, context) => {
        const body = await readJson(req);
        const language = formLanguage(body, headerValue(req, 'accept-language'));
        const fr = language === 'fr';
        const checked = validateContactForm(body, language);
        // `message` is what the old pages show: every field's problem, in the form's language; `fields` names them.
        if (!checked.ok)
          throw new HttpProblem(400, 'validation_failed', checked.message, { fields: checked.fields, statusCode: 400 });
        if (checked.honeypot) {
          log.warn({ client: context.client }, 'web form refused: its hidden field was filled (a program)');
          throw new HttpProblem(
            422,
            'not_accepted',
            'This message was refused: a field people do not see was filled in, as programs do. Write to us by email instead. / Ce message a été refusé : écrivez-nous par e-mail.',
          );
        }
        // Counted once valid (a person correcting a field is not held back); per client, then for everyone.
        const denial = await rates.take([
          { scope: 'form-client', key: context.client, rates: deps.access.formRatePerIp },
          { scope: 'form-total', key: 'all', rates: deps.access.formRateTotal },
        ]);
        if (denial) {
          // The overall cap reached is an alert: someone floods the form from many addresses.
          if (denial.scope === 'form-client')
            log.info(
              { client: context.client, limit: denial.rate.text },
              'web form refused: this client reached its rate limit',
            );
          else
            log.warn(
              { client: context.client, limit: denial.rate.text },
              'web form refused: the overall rate limit (FORM_RATE_TOTAL) is reached',
            );
          throw tooMany(denial, formMessage(denial));
        }
        const raw = contactFormToEmail(checked.form, { supportAddress: deps.supportAddress, now: now() });
        const result = await deps.ingest(raw, { kind: 'web', name: 'contact form', webForm: checked.form.details });
        // The old pages read the number as ticket.msg_id (one version as msg_id): both, beside our own fields.
        const answer = async (ticketId: number) => {
          const detail = await deps.tickets.ticketDetail(ticketId);
          const ticket = detail ? oldSiteTicket(detail) : null;
          return {
            ticketId,
            ticketNumber: ticketId,
            msg_id: String(ticketId),
            ...(ticket ? { ticket, ...ticket } : {}),
          };
        };
        switch (result.outcome) {
          case 'created':
            return {
              status: 201,
              body: {
                success: true,
                ...(await answer(result.ticketId)),
                // No page shows it on success (they show the number): unchanged, in our API's language.
                message: `Thank you: your message is ticket #${result.ticketId}. We will answer by email.`,
              },
            };
          case 'reply':
            return {
              status: 201,
              body: {
                success: true,
                ...(await answer(result.ticketId)),
                message: `Thank you: your message was added to ticket #${result.ticketId}.`,
              },
            };
          case 'duplicate':
            return {
              status: 200,
              body: {
                success: true,
                ...(result.ticketId
                  ? await answer(result.ticketId)
                  : { ticketId: result.ticketId, ticketNumber: result.ticketId }),
                duplicate: true,
                message: `This message was already received${result.ticketId ? ` (ticket #${result.ticketId})` : ''}: nothing more to do.`,
              },
            };
          case 'automated':
            throw new HttpProblem(
              422,
              'not_accepted',
              fr
                ? "Cette adresse ne peut pas ouvrir de demande (c'est celle du support ou d'un envoi automatique) : utilisez votre propre adresse email."
                : 'This address cannot open a ticket (it belongs to the support desk or an automatic sender): use your own email address.',
              { fields: { email: fr ? 'Utilisez votre propre adresse email.' : 'Use your own email address.' } },
            );
          case 'rejected':
            throw new HttpProblem(
              422,
              'not_accepted',
              fr
                ? `Le message n'a pas pu être pris en compte (${result.reason}) : raccourcissez-le ou écrivez-nous par email.`
                : `The message could not be taken (${result.reason}): shorten it or write to us by email.`,
            );
          case 'spam':
            throw new HttpProblem(
              422,
              'not_accepted',
              fr
                ? 'Le message ressemble à du spam et a été mis de côté pour vérification : écrivez-nous par email si ce n’en est pas.'
                : 'The message looks like spam and was kept for review: write to us by email if it is not.',
            );
        }
      },
    },
    {
      method: ['GET'],
      pattern: /^\/api\/support\/contact\/stats\/?$/,
      name: 'stats',
      access: 'read',
      handle: async () => {
        const since = new Date(now().getTime() - 24 * 3_600_000);
        const stats = await deps.tickets.contactStats(since);
        // The old pages' names beside ours (their tiles and resolution rate read these four).
        return {
          status: 200,
          body: {
            ...stats,
            last24h: stats.createdSince,
            total_tickets: stats.total,
            open_tickets: stats.open,
            closed_tickets: stats.closed,
            tickets_last_24h: stats.createdSince,
          },
        };
      },
    },
    {
      method: ['GET'],
      pattern: /^\/api\/support\/contact\/tickets\/?$/,
      name: 'tickets',
      access: 'read',
      handle: async (_req, url) => {
        const fields: Record<string, string> = {};
        const paging = pagingParams(url, fields);
        const cursor = cursorParam(url.searchParams.get('cursor'), fields);
        const statusParam = url.searchParams.get('status');
        let status: 'open' | 'closed' | null = null;
        if (statusParam && statusParam !== 'all') {
          if (statusParam === 'open' || statusParam === 'closed') status = statusParam;
          else fields['status'] = 'status must be open, closed or all.';
        }
        const keyword = keywordParam(url, fields);
        refuseInvalidQuery(fields);
        const list = await deps.tickets.listTickets({
          ...paging,
          page: cursor ? 1 : paging.page,
          status,
          keyword,
          after: cursor,
        });
        return { status: 200, body: listAnswer(list, paging) };
      },
    },
    {
      // The old pages' search: words of the subject, the address or the messages, the number, and filters.
      method: ['GET'],
      pattern: /^\/api\/support\/contact\/search\/?$/,
      name: 'search',
      access: 'read',
      handle: async (_req, url) => {
        const fields: Record<string, string> = {};
        const paging = pagingParams(url, fields);
        const cursor = cursorParam(url.searchParams.get('cursor'), fields);
        const keyword = keywordParam(url, fields);
        const customer = url.searchParams.get('customer_id')?.trim() || null;
        if (customer && !/^\d{1,10}$/.test(customer))
          fields['customer_id'] = 'customer_id must be a customer number (digits).';
        const priorityParam = url.searchParams.get('priority')?.trim().toLowerCase() || null;
        const priority = (PRIORITIES as readonly string[]).includes(priorityParam ?? '')
          ? (priorityParam as Priority)
          : null;
        if (priorityParam && !priority) fields['priority'] = `priority must be one of ${PRIORITIES.join(', ')}.`;
        const categoryParam = url.searchParams.get('category')?.trim().toLowerCase() || null;
        const category = (CATEGORIES as readonly string[]).includes(categoryParam ?? '')
          ? (categoryParam as Category)
          : categoryParam
            ? (PAGE_CATEGORIES[categoryParam] ?? null)
            : null;
        if (categoryParam && categoryParam !== 'other' && !category)
          fields['category'] =
            `category must be one of ${CATEGORIES.join(', ')} (or the page's order, product, commercial).`;
        const from = dateParam(url, 'date_from', false, fields);
        const to = dateParam(url, 'date_to', true, fields);
        refuseInvalidQuery(fields);
        const list = await deps.tickets.listTickets({
          ...paging,
          page: cursor ? 1 : paging.page,
          after: cursor,
          status: null,
          keyword,
          inContent: true,
          customerId: customer ? Number(customer) : null,
          priority,
          category,
          from,
          to,
        });
        return { status: 200, body: listAnswer(list, paging) };
      },
    },
    {
      method: ['GET'],
      pattern: /^\/api\/support\/contact\/ticket\/([^/]+)\/?$/,
      name: 'ticket',
      access: 'read',
      handle: async (_req, _url, [idText]) => {
        const id = ticketIdParam(idText);
        const ticket = await deps.tickets.ticketDetail(id);
        if (!ticket) throw notFound(id);
        return { status: 200, body: withOldSiteFields(ticket) };
      },
    },
    {
      method: ['PUT', 'PATCH'],
      pattern: /^\/api\/support\/contact\/ticket\/([^/]+)\/status\/?$/,
      name: 'ticket_status',
      access: 'write',
      handle: async (req, _url, [idText], context) => {
        const id = ticketIdParam(idText);
        const body = await readJson(req);
        const status =
          typeof body === 'object' && body !== null ? (body as Record<string, unknown>)['status'] : undefined;
        if (status !== 'open' && status !== 'closed') {
          throw new HttpProblem(
            400,
            'validation_failed',
            'The status is not valid: send {"status": "open"} or {"status": "closed"}.',
            { fields: { status: 'status must be "open" or "closed".' } },
          );
        }
        const changed = await deps.statuses.setStatus(id, status, `api:${context.token?.name ?? 'anonymous'}`, now());
        if (!changed) throw notFound(id);
        return {
          status: 200,
          body: {
            success: true,
            ticketId: id,
            status,
            previous: changed.previous,
            changed: changed.previous !== status,
          },
        };
      },
    },
  ];

  /** The token this request may use for a route, or a problem (401, 403, 429). */
  const admit = async (req: http.IncomingMessage, access: Access): Promise<ApiToken | null> => {
    if (access === 'public') return null;
    const auth = authenticate(req.headers.authorization, deps.access.tokens);
    if (auth.kind === 'none') {
      if (access === 'public-details') return null;
      throw new HttpProblem(
        401,
        'unauthorized',
        deps.access.tokens.length
          ? 'This endpoint needs an API token: send "Authorization: Bearer <token>".'
          : 'This endpoint needs an API token, and none is configured: set API_TOKENS (see the README).',
        {},
        { 'www-authenticate': REALM },
      );
    }
    if (auth.kind === 'invalid')
      throw new HttpProblem(
        401,
        'unauthorized',
        `${auth.reason} Check the token given to this client.`,
        {},
        { 'www-authenticate': `${REALM}, error="invalid_token"` },
      );
    const { token } = auth;
    if (access !== 'public-details' && !hasScope(token, access)) {
      throw new HttpProblem(
        403,
        'forbidden',
        `The token "${token.name}" may not do this: it needs the ${access} scope (it has ${token.scopes.join('+')}).`,
        {},
        { 'www-authenticate': `${REALM}, error="insufficient_scope", scope="${access}"` },
      );
    }
    const denial = await rates.take([{ scope: 'api-token', key: token.name, rates: deps.access.ratePerToken }]);
    if (denial)
      throw tooMany(
        denial,
        `Too many requests with the token "${token.name}" (at most ${denial.rate.text}): try again in ${denial.retryAfterSeconds} s.`,
      );
    return token;
  };

  return (req, res) => {
    const started = performance.now();
    const target = req.url ?? '/';
    const targetProblem = requestTargetProblem(target);
    const url = new URL(targetProblem ? '/' : target, 'http://localhost');
    let routeName = 'unknown';
    const send = (status: number, body: unknown, type = 'application/json; charset=utf-8') => {
      const text = typeof body === 'string' ? body : JSON.stringify(body);
      if (!res.headersSent)
        res.writeHead(status, {
          'content-type': type,
          'content-length': Buffer.byteLength(text),
          'cache-control': 'no-store',
        });
      res.end(req.method === 'HEAD' ? undefined : text);
      requests.inc({ route: routeName, status: String(status) });
      latency.observe({ route: routeName }, (performance.now() - started) / 1000);
    };
    void (async () => {
      try {
        if (targetProblem) throw new HttpProblem(400, 'bad_request_target', `${targetProblem} Nothing was done.`);
        const candidates = routes.filter((r) => r.pattern.test(url.pathname));
        if (candidates.length === 0)
          throw new HttpProblem(404, 'not_found', `No such endpoint: ${url.pathname}. See the README for the API.`);
        const route = candidates.find((r) => r.method.includes(req.method ?? 'GET'));
        if (!route) {
          res.setHeader('allow', [...new Set(candidates.flatMap((r) => r.method))].join(', '));
          throw new HttpProblem(
            405,
            'method_not_allowed',
            `${req.method} is not allowed on ${url.pathname}: use ${candidates.flatMap((r) => r.method).join(' or ')}.`,
          );
        }
        routeName = route.name;
        const token = await admit(req, route.access);
        const params = (route.pattern.exec(url.pathname) ?? []).slice(1).map((p) => decodeURIComponent(p));
        const answer = await route.handle(req, url, params, { token, client: clientAddress(req) });
        send(answer.status, answer.body, answer.type);
      } catch (error) {
        if (error instanceof HttpProblem) {
          for (const [name, value] of Object.entries(error.headers)) if (!res.headersSent) res.setHeader(name, value);
          send(error.status, { error: error.code, message: error.message, ...error.extra });
        } else if (isAppError(error) && error.code === 'db.timeout') {
          log.warn({ route: routeName, code: error.code }, 'request stopped: a query went over its time budget');
          if (!res.headersSent) res.setHeader('retry-after', '30');
          send(503, {
            error: 'too_slow',
            message:
              'This request took longer than its time budget and was stopped: try a narrower search (a status, longer or fewer words) or a later page by its cursor.',
          });
        } else if (isAppError(error) && error.retryable) {
          log.warn(
            { route: routeName, code: error.code, err: error.message },
            'request failed: a dependency is unavailable',
          );
          send(503, {
            error: 'unavailable',
            message: 'The support desk cannot reach its database or queue right now: try again in a minute.',
          });
        } else {
          log.error(
            { route: routeName, err: error instanceof Error ? error.message : String(error) },
            'request failed',
          );
          send(500, {
            error: 'internal',
            message: 'Something went wrong on our side; it was logged. Try again later.',
          });
        }
        if (req.readableEnded === false) req.resume();
      }
    })();
  };
}

/**
 * A ticket in the old module's words, which its pages read: msg_* as strings, msg_open/msg_close as the
 * flags ('1'/'0') they compare, msg_date an ISO date they parse, msg_content the customer's text, the
 * customer block, and priority/category (ours are the page's values). Sent beside our own fields.
 */
function oldSiteTicket(ticket: TicketListItem) {
  const legacy = ticket.legacy;
  const customer = legacy?.customer ?? null;
  const open = ticket.status === 'open';
  return {
    msg_id: String(ticket.ticketId),
    msg_cst_id: String(legacy?.customerId ?? ''),
    msg_cnfa_id: legacy?.staffId ?? null,
    msg_ord_id: legacy?.orderNumber ?? null,
    msg_date: ticket.createdAt.toISOString(),
    msg_subject: ticket.subject,
    msg_content: legacy?.text ?? '',
    msg_parent_id: null,
    msg_open: open ? '1' : '0',
    msg_close: open ? '0' : '1',
    priority: ticket.priority,
    category: ticket.category,
    customer: customer
      ? {
          cst_name: customer.lastName ?? '',
          cst_fname: customer.firstName ?? '',
          cst_mail: customer.email ?? ticket.customerEmail,
          cst_phone: customer.phone,
        }
      : null,
  };
}

/** The list envelope both list routes answer: our items with the old module's fields, and the paging. */
function listAnswer(list: TicketListPage, paging: { page: number; limit: number }) {
  const { tickets, total } = list;
  // Keyset paging: the next page starts after the last ticket of this one (no deep OFFSET).
  const last = tickets.at(-1);
  const nextCursor = last && tickets.length === paging.limit ? `${last.createdAt.getTime()}-${last.ticketId}` : null;
  return {
    tickets: tickets.map(withOldSiteFields),
    total,
    // false: total is an estimate (a search for a common word counts among the newest tickets only).
    totalExact: list.totalExact,
    page: paging.page,
    limit: paging.limit,
    pages: Math.ceil(total / paging.limit),
    nextCursor,
  };
}

/** Our fields (without the store's legacy part, which the old module's fields say in its words) and the old module's. */
function withOldSiteFields<T extends TicketListItem>(ticket: T) {
  const ours = Object.fromEntries(Object.entries(ticket).filter(([key]) => key !== 'legacy'));
  return { ...ours, ...oldSiteTicket(ticket) };
}

function pagingParams(url: URL, fields: Record<string, string>): { page: number; limit: number } {
  const page = intParam(url, 'page', 1, fields, 1, 1_000_000);
  if (!fields['page'] && page > MAX_PAGE)
    fields['page'] = `pages by number go up to ${MAX_PAGE}; further, pass the answer's nextCursor as cursor=…`;
  // A larger page is served as MAX_LIMIT rows (the answer's "limit" says so), as the error says too.
  const limit = Math.min(MAX_LIMIT, intParam(url, 'limit', DEFAULT_LIMIT, fields, 1, 10_000));
  if (fields['limit'])
    fields['limit'] = `limit must be a whole number from 1 to 10000; pages hold at most ${MAX_LIMIT} tickets.`;
  return { page, limit };
}

/** A 400 naming each query parameter that is not valid, when there is one. */
function refuseInvalidQuery(fields: Record<string, string>): void {
  if (Object.keys(fields).length)
    throw new HttpProblem(
      400,
      'validation_failed',
      'Some query parameters are not valid: correct them and try again.',
      {
        fields,
      },
    );
}

function keywordParam(url: URL, fields: Record<string, string>): string | null {
  const keyword = url.searchParams.get('keyword')?.trim() || null;
  if (keyword && keyword.length > 100) fields['keyword'] = 'keyword is too long: at most 100 characters.';
  return keyword;
}

/** The page's categories that are not ours ('other' is every category: no filter). */
const PAGE_CATEGORIES: Readonly<Record<string, Category>> = {
  order: 'general',
  product: 'technical',
  commercial: 'general',
};

/** A day (2026-12-05: the whole day, in the shop's time zone as the old site wrote dates) or an ISO instant. */
function dateParam(url: URL, name: string, endOfDay: boolean, fields: Record<string, string>): Date | null {
  const raw = url.searchParams.get(name)?.trim();
  if (!raw) return null;
  const day = /^\d{4}-\d{1,2}-\d{1,2}$/.test(raw);
  const at = day ? parseShopDate(`${raw} 00:00:00`) : parseShopDate(raw);
  if (!at) {
    fields[name] = `${name} must be a date: 2026-12-05, or 2026-12-05T09:00:00Z.`;
    return null;
  }
  // A day named as the end includes that day: before the next midnight (23 to 25 hours on, near a clock change).
  return day && endOfDay ? (parseShopDate(nextDay(raw)) ?? at) : at;
}

function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const next = new Date(Date.UTC(y, m - 1, d + 1));
  return `${next.getUTCFullYear()}-${next.getUTCMonth() + 1}-${next.getUTCDate()} 00:00:00`;
}

function headerValue(req: http.IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function notFound(id: number): HttpProblem {
  return new HttpProblem(404, 'ticket_not_found', `There is no support ticket #${id}: check the number.`);
}

function ticketIdParam(text: string | undefined): number {
  if (!text || !/^\d{1,9}$/.test(text) || Number(text) === 0) {
    throw new HttpProblem(
      400,
      'validation_failed',
      `"${(text ?? '').slice(0, 20)}" is not a ticket number: use digits, e.g. /ticket/83.`,
      { fields: { id: 'must be a positive whole number.' } },
    );
  }
  return Number(text);
}

function intParam(
  url: URL,
  name: string,
  fallback: number,
  fields: Record<string, string>,
  min: number,
  max: number,
): number {
  const raw = url.searchParams.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    fields[name] = `${name} must be a whole number from ${min} to ${max}.`;
    return fallback;
  }
  return Number(raw);
}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new HttpProblem(
      415,
      'unsupported_media_type',
      'Send the body as JSON with "Content-Type: application/json".',
    );
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES)
    throw new HttpProblem(
      413,
      'payload_too_large',
      `The body is larger than ${MAX_BODY_BYTES / 1024} KB: shorten the message.`,
    );
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES)
      throw new HttpProblem(
        413,
        'payload_too_large',
        `The body is larger than ${MAX_BODY_BYTES / 1024} KB: shorten the message.`,
      );
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new HttpProblem(400, 'invalid_json', 'The body is not valid JSON: check quotes and commas.');
  }
}

/** The timeouts of every HTTP server we run (also given to Slack's receiver). */
export const SERVER_TIMEOUTS = {
  headersTimeout: 10_000,
  requestTimeout: 20_000,
  connectionsCheckingInterval: 1_000,
} as const;

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on host:port (0 = a free port); close() stops accepting and waits for requests in flight. */
export async function listen(
  handler: http.RequestListener,
  host: string,
  port: number,
  options: { maxConnections?: number } = {},
): Promise<RunningHttpServer> {
  // Slow clients (slowloris) are cut: headers within 10 s, the whole request within 20 s, checked every
  // second (node checks every 30 s by default, so a slow client held a socket for up to 40-60 s).
  const server = http.createServer({ ...SERVER_TIMEOUTS }, handler);
  server.keepAliveTimeout = 5_000;
  server.maxConnections = options.maxConnections ?? 512;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}
