// WebSocket close codes used by the proxy (4000-4999 is the application range, RFC 6455 §7.4.2),
// and what the page's client does on each: reconnect, or stop with a message a person can act on.
export const CloseCode = {
  /** The target is unknown to the proxy (an authenticated upgrade is accepted, then closed). */
  UnknownTarget: 4004,
  /**
   * The page's session ended (its cookie no longer signs in): the upgrade is accepted and closed
   * with this. Any other missing or wrong authentication is refused with HTTP 401.
   */
  Unauthorized: 4001,
  /** The session stopped answering heartbeats or let its send queue grow past the limit. */
  TooSlow: 4008,
  /** The client gave up waiting for the greeting and the capabilities reply. */
  NegotiationTimeout: 4010,
  /** The target went away (its libvirt guest stopped); it may come back under the same name. */
  TargetGone: 4011,
  /** The proxy is shutting down. */
  ServerShutdown: 1001,
  /** Data that is not valid UTF-8 (set by the WebSocket library). */
  InvalidData: 1007,
  /** A frame broke the protocol in a way that ends the session (binary frame, oversized frame). */
  PolicyViolation: 1008,
  TooBig: 1009,
} as const;

export interface CloseVerdict {
  /** Whether reconnecting can help. */
  retry: boolean;
  /** What happened, in words for the page. */
  message: string;
}

/** What a close means for the client; `reason` is the peer's close reason, if any. */
export function closeVerdict(code: number, reason: string): CloseVerdict {
  const why = reason ? `: ${reason}` : '';
  switch (code) {
    case CloseCode.UnknownTarget:
      return { retry: false, message: 'The Blockscope server has no such target' };
    case CloseCode.Unauthorized:
      return { retry: false, message: 'Not signed in: open the link with #token= again' };
    case CloseCode.InvalidData:
    case CloseCode.PolicyViolation:
    case CloseCode.TooBig:
      // the page sent something the proxy will refuse again: reconnecting would loop
      return { retry: false, message: `The Blockscope server ended the session${why}` };
    case CloseCode.ServerShutdown:
      // a restart is the common case, and an open page must come back after it
      return { retry: true, message: 'The Blockscope server is restarting or shutting down' };
    case CloseCode.TooSlow:
      return { retry: true, message: 'The page fell behind reading replies' };
    case CloseCode.TargetGone:
      // a guest that stops is often started again: keep trying, with the reason on show
      return { retry: true, message: `The target is gone${why}` };
    case CloseCode.NegotiationTimeout:
      return { retry: true, message: 'No QMP greeting from the server in time' };
    default:
      return { retry: true, message: `Connection to the Blockscope server lost${why}` };
  }
}
