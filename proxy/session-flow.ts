// Flow control for one session, the way QEMU treats a client of its monitor socket: it stops
// reading while it works, so a client that writes hundreds of commands at once is answered, never
// refused. A session admits at most `maxPending` frames whose replies it has not sent yet (its
// share of the target's queue); with its share taken, while a command is being checked against
// QEMU, or while the replies already sent wait in its send buffer (a peer that reads slowly), it
// stops reading the WebSocket until replies drain.
//
// `ws.pause()` stops the socket, but ws still delivers every frame of the TCP read it is parsing
// (a 64 KiB read of small frames is over a thousand messages), so those are held here, in arrival
// order, and reading resumes only once they are all admitted. Replies leave in the order their
// frames came, whether QEMU answered them or the proxy did at once (a refusal, a parse error):
// a script that pipelines with colliding ids can pair replies with commands by position, as on
// QEMU's own socket.
import type { JsonObject } from '../src/qmp/wire.ts';

/** The part of a WebSocket that flow control drives. */
export interface PausableSocket {
  pause(): void;
  resume(): void;
}

export interface FlowLimits {
  /** Frames admitted whose reply has not been sent yet. */
  maxPending: number;
  /** Frames delivered while paused, in bytes of text (plus a per-frame overhead). */
  maxHeldBytes: number;
}

export interface FlowHandlers {
  /**
   * Handles one frame; `answer` takes its reply (once). A returned promise holds the next frames
   * back until it settles, so a command checked against QEMU first still reaches QEMU before the
   * commands sent after it.
   */
  admit(text: string, answer: (reply: JsonObject) => void): Promise<void> | void;
  send(reply: JsonObject): void;
  /**
   * The replies already sent have not drained to the peer (its send buffer is over the soft
   * limit): nothing more is admitted until `drained()`, so a slow reader slows its own session.
   */
  backedUp(): boolean;
  /** More was delivered while paused than `maxHeldBytes` (ws did not stop reading). */
  overflow(): void;
}

/** What one held frame costs beyond its text (the string and the array slot). */
const FRAME_OVERHEAD = 32;

interface Slot {
  reply: JsonObject | null;
}

export class SessionFlow {
  private readonly held: string[] = [];
  private heldBytes = 0;
  private readonly slots: Slot[] = [];
  private started = false;
  private checking = false;
  private pumping = false;
  private stopped = false;
  private readPaused = false;

  constructor(
    private readonly socket: PausableSocket,
    private readonly limits: FlowLimits,
    private readonly handlers: FlowHandlers,
  ) {}

  /** Frames admitted and not yet answered (a reply waiting for an earlier one counts). */
  get pending(): number {
    return this.slots.length;
  }

  get heldFrames(): number {
    return this.held.length;
  }

  /** True while the WebSocket is not being read. */
  get paused(): boolean {
    return this.readPaused;
  }

  /** A frame from the WebSocket. */
  receive(text: string): void {
    if (this.stopped) return;
    if (this.held.length === 0 && this.canAdmit()) this.admitOne(text);
    else this.hold(text);
    this.updateReading();
  }

  /** Frames are admitted from now on (QEMU's greeting has been sent); until then they wait. */
  start(): void {
    this.started = true;
    this.pump();
  }

  /** The session is closed: nothing more is admitted or sent. */
  stop(): void {
    this.stopped = true;
    this.held.length = 0;
    this.heldBytes = 0;
    this.slots.length = 0;
  }

  /** The peer has read what was sent: frames held meanwhile are admitted again. */
  drained(): void {
    if (!this.stopped) this.pump();
  }

  private canAdmit(): boolean {
    return (
      this.started &&
      !this.checking &&
      !this.stopped &&
      this.slots.length < this.limits.maxPending &&
      !this.handlers.backedUp()
    );
  }

  private hold(text: string): void {
    this.held.push(text);
    this.heldBytes += text.length + FRAME_OVERHEAD;
    if (this.heldBytes > this.limits.maxHeldBytes) {
      this.stop();
      this.handlers.overflow();
    }
  }

  private admitOne(text: string): void {
    const slot: Slot = { reply: null };
    this.slots.push(slot);
    const answer = (reply: JsonObject) => {
      if (slot.reply || this.stopped) return;
      slot.reply = reply;
      this.flush();
    };
    const checked = this.handlers.admit(text, answer);
    if (checked) {
      this.checking = true;
      const done = () => {
        this.checking = false;
        this.pump();
      };
      void checked.then(done, done);
    }
  }

  /** Sends the replies that are next in order, then admits what the freed share allows. */
  private flush(): void {
    while (!this.stopped && this.slots[0]?.reply) this.handlers.send(this.slots.shift()!.reply!);
    this.pump();
  }

  private pump(): void {
    // An answer given while a frame is being admitted lands here too; the outer loop goes on.
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.held.length > 0 && this.canAdmit()) {
        const text = this.held.shift()!;
        this.heldBytes -= text.length + FRAME_OVERHEAD;
        this.admitOne(text);
      }
    } finally {
      this.pumping = false;
    }
    this.updateReading();
  }

  private updateReading(): void {
    if (this.stopped) return;
    const read = this.held.length === 0 && this.canAdmit();
    if (read === !this.readPaused) return;
    this.readPaused = !read;
    if (read) this.socket.resume();
    else this.socket.pause();
  }
}
