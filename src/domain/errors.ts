/**
 * The one error type of ticketrelay. `code` is namespaced ('ticket.not_found', 'db.unavailable');
 * `details` must be safe to log (never a secret, never a whole email); `retryable` says whether the
 * same work may succeed later (the database came back) or never will (the email cannot be parsed).
 */
/**
 * Every code an AppError can carry, by namespace. A new failure adds its code here, so that a comparison
 * (`error.code === 'email.duplicate'`) with a misspelt or removed code fails to compile.
 */
export type ErrorCode =
  // archive (kept raw emails)
  | 'archive.missing'
  | 'db.timeout'
  | 'smtp.tls_required'
  | 'chat.token_refused'
  | 'slack.unreachable'
  | 'lmtp.listen_failed'
  | 'app.closed'
  | 'sla.file_unreadable'
  | 'sla.file_invalid'
  | 'sla.calendar_invalid'
  | 'sla.policies_invalid'
  | 'sla.unavailable'
  | 'assignment.file_invalid'
  | 'assignment.unknown_agent'
  | 'assignment.unavailable'
  // spam
  | 'spam.filter_unavailable'
  // agent
  | 'agent.not_found'
  // agents
  | 'agents.file_invalid'
  | 'agents.file_unreadable'
  // config
  | 'config.discord'
  | 'config.invalid'
  | 'config.slack'
  // db
  | 'db.access_denied'
  | 'db.conflict'
  | 'db.error'
  | 'db.legacy_exists'
  | 'db.legacy_missing'
  | 'db.missing_table'
  | 'db.unavailable'
  | 'db.unknown_database'
  // digest
  | 'digest.bad_day'
  | 'digest.claim_lost'
  | 'digest.post_refused'
  | 'digest.post_uncertain'
  // discord
  | 'discord.interaction_unknown'
  | 'discord.login_failed'
  | 'discord.post_failed'
  // email
  | 'email.duplicate'
  | 'email.parser_closed'
  | 'email.unparseable'
  // export
  | 'export.bad_range'
  // http
  | 'http.bad_host'
  | 'http.port_denied'
  | 'http.port_in_use'
  // imap
  | 'imap.auth_failed'
  | 'imap.message_failed'
  | 'imap.tls_unavailable'
  | 'imap.unreachable'
  // queue
  | 'queue.unavailable'
  // services
  | 'services.dovecot_exited'
  | 'services.mariadb_exited'
  | 'services.redis_exited'
  | 'services.spamd_exited'
  | 'services.start_timeout'
  | 'services.port_in_use'
  | 'services.mariadb_datadir_broken'
  | 'services.mariadb_bootstrap_failed'
  | 'services.data_dir_too_long'
  | 'services.dovecot_path_not_traversable'
  | 'services.locked'
  | 'services.invalid_options'
  | 'services.mariadb_init_failed'
  | 'services.missing_packages'
  | 'services.package_install_failed'
  | 'services.spawn_failed'
  | 'services.start_failed'
  | 'services.stop_failed'
  // slack
  | 'slack.post_failed'
  | 'slack.socket_mode_failed'
  // smtp
  | 'smtp.auth_failed'
  | 'smtp.rejected'
  | 'smtp.temporary'
  // ticket
  | 'ticket.not_found'
  // triage
  | 'triage.model_invalid'
  | 'triage.no_training_data'
  | 'triage.rules_invalid';

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    options: { cause?: unknown; retryable?: boolean; details?: Record<string, unknown> } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}

/** A message safe to show to a person, whatever was thrown. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message;
  return String(value);
}
