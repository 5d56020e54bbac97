// What the tests' QMP clients share: every message received, in order, and waiting for one that
// matches (already received or still to come).
export type Message = Record<string, unknown>;

export class MessageInbox {
  readonly messages: Message[] = [];
  private waiters: { match: (m: Message) => boolean; resolve: (m: Message) => void }[] = [];

  /** Records a message and hands it to the waiters it matches. */
  protected received(message: Message): void {
    this.messages.push(message);
    this.waiters = this.waiters.filter((w) => {
      if (!w.match(message)) return true;
      w.resolve(message);
      return false;
    });
  }

  /** Resolves with the first message (already received or future) that matches. */
  next(match: (m: Message) => boolean, timeoutMs = 20_000): Promise<Message> {
    const seen = this.messages.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error('timed out waiting for a message')),
        timeoutMs,
      );
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }
}
