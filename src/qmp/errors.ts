// The error tree shared by the proxy and the browser client.
// QEMU's own classes (GenericError, CommandNotFound, DeviceNotFound, DeviceNotActive, ...) pass
// through unchanged; the proxy adds the `Blockscope*` classes below, documented in README.md.

export const ProxyErrorClass = {
  /** The command is outside the session's role or the proxy's policy; QEMU never saw it. */
  Denied: 'BlockscopeDenied',
  /** The frame was not acceptable QMP (malformed JSON, duplicate keys, wrong shape). */
  BadRequest: 'BlockscopeBadRequest',
  /** The target's queue is full: a safety bound the proxy's back-pressure keeps out of reach. */
  Overloaded: 'BlockscopeOverloaded',
  /** The connection to QEMU is down; the command was not sent. */
  Disconnected: 'BlockscopeDisconnected',
  /** The connection dropped after a mutating command was sent: it may or may not have run. */
  OutcomeUnknown: 'BlockscopeOutcomeUnknown',
  /** No reply within the command's time limit; a late reply is dropped. */
  Timeout: 'BlockscopeTimeout',
  /** A file path argument lies outside the configured --allow-path directories. */
  PathNotAllowed: 'BlockscopePathNotAllowed',
  /** QEMU's reply was larger than the proxy's cap (10 MiB); it was discarded unread. */
  ReplyTooLarge: 'BlockscopeReplyTooLarge',
} as const;

export type ProxyErrorClassName = (typeof ProxyErrorClass)[keyof typeof ProxyErrorClass];

/** A QMP error reply, or a failure of the transport that QMP callers see the same way. */
export class QmpError extends Error {
  readonly errorClass: string;
  readonly desc: string;
  readonly command: string;

  constructor(errorClass: string, desc: string, command = '') {
    super(command ? `${command}: ${desc}` : desc);
    this.name = 'QmpError';
    this.errorClass = errorClass;
    this.desc = desc;
    this.command = command;
  }

  /** True when the command certainly did not run (safe to retry a read). */
  get notSent(): boolean {
    return (
      this.errorClass === ProxyErrorClass.Disconnected ||
      this.errorClass === ProxyErrorClass.Denied ||
      this.errorClass === ProxyErrorClass.BadRequest ||
      this.errorClass === ProxyErrorClass.Overloaded
    );
  }
}
