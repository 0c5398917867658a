/**
 * smtp-server waits 100 ms after each connection before it greets, to catch spam robots that talk
 * before the greeting ("early talkers"). The lmtp role's clients are the local mail server and the
 * pipe's hand-over, which opens a connection per email: 100 ms of every piped email's time spent
 * waiting. A server marked here greets as soon as the connection is set up; everything else of
 * smtp-server's start of a connection is kept (its listeners, its client limit, then connectionReady,
 * which greets). Other servers in the process (a test's SMTP listener) keep the wait.
 */
import type { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';

/** The parts of smtp-server's connection that its own init uses. */
interface Connection {
  readonly _server: SMTPServer & { readonly options: { maxClients?: number }; readonly connections: Set<unknown> };
  readonly name: string;
  init(): void;
  _setListeners(ready: () => void): void;
  connectionReady(): void;
  send(code: number, message: string, ready: boolean): void;
}

const atOnce = new WeakSet<SMTPServer>();
let installed = false;

export function greetAtOnce(server: SMTPServer): void {
  atOnce.add(server);
  if (installed) return;
  installed = true;
  const prototype = SMTPConnection.prototype as Connection;
  const init = prototype.init;
  // Checked once: a smtp-server whose connection no longer has these parts keeps its own init (and the wait).
  if (typeof prototype._setListeners !== 'function' || typeof prototype.connectionReady !== 'function') return;
  prototype.init = function (this: Connection) {
    if (!atOnce.has(this._server)) return init.call(this);
    this._setListeners(() => {
      const { maxClients } = this._server.options;
      if (maxClients && this._server.connections.size > maxClients)
        return this.send(421, `${this.name} Too many connected clients, try again in a moment`, false);
      this.connectionReady();
    });
  };
}
