// WebSocket close codes used by the proxy (4000-4999 is the application range, RFC 6455 §7.4.2).
export const CloseCode = {
  /** The target is unknown to the proxy. */
  UnknownTarget: 4004,
  /** Authentication missing or wrong (the upgrade itself is refused with HTTP 401 where possible). */
  Unauthorized: 4001,
  /** The session stopped answering heartbeats or let its send queue grow past the limit. */
  TooSlow: 4008,
  /** The proxy is shutting down. */
  ServerShutdown: 1001,
  /** A frame broke the protocol in a way that ends the session (binary frame, oversized frame). */
  PolicyViolation: 1008,
  TooBig: 1009,
} as const;
