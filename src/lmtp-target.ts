/**
 * Where a mail server's pipe hands its email when the service's lmtp role runs: LMTP_LISTEN and the
 * support address, read straight from the environment. config.ts validates the same variables with
 * the rest (and uses these definitions); the pipe reads only these two, so that handing an email over
 * loads neither the configuration's schema nor anything else (adapters/cli/pipe-entry.ts).
 */
import path from 'node:path';

export type LmtpListen = { readonly path: string } | { readonly host: string; readonly port: number };

/** The support address when SUPPORT_ADDRESS is not set (the development default). */
export const DEFAULT_SUPPORT_ADDRESS = 'support@ticketrelay.test';

/** `unix:/absolute/path` or `host:port` (`[v6]:port`); null when it is neither. */
export function parseLmtpListen(value: string): LmtpListen | null {
  const v = value.trim();
  if (v.startsWith('unix:')) return v.length > 5 && path.isAbsolute(v.slice(5)) ? { path: v.slice(5) } : null;
  const match = /^(?:\[([0-9a-f:.]+)\]|([a-z0-9.-]+)):(\d{1,5})$/i.exec(v);
  const port = Number(match?.[3]);
  if (!match || port < 1 || port > 65535) return null;
  return { host: (match[1] ?? match[2])!, port };
}

export interface PipeTarget {
  readonly listen: LmtpListen;
  /** The recipient of the LMTP transaction: the support address, as the service's config has it. */
  readonly recipient: string;
}

/** The lmtp role to hand a piped email to, or null when LMTP_LISTEN is not set (or is not an address). */
export function pipeTarget(env: NodeJS.ProcessEnv): PipeTarget | null {
  const listen = env['LMTP_LISTEN'] ? parseLmtpListen(env['LMTP_LISTEN']) : null;
  if (!listen) return null;
  return { listen, recipient: (env['SUPPORT_ADDRESS']?.trim() || DEFAULT_SUPPORT_ADDRESS).toLowerCase() };
}
