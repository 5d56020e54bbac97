// Splits a byte stream into top-level JSON values the way QEMU's monitor reads its socket
// (qobject/json-streamer.c): a value ends where its braces and brackets balance, wherever the
// newlines are, so a client may send several commands on one line, one command over several lines,
// or a command with no newline at all (Python's qemu.qmp writes none). Strings are followed so that
// braces inside them do not count. A value longer than `maxBytes` is reported and the rest of the
// stream is not read (the connection is closed). A stray closing brace is passed on as a value of
// its own, for the parser to refuse.

export type SplitItem = { kind: 'value'; bytes: Buffer } | { kind: 'oversized' };

const SPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN = new Set([0x7b, 0x5b]); // { [
const CLOSE = new Set([0x7d, 0x5d]); // } ]

type Mode = 'between' | 'nested' | 'scalar' | 'top-string';

export class JsonSplitter {
  private mode: Mode = 'between';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private pieces: Buffer[] = [];
  private held = 0;
  private failed = false;

  constructor(private readonly maxBytes: number) {}

  push(chunk: Buffer): SplitItem[] {
    if (this.failed) return [];
    const out: SplitItem[] = [];
    // Where the current value begins in this chunk (0 for one that began in an earlier chunk).
    let start = this.mode === 'between' ? -1 : 0;
    const finish = (end: number): boolean => {
      const piece = chunk.subarray(start, end);
      const length = this.held + piece.length;
      const bytes = this.pieces.length > 0 ? Buffer.concat([...this.pieces, piece], length) : piece;
      this.pieces = [];
      this.held = 0;
      this.mode = 'between';
      start = -1;
      if (length > this.maxBytes) return this.fail(out);
      out.push({ kind: 'value', bytes: Buffer.from(bytes) });
      return true;
    };
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i]!;
      if (this.mode === 'between') {
        if (SPACE.has(byte)) continue;
        start = i;
        if (OPEN.has(byte)) {
          this.mode = 'nested';
          this.depth = 1;
        } else if (byte === QUOTE) {
          this.mode = 'top-string';
          this.inString = true;
        } else if (CLOSE.has(byte)) {
          if (!finish(i + 1)) return out;
        } else {
          this.mode = 'scalar';
        }
        continue;
      }
      if (this.mode === 'scalar') {
        if (SPACE.has(byte) || OPEN.has(byte) || CLOSE.has(byte) || byte === QUOTE) {
          if (!finish(i)) return out;
          i--; // this byte begins the next value
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (byte === BACKSLASH) this.escaped = true;
        else if (byte === QUOTE) {
          this.inString = false;
          if (this.mode === 'top-string' && !finish(i + 1)) return out;
        }
        continue;
      }
      if (byte === QUOTE) this.inString = true;
      else if (OPEN.has(byte)) this.depth++;
      else if (CLOSE.has(byte) && --this.depth === 0 && !finish(i + 1)) return out;
    }
    if (start >= 0) {
      const rest = chunk.subarray(start);
      this.held += rest.length;
      if (this.held > this.maxBytes) {
        this.fail(out);
        return out;
      }
      this.pieces.push(Buffer.from(rest));
    }
    return out;
  }

  private fail(out: SplitItem[]): false {
    this.failed = true;
    this.pieces = [];
    this.held = 0;
    out.push({ kind: 'oversized' });
    return false;
  }
}
