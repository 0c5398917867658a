/** Keeps the raw bytes of an email intake could not take, so nothing is lost. Returns where it went. */
export interface Quarantine {
  keep(raw: Uint8Array, sha256: string): Promise<string>;
}

/** A Quarantine whose emails are read back (spam held for review, then released). */
export interface MessageArchive extends Quarantine {
  read(location: string): Promise<Uint8Array>;
}
