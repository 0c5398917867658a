/**
 * A worker thread of the parse pool (parse-pool.ts): parses raw emails with the mailparser adapter,
 * attachments stored to disk here as they are read, and posts back the InboundEmail, or the reason
 * the email could not be read.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isAppError, type ErrorCode } from '../../src/domain/errors.ts';
import { MailparserEmailParser, type MailparserOptions } from './mailparser-email-parser.ts';

export interface ParseRequest {
  readonly id: number;
  readonly raw: Uint8Array;
}

export type ParseReply =
  | { readonly id: number; readonly ok: true; readonly email: import('../../src/domain/inbound-email.ts').InboundEmail }
  | {
      readonly id: number;
      readonly ok: false;
      readonly code: ErrorCode;
      readonly message: string;
      readonly retryable: boolean;
    };

const options = (workerData as { options: MailparserOptions }).options;
const parser = new MailparserEmailParser(options);
const port = parentPort;
if (!port) throw new Error('parse-worker.ts runs as a worker thread of the parse pool');

port.on('message', (request: ParseRequest) => {
  parser.parse(request.raw).then(
    (email) => port.postMessage({ id: request.id, ok: true, email } satisfies ParseReply),
    (error: unknown) =>
      port.postMessage({
        id: request.id,
        ok: false,
        code: isAppError(error) ? error.code : 'email.unparseable',
        message: error instanceof Error ? error.message : String(error),
        retryable: isAppError(error) ? error.retryable : false,
      } satisfies ParseReply),
  );
});
port.postMessage('ready');
